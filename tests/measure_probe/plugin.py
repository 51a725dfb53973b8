"""A pytest plugin that adds a throwaway count field and measure to widgets.measures
before Django starts, as a contributor adding one would (an entry each; the
column comes from the entry, and the probe's tables are made from the models).

Loaded only by tests/widgets/test_measures.py, in a process of its own.
"""

from widgets import measures

PROBE_FLAGS = measures.CountField(
    "probe_flags",
    "Probe flags",
    "A throwaway count for this probe.",
    example="4",
)
PROBE_FLAG_RATE = measures.Measure(
    "probe_flag_rate",
    "Probe flag rate",
    numerator="probe_flags",
    denominator="delivered",
    format=measures.PERCENT,
    better=measures.DOWN,
    how="Probe flags ÷ delivered, over the periods where both are known.",
)

typed = [f for f in measures.COUNT_FIELDS if f.typed]
others = [f for f in measures.COUNT_FIELDS if not f.typed]
measures.COUNT_FIELDS = (*typed, PROBE_FLAGS, *others)
measures.MEASURES = (*measures.MEASURES, PROBE_FLAG_RATE)
