"""The tables `manage.py seed_demo` loads: three agencies of a US state.

Plain data only; the command turns it into rows. Each widget's `flow` says how
its counts are simulated (see `seed_demo.simulate_counts`):

- `base`: typical demand per period; `amp` and `peak`: seasonal swing (share of
  base) and the month it peaks; `backlog`: open requests at the start;
- `unit_cost` and `fixed_cost` per period (dollars); `rework`: share of delivered
  sent back to be corrected;
- `profile`: "steady", "trouble" (demand outruns a fixed capacity over the last
  six periods, on-time share falls) or "retiring" (demand tails off to nothing);
- `blank`: [(periods before the end, field)] left unknown; `unbalanced`:
  (periods before the end, extra backlog) where a recount breaks the balance.

`late`: the counts of the latest due period (and after) are not entered yet.

`survey` is the mean answer (1-5) customers give the widget, or None for no
survey results. Outcome `shape`: "on" (at or ahead of the straight line from
baseline to target), "behind" (a little behind the line: at risk), "stalled",
"worsening", "collapse" (on the line, then falling away over the last six
months) or "step" (level, then a new level from `step_change` periods before the
end, recorded as a step change with its reason).
"""

AGENCIES = [
    {
        "abbreviation": "DEQ",
        "slug": "deq",
        "name": "Department of Environmental Quality",
        "publishes": True,
        "mission": (
            "Protect and improve the state's air, water and land so that people can "
            "live, work and play in a healthy environment."
        ),
        "users": {
            "staff": ("Maria", "Alvarez"),
            "manager": ("James", "Whitehorse"),
        },
        "programs": [
            ("Air Quality Division", "Permits sources of air pollution and runs vehicle testing."),
            ("Water Quality Division", "Permits discharges and inspects what reaches our water."),
            ("Waste Programs Division", "Regulates storage tanks and hazardous waste."),
        ],
        "segments": [
            ("Industrial facilities", "business", 1200, "A permit they can plan around."),
            ("Small businesses", "business", 8500, "Plain forms and a quick answer."),
            ("Municipal utilities", "government", 340, "Predictable inspections."),
            ("Residents near permitted sites", "individual", 250000, "Clean air and water."),
            ("Environmental nonprofits", "nonprofit", 60, "Open data about compliance."),
        ],
        "widgets": [
            {
                "name": "Air quality permit",
                "program": "Air Quality Division",
                "kind": "permit",
                "status": "approved",
                "description": "Permission to operate a source of air emissions, with its limits.",
                "segments": ["Industrial facilities", "Small businesses"],
                "done": "The permit is signed and issued to the applicant.",
                "unit": "permit issued",
                "channels": ["online", "mail"],
                "standard": (90, "90.00"),
                "fee": "1500.00",
                "authority": "State Air Pollution Control Act, sec. 49-426",
                "owner": "manager",
                "flow": {
                    "base": 46,
                    "amp": 0.15,
                    "peak": 4,
                    "backlog": 120,
                    "unit_cost": 2400,
                    "fixed_cost": 18000,
                    "rework": 0.04,
                    "blank": [(9, "cost")],
                },
                "survey": 3.9,
            },
            {
                "name": "Water discharge permit",
                "program": "Water Quality Division",
                "kind": "permit",
                "status": "approved",
                "description": "Permission to discharge treated water, with its effluent limits.",
                "segments": ["Industrial facilities", "Municipal utilities"],
                "done": "The permit is signed and issued to the applicant.",
                "unit": "permit issued",
                "channels": ["online"],
                "standard": (120, "85.00"),
                "fee": "2500.00",
                "authority": "State Water Quality Act, sec. 49-255",
                "owner": "staff",
                "flow": {
                    "base": 18,
                    "amp": 0.1,
                    "peak": 5,
                    "backlog": 64,
                    "unit_cost": 5200,
                    "fixed_cost": 9000,
                    "rework": 0.06,
                    "unbalanced": (7, 11),
                },
                "survey": None,
                # Customers answer for themselves (docs/surveys.md): a hosted survey.
                "hosted_survey": {
                    "title": "How was getting your water discharge permit?",
                    "title_es": "¿Cómo le fue al obtener su permiso de descarga de agua?",
                    "intro": "Two minutes, no name needed. We read every answer.",
                    "intro_es": "Dos minutos, sin dar su nombre. Leemos cada respuesta.",
                    "control_number": "2040-0117",
                    "invitations": 60,
                    "answered": 14,
                    "by_link": 6,
                    "mean": 3.8,
                    # (comment, the language it was written in)
                    "comments": [
                        ("The online form saved my draft, which helped.", "en"),
                        ("Took three weeks longer than the letter said.", "en"),
                        ("La persona que me atendió explicó todo muy bien.", "es"),
                        ("I had to send the same map twice.", "en"),
                        ("Clear instructions.", "en"),
                    ],
                },
            },
            {
                "name": "Water discharge inspection report",
                "program": "Water Quality Division",
                "kind": "inspection",
                "status": "approved",
                "description": "The written result of an on-site inspection of a discharger.",
                "segments": ["Municipal utilities", "Industrial facilities"],
                "done": "The report is sent to the facility and posted to the public record.",
                "unit": "inspection report sent",
                "channels": ["in_person", "mail"],
                "standard": (30, "90.00"),
                "fee": None,
                "authority": "State Water Quality Act, sec. 49-261",
                # Inspectors' time is budgeted with the program, not per report.
                "not_applicable": ["cost"],
                "owner": "staff",
                "flow": {
                    "base": 120,
                    "amp": 0.35,
                    "peak": 6,
                    "backlog": 90,
                    "unit_cost": 650,
                    "fixed_cost": 12000,
                    "rework": 0.03,
                },
                "survey": None,
            },
            {
                "name": "Underground storage tank registration",
                "program": "Waste Programs Division",
                "kind": "registration",
                "status": "approved",
                "description": "Registration of a fuel tank, so that it is inspected and insured.",
                "segments": ["Small businesses"],
                "done": "The registration certificate is sent to the tank owner.",
                "unit": "tank registered",
                "channels": ["online", "mail"],
                "standard": (14, "95.00"),
                "fee": "100.00",
                "authority": "State Underground Storage Tank Act, sec. 49-1001",
                "owner": "staff",
                "flow": {
                    "base": 60,
                    "amp": 0.05,
                    "peak": 9,
                    "backlog": 22,
                    "unit_cost": 85,
                    "fixed_cost": 3000,
                    "rework": 0.02,
                },
                "survey": None,
            },
            {
                "name": "Vehicle emissions test certificate",
                "program": "Air Quality Division",
                "kind": "certificate",
                "status": "approved",
                "description": "Proof that a vehicle passed its emissions test.",
                "segments": ["Residents near permitted sites"],
                "done": "The certificate is printed and handed to the driver at the station.",
                "unit": "certificate issued",
                "channels": ["in_person"],
                "standard": (1, "98.00"),
                "fee": "17.00",
                "authority": "State Vehicle Emissions Inspection Program, sec. 49-542",
                "owner": "manager",
                "flow": {
                    "base": 95000,
                    "amp": 0.1,
                    "peak": 3,
                    "backlog": 400,
                    "unit_cost": 11,
                    "fixed_cost": 150000,
                    "rework": 0.005,
                },
                "survey": 4.3,
            },
            {
                "name": "Hazardous waste facility permit decision",
                "program": "Waste Programs Division",
                "kind": "decision",
                "status": "submitted",
                "description": "Grant or denial of a permit to treat or store hazardous waste.",
                "segments": ["Industrial facilities", "Residents near permitted sites"],
                "done": "The signed decision is sent to the applicant and published for comment.",
                "unit": "decision issued",
                "channels": ["mail", "online"],
                "standard": (180, "80.00"),
                "fee": "5000.00",
                "authority": "State Hazardous Waste Management Act, sec. 49-922",
                "owner": "staff",
            },
            {
                # Deliberately poor: an activity, not a widget (for the definition coach).
                "name": "Processing applications",
                "program": "Air Quality Division",
                "kind": "other",
                "status": "draft",
                "description": "Staff review and process incoming applications for the division.",
                "owner": "staff",
            },
        ],
        "outcomes": [
            {
                "name": "Cleaner air",
                "program": "Air Quality Division",
                "measure": "Days with unhealthy air (AQI above 100) in the past 12 months",
                "unit": "days",
                "direction": "down",
                "baseline": 38,
                "target": 24,
                "decimals": 0,
                "shape": "on",
                "contributions": {
                    "Air quality permit": "Permit limits cap what each large source may emit.",
                    "Vehicle emissions test certificate": (
                        "Only vehicles that pass the test may be registered, "
                        "so the worst polluters are repaired or retired."
                    ),
                },
            },
            {
                "name": "Safe drinking water",
                "program": "Water Quality Division",
                "measure": "Share of residents on water systems meeting every health standard",
                "unit": "%",
                "direction": "up",
                "baseline": 93.5,
                "target": 97.0,
                "decimals": 1,
                "shape": "behind",
                "contributions": {
                    "Water discharge permit": "Limits on discharges keep source water clean.",
                    "Water discharge inspection report": (
                        "Inspections find violations before they reach drinking water."
                    ),
                },
            },
            {
                "name": "Fewer leaking storage tanks",
                "program": "Waste Programs Division",
                "measure": "Open leaking underground storage tank sites",
                "unit": "sites",
                "direction": "down",
                "baseline": 620,
                "target": 450,
                "decimals": 0,
                "shape": "worsening",
                "contributions": {
                    "Underground storage tank registration": (
                        "Registered tanks are inspected, so leaks are found and closed sooner."
                    ),
                },
            },
        ],
        "countermeasures": [
            {
                "outcome": "Fewer leaking storage tanks",
                "problem": (
                    "Open leaking tank sites have risen for two years while the target is "
                    "to close 170 of them; new leaks are found faster than sites are closed."
                ),
                "root_cause": (
                    "Cleanup oversight waits on one geologist per region, and owners of "
                    "abandoned tanks cannot pay for cleanup, so their sites stay open."
                ),
                "action": (
                    "Contract two field geologists for the backlog of site closures; ask "
                    "the legislature to release the tank cleanup fund for abandoned sites."
                ),
                "due_in_days": 60,
            },
        ],
        # A monthly review held for the latest month whose counts are due.
        "review": {
            "attendees": (
                "James Whitehorse (director's office), Maria Alvarez (permits), "
                "air, water and waste program managers"
            ),
            "decisions": (
                "1. Leaking tanks: contract two field geologists now; the director asks "
                "the legislature for the cleanup fund in January.\n"
                "2. Water discharge permit: recount the open files and explain the "
                "backlog gap before the next review.\n"
                "3. Drinking water is at risk: the water program brings a plan next month."
            ),
        },
    },
    {
        "abbreviation": "DMV",
        "slug": "dmv",
        "name": "Department of Motor Vehicles",
        "publishes": True,
        "mission": (
            "Make it safe and simple to drive and own a vehicle: license qualified "
            "drivers, title and register vehicles, and keep accurate records."
        ),
        "users": {
            "staff": ("Kevin", "Nguyen"),
            "manager": ("Linda", "Okafor"),
        },
        "programs": [
            ("Driver Services", "Licenses drivers and keeps their records."),
            ("Vehicle Services", "Titles and registers vehicles."),
            ("Motor Carrier Services", "Registers commercial carriers and licenses dealers."),
        ],
        "segments": [
            ("New drivers", "individual", 90000, "Clear steps to a first license."),
            ("Renewing drivers", "individual", 1200000, "Renew without a visit."),
            ("Vehicle owners", "individual", 3500000, "Title and plates without delay."),
            ("Auto dealers", "business", 2100, "Fast titles so sales can close."),
            ("Commercial motor carriers", "business", 15000, "One registration for all states."),
            ("Law enforcement agencies", "government", 400, "Accurate records on demand."),
        ],
        "widgets": [
            {
                "name": "Driver license renewal",
                "program": "Driver Services",
                "kind": "license",
                "status": "approved",
                "description": "A renewed driver license, valid for another eight years.",
                "segments": ["Renewing drivers"],
                "done": "The renewed license card is mailed to the driver.",
                "unit": "license renewed",
                "channels": ["online", "in_person", "mail"],
                "standard": (10, "95.00"),
                "fee": "25.00",
                "authority": "State Motor Vehicle Code, sec. 28-3171",
                "owner": "manager",
                "flow": {
                    "base": 85000,
                    "amp": 0.2,
                    "peak": 7,
                    "backlog": 21000,
                    "unit_cost": 9,
                    "fixed_cost": 240000,
                    "rework": 0.01,
                },
                "survey": 4.1,
            },
            {
                "name": "New driver license",
                "program": "Driver Services",
                "kind": "license",
                "status": "approved",
                "description": "A first driver license for someone who passed the tests.",
                "segments": ["New drivers"],
                "done": "The license card is mailed to the new driver.",
                "unit": "license issued",
                "channels": ["in_person"],
                "standard": (15, "90.00"),
                "fee": "25.00",
                "authority": "State Motor Vehicle Code, sec. 28-3153",
                "owner": "staff",
                "flow": {
                    "base": 9000,
                    "amp": 0.25,
                    "peak": 6,
                    "backlog": 3500,
                    "unit_cost": 38,
                    "fixed_cost": 60000,
                    "rework": 0.02,
                },
                "survey": None,
            },
            {
                "name": "Vehicle title",
                "program": "Vehicle Services",
                "kind": "certificate",
                "status": "approved",
                "description": "The certificate of who owns a vehicle.",
                "segments": ["Vehicle owners", "Auto dealers"],
                "done": "The title is printed and mailed to the owner or lienholder.",
                "unit": "title issued",
                "channels": ["online", "in_person", "mail"],
                "standard": (30, "90.00"),
                "fee": "4.00",
                "authority": "State Motor Vehicle Code, sec. 28-2051",
                "owner": "staff",
                "flow": {
                    "base": 60000,
                    "amp": 0.12,
                    "peak": 5,
                    "backlog": 38000,
                    "unit_cost": 7,
                    "fixed_cost": 90000,
                    "rework": 0.03,
                    "blank": [(4, "withdrawn")],
                },
                "survey": 3.7,
            },
            {
                "name": "Vehicle registration",
                "program": "Vehicle Services",
                "kind": "registration",
                "status": "approved",
                "description": "A year's registration and its tab, so a vehicle may use the road.",
                "segments": ["Vehicle owners", "Auto dealers"],
                "done": "The registration and tab are mailed or printed.",
                "unit": "registration issued",
                "channels": ["online", "in_person", "mail"],
                "standard": (5, "95.00"),
                "fee": "8.00",
                "authority": "State Motor Vehicle Code, sec. 28-2153",
                "owner": "manager",
                "flow": {
                    "base": 240000,
                    "amp": 0.12,
                    "peak": 3,
                    "backlog": 30000,
                    "unit_cost": 3,
                    "fixed_cost": 200000,
                    "rework": 0.01,
                },
                "survey": None,
            },
            {
                "name": "Driving record",
                "program": "Driver Services",
                "kind": "record",
                "status": "approved",
                "description": "A certified copy of a driver's history of licenses and violations.",
                "segments": ["Law enforcement agencies", "Commercial motor carriers"],
                "done": "The certified record is delivered online or mailed.",
                "unit": "record delivered",
                "channels": ["online", "mail"],
                "standard": (1, "99.00"),
                "fee": "3.00",
                "authority": "State Motor Vehicle Code, sec. 28-455",
                "owner": "staff",
                "flow": {
                    "base": 30000,
                    "amp": 0.05,
                    "peak": 10,
                    "backlog": 600,
                    "unit_cost": 1,
                    "fixed_cost": 15000,
                    "rework": 0.002,
                    "late": True,
                },
                "survey": None,
            },
            {
                "name": "Apportioned registration",
                "program": "Motor Carrier Services",
                "kind": "registration",
                "status": "approved",
                "description": "One registration for a truck that crosses state lines.",
                "segments": ["Commercial motor carriers"],
                "done": "The cab card is issued to the carrier.",
                "unit": "cab card issued",
                "channels": ["online", "in_person"],
                "standard": (10, "90.00"),
                "fee": "50.00",
                "authority": "International Registration Plan; State Motor Vehicle Code",
                "owner": "staff",
                "flow": {
                    "base": 1500,
                    "amp": 0.3,
                    "peak": 12,
                    "backlog": 450,
                    "unit_cost": 40,
                    "fixed_cost": 8000,
                    "rework": 0.05,
                },
                "survey": None,
            },
            {
                "name": "Mailed registration renewal notice",
                "program": "Vehicle Services",
                "kind": "other",
                "status": "retired",
                "description": "Paper notice that a registration is due; now email reminders.",
                "segments": ["Vehicle owners"],
                "done": "The notice is handed to the postal service.",
                "unit": "notice mailed",
                "channels": ["mail"],
                "standard": (3, "98.00"),
                "fee": None,
                "authority": "State Motor Vehicle Code, sec. 28-2157",
                "owner": "manager",
                "flow": {
                    "base": 180000,
                    "amp": 0.1,
                    "peak": 3,
                    "backlog": 5000,
                    "unit_cost": 1,
                    "fixed_cost": 5000,
                    "rework": 0.001,
                    "profile": "retiring",
                },
                "survey": None,
            },
            {
                "name": "Dealer license",
                "program": "Motor Carrier Services",
                "kind": "license",
                "status": "returned",
                "description": "A license to sell vehicles in the state.",
                "segments": ["Auto dealers"],
                "unit": "dealer license issued",
                "channels": ["online"],
                "fee": "100.00",
                "authority": "State Motor Vehicle Code, sec. 28-4302",
                "owner": "staff",
                "review_comment": (
                    "Please say when one dealer license counts as delivered (issued, or "
                    "mailed?) and add a service standard: dealers ask how long it takes."
                ),
            },
            {
                # Deliberately poor: an activity, not a widget (for the definition coach).
                "name": "Answering phone calls",
                "program": "Driver Services",
                "kind": "other",
                "status": "draft",
                "description": "Call center staff answer questions from the public.",
                "owner": "staff",
            },
        ],
        "outcomes": [
            {
                "name": "Less time at a field office",
                "program": "Driver Services",
                "measure": "Average wait at field offices, from check-in to the counter",
                "unit": "minutes",
                "direction": "down",
                "baseline": 42,
                "target": 20,
                "decimals": 0,
                "shape": "step",
                "step_change": {
                    "periods_before_end": 10,
                    "reason": (
                        "Appointments by default at every field office from this month; "
                        "walk-ins are still served."
                    ),
                },
                "contributions": {
                    "Driver license renewal": "Every renewal done online is one less visit.",
                    "Vehicle registration": "Online registration keeps owners out of the line.",
                },
            },
            {
                "name": "Safer drivers on the road",
                "program": "Driver Services",
                "measure": "Traffic deaths per 100 million vehicle miles (12-month rolling)",
                "unit": "per 100M miles",
                "direction": "down",
                "baseline": 1.55,
                "target": 1.30,
                "decimals": 2,
                "shape": "worsening",
                "contributions": {
                    "New driver license": "Only drivers who pass the tests receive a license.",
                    "Driving record": (
                        "Accurate records let courts and employers act on unsafe drivers."
                    ),
                    "Apportioned registration": "Registered carriers are subject to safety audits.",
                },
            },
        ],
    },
    {
        "abbreviation": "DES",
        "slug": "des",
        "name": "Department of Economic Security",
        "publishes": False,
        "mission": (
            "Strengthen individuals, families and communities: pay benefits accurately "
            "and on time, and help people into work."
        ),
        "users": {
            "staff": ("Priya", "Shah"),
            "manager": ("Robert", "Begay"),
        },
        "programs": [
            ("Unemployment Insurance", "Pays benefits to people who lost work."),
            ("Family Assistance", "Food and child care assistance for low-income families."),
            ("Employment Services", "Training grants and job placement."),
        ],
        "segments": [
            ("Unemployed workers", "individual", 60000, "Their first payment, quickly."),
            ("Employers", "business", 140000, "Simple tax accounts and few surprises."),
            ("Low-income families", "individual", 300000, "Help without repeated paperwork."),
            ("Community partners", "nonprofit", 250, "Predictable grant decisions."),
            ("Local workforce boards", "government", 12, "Funds on time for training."),
        ],
        "widgets": [
            {
                "name": "Unemployment benefit payment",
                "program": "Unemployment Insurance",
                "kind": "payment",
                "status": "approved",
                "description": "The first weekly benefit payment on an approved claim.",
                "segments": ["Unemployed workers"],
                "done": "The first payment is deposited or the debit card is loaded.",
                "unit": "first payment made",
                "channels": ["online", "phone"],
                "standard": (21, "87.00"),
                "fee": None,
                "authority": "Social Security Act, Title III; State Employment Security Law",
                "owner": "manager",
                "flow": {
                    "base": 28000,
                    "amp": 0.25,
                    "peak": 1,
                    "backlog": 14000,
                    "unit_cost": 22,
                    "fixed_cost": 300000,
                    "rework": 0.03,
                    "profile": "trouble",
                },
                "survey": 3.6,
            },
            {
                "name": "Unemployment eligibility decision",
                "program": "Unemployment Insurance",
                "kind": "decision",
                "status": "approved",
                "description": "The written decision whether a claimant may receive benefits.",
                "segments": ["Unemployed workers", "Employers"],
                "done": "The decision is sent to the claimant and the employer.",
                "unit": "decision issued",
                "channels": ["online", "mail"],
                "standard": (21, "80.00"),
                "fee": None,
                "authority": "State Employment Security Law, sec. 23-773",
                "owner": "staff",
                "flow": {
                    "base": 9000,
                    "amp": 0.2,
                    "peak": 1,
                    "backlog": 6000,
                    "unit_cost": 60,
                    "fixed_cost": 80000,
                    "rework": 0.06,
                },
                "survey": None,
            },
            {
                "name": "Employer tax account registration",
                "program": "Unemployment Insurance",
                "kind": "registration",
                "status": "approved",
                "description": "An unemployment tax account and rate for a new employer.",
                "segments": ["Employers"],
                "done": "The account number and rate notice are sent to the employer.",
                "unit": "account registered",
                "channels": ["online"],
                "standard": (10, "95.00"),
                "fee": None,
                "authority": "State Employment Security Law, sec. 23-724",
                "owner": "staff",
                "flow": {
                    "base": 2500,
                    "amp": 0.08,
                    "peak": 1,
                    "backlog": 700,
                    "unit_cost": 15,
                    "fixed_cost": 6000,
                    "rework": 0.02,
                },
                "survey": None,
            },
            {
                "name": "SNAP eligibility decision",
                "program": "Family Assistance",
                "kind": "decision",
                "status": "approved",
                "description": "The decision on an application for food assistance.",
                "segments": ["Low-income families"],
                "done": "The notice of decision is sent to the applicant.",
                "unit": "decision issued",
                "channels": ["online", "in_person", "phone"],
                "standard": (30, "95.00"),
                "fee": None,
                "authority": "Food and Nutrition Act of 2008; 7 CFR 273.2",
                "owner": "manager",
                "flow": {
                    "base": 40000,
                    "amp": 0.08,
                    "peak": 1,
                    "backlog": 30000,
                    "unit_cost": 45,
                    "fixed_cost": 400000,
                    "rework": 0.04,
                },
                "survey": 3.8,
            },
            {
                "name": "Child care assistance certificate",
                "program": "Family Assistance",
                "kind": "certificate",
                "status": "approved",
                "description": "A certificate that pays part of a family's child care costs.",
                "segments": ["Low-income families"],
                "done": "The certificate is sent to the family and their provider.",
                "unit": "certificate issued",
                "channels": ["online", "in_person"],
                "standard": (14, "90.00"),
                "fee": None,
                "authority": "Child Care and Development Block Grant Act; State Rule R6-5-4901",
                "owner": "staff",
                "flow": {
                    "base": 3000,
                    "amp": 0.25,
                    "peak": 8,
                    "backlog": 1100,
                    "unit_cost": 55,
                    "fixed_cost": 20000,
                    "rework": 0.03,
                },
                "survey": None,
            },
            {
                "name": "Workforce training grant award",
                "program": "Employment Services",
                "kind": "grant",
                "status": "approved",
                "frequency": "quarter",
                "description": "A grant to a local board or partner to train job seekers.",
                "segments": ["Local workforce boards", "Community partners"],
                "done": "The signed grant agreement is sent to the grantee.",
                "unit": "grant awarded",
                "channels": ["online"],
                "standard": (60, "90.00"),
                "fee": None,
                "authority": "Workforce Innovation and Opportunity Act, sec. 134",
                "owner": "manager",
                "flow": {
                    "base": 24,
                    "amp": 0.2,
                    "peak": 7,
                    "backlog": 10,
                    "unit_cost": 1800,
                    "fixed_cost": 12000,
                    "rework": 0.05,
                },
                "survey": None,
            },
            {
                "name": "Overpayment waiver decision",
                "program": "Unemployment Insurance",
                "kind": "decision",
                "status": "draft",
                "description": "Whether a claimant must repay benefits paid in error.",
                "segments": ["Unemployed workers"],
                "done": "The decision is sent to the claimant.",
                "unit": "decision issued",
                "channels": ["online", "mail"],
                "standard": (45, "85.00"),
                "fee": None,
                "authority": "State Employment Security Law, sec. 23-787",
                "owner": "staff",
            },
            {
                # Deliberately poor: an activity, not a widget (for the definition coach).
                "name": "Case management",
                "program": "Family Assistance",
                "kind": "other",
                "status": "draft",
                "description": "Caseworkers manage family cases.",
                "owner": "staff",
            },
        ],
        "outcomes": [
            {
                "name": "Timely first payments",
                "program": "Unemployment Insurance",
                "measure": "Share of first unemployment payments made within 21 days",
                "unit": "%",
                "direction": "up",
                "baseline": 88.0,
                "target": 92.0,
                "decimals": 1,
                "shape": "collapse",
                "contributions": {
                    "Unemployment benefit payment": "Each payment on time: a family paid on time.",
                    "Unemployment eligibility decision": (
                        "No payment can be made before the eligibility decision."
                    ),
                },
            },
            {
                "name": "Faster return to work",
                "program": "Employment Services",
                "measure": "Median weeks a claimant draws benefits before returning to work",
                "unit": "weeks",
                "direction": "down",
                "baseline": 14.0,
                "target": 11.0,
                "decimals": 1,
                "shape": "on",
                "contributions": {
                    "Workforce training grant award": "Training leads to jobs that fit.",
                },
            },
            {
                "name": "Families with enough food",
                "program": "Family Assistance",
                "measure": "Share of eligible people enrolled in SNAP",
                "unit": "%",
                "direction": "up",
                "baseline": 82.0,
                "target": 88.0,
                "decimals": 1,
                "shape": "on",
                "contributions": {
                    "SNAP eligibility decision": "Timely decisions enrol eligible families.",
                },
            },
        ],
        "countermeasures": [
            {
                "widget": "Unemployment benefit payment",
                "problem": (
                    "The backlog of claims awaiting a first payment has grown every month for "
                    "six months, and the share paid within 21 days has fallen well below the "
                    "87% standard."
                ),
                "root_cause": (
                    "Claims rose after layoffs in warehousing while identity verification is "
                    "still checked by hand by a fixed team, with no surge capacity."
                ),
                "action": (
                    "Verify identity automatically for low-risk claims; cross-train eight staff "
                    "from employer services; hold a daily backlog huddle until the backlog is "
                    "back under two weeks of demand."
                ),
                "due_in_days": 45,
            },
        ],
    },
]

# How far above or below the overall answer each survey question tends to sit.
QUESTION_OFFSET = {
    "satisfaction": 0.0,
    "trust": -0.2,
    "ease": 0.1,
    "efficiency": -0.1,
    "effectiveness": 0.05,
    "transparency": -0.3,
    "helpfulness": 0.2,
}

ADMIN = {"username": "admin", "email": "admin@example.gov", "name": ("Demo", "Administrator")}
