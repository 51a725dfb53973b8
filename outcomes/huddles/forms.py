"""Forms of the huddle boards and their problem logs."""

from django import forms
from django.contrib.auth import get_user_model

from agencies.templatetags.people import person

from ..forms import DATE_INPUT
from ..models import ACTIVE_STATUSES, Depth, Problem, ProblemAction, ProblemStatus
from . import problems, tiers


class BoardMeasuresForm(forms.Form):
    """The widgets and outcomes a board shows; none: the tier's defaults."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    widgets = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each shows its measure that matters most: the on-time share, or the "
        "backlog when it has no standard.",
    )
    outcomes = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, board, reader, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["widgets"].queryset = (
            tiers.eligible_widgets(board, reader)
            .select_related("agency")
            .order_by("agency__name", "name")
        )
        self.fields["outcomes"].queryset = (
            tiers.eligible_outcomes(board).select_related("agency").order_by("agency__name", "name")
        )
        if board.agency_id is None:  # the state's: name each one's agency
            self.fields["widgets"].label_from_instance = _with_agency
            self.fields["outcomes"].label_from_instance = _with_agency
        if not self.is_bound:
            self.initial = {
                "version": board.version,
                "widgets": list(board.widgets.values_list("pk", flat=True)),
                "outcomes": list(board.outcomes.values_list("pk", flat=True)),
            }


def _with_agency(obj):
    return f"{obj.name} ({obj.agency.abbreviation})"


def _people(board):
    """Who may own a problem or an action: members of the board's agency (of any
    agency, for the state's board)."""
    people = get_user_model().objects.filter(is_active=True)
    if board.agency_id is None:
        return people.filter(memberships__isnull=False).distinct().order_by("username")
    return people.filter(memberships__agency_id=board.agency_id).order_by("username")


class ProblemForm(forms.ModelForm):
    """Raise a problem (or edit one still open): what, where, since when, which measure."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Problem
        fields = ["what", "where", "since", "widget", "outcome", "owner", "status"]
        widgets = {"what": forms.Textarea(attrs={"rows": 3}), "since": DATE_INPUT}
        labels = {"owner": "Owner (who sees it through)"}

    def __init__(self, *args, board, reader, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["widget"].queryset = tiers.eligible_widgets(board, reader).order_by("name")
        self.fields["outcome"].queryset = tiers.eligible_outcomes(board).order_by("name")
        self.fields["owner"].queryset = _people(board)
        self.fields["owner"].label_from_instance = person
        if self.instance.pk:
            self.fields["status"].choices = [
                (s.value, s.label) for s in ProblemStatus if s.value in ACTIVE_STATUSES
            ]
            self.fields["version"].required = True
            if not self.is_bound:
                self.initial["version"] = self.instance.version
        else:
            del self.fields["status"]
            self.fields["owner"].required = False
            self.fields["owner"].help_text = "Blank: you."

    def clean(self):
        data = super().clean()
        if data.get("widget") and data.get("outcome"):
            self.add_error("outcome", "Choose a widget or an outcome, not both.")
        return data


class ActionForm(forms.ModelForm):
    class Meta:
        model = ProblemAction
        fields = ["what", "owner", "due_date"]
        widgets = {"due_date": DATE_INPUT}
        labels = {"what": "Action"}

    def __init__(self, *args, board, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _people(board)
        self.fields["owner"].label_from_instance = person


class SolveForm(forms.ModelForm):
    """One depth of solving (outcomes.huddles.problems.DEPTH_FIELDS): its fields, and
    whether to close the problem as solved now."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Problem
        fields = []
        widgets = {
            "fix_date": DATE_INPUT,
            "measure_after_on": DATE_INPUT,
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in [
                    "what",
                    "fix_note",
                    "root_cause",
                    "countermeasure",
                    "result",
                    "background",
                    "current_condition",
                    "goal",
                    "follow_up",
                ]
            },
            **{f"why_{n}": forms.Textarea(attrs={"rows": 2}) for n in range(1, 6)},
        }
        labels = {"what": "Problem", "countermeasure": "Countermeasure"}


def solve_form(depth):
    """The form class for one depth."""
    fields = problems.DEPTH_FIELDS[depth]
    labels = {"countermeasure": "Countermeasures"} if depth == Depth.A3 else {}
    return forms.modelform_factory(
        Problem,
        form=SolveForm,
        fields=fields,
        widgets={n: w for n, w in SolveForm.Meta.widgets.items() if n in fields},
        labels={**SolveForm.Meta.labels, **labels},
    )


class SendBackForm(forms.Form):
    """Why a problem that came up goes back to the board below, and with what help."""

    sent_back_note = forms.CharField(
        label="Why it goes back down",
        help_text=Problem._meta.get_field("sent_back_note").help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
