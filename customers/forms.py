"""The customer segment form, with the widgets the segment receives."""

from django import forms

from agencies.models import Agency

from .models import CustomerSegment


def widget_model():
    """Widget, read through the reverse relation: customers imports nothing downstream."""
    return CustomerSegment._meta.get_field("widgets").related_model


class WidgetChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.agency.abbreviation}, {obj.get_status_display().lower()})"


class SegmentForm(forms.ModelForm):
    widgets = WidgetChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Widgets they receive",
        help_text="Tick every widget this segment receives from the agency.",
    )

    class Meta:
        model = CustomerSegment
        fields = ["agency", "name", "kind", "description", "needs", "estimated_size"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "needs": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "estimated_size": {"min_value": "Estimated size cannot be negative."},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.changeable_by(user)
        widgets = widget_model().objects.select_related("agency").order_by("agency__name", "name")
        if self.instance.pk:
            # A segment stays with its agency; its widgets are that agency's.
            self.fields["agency"].disabled = True
            self.fields["agency"].queryset = Agency.objects.filter(pk=self.instance.agency_id)
            self.fields["agency"].help_text = "A segment stays with its agency."
            widgets = widgets.filter(agency_id=self.instance.agency_id)
            self.fields["widgets"].initial = list(
                self.instance.widgets.values_list("pk", flat=True)
            )
        else:
            self.fields["agency"].queryset = agencies
            widgets = widgets.filter(agency__in=agencies)
        self.fields["agency"].empty_label = None
        self.fields["widgets"].queryset = widgets
        self.fields["estimated_size"].widget.attrs["min"] = 0

    def clean(self):
        cleaned = super().clean()
        agency = cleaned.get("agency")
        chosen = cleaned.get("widgets") or []
        foreign = [w.name for w in chosen if agency and w.agency_id != agency.pk]
        if foreign:
            self.add_error(
                "widgets",
                f"Choose widgets of {agency.name} only; not {', '.join(foreign)}.",
            )
        return cleaned
