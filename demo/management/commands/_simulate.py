"""The demo's numbers, made up but plausible: counts that flow (demand, delivered,
backlog carried over), survey answers around a mean, outcome measurements moving
towards a target. Deterministic for a given random generator (seed_demo)."""

import math
from decimal import Decimal

from widgets.models import SCALE
from widgets.periods import period_start, previous_period_start

# A widget or outcome in trouble goes wrong over its last six periods.
TROUBLE_PERIODS = 6


def money(value):
    return Decimal(f"{max(value, 0):.2f}")


def recent_periods(today, frequency, count):
    """The `count` complete periods at `frequency` before the one containing `today`."""
    start = period_start(today, frequency)
    periods = []
    for _ in range(count):
        start = previous_period_start(start, frequency)
        periods.append(start)
    return periods[::-1]


def simulate_counts(rng, flow, periods, standard_share):
    """One dict of counts per period; the backlog balances except where told not to."""
    base, target_backlog = flow["base"], flow["backlog"]
    profile = flow.get("profile", "steady")
    on_time = min(float(standard_share) / 100 + rng.uniform(0.02, 0.05), 0.995)
    blanks = {len(periods) - back: field for back, field in flow.get("blank", [])}
    back, extra = flow.get("unbalanced", (None, 0))
    unbalanced_at = None if back is None else len(periods) - back
    backlog, rows = target_backlog, []
    for i, start in enumerate(periods):
        late = i - (len(periods) - TROUBLE_PERIODS) + 1  # 1..6 over the last six periods
        season = 1 + flow["amp"] * math.cos(2 * math.pi * (start.month - flow["peak"]) / 12)
        expected = base * season
        demand_factor, share, rework_rate, cost_factor = 1.0, on_time, flow["rework"], 1.0
        if profile == "trouble" and late > 0:
            demand_factor = 1 + 0.07 * late
            share = on_time - 0.055 * late
            rework_rate *= 1 + 0.25 * late
            cost_factor = 1 + 0.03 * late
        if profile == "retiring" and late > -2:
            demand_factor = max(0.0, 1 - (late + 2) / 6)
            target_backlog = round(flow["backlog"] * demand_factor)
        demand = max(0, round(expected * demand_factor * rng.gauss(1, 0.05)))
        withdrawn = round(demand * rng.uniform(0.01, 0.04))
        available = backlog + demand - withdrawn
        if profile == "trouble" and late > 0:
            wanted = expected * rng.gauss(1.01, 0.015)  # capacity stays where it was
        elif demand == 0:
            wanted = available
        else:
            wanted = demand - withdrawn + 0.4 * (backlog - target_backlog)
            wanted += rng.gauss(0, 0.02 * expected)
        delivered = min(max(round(wanted), 0), available)
        backlog = available - delivered
        if i == unbalanced_at:
            backlog += extra  # a recount found files nobody had logged
        row = {
            "period_start": start,
            "demand": demand,
            "delivered": delivered,
            "within_standard": round(delivered * min(max(share + rng.gauss(0, 0.01), 0), 1)),
            "withdrawn": withdrawn,
            "backlog": backlog,
            "rework": round(delivered * rework_rate * rng.uniform(0.7, 1.3)),
            "cost": money((flow["fixed_cost"] + delivered * flow["unit_cost"]) * cost_factor),
        }
        if i in blanks:
            row[blanks[i]] = None  # unknown is not zero
        rows.append(row)
    return rows


def answers_for(rng, respondents, mean):
    """Counts at 1..5 around `mean`; a few respondents skip the question."""
    answered = respondents - rng.randint(0, respondents // 25)
    weights = [math.exp(-((point - mean) ** 2) / 1.6) for point in SCALE]
    total = sum(weights)
    counts = [int(answered * weight / total) for weight in weights]
    counts[weights.index(max(weights))] += answered - sum(counts)
    return counts


def outcome_values(rng, spec, months, target_date):
    """Monthly values: `on` keeps at or ahead of the line from baseline to target."""
    baseline, target = spec["baseline"], spec["target"]
    delta, span = target - baseline, (target_date - months[0]).days
    values = []
    for i, month in enumerate(months):
        line = baseline + delta * (month - months[0]).days / span
        noise = rng.gauss(0, abs(delta) * 0.02)
        shape = spec["shape"]
        if i == 0:
            value = baseline
        elif shape == "on":
            value = line + delta * 0.06 + (abs(noise) if delta > 0 else -abs(noise))
        elif shape == "behind":  # a little behind the line: at risk, within the tolerance
            value = line - delta * (0.05 + max(min(noise / abs(delta), 0.02), -0.02))
        elif shape == "stalled":
            value = baseline + noise
        elif shape == "worsening":
            value = baseline - delta * 0.3 * i / (len(months) - 1) + noise
        elif shape == "step":  # level, then a new level from the step on (a step change)
            noise = rng.gauss(0, abs(delta) * 0.05)
            after = i >= len(months) - spec["step_change"]["periods_before_end"]
            value = baseline + (delta * 0.75 if after else 0) + noise
        else:  # collapse: on the line, then falling away over the last six months
            late = i - (len(months) - TROUBLE_PERIODS) + 1
            value = line + noise - (delta * 0.75 * late if late > 0 else 0)
        values.append(Decimal(f"{value:.{spec['decimals']}f}"))
    return values
