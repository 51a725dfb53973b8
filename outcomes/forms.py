import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms import inlineformset_factory

from agencies.errors import VersionedForm
from agencies.models import Agency
from config.forms import NamedChoiceField, QuickSelect
from widgets.models import Widget, WidgetStatus

from .models import (
    ACTIVE_STATUSES,
    Contribution,
    Countermeasure,
    Measurement,
    Outcome,
    Problem,
    Review,
)
from .periods import GRAINS, counts_of, earliest_month, month_choices, period_choices
from .status import OF_OUTCOMES, Status

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _members(agency):
    return get_user_model().objects.filter(memberships__agency=agency).order_by("username")


class OutcomeForm(VersionedForm, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Outcome
        fields = [
            "program",
            "name",
            "measure",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "frequency",
            "owner",
        ]
        widgets = {"baseline_date": DATE_INPUT, "target_date": DATE_INPUT}
        labels = {"owner": "Owner (who answers for it)", "frequency": "Measured"}
        help_texts = {
            "program": "Leave empty for an outcome of the whole agency.",
            "baseline_value": "Where the measure stood when you began.",
            "target_value": "Where it should be by the target date.",
        }

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.instance.agency = agency
        self.fields["program"].queryset = agency.programs.all()
        self.fields["owner"].queryset = _members(agency)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Outcome.objects.filter(agency=self.agency, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                f"{self.agency.abbreviation} already has an outcome named “{name}”."
            )
        return name

    def clean(self):
        data = super().clean()
        baseline, target = data.get("baseline_date"), data.get("target_date")
        if baseline and target and target <= baseline:
            self.add_error("target_date", "The target date must be after the baseline date.")
        return data


class ContributionForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["widget", "rationale"]
        widgets = {"rationale": forms.Textarea(attrs={"rows": 2})}
        labels = {"rationale": "How this widget moves the outcome"}

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agency is not None:
            self.fields["widget"].queryset = Widget.objects.filter(agency=agency).exclude(
                status=WidgetStatus.RETIRED
            )


# At most 100 contributing widgets per outcome; the bound also stops a forged
# TOTAL_FORMS from making the server build thousands of forms.
MAX_CONTRIBUTIONS = 100
BaseContributionFormSet = inlineformset_factory(
    Outcome,
    Contribution,
    form=ContributionForm,
    extra=2,
    can_delete=True,
    max_num=MAX_CONTRIBUTIONS,
    absolute_max=MAX_CONTRIBUTIONS,
    validate_max=True,
)


class ContributionFormSet(BaseContributionFormSet):
    def __init__(self, *args, agency, **kwargs):
        self.agency = agency
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "agency": self.agency}

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            widget = form.cleaned_data.get("widget")
            if widget in seen:
                form.add_error("widget", "This widget is listed twice.")
            seen.add(widget)


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["date", "value", "note"]
        widgets = {"date": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"value": "In the unit of the outcome."}

    def __init__(self, *args, outcome, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome = outcome
        self.instance.outcome = outcome

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > dt.date.today():
            raise forms.ValidationError("The date cannot be in the future.")
        return date


class CountermeasureForm(VersionedForm, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Countermeasure
        fields = ["problem", "root_cause", "action", "owner", "due_date", "state", "huddle_problem"]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 2}),
            "root_cause": forms.Textarea(attrs={"rows": 2}),
            "action": forms.Textarea(attrs={"rows": 2}),
            "due_date": DATE_INPUT,
        }
        help_texts = {
            "problem": "What is off track, in numbers.",
            "root_cause": "Why, as far as you know: a cause in the system, not a person.",
            "action": "What will be done, and what result you expect.",
        }

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agency = agency
        self.fields["owner"].queryset = _members(agency)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        # Worked as a problem of one of the agency's huddle boards, about the same
        # outcome or widget, and solved there: a quick fix, a four-box or an A3.
        cm = self.instance
        about = {"outcome_id": cm.outcome_id} if cm.outcome_id else {"widget_id": cm.widget_id}
        field = self.fields["huddle_problem"]
        field.queryset = Problem.objects.filter(
            Q(status__in=ACTIVE_STATUSES) | Q(pk=cm.huddle_problem_id),
            board__agency=agency,
            **about,
        ).select_related("board__agency", "board__program", "board__team")
        field.label_from_instance = _problem_choice
        field.empty_label = "Not worked as a huddle problem"
        field.help_text = (
            "A problem about the same outcome or widget on one of the agency's huddle boards: "
            "solving it there marks this countermeasure done."
        )


def _problem_choice(problem):
    depth = problem.get_depth_display().lower() if problem.depth else "not yet worked"
    return f"{problem.what[:70]} ({problem.board.full_name}; {depth})"


class ReviewCreateForm(forms.Form):
    month = forms.TypedChoiceField(label="Month reviewed", coerce=dt.date.fromisoformat, choices=())

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        months, latest = month_choices(counts_of(agency))
        self.fields["month"].choices = [(m.isoformat(), f"{m:%B %Y}") for m in months]
        self.fields["month"].initial = latest.isoformat()

    def clean_month(self):
        month = self.cleaned_data["month"]
        if Review.objects.filter(agency=self.agency, month=month).exists():
            raise forms.ValidationError(f"There is already a review of {month:%B %Y}.")
        return month


class ReviewRecordForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["attendees", "decisions"]
        widgets = {
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "attendees": "Who took part, by role or name.",
            "decisions": "What was decided, one per line.",
        }


class DashboardFilterForm(forms.Form):
    program = forms.ModelChoiceField(queryset=None, required=False, empty_label="All programs")
    grain = forms.ChoiceField(label="Period", choices=list(GRAINS.items()), required=False)
    period = forms.ChoiceField(label="Which", choices=(), required=False)

    def __init__(self, *args, agency, latest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = agency.programs.all()
        grain = self.data.get("grain") if self.data.get("grain") in GRAINS else "month"
        # Any period with counts can be chosen, back to the agency's oldest.
        self.earliest = earliest_month(counts_of(agency))
        self.fields["period"].choices = [
            ("", "Latest"),
            *period_choices(grain, latest=latest, earliest=self.earliest),
        ]


class OutcomeListForm(forms.Form):
    """The outcomes list's filters: one agency (of those the reader may read) and one
    status. Bad values are dropped (every outcome shown), as a link kept from
    before may hold an agency no longer readable."""

    agency = NamedChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        empty_label="All agencies",
        widget=QuickSelect,
    )
    status = forms.ChoiceField(
        required=False,
        widget=QuickSelect,
        choices=[
            ("", "Any status"),
            *[(s.value, s.label) for s in OF_OUTCOMES],
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.for_user(user)

    def chosen(self):
        """(agency or None, Status or None): what the filters ask for, valid parts only."""
        if not self.is_bound:
            return None, None
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status")
        return data.get("agency"), Status(status) if status else None


class StepChangeForm(forms.Form):
    """A step change on the outcome page: the first measurement of the new period, and why."""

    starts_on = forms.TypedChoiceField(
        label="First measurement of the new period",
        coerce=dt.date.fromisoformat,
        help_text="The process limits restart at this measurement.",
    )
    reason = forms.CharField(
        label="What changed",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="e.g. “New online form from March”. Shown beside the chart.",
    )

    def __init__(self, *args, outcome, **kwargs):
        super().__init__(*args, **kwargs)
        dates = list(outcome.measurements.order_by("-date").values_list("date", flat=True))
        taken = set(outcome.step_changes.values_list("starts_on", flat=True))
        self.fields["starts_on"].choices = [
            (d.isoformat(), f"{d:%-d %B %Y}") for d in dates[:-1] if d not in taken
        ]
