"""What customers said, in figures: CSAT, share agreeing, mean score, response rate.

Plain arithmetic on counts, shared by the customer pages (which read survey
results through reverse relations) and by widgets.surveys (which imports it;
imports go one way: docs/domain.md, "Apps and layering"). Unknown is not zero: a
figure whose inputs are missing is None, never 0.

The answer columns of widgets.SurveyResult are named `<question>_<point>`;
SATISFACTION and SCALE mirror widgets.models (a test keeps them in step).
"""

from django.conf import settings

from agencies.templatetags import numbers

SATISFACTION = "satisfaction"
SCALE = (1, 2, 3, 4, 5)
AGREE_POINTS = (4, 5)  # "agree" and "strongly agree"


def min_responses():
    """Below this many responses a result is labelled "low sample" (not hidden)."""
    return settings.SURVEY_MIN_RESPONSES


def answer_fields(question):
    return [f"{question}_{point}" for point in SCALE]


def _known(answers):
    return [a for a in answers if a is not None]


def responses(answers):
    """Answers to a question at any point; None when none is known."""
    known = _known(answers)
    return sum(known) if known else None


def agreeing(answers):
    """Answers at 4 and 5."""
    known = [answers[p - 1] for p in AGREE_POINTS if answers[p - 1] is not None]
    return sum(known) if known else None


def share_agreeing(answers):
    """Answers at 4 and 5 / all answers, 0..1; None without answers."""
    total = responses(answers)
    if not total:
        return None
    return (agreeing(answers) or 0) / total


def mean_score(answers):
    total = responses(answers)
    if not total:
        return None
    return sum(p * (a or 0) for p, a in zip(SCALE, answers, strict=True)) / total


def response_rate(respondents, offered):
    if respondents is None or not offered:
        return None
    return respondents / offered


def is_low_sample(count):
    return count is not None and count < min_responses()


class Csat:
    """Customer satisfaction: satisfied (4 and 5) / responses to the satisfaction question."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.responses = responses(self.answers)
        self.satisfied = agreeing(self.answers) or 0
        self.share = share_agreeing(self.answers)
        self.low_sample = is_low_sample(self.responses or 0) if self.responses else False

    @property
    def percent(self):
        return None if self.share is None else round(self.share * 100, 1)

    def __str__(self):
        if self.share is None:
            return "No responses"
        of = f"{numbers.whole(self.satisfied)} of {numbers.whole(self.responses)}"
        label = f"{numbers.percent(self.share)} satisfied ({of})"
        return f"{label}, low sample" if self.low_sample else label
