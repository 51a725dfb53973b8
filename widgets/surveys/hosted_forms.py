"""Staff forms of hosted surveys: the survey itself, a batch of invitations, a redaction."""

import re

from django import forms
from django.utils import timezone

from agencies.errors import VersionedForm

from ..models import Channel, Survey
from ..periods import describe_period
from . import rollup
from .hosting import MAX_INVITATIONS

CONTROL_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{2,18}[0-9A-Za-z]$")


class SurveyForm(VersionedForm, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Survey
        fields = [
            "title",
            "title_es",
            "intro",
            "intro_es",
            "ask_comment",
            "ask_channel",
            "ask_segment",
            "control_number",
            "control_expires",
        ]
        widgets = {
            "control_expires": forms.DateInput(attrs={"type": "date"}),
            "intro": forms.Textarea(attrs={"rows": 3}),
            "intro_es": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, widget, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.widget = widget
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        self.fields["intro_es"].help_text = "Leave empty to show the English introduction."

    def clean_control_number(self):
        number = self.cleaned_data["control_number"].strip()
        if number and not CONTROL_NUMBER.match(number):
            raise forms.ValidationError(
                "Letters, digits and hyphens only, 4 to 20 characters, e.g. 1234-5678."
            )
        return number

    def clean(self):
        cleaned = super().clean()
        number, expires = cleaned.get("control_number"), cleaned.get("control_expires")
        if "control_number" in self.errors or "control_expires" in self.errors:
            return cleaned
        if number and expires is None:
            self.add_error("control_expires", "Enter the date the control number expires.")
        elif expires is not None and not number:
            self.add_error("control_number", "Enter the control number that expires then.")
        elif expires is not None and expires < timezone.localdate():
            self.add_error(
                "control_expires",
                f"This date has passed ({expires:%-d %b %Y}): a survey cannot take answers "
                "under an expired number. Enter the renewed number and its expiry date.",
            )
        return cleaned


class InvitationForm(forms.Form):
    size = forms.IntegerField(
        label="How many invitations",
        min_value=1,
        max_value=MAX_INVITATIONS,
        help_text=f"One for each widget delivered; at most {MAX_INVITATIONS:,} at a time.",
    )
    delivered_on = forms.DateField(
        label="Delivered on or in the period of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Any day of the period the widgets were delivered in.",
    )
    channel = forms.ChoiceField(
        label="Channel they were delivered through", choices=Channel.choices
    )
    segment = forms.ModelChoiceField(
        label="Customer segment",
        queryset=None,
        required=False,
        empty_label="Not known",
        help_text="If the survey asks, customers may say it themselves.",
    )

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.fields["segment"].queryset = survey.widget.customer_segments.order_by("name")
        self.fields["delivered_on"].initial = timezone.localdate()
        for name in ("size",):
            self.fields[name].widget.attrs.update(inputmode="numeric")

    def clean_delivered_on(self):
        day = self.cleaned_data["delivered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("Invite customers for widgets already delivered.")
        return day

    def period_label(self):
        day = self.cleaned_data["delivered_on"]
        widget = self.survey.widget
        return describe_period(rollup.survey_period(widget, day), rollup.survey_frequency(widget))


class RedactionForm(forms.Form):
    reason = forms.CharField(
        label="Why redact it",
        max_length=200,
        help_text="E.g. “names a person”, “a phone number”. The reason is kept; the words are not.",
    )
