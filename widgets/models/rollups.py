"""Roll-ups: each widget's counts summed per month, fiscal quarter and fiscal year.

Derived, never typed: widgets.counting.rollups keeps them in the same transaction
as every write of counts, and `manage.py rebuild_rollups` makes them again from
the counts (docs/architecture.md, "Roll-ups"). Pages read them instead of the
count rows, so a page costs the same with 5 years of daily counts as with one
month of them.

A count belongs to the month (quarter, fiscal year) its period starts in, as
`widgets.flow.rollup` has always put it: a week that starts on 30 June is June's.

The columns are named as widgets.flow.FLOW_AGGREGATES names its sums, so that a
sum of roll-up rows is a row of FLOW_AGGREGATES (`widgets.flow.flow_from` reads
either): `total_<field>` for every count field that adds up, `<measure>_num` and
`<measure>_den` for every ratio, summed over the periods where both of its parts
are known. Unknown is not zero: a sum is blank when no period of it is known. Beside the sums,
how many of its counts do not balance with the period before (`balance_gaps`), so
that a page looks for the gaps only in the widgets that have some.
"""

from django.db import models

from agencies.models import TimeStampedModel

from .. import measures
from .definitions import OfWidgetQuerySet, Widget


class Grain(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Fiscal quarter"
    FISCAL_YEAR = "fiscal_year", "Fiscal year"


def _sum_field(is_money):
    if is_money:
        return models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    return models.BigIntegerField(null=True, blank=True)


def sum_columns():
    """{column: is money}: what a roll-up sums, as FLOW_AGGREGATES names it."""
    columns = {f"total_{f.name}": f.is_money for f in measures.summed_fields()}
    for spec in measures.MEASURES:
        if spec.per_day:
            continue  # from the closing backlog and total delivered (flow.flow_from)
        columns[f"{spec.name}_num"] = measures.field(spec.numerator).is_money
        columns[f"{spec.name}_den"] = measures.field(spec.denominator).is_money
    return columns


SUM_COLUMNS = sum_columns()


class CountRollup(TimeStampedModel):
    """One widget's counts of one month, fiscal quarter or fiscal year, summed."""

    widget = models.ForeignKey(
        Widget, on_delete=models.CASCADE, related_name="rollups", db_index=False
    )
    grain = models.CharField(max_length=12, choices=Grain.choices)
    period_start = models.DateField(help_text="First day of the month, quarter or fiscal year.")
    rows = models.PositiveIntegerField(help_text="How many counts it sums.")
    locals().update({name: _sum_field(money) for name, money in SUM_COLUMNS.items()})
    # The backlog of its newest period with a known backlog (a level, never summed).
    closing_backlog = models.BigIntegerField(null=True, blank=True)
    # Its newest count, and its oldest and newest counts with delivered known.
    last_period = models.DateField()
    first_delivered_period = models.DateField(null=True, blank=True)
    last_delivered_period = models.DateField(null=True, blank=True)
    # How many of its counts have a backlog that does not follow from the period
    # before (widgets.flow.balance_failures: the nearest earlier count with a known
    # backlog is the period just before, and backlog + demand - delivered - withdrawn
    # differs), explained or not. Blank only between the migration that added it and
    # the rebuild after it (widgets.apps).
    balance_gaps = models.PositiveIntegerField(null=True, blank=True)

    # Readable with their widget, as its counts are (another agency's draft stays private).
    objects = OfWidgetQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["widget", "grain", "period_start"],
                name="widgets_countrollup_one_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(grain__in=Grain.values), name="widgets_countrollup_grain_valid"
            ),
        ]
        indexes = [models.Index(fields=["grain", "period_start", "widget"])]

    def __str__(self):
        return f"{self.widget_id} {self.grain} {self.period_start}"


# What a roll-up keeps of its counts, in the order of its columns: the triggers
# write them (widgets.rollups.COLUMNS) and the check in Python compares them
# (widgets.rollups_check).
FIGURES = [
    "rows",
    *SUM_COLUMNS,
    "closing_backlog",
    "last_period",
    "first_delivered_period",
    "last_delivered_period",
    "balance_gaps",
]
