"""A pytest plugin that adds a throwaway count field and measure to widgets.measures
before Django starts, as a contributor adding one would (an entry each; the
column comes from the entry, and the probe's tables are made from the models).

Loaded only by tests/widgets/test_measures.py, in a process of its own.
"""

from widgets import measures

COMPLAINTS = measures.CountField(
    "complaints",
    "Complaints",
    "Complaints received about the widgets delivered.",
    example="4",
)
COMPLAINT_RATE = measures.Measure(
    "complaint_rate",
    "Complaint rate",
    numerator="complaints",
    denominator="delivered",
    format=measures.PERCENT,
    better=measures.DOWN,
    how="Complaints ÷ delivered, over the periods where both are known.",
)

typed = [f for f in measures.COUNT_FIELDS if f.typed]
others = [f for f in measures.COUNT_FIELDS if not f.typed]
measures.COUNT_FIELDS = (*typed, COMPLAINTS, *others)
measures.MEASURES = (*measures.MEASURES, COMPLAINT_RATE)
