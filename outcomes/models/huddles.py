"""Tiered huddles: a board per team, program, agency and the state, each with the
measures chosen for it and its problem log (docs/outcomes.md, "Tiered huddles and
problem solving").

A problem is raised on a board, owned by someone, worked with dated actions and
solved at one of three depths: a quick fix (a note and a date), a four-box
(problem, root cause, countermeasure, result) or an A3. One the board cannot
solve is escalated to the board above: the problem stays on its board as
"escalated", with a link to the new problem it became there, so each board keeps
its own history, and the board above sees where it came from.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from agencies.models import Agency, Program, Team, TimeStampedModel
from agencies.scoping import ScopedQuerySet
from widgets.models import Widget

from .outcomes import Outcome


class Tier(models.TextChoices):
    TEAM = "team", "Team"
    PROGRAM = "program", "Program"
    AGENCY = "agency", "Agency"
    STATE = "state", "State"


# Where a problem goes when it is escalated (the state is the top).
TIER_ABOVE = {Tier.TEAM: Tier.PROGRAM, Tier.PROGRAM: Tier.AGENCY, Tier.AGENCY: Tier.STATE}


class BoardQuerySet(ScopedQuerySet):
    # The state's board has no agency: every member reads it, only admins change it.
    agency_path = "agency"

    def state(self):
        """The state's board (one; made when first needed)."""
        board, _ = self.get_or_create(tier=Tier.STATE)
        return board


class Board(TimeStampedModel):
    """One huddle board: a team's, a program's, an agency's or the state's.

    Boards are made with their team, program or agency (outcomes.huddles.boards,
    by signal), so every one has a board from the start. Its measures are the
    widgets and outcomes chosen for it; none chosen, the tier's defaults
    (outcomes.huddles.tiers.measures_of)."""

    tier = models.CharField(max_length=10, choices=Tier.choices)
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="boards"
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, null=True, blank=True, related_name="boards"
    )
    team = models.OneToOneField(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="board"
    )
    widgets = models.ManyToManyField(
        Widget,
        blank=True,
        related_name="boards",
        help_text="The widgets whose measures this board shows.",
    )
    outcomes = models.ManyToManyField(
        Outcome,
        blank=True,
        related_name="boards",
        help_text="The outcomes this board shows.",
    )
    version = models.PositiveIntegerField(default=1)

    objects = BoardQuerySet.as_manager()

    class Meta:
        ordering = ["tier", "agency__name", "program__name", "team__name"]
        constraints = [
            # One of the tiers, naming exactly what it is the board of (and what that is in).
            models.CheckConstraint(
                condition=(
                    Q(tier=Tier.TEAM, team__isnull=False)
                    & Q(program__isnull=False, agency__isnull=False)
                )
                | Q(tier=Tier.PROGRAM, team__isnull=True, program__isnull=False)
                & Q(agency__isnull=False)
                | Q(tier=Tier.AGENCY, team__isnull=True, program__isnull=True)
                & Q(agency__isnull=False)
                | Q(tier=Tier.STATE, team__isnull=True, program__isnull=True, agency__isnull=True),
                name="outcomes_board_tier_names_its_unit",
            ),
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(tier=Tier.PROGRAM),
                name="outcomes_board_one_per_program",
            ),
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(tier=Tier.AGENCY),
                name="outcomes_board_one_per_agency",
            ),
            models.UniqueConstraint(
                fields=["tier"], condition=Q(tier=Tier.STATE), name="outcomes_board_one_state"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_tier_display().lower()} board)"

    @property
    def name(self):
        if self.tier == Tier.TEAM:
            return self.team.name
        if self.tier == Tier.PROGRAM:
            return self.program.name
        if self.tier == Tier.AGENCY:
            return self.agency.name
        return "Statewide"

    @property
    def full_name(self):
        """The board's name with what it is in: "Permits team, Air Quality, DEQ"."""
        if self.tier == Tier.TEAM:
            return f"{self.team.name} team, {self.program.name}, {self.agency.abbreviation}"
        if self.tier == Tier.PROGRAM:
            return f"{self.program.name}, {self.agency.abbreviation}"
        return self.name

    def get_absolute_url(self):
        return reverse("outcomes:board", kwargs={"pk": self.pk})

    def clean(self):
        if self.team_id and self.program_id and self.team.program_id != self.program_id:
            raise ValidationError("A team's board is in the team's program.")
        if self.program_id and self.agency_id and self.program.agency_id != self.agency_id:
            raise ValidationError("A program's board is in the program's agency.")


class ProblemStatus(models.TextChoices):
    OPEN = "open", "Open"
    SOLVING = "solving", "Solving"
    SOLVED = "solved", "Solved"
    ESCALATED = "escalated", "Escalated"
    # The tier above gave a problem that came up back to the board below it to solve
    # (with the help it decided on): open again below, no longer worked above.
    SENT_BACK = "sent_back", "Sent back down"


# Still the board's to work on.
ACTIVE_STATUSES = (ProblemStatus.OPEN, ProblemStatus.SOLVING)


class Depth(models.TextChoices):
    QUICK_FIX = "quick_fix", "Quick fix"
    FOUR_BOX = "four_box", "Four-box"
    A3 = "a3", "A3"


class ProblemQuerySet(ScopedQuerySet):
    agency_path = "board__agency"

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)


class Problem(TimeStampedModel):
    """A problem raised at a huddle: what, where, since when, which measure; its owner,
    status and the way it is solved (one of the three depths)."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="problems")
    what = models.TextField(help_text="What is wrong, in numbers where you can.")
    where = models.CharField(
        max_length=200, help_text="Where it shows: an office, a step of the process, a channel."
    )
    since = models.DateField("since when", help_text="When it started, as far as you know.")
    widget = models.ForeignKey(
        Widget,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        help_text="The widget whose measure shows it, if one does.",
    )
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        help_text="Or the outcome that shows it.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_problems",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    # The problem on the board below that became this one when it was escalated.
    escalated_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalated_to",
    )
    sent_back_note = models.TextField(
        "why it goes back down",
        blank=True,
        help_text="What the tier above decided, and the help it gives the board below.",
    )
    depth = models.CharField(
        "how it is solved", max_length=10, choices=Depth.choices, blank=True, default=""
    )
    # A quick fix: a note and a date.
    fix_note = models.TextField("what was done", blank=True)
    fix_date = models.DateField("done on", null=True, blank=True)
    # A four-box: the problem (`what`), its root cause, the countermeasure and the result.
    root_cause = models.TextField(blank=True, help_text="A cause in the system, not a person.")
    countermeasure = models.TextField(blank=True, help_text="What is changed in the system.")
    result = models.TextField(blank=True, help_text="What happened to the measure after.")
    # An A3 (with the root cause and countermeasure above, and the actions as its plan).
    background = models.TextField(blank=True, help_text="Why this matters, and to whom.")
    current_condition = models.TextField(
        blank=True, help_text="What the measure shows now (its chart is beside it)."
    )
    goal = models.TextField(blank=True, help_text="Where the measure should be, and by when.")
    why_1 = models.TextField("why? (1)", blank=True)
    why_2 = models.TextField("why? (2)", blank=True)
    why_3 = models.TextField("why? (3)", blank=True)
    why_4 = models.TextField("why? (4)", blank=True)
    why_5 = models.TextField("why? (5)", blank=True)
    follow_up = models.TextField(
        blank=True, help_text="What was checked after the countermeasures, and what it showed."
    )
    measure_after = models.DecimalField(
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="The measure's value after the countermeasures.",
    )
    measure_after_on = models.DateField(
        "measured on", null=True, blank=True, help_text="The period or day of that value."
    )
    solved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ProblemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-since", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProblemStatus.values), name="outcomes_problem_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(depth__in=[*Depth.values, ""]), name="outcomes_problem_depth_valid"
            ),
            models.CheckConstraint(
                condition=Q(widget__isnull=True) | Q(outcome__isnull=True),
                name="outcomes_problem_one_measure",
            ),
            # Solved says how, at its depth: the A3 with the measure after.
            models.CheckConstraint(
                condition=~Q(status=ProblemStatus.SOLVED)
                | Q(depth=Depth.QUICK_FIX, fix_date__isnull=False) & ~Q(fix_note="")
                | Q(depth=Depth.FOUR_BOX) & ~Q(result="")
                | Q(depth=Depth.A3, measure_after__isnull=False, measure_after_on__isnull=False)
                & ~Q(follow_up=""),
                name="outcomes_problem_solved_says_how",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProblemStatus.SOLVED) | Q(solved_at__isnull=False),
                name="outcomes_problem_solved_has_time",
            ),
            # Sent back down says why, and only a problem that came up goes back.
            models.CheckConstraint(
                condition=~Q(status=ProblemStatus.SENT_BACK)
                | ~Q(sent_back_note="") & Q(escalated_from__isnull=False),
                name="outcomes_problem_sent_back_says_why",
            ),
        ]

    def __str__(self):
        return f"Problem: {self.what[:60]}"

    def get_absolute_url(self):
        return reverse("outcomes:problem", kwargs={"pk": self.pk})

    @property
    def measure(self):
        return self.widget or self.outcome

    @property
    def whys(self):
        return [w for w in (self.why_1, self.why_2, self.why_3, self.why_4, self.why_5) if w]

    @property
    def active(self):
        return self.status in ACTIVE_STATUSES

    def clean(self):
        if self.widget_id and self.outcome_id:
            raise ValidationError({"outcome": "Choose a widget or an outcome, not both."})


class ProblemActionQuerySet(ScopedQuerySet):
    agency_path = "problem__board__agency"


class ProblemAction(TimeStampedModel):
    """A step taken on a problem, with its owner and date (an A3's plan is these)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problem_actions",
    )
    due_date = models.DateField("due")
    done_on = models.DateField("done on", null=True, blank=True)

    objects = ProblemActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.what
