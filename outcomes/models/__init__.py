"""The outcomes app's models: outcomes, their measurements, contributions,
countermeasures and reviews (`outcomes.models.outcomes`), and the tiered huddle
boards with their problem logs (`outcomes.models.huddles`). One app label, as ever:
import them from here."""

from .huddles import (
    ACTIVE_STATUSES,
    TIER_ABOVE,
    Board,
    Depth,
    Problem,
    ProblemAction,
    ProblemStatus,
    Tier,
)
from .outcomes import (
    Contribution,
    Countermeasure,
    CountermeasureState,
    Direction,
    Measurement,
    MeasurementFrequency,
    Outcome,
    Review,
    ReviewStatus,
    StepChange,
    review_pack_path,
)

__all__ = [
    "ACTIVE_STATUSES",
    "TIER_ABOVE",
    "Board",
    "Contribution",
    "Countermeasure",
    "CountermeasureState",
    "Depth",
    "Direction",
    "Measurement",
    "MeasurementFrequency",
    "Outcome",
    "Problem",
    "ProblemAction",
    "ProblemStatus",
    "Review",
    "ReviewStatus",
    "StepChange",
    "Tier",
    "review_pack_path",
]
