from django import forms
from django.contrib.auth import get_user_model

from agencies.errors import VersionedForm
from customers.models import CustomerSegment, SegmentKind

from .. import measures
from ..models import Channel, Widget

# Fields grouped as staff think about a widget, each group with a plain hint.
FIELDSETS = [
    (
        "What it is",
        "Name the thing a customer receives, not the work you do to make it.",
        ["program", "name", "kind", "description"],
    ),
    (
        "Who receives it",
        "Every widget has customers whose satisfaction matters.",
        ["customer_segments", "new_segment_name", "new_segment_kind"],
    ),
    (
        "When one is done",
        "How you will count it: the moment one widget is delivered, and what you count.",
        ["definition_of_done", "unit_of_count", "channels", "reporting_frequency"],
    ),
    (
        "The promise to customers",
        "The service standard: how fast, and how often you meet it.",
        ["standard_days", "standard_share", "fee", "legal_authority", "owner"],
    ),
    (
        "Measures that do not apply",
        "Tick a count this widget does not have, such as no cost tracked, no service "
        "standard or a channel not offered: it is shown as n/a, cannot be entered, and is "
        "left out of totals and checks. Leave it unticked if it applies but is not known "
        "yet: a blank count means not known, and 0 means none.",
        ["not_applicable"],
    ),
]


class WidgetForm(VersionedForm, forms.ModelForm):
    channels = forms.MultipleChoiceField(
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="How customers ask for and receive it.",
    )
    new_segment_name = forms.CharField(
        label="Or add a new customer segment",
        required=False,
        max_length=200,
        help_text="Type a name to add a segment without leaving this form, e.g. “Small farms”.",
    )
    new_segment_kind = forms.ChoiceField(
        label="Kind of the new segment",
        choices=[("", "Choose a kind"), *SegmentKind.choices],
        required=False,
    )
    not_applicable = forms.MultipleChoiceField(
        label="Counts this widget does not have",
        choices=[(f.name, f"{f.label}: {f.help}") for f in measures.may_be_not_applicable()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Demand and delivered always apply. A field that already holds numbers "
        "cannot be ticked until they are cleared.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Widget
        fields = [
            "program",
            "name",
            "kind",
            "description",
            "customer_segments",
            "definition_of_done",
            "unit_of_count",
            "channels",
            "reporting_frequency",
            "standard_days",
            "standard_share",
            "fee",
            "legal_authority",
            "owner",
            "not_applicable",
        ]
        widgets = {
            "customer_segments": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
            "definition_of_done": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"fee": "Fee to the customer ($)", "owner": "Owner (who answers for it)"}

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.instance.agency = agency
        self.fields["program"].queryset = agency.programs.all()
        self.fields["customer_segments"].queryset = CustomerSegment.objects.filter(
            agency=agency, archived=False
        )
        self.fields["customer_segments"].required = False
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(memberships__agency=agency).order_by("username")
        )
        self.fields["standard_share"].widget.attrs.update({"min": 0, "max": 100, "step": "0.1"})
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    @property
    def fieldsets(self):
        return [(legend, hint, [self[name] for name in names]) for legend, hint, names in FIELDSETS]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Widget.objects.filter(agency=self.agency, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                f"{self.agency.abbreviation} already has a widget named “{name}”."
            )
        return name

    def clean(self):
        data = super().clean()
        name = (data.get("new_segment_name") or "").strip()
        if name:
            if not data.get("new_segment_kind"):
                self.add_error("new_segment_kind", "Choose what kind of customers they are.")
            elif CustomerSegment.objects.filter(agency=self.agency, name__iexact=name).exists():
                self.add_error(
                    "new_segment_name", f"“{name}” exists already: tick it in the list above."
                )
        return data

    def save_relations(self):
        """Customer segments, and the new segment if one was typed in."""
        self._save_m2m()
        name = (self.cleaned_data.get("new_segment_name") or "").strip()
        if name:
            segment = CustomerSegment.objects.create(
                agency=self.agency, name=name, kind=self.cleaned_data["new_segment_kind"]
            )
            self.instance.customer_segments.add(segment)


class TransitionForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Required when returning: say what needs to change.",
    )
