"""The survey result form (entry page and, row by row, the import) and the upload form.

Every rule the database guards with a CheckConstraint is checked here first,
with a message next to the field: no count is negative, offered <= served,
respondents <= offered, and for each question the answers at 1..5 add up to
no more than the respondents.
"""

from django import forms

from ..models import SCALE, Question, ResultSource, SurveyResult, answer_field
from .rollup import entry_refusal

COUNT_FIELDS = ("customers_served", "offered", "respondents")
POINT_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
COUNT_LABELS = {
    "customers_served": "Customers served",
    "offered": "Customers offered the survey",
    "respondents": "Respondents",
}


class SurveyResultForm(forms.ModelForm):
    class Meta:
        model = SurveyResult
        fields = [
            "period_start",
            "segment",
            *COUNT_FIELDS,
            *[answer_field(q, p) for q in Question.values for p in SCALE],
        ]
        widgets = {"period_start": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, widget, known_unique=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.widget = widget
        self.widget = widget
        # The import has already matched the row to its stored result.
        self.known_unique = known_unique
        self.fields["period_start"].label = "Period start"
        self.fields["period_start"].help_text = "The first day of the period surveyed."
        segment = self.fields["segment"]
        segment.queryset = widget.agency.segments.all()
        segment.empty_label = "All customers of the widget"
        segment.help_text = "Leave as “All customers” unless the survey covered one segment."
        for name, label in COUNT_LABELS.items():
            self.fields[name].label = label
        for question in Question:
            for point in SCALE:
                self.fields[
                    answer_field(question.value, point)
                ].label = f"{question.label}: {POINT_LABELS[point].lower()} ({point})"
        for f in self.fields.values():
            if isinstance(f, forms.IntegerField):
                f.widget.attrs.update(min=0, inputmode="numeric")
                f.error_messages["min_value"] = "Cannot be negative."

    def question_rows(self):
        """For the template: each question with its five bound fields and its errors."""
        rows = []
        for question in Question:
            cells = [
                {
                    "point": p,
                    "label": POINT_LABELS[p],
                    "field": self[answer_field(question.value, p)],
                }
                for p in SCALE
            ]
            errors = [e for c in cells for e in c["field"].errors]
            rows.append({"question": question, "cells": cells, "errors": errors})
        return rows

    def clean(self):
        cleaned = super().clean()
        served, offered, respondents = (cleaned.get(n) for n in COUNT_FIELDS)
        if offered is not None and served is not None and offered > served:
            self.add_error(
                "offered", f"Offered ({offered}) cannot be more than customers served ({served})."
            )
        if respondents is not None and offered is not None and respondents > offered:
            self.add_error(
                "respondents",
                f"Respondents ({respondents}) cannot be more than customers offered ({offered}).",
            )
        for question in Question:
            names = [answer_field(question.value, p) for p in SCALE]
            if any(n in self.errors for n in names):
                continue
            total = sum(cleaned.get(n) or 0 for n in names)
            if respondents is not None and total > respondents:
                self.add_error(
                    names[0],
                    f"{question.label}: {total} answers in all, more than the "
                    f"{respondents} respondents.",
                )
            elif respondents is None and total and "respondents" not in self.errors:
                self.add_error(
                    "respondents", "Enter the number of respondents when you enter answers."
                )
        self._check_unique(cleaned)
        why = entry_refusal(self.widget, cleaned.get("period_start"))
        if why and "period_start" not in self.errors:
            self.add_error("period_start", why)
        return cleaned

    def _check_unique(self, cleaned):
        period = cleaned.get("period_start")
        if self.known_unique or period is None:
            return
        others = SurveyResult.objects.filter(
            widget=self.widget,
            period_start=period,
            segment=cleaned.get("segment"),
            source=ResultSource.ENTERED,
        ).exclude(pk=self.instance.pk)
        if others.exists():
            self.add_error(
                "period_start",
                "There is already a survey result for this widget, period and segment; "
                "edit that one instead.",
            )
