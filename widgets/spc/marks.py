"""The two marks beside every chart, after the NHS "Making Data Count" icons.

Variation, from the latest point:

- common cause: the latest point is part of no signal: routine variation;
- special cause, improving or concerning, high or low: the latest point is part
  of a signal (its side: above the centre line or rising is "high"); whether
  that is improving or concerning follows the measure's better direction;
- special cause, neutral, high or low: the same for a measure with no better
  direction;
- not enough data: no limits yet (fewer than MIN_POINTS points in the period).

Assurance, only where there is a target (for an outcome, the target trajectory
on the latest point's date), from the latest period's limits:

- will consistently meet: both limits are on the better side of the target (or on it);
- will consistently miss: both limits are on the worse side;
- hit and miss: the target lies between the limits: the process as it is will
  meet it some periods and miss it in others, by chance alone.

Each mark is shape + letter + words (`symbol`, `label`), and one sentence
(`sentence`) that says what it means; never colour alone.
"""

from dataclasses import dataclass

from .limits import MIN_POINTS
from .rules import HIGH

UP = "up"
DOWN = "down"

IMPROVING = "improving"
CONCERNING = "concerning"
NEUTRAL = "neutral"


@dataclass(frozen=True)
class Mark:
    kind: str  # e.g. "common-cause", "concerning-high", "meet"
    label: str
    sentence: str
    symbol: str  # the letter in the icon
    tone: str  # improving / concerning / neutral / common / none (shape and colour)


def judgement(side, direction):
    """improving / concerning for a side given the better direction; neutral without one."""
    if direction not in (UP, DOWN):
        return NEUTRAL
    return IMPROVING if (side == HIGH) == (direction == UP) else CONCERNING


_VARIATION_SENTENCE = {
    IMPROVING: "the latest point is part of a signal {where}, the better direction: something "
    "has changed for the better; find out what, and keep it.",
    CONCERNING: "the latest point is part of a signal {where}, the worse direction: something "
    "has changed for the worse; find out why.",
    NEUTRAL: "the latest point is part of a signal {where}; this measure has no better "
    "direction, so find out what changed.",
}


def variation(signal, *, direction, has_limits):
    """The variation mark, from the signal the latest point is part of (None: none)."""
    if not has_limits:
        return Mark(
            "no-judgement",
            "Not enough data",
            f"Fewer than {MIN_POINTS} points since the limits last started: too few to tell "
            "a signal from routine variation.",
            "?",
            "none",
        )
    if signal is None:
        return Mark(
            "common-cause",
            "Common cause variation",
            "Only routine variation: the latest point is part of no signal, so do not react "
            "to its rise or fall alone.",
            "~",
            "common",
        )
    kind = judgement(signal.side, direction)
    where = "above the centre line" if signal.side == HIGH else "below the centre line"
    if signal.rule == "trend":
        where = "rising" if signal.side == HIGH else "falling"
    high_low = "high" if signal.side == HIGH else "low"
    sentence = _VARIATION_SENTENCE[kind].format(where=where)
    return Mark(
        f"{kind}-{high_low}",
        f"Special cause: {kind}, {high_low}",
        f"Special cause variation: {sentence}",
        "H" if signal.side == HIGH else "L",
        kind,
    )


def assurance(limits, *, target, direction):
    """The assurance mark, or None without a target, a better direction or limits."""
    if target is None or limits is None or direction not in (UP, DOWN):
        return None
    better, worse = (
        (limits.upper, limits.lower) if direction == UP else (limits.lower, limits.upper)
    )
    meets = (lambda v: v >= target) if direction == UP else (lambda v: v <= target)
    figure = f"{round(target, 2).normalize():,f}"  # as agencies numbers.number words it
    if meets(worse):
        return Mark(
            "meet",
            "Will consistently meet the target",
            f"Both process limits are on the better side of the target ({figure}): as it "
            "runs now, the process will meet it every period.",
            "P",
            IMPROVING,
        )
    if not meets(better):
        return Mark(
            "miss",
            "Will consistently miss the target",
            f"Both process limits are on the worse side of the target ({figure}): as it runs "
            "now, the process will miss it every period; only a change to the process will "
            "meet it.",
            "F",
            CONCERNING,
        )
    return Mark(
        "hit-and-miss",
        "Hit and miss",
        f"The target ({figure}) lies between the process limits: as it runs now, the process "
        "will meet it in some periods and miss it in others, by chance alone.",
        "?",
        "common",
    )
