"""Widgets (the countable products an agency hands to customers), their counts
per reporting period, and what customers said about them."""

from .counts import (
    CHANNEL_COUNT_FIELDS,
    COUNT_FIELDS,
    ApiToken,
    CountSource,
    CountUpload,
    WidgetCount,
)
from .definitions import (
    COUNTED_STATUSES,
    LIVE_STATUSES,
    PUBLISHED_STATUSES,
    Channel,
    Widget,
    WidgetKind,
    WidgetQuerySet,
    WidgetStatus,
)
from .hosted import (
    InvitationBatch,
    Language,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    SurveyStatus,
)
from .inventory import (
    Grade,
    InventoryFile,
    InventoryFinding,
    InventoryImport,
    PublishedRow,
)
from .rollups import CountRollup, Grain
from .surveys import SCALE, Question, ResultSource, SurveyResult, answer_field

__all__ = [
    "CHANNEL_COUNT_FIELDS",
    "COUNTED_STATUSES",
    "COUNT_FIELDS",
    "LIVE_STATUSES",
    "PUBLISHED_STATUSES",
    "SCALE",
    "ApiToken",
    "Channel",
    "CountRollup",
    "CountSource",
    "CountUpload",
    "Grade",
    "Grain",
    "InventoryFile",
    "InventoryFinding",
    "InventoryImport",
    "InvitationBatch",
    "Language",
    "PublishedRow",
    "Question",
    "ResultSource",
    "Survey",
    "SurveyInvitation",
    "SurveyResponse",
    "SurveyResult",
    "SurveyStatus",
    "Widget",
    "WidgetCount",
    "WidgetKind",
    "WidgetQuerySet",
    "WidgetStatus",
    "answer_field",
]
