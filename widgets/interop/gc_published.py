"""The inventory as published, written back: the round trip of an import.

An import keeps every cell of every published row (`PublishedRow.values`) and,
right after it saved, what the export computed from the widget and its counts
(`PublishedRow.baseline`). The export then writes, for each published row:

- a column the app does not hold (French texts, the online-interaction flags,
  review dates, remarks, URLs, program ids ...): the published cell;
- a column the app computes (name, volumes, fee, target ...): the published cell
  while the app computes what it computed after the import (nothing changed
  here since: "ND" stays "ND", "NA" stays "NA", "Y" stays "Y"), else the app's
  value. Columns that one value feeds together (fax and other are one count)
  are judged together.

So an unchanged imported row comes back exactly as published, and a change
made here is what the export says.
"""

from ..models import InventoryFile, PublishedRow

# Columns (in groups judged together) that the export computes from the app.
SERVICE_GROUPS = [
    ("service_id",),
    ("service_name_en",),
    ("service_description_en",),
    ("service_type",),
    ("client_target_groups",),
    ("service_fee",),
    ("program_name_en",),
    ("num_applications_online",),
    ("num_applications_in_person",),
    ("num_applications_by_mail",),
    ("num_applications_by_phone",),
    ("num_applications_by_email",),
    ("num_applications_by_fax", "num_applications_by_other"),
    ("num_applications_total",),
    ("owner_org",),
    ("owner_org_title",),
]
# Of a standard that is no one year's counted standard, only who it belongs to.
STANDARD_IDENTITY = [
    ("service_id",),
    ("service_name_en",),
    ("owner_org",),
    ("owner_org_title",),
]
# Of the standard whose volumes are the year's counts, also the standard and its figures.
STANDARD_COUNTED = [
    *STANDARD_IDENTITY,
    ("service_standard_en",),
    ("target",),
    ("volume_meeting_target", "total_volume", "performance", "target_met"),
]


def text(value):
    """A cell as the export writes it and the baseline keeps it."""
    return "" if value is None else str(value)


def groups_of(row):
    if row.file == InventoryFile.SERVICES:
        return SERVICE_GROUPS
    return STANDARD_COUNTED if row.counted else STANDARD_IDENTITY


def baseline(row, app):
    """What the export computes for the row now: the cells kept as its baseline."""
    return {column: text(app.get(column)) for group in groups_of(row) for column in group}


def overlay(row, app, columns):
    """The row's cells in `columns` order: as published, but for the groups of
    columns the app computes differently from its baseline (changed since)."""
    cells = {column: row.values.get(column, "") for column in columns}
    for group in groups_of(row):
        if any(text(app.get(c)) != row.baseline.get(c) for c in group):
            cells.update({c: text(app.get(c)) for c in group})
    return [cells[c] for c in columns]


def published_rows(widgets, file):
    """The published rows of these widgets, in the order they were published."""
    return list(
        PublishedRow.objects.filter(widget__in=widgets, file=file).order_by(
            "inventory_import_id", "row_number"
        )
    )
