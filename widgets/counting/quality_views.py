"""An agency's data-quality findings (widgets.quality), grouped by grade and
filterable by grade and widget, each with a link to the count to fix."""

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.permissions import READ, grant
from agencies.scoping import STAFF, can_change

from .. import quality


class FindingFilterForm(forms.Form):
    grade = forms.ChoiceField(choices=[("", "All grades"), *quality.GRADES.items()], required=False)
    widget = forms.ModelChoiceField(queryset=None, required=False, empty_label="All widgets")

    def __init__(self, *args, widgets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["widget"].queryset = widgets.order_by("name")


def fix_url(finding, *, may_count):
    """Where to fix a finding: the count's edit page, the entry grid at a late period,
    or (for a reader who may not change counts) the widget's counts."""
    widget = finding.widget
    if may_count and finding.count_id is not None:
        return reverse("widgets:count-edit", args=[finding.count_id])
    if may_count and finding.check == "late-count":
        return (
            reverse("widgets:count-entry", args=[widget.agency.slug])
            + f"?frequency={widget.reporting_frequency}&period={finding.period:%Y-%m-%d}"
        )
    return reverse("widgets:count-history", args=[widget.pk])


@grant(READ, agency=Agency, by="slug")
def data_quality(request, agency):
    widgets = quality.checked_widgets(agency, request.user)
    form = FindingFilterForm(request.GET or None, widgets=widgets)
    grade = widget = None
    if form.is_bound and form.is_valid():
        grade = form.cleaned_data["grade"] or None
        widget = form.cleaned_data["widget"]
    scope = widgets.filter(pk=widget.pk) if widget else widgets
    found = quality.findings(scope, today=timezone.localdate())
    tally = quality.tally(found)
    may_count = can_change(request.user, agency.pk, STAFF)
    groups = []
    for key, label in quality.GRADES.items():
        if grade and key != grade:
            continue
        rows = [(f, fix_url(f, may_count=may_count)) for f in found if f.grade == key]
        groups.append(
            {"grade": key, "label": label, "rows": rows, "symbol": quality.GRADE_SYMBOLS[key]}
        )
    return render(
        request,
        "widgets/counting/data_quality.html",
        {
            "agency": agency,
            "form": form,
            "groups": groups,
            "tally": [(quality.GRADES[k], n) for k, n in tally.items()],
            "total": len(found),
            "may_count": may_count,
            "checks": quality.CHECKS,
            "reported_periods": quality.REPORTED_PERIODS,
        },
    )
