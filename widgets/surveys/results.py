"""Survey results: derived figures, the widget page's summary, and CSV/XLSX import.

Derived, never stored: share agreeing (answers at 4 and 5 / answers), mean
score, response rate (respondents / offered) and CSAT (share agreeing of the
satisfaction question, with its number of responses; fewer than
SURVEY_MIN_RESPONSES responses is a "low sample", labelled, not hidden). The
arithmetic lives in customers.satisfaction, so that the customer pages, which
may not import widgets, use the very same rules.

An import is previewed first (every row new / changed / unchanged / error, with
reasons named by row and column) and committed second, all or nothing, each
row validated by the same form as the entry page. The page is
widgets.surveys.views.SurveyUpload.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Case, When

from agencies.errors import UploadRejected
from agencies.previews import CHANGED, ERROR, NEW, UNCHANGED, Cell, Preview
from agencies.tabular import cell_text
from customers.models import CustomerSegment
from customers.satisfaction import Csat, is_low_sample, mean_score, response_rate, share_agreeing

from ..models import (
    SCALE,
    Question,
    ResultSource,
    SurveyResult,
    SurveyStatus,
    Widget,
    answer_field,
)
from .forms import COUNT_FIELDS, SurveyResultForm
from .rollup import entry_refusal, lock_widget

ANSWER_FIELDS = [answer_field(q, p) for q in Question.values for p in SCALE]
IMPORT_COLUMNS = ["widget_id", "period_start", "segment", *COUNT_FIELDS, *ANSWER_FIELDS]
REQUIRED_COLUMNS = ("widget_id", "period_start")
SUMMARY_LIMIT = 24


@dataclass
class QuestionFigures:
    question: str
    label: str
    answers: list
    responses: int | None
    share_agreeing: float | None
    mean: float | None

    @property
    def percent_agreeing(self):
        return None if self.share_agreeing is None else round(self.share_agreeing * 100, 1)

    @property
    def low_sample(self):
        return bool(self.responses) and is_low_sample(self.responses)


def question_figures(result):
    figures = []
    for question in Question:
        answers = result.answers(question.value)
        known = [a for a in answers if a is not None]
        figures.append(
            QuestionFigures(
                question=question.value,
                label=question.label,
                answers=answers,
                responses=sum(known) if known else None,
                share_agreeing=share_agreeing(answers),
                mean=mean_score(answers),
            )
        )
    return figures


@dataclass
class SurveySummary:
    """One survey result with its derived figures, as the widget page shows it."""

    result: SurveyResult
    csat: Csat = field(init=False)
    response_rate: float | None = field(init=False)
    drivers: list = field(init=False)

    def __post_init__(self):
        self.csat = Csat(self.result.answers(Question.SATISFACTION))
        self.response_rate = response_rate(self.result.respondents, self.result.offered)
        self.drivers = [f for f in question_figures(self.result) if f.question != "satisfaction"]

    @property
    def response_rate_percent(self):
        return None if self.response_rate is None else round(self.response_rate * 100, 1)


def current_survey(widget):
    """The widget's hosted survey that is not closed, or the latest closed one (or None)."""
    return widget.surveys.order_by(
        Case(When(status=SurveyStatus.CLOSED, then=1), default=0), "-created_at"
    ).first()


def survey_summary_for_widget(widget, *, limit=SUMMARY_LIMIT):
    """The widget's latest survey results (overall and per segment), newest first. One query."""
    results = widget.survey_results.select_related("segment").order_by(
        "-period_start", "segment__name"
    )[:limit]
    return [SurveySummary(r) for r in results]


# Import --------------------------------------------------------------------


@dataclass
class ImportRow:
    """One row of a survey file; follows the preview-row protocol (agencies.previews)."""

    number: int
    status: str = ERROR  # new / changed / unchanged / error
    widget: Widget | None = None
    period_start: dt.date | None = None
    segment: CustomerSegment | None = None
    errors: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    before: dict = field(default_factory=dict)  # the stored figures, for the cells
    instance: SurveyResult | None = None

    warnings = ()
    notes = ()

    @property
    def label(self):
        if self.widget is None:
            return ""
        parts = [self.widget.name]
        if self.period_start:
            parts.append(self.period_start.isoformat())
        parts.append(self.segment.name if self.segment else "all customers")
        return ", ".join(parts)

    @property
    def messages(self):
        return self.errors

    @property
    def cells(self):
        """The figures a changed row changes (a new row's are all in the file)."""
        if self.status != CHANGED:
            return []
        return [Cell(n, self.before[n], getattr(self.instance, n)) for n in self.changed]


def _int_or_none(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def preview_import(rows, *, user):
    """Validate every row of an upload; saves nothing. `rows` from tabular.read_rows."""
    rows = [(n, {k: cell_text(v) for k, v in data.items()}) for n, data in rows]
    ids = {_int_or_none(data.get("widget_id")) for _, data in rows} - {None}
    widgets = Widget.objects.changeable_by(user).select_related("agency").in_bulk(ids)
    segments = {
        (s.agency_id, s.name.casefold()): s
        for s in CustomerSegment.objects.filter(agency__in={w.agency_id for w in widgets.values()})
    }
    existing = {
        (r.widget_id, r.period_start, r.segment_id): r
        for r in SurveyResult.objects.filter(
            widget__in=widgets.values(), source=ResultSource.ENTERED
        )
    }
    seen = {}
    return Preview([_preview_row(n, data, widgets, segments, existing, seen) for n, data in rows])


def _preview_row(number, data, widgets, segments, existing, seen):
    row = ImportRow(number=number)
    widget_id = _int_or_none(data.get("widget_id"))
    row.widget = widgets.get(widget_id)
    if row.widget is None:
        shown = data.get("widget_id") or "(blank)"
        row.errors.append(f"widget_id: no widget {shown} that you may change.")
        return row
    name = data.get("segment", "")
    if name:
        row.segment = segments.get((row.widget.agency_id, name.casefold()))
        if row.segment is None:
            row.errors.append(
                f"segment: {row.widget.agency.abbreviation} has no customer segment named “{name}”."
            )
            return row
    try:
        row.period_start = dt.date.fromisoformat(data.get("period_start", ""))
    except ValueError:
        row.errors.append("period_start: enter the date as YYYY-MM-DD, e.g. 2026-01-01.")
        return row
    key = (row.widget.pk, row.period_start, row.segment.pk if row.segment else None)
    if key in seen:
        row.errors.append(f"Repeats row {seen[key]} (same widget, period and segment).")
        return row
    seen[key] = number
    instance = existing.get(key) or SurveyResult(widget=row.widget)
    before = {f: getattr(instance, f) for f in (*COUNT_FIELDS, *ANSWER_FIELDS)}
    form_data = {
        "period_start": row.period_start.isoformat(),
        "segment": row.segment.pk if row.segment else "",
    }
    for name in (*COUNT_FIELDS, *ANSWER_FIELDS):
        # A column absent from the file keeps what is stored; a blank cell is unknown.
        form_data[name] = (
            data[name] if name in data else (before[name] if before[name] is not None else "")
        )
    form = SurveyResultForm(form_data, instance=instance, widget=row.widget, known_unique=True)
    if not form.is_valid():
        for column, errors in form.errors.items():
            where = f"{column}: " if column != "__all__" else ""
            row.errors.extend(f"{where}{e}" for e in errors)
        return row
    row.instance, row.before = form.instance, before
    if instance.pk is None:
        row.status = NEW
    else:
        row.changed = [f for f, old in before.items() if getattr(instance, f) != old]
        row.status = CHANGED if row.changed else UNCHANGED
    return row


class ImportRefused(UploadRejected):
    """Nothing was saved; the message says why."""


def commit_import(preview):
    """Save every new and changed row in one transaction, or none of them."""
    if preview.error_count:
        n = preview.error_count
        raise ImportRefused(
            preview, f"{n} row{'s have' if n > 1 else ' has'} errors; nothing was saved."
        )
    try:
        with transaction.atomic():
            # With the widgets locked, no answer can start a quarter's collected results
            # between this check and the save (widgets.surveys.rollup).
            for widget in sorted(
                {r.widget.pk: r.widget for r in preview.to_save}.values(), key=lambda w: w.pk
            ):
                lock_widget(widget)
            for row in preview.to_save:
                why = entry_refusal(row.widget, row.period_start)
                if why:
                    raise ImportRefused(preview, f"Row {row.number}: {why} Nothing was saved.")
                row.instance.save()
    except IntegrityError as exc:
        raise ImportRefused(
            preview,
            "The database refused a row (a survey result may have been entered meanwhile); "
            "nothing was saved. Upload the file again to see the current state.",
        ) from exc
    return preview.count(NEW), preview.count(CHANGED)
