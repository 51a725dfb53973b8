"""The demo's tiered huddles (seed_demo): teams in some programs, each program run
by its agency's manager, the measures each board huddles on, the state's, and
problems on the boards at every depth and tier."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, Membership, Program, Role, Team
from outcomes.huddles import boards, escalation
from outcomes.huddles import problems as problem_log
from outcomes.models import Board, Depth, Measurement, Outcome, Problem
from widgets.flow import due_date
from widgets.models import Widget, WidgetCount
from widgets.periods import period_start

AGENCY_SLUGS = ("deq", "dmv", "des")

# agency slug -> program -> [(team, description, [widget names on its board])]
TEAMS = {
    "deq": {
        "Air Quality Division": [
            ("Permit writers", "Write and issue air quality permits.", ["Air quality permit"]),
            (
                "Vehicle testing",
                "Run the emissions test stations.",
                ["Vehicle emissions test certificate"],
            ),
        ],
        "Water Quality Division": [
            (
                "Discharge permits",
                "Permit and inspect discharges.",
                ["Water discharge permit", "Water discharge inspection report"],
            ),
        ],
    },
    "dmv": {
        "Driver Services": [
            (
                "Field offices",
                "Serve customers at the counters.",
                ["Driver license renewal", "New driver license"],
            ),
            ("Records", "Keep and release driving records.", ["Driving record"]),
        ],
    },
    "des": {
        "Unemployment Insurance": [
            (
                "Claims",
                "Decide and pay unemployment claims.",
                ["Unemployment eligibility decision", "Unemployment benefit payment"],
            ),
        ],
    },
}

# The statewide board: one outcome of each agency the governor's office follows.
STATE_OUTCOMES = [
    ("deq", "Cleaner air"),
    ("dmv", "Less time at a field office"),
    ("des", "Timely first payments"),
]


# Problems raised at the huddles, each through the problem log's own writes: on
# (agency slug, board: team name, program name, or None for the agency's), by whom
# ("staff" or "manager"), and how far it has gone. Days are counted back from today.
PROBLEMS = [
    {
        "agency": "deq",
        "team": "Permit writers",
        "what": "Air permit applications wait 12 days at intake before a writer picks them "
        "up, against 5.",
        "where": "Intake queue, Phoenix office",
        "since_days": 60,
        "widget": "Air quality permit",
        "actions": [
            ("Sort the intake queue by date received, oldest first", -25, -27),
            ("Pair a senior writer with intake on Monday mornings", 7, None),
        ],
    },
    {
        "agency": "deq",
        "team": "Vehicle testing",
        "what": "Test lane 4 at the Tempe station is down two mornings a week.",
        "where": "Tempe test station, lane 4",
        "since_days": 30,
        "widget": "Vehicle emissions test certificate",
        "quick_fix": ("Replaced the analyser's sample pump; a spare pump is now kept on site.", 10),
    },
    {
        "agency": "deq",
        "team": "Vehicle testing",
        "what": "Drivers leave the Mesa station queue: the wait shown at the gate is an hour "
        "out of date.",
        "where": "Mesa test station, entry gate",
        "since_days": 21,
        "widget": "Vehicle emissions test certificate",
        "escalate": 1,  # to the Air Quality Division's board, which sends it back
        "send_back": "The gate sign cannot be replaced before next year's budget. Post the "
        "wait by hand every half hour; the division pays a greeter on Saturday mornings "
        "from next week.",
        "actions": [("Post the wait at the gate every half hour", 3, None)],
    },
    {
        "agency": "deq",
        "team": "Discharge permits",
        "what": "Lab results for discharge samples come back three weeks late, so "
        "inspection reports wait.",
        "where": "State lab, sample intake",
        "since_days": 45,
        "widget": "Water discharge inspection report",
        "escalate": 1,  # to the Water Quality Division's board
    },
    {
        "agency": "deq",
        "program": "Waste Programs Division",
        "what": "Leaking tank sites close slower than new leaks are found: open sites have "
        "risen for two years.",
        "where": "Statewide, abandoned tank sites",
        "since_days": 400,
        "outcome": "Fewer leaking storage tanks",
        "escalate": 1,  # to the agency's board, where its A3 is written
        "a3": {
            "background": "Each open leaking tank site can reach groundwater; the target is "
            "to close 170 sites by 2028.",
            "current_condition": "Open sites have risen every quarter for two years; new "
            "leaks are found faster than sites are closed.",
            "goal": "More sites closed than found each quarter from next spring.",
            # Each answers "why?" of the one before, from "why do sites stay open?".
            "why_1": "Cleanups wait for a geologist's sign-off.",
            "why_2": "One geologist per region oversees every cleanup.",
            "why_3": "The positions were cut in 2019 and not refilled.",
            "why_4": "Abandoned sites wait longest: their owners cannot pay for cleanup.",
            "root_cause": "Cleanup oversight is one geologist per region, and abandoned "
            "sites have no one to pay.",
            "countermeasure": "Contract two field geologists for the backlog of closures; ask "
            "the legislature to release the tank cleanup fund for abandoned sites.",
            "actions": [
                ("Contract two field geologists", 30, None),
                ("Brief the legislature on the cleanup fund", 45, None),
            ],
        },
    },
    {
        "agency": "dmv",
        "team": "Field offices",
        "what": "Waits at the Phoenix office run past 30 minutes on Mondays.",
        "where": "Phoenix West field office",
        "since_days": 90,
        "outcome": "Less time at a field office",
        "four_box": {
            "root_cause": "Renewals that could be done online come to the counter, because "
            "the notice does not say they can.",
            "countermeasure": "Text a renewal link 30 days before a license expires.",
            "result": "Walk-in renewals down 18%; Monday waits down from 31 to 25 minutes.",
        },
    },
    {
        "agency": "des",
        "team": "Claims",
        "what": "Identity checks hold 1 in 5 new claims for more than 10 days.",
        "where": "Claims intake, identity verification",
        "since_days": 20,
        "widget": "Unemployment eligibility decision",
    },
]


# When the demo's numbers were first saved, by their owner's role: a staff member
# enters most counts a few days before they are due and one in five a few days late;
# a manager is late every other period (outcomes.engagement reads it).
DEFINED_DAYS_AGO = 800  # the demo's widgets and outcomes exist from before its counts
ENTERED = {"staff": (-3, 4, 5), "manager": (-2, 6, 2)}  # days from due: on time, late, 1 in n


class HuddleSeeding:
    """seed_demo's part for the huddles (a mixin of the command: `upsert`, the
    counters and `today` are the command's)."""

    huddle_models = (Team, Board, Problem)

    def huddles(self):
        """Teams with the widgets they huddle on, every program run by its agency's
        manager, and the outcomes on the state's board (docs/outcomes.md, "Tiered
        huddles and problem solving")."""
        boards.ensure_boards()  # the state's too, after a flush
        for agency in Agency.objects.filter(slug__in=AGENCY_SLUGS):
            manager = agency.memberships.filter(role=Role.MANAGER).first().user
            for program in agency.programs.all():
                self.upsert(Program, {"pk": program.pk}, {"manager_id": manager.pk})
            for program_name, teams in TEAMS.get(agency.slug, {}).items():
                program = agency.programs.get(name=program_name)
                for name, text, widget_names in teams:
                    team = self.upsert(
                        Team, {"program": program, "name": name}, {"description": text}
                    )
                    self.choose(team.board, widgets=agency.widgets.filter(name__in=widget_names))
        self.problems()
        self.entered_when()
        state = Board.objects.state()
        self.choose(
            state,
            outcomes=Outcome.objects.filter(
                Q(
                    *[Q(agency__slug=slug, name=name) for slug, name in STATE_OUTCOMES],
                    _connector=Q.OR,
                )
            ),
        )

    def problems(self):
        """The demo's problems, each raised, worked and escalated through the problem
        log's writes; one that is already there is left as it is."""
        for item in PROBLEMS:
            agency = Agency.objects.get(slug=item["agency"])
            staff = agency.memberships.get(role=Role.STAFF).user
            manager = agency.memberships.get(role=Role.MANAGER).user
            if "team" in item:
                board = Board.objects.get(team__program__agency=agency, team__name=item["team"])
            else:
                board = Board.objects.get(
                    tier="program", program__agency=agency, program__name=item["program"]
                )
            if Problem.objects.filter(board=board, what=item["what"]).exists():
                continue
            problem = problem_log.raise_problem(
                board=board,
                what=item["what"],
                where=item["where"],
                since=self.today - dt.timedelta(days=item["since_days"]),
                widget=agency.widgets.get(name=item["widget"]) if "widget" in item else None,
                outcome=agency.outcomes.get(name=item["outcome"]) if "outcome" in item else None,
                by=staff,
            )
            self.created[Problem] += 1
            for _ in range(item.get("escalate", 0)):
                problem = escalation.escalate(
                    problem=problem, by=manager, expected_version=problem.version
                )
                self.created[Problem] += 1
            if "send_back" in item:
                problem = escalation.send_back(
                    problem=problem,
                    note=item["send_back"],
                    by=manager,
                    expected_version=problem.version,
                )
            self.work(problem, item, staff=staff, manager=manager)

    def work(self, problem, item, *, staff, manager):
        a3 = item.get("a3", {})
        for what, due_days, done_days in item.get("actions", []) + a3.get("actions", []):
            action = problem_log.add_action(
                problem=problem,
                what=what,
                owner=manager if a3 else staff,
                due_date=self.today + dt.timedelta(days=due_days),
                by=manager if a3 else staff,
            )
            if done_days is not None:
                problem_log.complete_action(
                    action=action, done_on=self.today + dt.timedelta(days=done_days), by=staff
                )
        problem.refresh_from_db()
        if "quick_fix" in item:
            note, days_ago = item["quick_fix"]
            values = {"fix_note": note, "fix_date": self.today - dt.timedelta(days=days_ago)}
            depth, close = Depth.QUICK_FIX, True
        elif "four_box" in item:
            values, depth, close = {"what": problem.what, **item["four_box"]}, Depth.FOUR_BOX, True
        elif a3:
            values = {k: v for k, v in a3.items() if k != "actions"}
            depth, close = Depth.A3, False
        else:
            return
        problem_log.solve(
            problem=problem,
            depth=depth,
            values=values,
            by=manager if a3 else staff,
            expected_version=problem.version,
            close=close,
        )

    def entered_when(self):
        """Give the demo's numbers the days they were entered, as people would have
        (they were all saved just now): the created and updated times of the counts
        and measurements, and the widgets and outcomes defined before them. Only
        what differs is written, so a second run writes nothing."""
        defined = timezone.make_aware(
            dt.datetime.combine(self.today - dt.timedelta(days=DEFINED_DAYS_AGO), dt.time(9))
        )
        self.entered_by = timezone.make_aware(dt.datetime.combine(self.today, dt.time(0)))
        for model in (Widget, Outcome):
            model.objects.filter(agency__slug__in=AGENCY_SLUGS, created_at__gt=defined).update(
                created_at=defined
            )
        roles = dict(
            Membership.objects.filter(agency__slug__in=AGENCY_SLUGS).values_list("user_id", "role")
        )
        counts = WidgetCount.objects.filter(widget__agency__slug__in=AGENCY_SLUGS).select_related(
            "widget"
        )
        self.backdate(
            counts,
            lambda c: (c.widget.owner_id, c.period_start, c.widget.reporting_frequency),
            roles,
        )
        measurements = Measurement.objects.filter(
            outcome__agency__slug__in=AGENCY_SLUGS
        ).select_related("outcome")
        self.backdate(
            measurements,
            lambda m: (
                m.outcome.owner_id,
                period_start(m.date, m.outcome.frequency),
                m.outcome.frequency,
            ),
            roles,
        )

    def backdate(self, rows, owner_period, roles):
        changed = []
        for row in rows:
            owner, start, frequency = owner_period(row)
            early, late, every = ENTERED["manager" if roles.get(owner) == "manager" else "staff"]
            index = (start.year * 12 + start.month) // (3 if frequency != "month" else 1)
            days = late if index % every == 0 else early
            when = timezone.make_aware(
                dt.datetime.combine(
                    due_date(start, frequency) + dt.timedelta(days=days), dt.time(9)
                )
            )
            # Never after today: a number not yet due was entered early, by today.
            when = min(when, self.entered_by)
            if row.created_at != when:
                row.created_at = row.updated_at = when
                changed.append(row)
        if changed:
            type(changed[0]).objects.bulk_update(
                changed, ["created_at", "updated_at"], batch_size=500
            )

    def choose(self, board, *, widgets=(), outcomes=()):
        """A board's measures, set only when they differ."""
        wanted = ({w.pk for w in widgets}, {o.pk for o in outcomes})
        chosen = (
            set(board.widgets.values_list("pk", flat=True)),
            set(board.outcomes.values_list("pk", flat=True)),
        )
        if chosen != wanted:
            board.widgets.set(wanted[0])
            board.outcomes.set(wanted[1])
            self.updated[Board] += 1
