"""Forms of the huddle boards and their problem logs."""

from django import forms

from . import tiers


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
