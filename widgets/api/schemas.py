"""The shapes of the API's requests and answers; django-ninja writes the OpenAPI
schema from them (widgets.api.app)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, PlainSerializer, WithJsonSchema, create_model

from .. import counting, measures
from ..models import CountSource, WidgetKind, WidgetStatus
from ..periods import Frequency

MAX_BATCH_ROWS = 10_000
MAX_PAGE = 1000
MAX_ID = 2**63 - 1  # the largest primary key the database holds


DecimalString = Annotated[
    Decimal,
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "format": "decimal"}),
]

# Count values are taken as sent and checked by counting.parse_values, so that a
# negative number, a fraction, NaN or "abc" gets the grid's and upload's message.
# null (or no field) is no change; the word "clear" clears the stored value.
CLEAR = {"type": "string", "const": counting.CLEAR_WORD, "description": "Clears the value."}
# "n/a": the measure does not apply to the widget (taken only where the widget says so).
NOT_APPLICABLE = {
    "type": "string",
    "const": measures.NOT_APPLICABLE_SHORT,
    "description": "Only for a measure that does not apply to the widget: nothing is saved.",
}
CountValue = Annotated[
    Any,
    WithJsonSchema(
        {"anyOf": [{"type": "integer", "minimum": 0}, CLEAR, NOT_APPLICABLE, {"type": "null"}]}
    ),
]
CostValue = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "examples": ["15400.00"]},
                {"type": "number", "minimum": 0},
                CLEAR,
                NOT_APPLICABLE,
                {"type": "null"},
            ]
        }
    ),
]
# A stored value: "not applicable" for a measure that does not apply to the widget.
NotApplicable = Literal[measures.NOT_APPLICABLE_WORDS]


class Message(Schema):
    detail: str


class WidgetOut(Schema):
    id: int
    name: str
    kind: WidgetKind
    status: WidgetStatus
    reporting_frequency: Frequency
    standard_days: int | None = Field(description="Service standard: delivered within days.")
    standard_share: DecimalString | None = Field(
        description="Service standard: share (%) of widgets to meet it."
    )
    program: str = Field(alias="program.name")
    not_applicable: list[str] = Field(
        description="The count fields that do not apply to this widget: read as "
        f"“{measures.NOT_APPLICABLE_WORDS}”, and refused when sent (except "
        f"“{measures.NOT_APPLICABLE_SHORT}”)."
    )


class PeriodRange(Schema):
    date_from: dt.date | None = Field(None, alias="from", description="First period, included.")
    date_to: dt.date | None = Field(None, alias="to", description="Last period, included.")


def _described(spec):
    share = f" (at most {measures.field(spec.share_of).label.lower()})" if spec.share_of else ""
    return spec.help.rstrip(".") + share + "."


class _SentVersion(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(
        None,
        ge=0,
        le=MAX_ID,
        description="The version you read, or 0 for a period you saw no count for: the "
        "write is saved only if the period is still so (else 409). Left out: saved over "
        "whatever is stored.",
    )


class _SentNote(_SentVersion):
    balance_note: str | None = Field(
        None,
        max_length=1000,
        description="Why the backlog does not balance (previous backlog + demand - delivered "
        "- withdrawn ≠ backlog), kept with the period: it is then listed as explained. "
        f'Left out or `null`: the stored reason stays; `"{counting.CLEAR_WORD}"` removes it.',
    )


# One field per typed count field of widgets.measures.
CountValues = create_model(
    "CountValues",
    __base__=_SentNote,
    __doc__="""The counts of one period: a field left out or `null` keeps its stored value;
    `"clear"` makes it unknown.""",
    **{
        f.name: (CostValue if f.is_money else CountValue, Field(None, description=_described(f)))
        for f in measures.typed_fields()
    },
)


class CountRow(CountValues):
    widget_id: int = Field(ge=1, le=MAX_ID)
    period_start: dt.date = Field(
        description="First day of the period at the widget's reporting frequency."
    )


class _CountKey(Schema):
    widget_id: int
    period_start: dt.date


def _stored_type(spec):
    stored = DecimalString | None if spec.is_money else int | None
    return stored | NotApplicable if spec.may_be_not_applicable else stored


def _stored(name):
    """A resolver: the stored value, or "not applicable" when the field does not apply
    to the count's widget (a count, or a dict for a period never counted)."""

    def resolve(obj):
        if isinstance(obj, dict):
            return obj.get(name)
        return measures.exported(
            measures.NOT_APPLICABLE
            if name in obj.widget.not_applicable_fields
            else getattr(obj, name)
        )

    return staticmethod(resolve)


_CountStored = create_model(
    "_CountStored",
    __base__=_CountKey,
    # Not validators: ninja's resolvers, which pydantic's namespace takes as they are.
    __validators__={
        f"resolve_{f.name}": _stored(f.name)
        for f in measures.typed_fields()
        if f.may_be_not_applicable
    },
    **{f.name: (_stored_type(f), Field(description=f.help)) for f in measures.typed_fields()},
)


class BalanceWarning(Schema):
    """A period that does not balance once the counts are saved: saved all the same."""

    widget_id: int
    period_start: dt.date = Field(description="The period that does not balance.")
    message: str = Field(
        description="In words: how much higher or lower the backlog is than the previous "
        "period's backlog + demand - delivered - withdrawn, with the numbers."
    )
    expected_backlog: int = Field(
        description="The previous period's backlog + demand - delivered - withdrawn."
    )
    backlog: int
    balance_note: str = Field(description="The reason the period carries; empty: none.")
    explained: bool = Field(description="The period carries a reason (`balance_note`).")
    later: bool = Field(
        description="The period after one you sent: your backlog changed its balance."
    )


class CountOut(_CountStored):
    source: CountSource
    updated_at: dt.datetime
    version: int


class CountSaved(CountOut):
    status: Literal["new", "changed", "unchanged"]
    # No row is kept for an unknown period never counted before.
    source: CountSource | None
    updated_at: dt.datetime | None
    version: int | None
    warnings: list[BalanceWarning] = Field(
        description="Periods that do not balance after this save (this one, or the one after)."
    )


class CountRejected(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(description="Messages per field.")


class PeriodConflict(Schema):
    widget_id: int
    period_start: dt.date
    version: int | None = Field(description="The period's version now; null: no count.")


class Conflicts(Schema):
    detail: str
    conflicts: list[PeriodConflict]


class RowErrors(Schema):
    index: int = Field(description="Position of the row in the batch, from 0.")
    widget_id: int
    period_start: dt.date
    errors: dict[str, list[str]] = Field(description="Messages per field.")


class BatchRejected(Schema):
    detail: str
    errors: list[RowErrors]


class BatchSaved(Schema):
    total: int
    new: int
    changed: int
    unchanged: int
    warnings: list[BalanceWarning] = Field(
        description="Periods that do not balance after this save: rows of the batch (each "
        "judged after the batch's row for the period before, if any) and the periods after "
        "them whose balance the batch changed."
    )
