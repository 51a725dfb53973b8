"""Rows for `generate_scale`: agencies, people, widgets, counts, surveys, outcomes.

Pure functions of (seed, item): every random number comes from a `random.Random`
seeded with the seed and the item's name, so the same seed gives the same rows
whatever else changes. Rows are tuples in the column order of `COLUMNS`, ready
for COPY; the counts (millions of rows) are written as COPY text directly.
"""

import datetime as dt
import json
import math
import random

from widgets import coach
from widgets.periods import Frequency, next_period_start, period_start

BENCH_PASSWORD = "widgets-bench-2026"  # noqa: S105 - documented bench login, never production
PRESETS = {
    "small": {"agencies": 5, "widgets": 200, "outcomes": 40, "years": 1.0, "frequency": "day"},
    "state": {"agencies": 40, "widgets": 2000, "outcomes": 400, "years": 5.0, "frequency": "day"},
}
# Statuses of the catalogue, by share; drafts and returned definitions are not counted,
# retired ones were counted until they were retired (half way through the range).
STATUS_MIX = [("approved", 92), ("submitted", 3), ("retired", 2), ("draft", 2), ("returned", 1)]
COUNTED = {"approved", "submitted", "retired"}

AGENCY_WORDS = [
    "Environmental Quality", "Health", "Labor", "Revenue", "Motor Vehicles", "Transportation",
    "Agriculture", "Natural Resources", "Commerce", "Insurance", "Financial Institutions",
    "Education", "Human Services", "Corrections", "Public Safety", "Housing", "Energy",
    "Fish and Wildlife", "Veterans Affairs", "Aging", "Children and Families", "Licensing",
    "Professional Regulation", "Water Resources", "Parks and Recreation", "Employment Security",
    "Consumer Protection", "Emergency Management", "Economic Development", "Tourism",
    "Historic Preservation", "Gaming", "Alcohol Control", "Lottery", "Elections",
    "Workforce Development", "Mental Health", "Public Utilities", "Forestry", "Mining Safety",
]  # fmt: skip
PROGRAMS = [
    "Permitting", "Licensing", "Inspections and compliance", "Grants", "Records",
    "Customer service", "Registration", "Enforcement", "Payments", "Certification",
]  # fmt: skip
SEGMENTS = [
    ("Residents", "individual", 800_000), ("Small businesses", "business", 40_000),
    ("Large employers", "business", 2_000), ("Nonprofits", "nonprofit", 6_000),
    ("Local governments", "government", 350), ("Applicants", "individual", 120_000),
    ("Other agency units", "internal", 40),
]  # fmt: skip
SUBJECTS = [
    "Air quality", "Boiler", "Food service", "Child care", "Well drilling", "Contractor",
    "Elevator", "Pesticide applicator", "Nursing home", "Dam safety", "Fishing", "Hunting",
    "Vehicle title", "Commercial driver", "Liquor", "Building", "Electrical", "Plumbing",
    "Stormwater", "Wastewater", "Hazardous waste", "Day camp", "Pharmacy", "Notary",
    "Cosmetology", "Real estate", "Insurance agent", "Charity", "Lobbyist", "Campground",
    "Timber harvest", "Mine", "Pipeline", "Radiation", "Weights and measures", "Feed",
    "Seed", "Nursery stock", "Dairy", "Meat plant", "Tax clearance", "Sales tax",
    "Unemployment", "Workers compensation", "Birth", "Marriage", "Death", "Adoption",
    "Small business", "Broadband", "Housing", "Energy rebate", "Veteran benefit",
    "Crime victim", "Firearm dealer", "Security guard", "Tow truck", "Boat", "Trail",
]  # fmt: skip
KIND_NOUNS = {
    "permit": "permit", "license": "license", "certificate": "certificate",
    "registration": "registration", "report": "inspection report", "inspection": "inspection",
    "payment": "payment", "grant": "grant award", "decision": "eligibility decision",
    "record": "record copy", "other": "approval letter",
}  # fmt: skip
OUTCOME_WORDS = [
    ("Fewer workplace injuries", "Injuries per 100 workers", "per 100", "down", 4.1, 3.2),
    ("Cleaner air", "Days with unhealthy air quality", "days", "down", 24, 12),
    ("Faster business start-ups", "Median days to open a business", "days", "down", 38, 21),
    ("Safer roads", "Traffic deaths per 100M miles", "per 100M mi", "down", 1.3, 0.9),
    ("Clean drinking water", "Systems meeting all standards", "%", "up", 91, 98),
    ("More people at work", "Claimants back at work in 6 months", "%", "up", 58, 70),
    ("Healthy forests", "Acres restored", "acres", "up", 12_000, 30_000),
    ("Timely benefits", "Benefits paid within 21 days", "%", "up", 72, 90),
    ("Safe food", "Outbreaks traced to licensed kitchens", "outbreaks", "down", 30, 15),
    ("Affordable homes", "Households spending >30% on rent", "%", "down", 44, 38),
]  # fmt: skip
SHAPES = ["on", "on", "on", "stalled", "worsening"]


def rng_for(seed, *parts):
    return random.Random(":".join(map(str, (seed, *parts))))  # noqa: S311 - test data


def split(total, parts, rng):
    """`total` items over `parts` buckets of uneven size (each at least one when possible)."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [max(1 if total >= parts else 0, int(w * scale)) for w in weights]
    index = 0
    while sum(sizes) != total:
        step = 1 if sum(sizes) < total else -1
        if step > 0 or sizes[index % parts] > 1:
            sizes[index % parts] += step
        index += 1
    return sizes


def periods(end, years, frequency):
    """Period starts at `frequency` covering `years` up to and including `end`'s period."""
    first = period_start(end - dt.timedelta(days=round(years * 365.25) - 1), frequency)
    last, starts, start = period_start(end, frequency), [], first
    while start <= last:
        starts.append(start)
        start = next_period_start(start, frequency)
    return starts


def agencies(seed, count, created):
    """(id, name, abbreviation, slug, mission, publishes, created, updated)."""
    rows = []
    for i in range(count):
        words = AGENCY_WORDS[i % len(AGENCY_WORDS)]
        suffix = f" {i // len(AGENCY_WORDS) + 1}" if i >= len(AGENCY_WORDS) else ""
        name = f"Department of {words}{suffix}"
        abbr = "D" + "".join(w[0] for w in words.split() if w[0].isupper()) + f"{i + 1}"
        slug = f"{words.lower().replace(' ', '-')}{suffix.replace(' ', '-')}"
        mission = f"The {name} serves the people of the state."
        publishes = rng_for(seed, "agency", i).random() < 0.8 or i == 0
        rows.append((i + 1, name, abbr, slug, mission, publishes, created, created))
    return rows


def users(agency_rows, password_hash, created):
    """Two people per agency: (id, password, username, first, last, email, joined)."""
    rows = []
    for agency_id, _name, _abbr, slug, *_ in agency_rows:
        for offset, role in enumerate(("staff", "manager")):
            user_id = 2 * (agency_id - 1) + offset + 1
            first, last = role.capitalize(), slug.replace("-", " ").title()
            email = f"{role}@{slug}.example.gov"
            rows.append((user_id, password_hash, f"{role}@{slug}", first, last, email, created))
    return rows


def staff_id(agency_id):
    return 2 * (agency_id - 1) + 1


def manager_id(agency_id):
    return 2 * (agency_id - 1) + 2


def programs(seed, agency_rows, created):
    """{agency_id: [program ids]} and rows (id, agency, name, description, created, updated)."""
    by_agency, rows = {}, []
    for agency_id, *_ in agency_rows:
        rng = rng_for(seed, "programs", agency_id)
        for name in rng.sample(PROGRAMS, rng.randint(3, 5)):
            rows.append(
                (len(rows) + 1, agency_id, name, f"{name} for the agency.", created, created)
            )
            by_agency.setdefault(agency_id, []).append(len(rows))
    return by_agency, rows


def segments(seed, agency_rows, created):
    """{agency_id: [segment ids]} and rows (id, agency, name, kind, size, needs, c, u)."""
    by_agency, rows = {}, []
    for agency_id, *_ in agency_rows:
        rng = rng_for(seed, "segments", agency_id)
        for name, kind, size in rng.sample(SEGMENTS, rng.randint(3, 4)):
            needs = "A clear answer, quickly, without a second visit."
            rows.append((len(rows) + 1, agency_id, name, kind, size, needs, created, created))
            by_agency.setdefault(agency_id, []).append(len(rows))
    return by_agency, rows


def widgets(seed, count, agency_rows, program_ids, segment_ids, frequency, created):
    """Widget dicts (one per widget, with the flow parameters for its counts)."""
    sizes = split(count, len(agency_rows), rng_for(seed, "widget-sizes"))
    statuses = [s for s, share in STATUS_MIX for _ in range(share)]
    items = []
    for (agency_id, *_), size in zip(agency_rows, sizes, strict=True):
        rng = rng_for(seed, "widget-names", agency_id)
        kinds = list(KIND_NOUNS)
        pairs = rng.sample([(s, k) for s in SUBJECTS for k in kinds], size)
        for subject, kind in pairs:
            items.append(widget(seed, len(items) + 1, agency_id, subject, kind, statuses))
    for item in items:
        rng = rng_for(seed, "widget-links", item["id"])
        item["program_id"] = rng.choice(program_ids[item["agency_id"]])
        ids = segment_ids[item["agency_id"]]
        item["segments"] = (
            [] if item["missing"] == "customer" else rng.sample(ids, rng.randint(1, 2))
        )
        item["frequency"] = frequency
        item["created"] = created
        definition = coach.Definition(
            name=item["name"],
            description=item["description"],
            customer_count=len(item["segments"]),
            definition_of_done=item["done"],
            unit_of_count=item["unit"],
            standard_days=item["standard_days"],
            standard_share=item["standard_share"],
        )
        findings = coach.review(definition)
        item["quality_score"] = coach.score(findings)
        item["problem_count"] = sum(1 for f in findings if f.severity == coach.PROBLEM)
    return items


def widget(seed, widget_id, agency_id, subject, kind, statuses):
    rng = rng_for(seed, "widget", widget_id)
    noun = KIND_NOUNS[kind]
    missing = rng.choices(["", "done", "customer", "standard"], [85, 5, 5, 5])[0]
    has_standard = missing != "standard"
    return {
        "id": widget_id,
        "agency_id": agency_id,
        "name": f"{subject} {noun}",
        "kind": kind,
        "status": rng.choice(statuses),
        "missing": missing,
        "description": f"The customer receives a {subject.lower()} {noun} they can rely on.",
        "done": "" if missing == "done" else f"The {noun} is issued to the customer.",
        "unit": f"{noun} issued",
        "channels": rng.sample(["online", "in_person", "mail", "phone"], rng.randint(1, 3)),
        "standard_days": rng.choice([1, 2, 5, 10, 15, 30, 45, 60]) if has_standard else None,
        "standard_share": rng.choice([80, 85, 90, 95]) if has_standard else None,
        "fee": round(rng.choice([0, 10, 25, 50, 75, 150, 400]) * 1.0, 2) or None,
        "authority": f"State Code § {rng.randint(1, 60)}-{rng.randint(1, 999)}",
        "owner_id": (staff_id if rng.random() < 0.7 else manager_id)(agency_id),
        # Flow of the system: demand per day, seasonality, capacity, quality.
        "base": math.exp(rng.uniform(math.log(0.5), math.log(120))),
        "amp": rng.uniform(0.05, 0.35),
        "peak": rng.randint(1, 12),
        "growth": rng.uniform(-0.05, 0.12),
        "weekend": rng.choice([0.05, 0.1, 0.6]),
        "withdrawn": rng.uniform(0.005, 0.04),
        "on_time": rng.uniform(0.72, 0.99),
        "rework": rng.uniform(0.0, 0.06),
        "unit_cost": rng.uniform(5, 400),
        "channel_counts": rng.random() < 0.25,
        "source": rng.choice(["form", "form", "import", "api"]),
        "trouble": rng.random() < 0.12,  # capacity falls over the last tenth of the range
    }


def count_lines(seed, item, starts, first_ts, quarter_of, delivered_by_quarter):
    """COPY text lines of one widget's counts (see generate_scale.COUNT_COLUMNS).

    The backlog balances: previous backlog + demand - delivered - withdrawn = backlog;
    within standard and rework never exceed delivered. Adds delivered per quarter
    index to `delivered_by_quarter` for the survey results.
    """
    rng = rng_for(seed, "counts", item["id"])
    rand = rng.random
    n = len(starts)
    if item["status"] == "retired":
        n //= 2
    base, amp, peak, growth = item["base"], item["amp"], item["peak"], item["growth"]
    daily = item["frequency"] == Frequency.DAY
    days = (starts[1] - starts[0]).days if len(starts) > 1 else 1
    season = [1 + amp * math.cos(2 * math.pi * (m - peak) / 12) for m in range(13)]
    target = base * days * max(item["standard_days"] or 10, 1) * 0.3
    backlog = round(target)
    trouble_from = n - n // 10 if item["trouble"] else n
    tail = f"\t{item['source']}\t{staff_id(item['agency_id'])}\t\t1\t"
    prefix = f"{item['id']}\t"
    lines = []
    for i in range(n):
        start = starts[i]
        weekday = item["weekend"] if daily and start.weekday() >= 5 else 1.0
        expected = base * days * season[start.month] * (1 + growth * i / max(n, 1))
        demand = int(expected * weekday * (0.8 + 0.4 * rand()) + rand())
        withdrawn = int(demand * item["withdrawn"] + rand())
        capacity = expected * (0.7 if i >= trouble_from else 1.0)
        if daily and start.weekday() >= 5:
            capacity *= 0.1
        wanted = min(capacity * 1.15, demand - withdrawn + 0.35 * (backlog - target))
        available = backlog + demand - withdrawn
        delivered = min(max(int(wanted * (0.9 + 0.2 * rand()) + rand()), 0), available)
        backlog = available - delivered
        share = item["on_time"] - (0.25 if backlog > 3 * target + 5 else 0.0)
        within = min(int(delivered * min(share + 0.04 * (rand() - 0.5), 1.0) + rand()), delivered)
        rework = min(int(delivered * item["rework"] * (0.5 + rand()) + rand()), delivered)
        cost = "\\N" if rand() < 0.01 else f"{40 * days + delivered * item['unit_cost']:.2f}"
        if item["channel_counts"]:
            online = int(demand * 0.7 + rand()) if demand else 0
            channels = f"{online}\t{demand - online}\t\\N\t\\N\t\\N\t\\N"
        else:
            channels = "\\N\t\\N\t\\N\t\\N\t\\N\t\\N"
        delivered_by_quarter[quarter_of[i]] += delivered
        stamp = first_ts[i]
        lines.append(
            f"{prefix}{start}\t{demand}\t{delivered}\t{within}\t{withdrawn}\t{backlog}\t"
            f"{rework}\t{cost}\t{channels}{tail}{stamp}\t{stamp}\n"
        )
    return lines


def answers(rng, respondents, mean):
    """Answers at 1..5 around `mean`; a few respondents skip the question."""
    answered = respondents - rng.randint(0, respondents // 25)
    weights = [math.exp(-((point - mean) ** 2) / 1.6) for point in range(1, 6)]
    counts = [int(answered * w / sum(weights)) for w in weights]
    counts[weights.index(max(weights))] += answered - sum(counts)
    return counts


def survey_rows(seed, item, quarters, delivered_by_quarter, created):
    """Overall survey results per complete quarter, for about 60% of widgets."""
    rng = rng_for(seed, "survey", item["id"])
    if rng.random() > 0.6:
        return []
    mean, rows = rng.uniform(3.0, 4.6), []
    for index, quarter in enumerate(quarters):
        served = delivered_by_quarter[index]
        if not served:
            continue
        offered = round(served * rng.uniform(0.25, 0.4))
        respondents = round(offered * rng.uniform(0.06, 0.12))
        values = []
        for offset in (0, 0.1, -0.3, -0.2, 0.1, -0.1, 0.2):  # satisfaction, trust, ..., helpful
            values += answers(rng, respondents, min(max(mean + offset, 1.0), 5.0))
        counts = (served, offered, respondents, *values)
        rows.append((item["id"], quarter, *counts, "entered", created, created))
    return rows


def outcomes(seed, count, agency_rows, program_ids, items, months, end, created):
    """Rows for outcomes, measurements, contributions and countermeasures."""
    sizes = split(count, len(agency_rows), rng_for(seed, "outcome-sizes"))
    counted = {}
    for item in items:
        if item["status"] in COUNTED:
            counted.setdefault(item["agency_id"], []).append(item["id"])
    result = {"outcome": [], "measurement": [], "contribution": [], "countermeasure": []}
    target_date = end.replace(day=1) + dt.timedelta(days=2 * 365)
    for (agency_id, *_), size in zip(agency_rows, sizes, strict=True):
        for n in range(size):
            outcome_id = len(result["outcome"]) + 1
            rng = rng_for(seed, "outcome", outcome_id)
            name, measure, unit, direction, baseline, target = OUTCOME_WORDS[n % len(OUTCOME_WORDS)]
            if n >= len(OUTCOME_WORDS):
                name = f"{name} ({n // len(OUTCOME_WORDS) + 1})"
            result["outcome"].append(
                (outcome_id, agency_id, rng.choice(program_ids[agency_id]), name, measure, unit,
                 direction, baseline, months[0], target, target_date, "month",
                 manager_id(agency_id), 1, created, created)
            )  # fmt: skip
            shape = rng.choice(SHAPES)
            delta, span = target - baseline, (target_date - months[0]).days
            for i, month in enumerate(months):
                line = baseline + delta * (month - months[0]).days / span
                noise = rng.gauss(0, abs(delta) * 0.02)
                if shape == "on":
                    value = line + abs(delta) * 0.05 * (1 if delta > 0 else -1) + noise
                elif shape == "stalled":
                    value = baseline + noise
                else:
                    value = baseline - delta * 0.3 * i / max(len(months) - 1, 1) + noise
                value = baseline if i == 0 else value
                result["measurement"].append((outcome_id, month, f"{value:.4f}", created, created))
            pool, rng = counted.get(agency_id, []), rng_for(seed, "contributions", outcome_id)
            for widget_id in rng.sample(pool, min(len(pool), rng.randint(1, 4))):
                rationale = "Delivering this widget on time moves the outcome."
                result["contribution"].append((outcome_id, widget_id, rationale, created, created))
            if shape == "worsening" and rng.random() < 0.5:
                result["countermeasure"].append(
                    (agency_id, outcome_id, None, "The outcome is moving the wrong way.",
                     "Demand outgrew capacity.", "Add a second shift for reviews.",
                     manager_id(agency_id), end + dt.timedelta(days=30), "open", 1, created,
                     created)
                )  # fmt: skip
    for item in items:
        if (
            item["trouble"]
            and item["status"] in COUNTED
            and rng_for(seed, "cm", item["id"]).random() < 0.5
        ):
            result["countermeasure"].append(
                (item["agency_id"], None, item["id"], "Backlog is growing; on-time share fell.",
                 "Two reviewers left.", "Cross-train staff from intake.",
                 manager_id(item["agency_id"]), end + dt.timedelta(days=21), "open", 1, created,
                 created)
            )  # fmt: skip
    return result


def widget_row(item):
    """(id, agency, program, name, kind, description, done, unit, channels, frequency,
    standard_days, standard_share, fee, authority, owner, status, review_comment,
    external_id, quality_score, problem_count, version, created, updated,
    not_applicable: every count applies)."""
    comment = "Say what the customer receives." if item["status"] == "returned" else ""
    return (
        item["id"], item["agency_id"], item["program_id"], item["name"], item["kind"],
        item["description"], item["done"], item["unit"], json.dumps(item["channels"]),
        item["frequency"], item["standard_days"], item["standard_share"], item["fee"],
        item["authority"], item["owner_id"], item["status"], comment, "",
        item["quality_score"], item["problem_count"], 1, item["created"], item["created"],
        "[]",
    )  # fmt: skip
