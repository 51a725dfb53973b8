"""The demo's tiered huddles (seed_demo): teams in some programs, each program run
by its agency's manager, the measures each board huddles on, and the state's."""

from django.db.models import Q

from agencies.models import Agency, Program, Role, Team
from outcomes.huddles import boards
from outcomes.models import Board, Outcome

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


class HuddleSeeding:
    """seed_demo's part for the huddles (a mixin of the command: `upsert`, the
    counters and `today` are the command's)."""

    huddle_models = (Team, Board)

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
