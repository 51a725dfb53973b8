"""History entries in people's words: each changed field by its label and its
values as the pages show them (docs/architecture.md, "Numbers on pages").

    entries = worded_changes(Widget, deltas, formats={"fee": numbers.money})
    # [[("Fee", "$12.50", "$15"), ("Owner", "Jo Park", "blank")], ...]

A value is worded by, in order: the model's `formats` for that field (money,
a percentage, days: only the model knows that a decimal is dollars); its
choices' display names; the related object's name for a foreign key (a person's
name for a user) or the names of a many-to-many; "yes" / "no"; a date as pages
write dates; a number by agencies' numbers filters; else its text. Unknown or
empty is the word "blank". Names of related objects are read with one query
per related model, whatever the number of entries.

The widget page's history and the admin's history pages (WordedHistoryAdmin)
use it; history exports, if any, keep raw values.
"""

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange
from simple_history.utils import get_m2m_reverse_field_name

from .templatetags import numbers
from .templatetags.people import person

BLANK = "blank"


def _is_blank(value):
    return value is None or value == "" or value == [] or value == {}


def _related_ids(field, value):
    """The primary keys a foreign key or many-to-many value refers to."""
    if _is_blank(value):
        return []
    if field.many_to_many:
        name = get_m2m_reverse_field_name(field)
        return [row[name] for row in value]
    return [value]


def _names(needed):
    """{model: {pk: name}} for every (model, pk) needed: one query per model."""
    user_model = get_user_model()
    names = {}
    for model, ids in needed.items():
        objects = model._default_manager.filter(pk__in=ids)
        name = person if model is user_model else str
        names[model] = {obj.pk: name(obj) for obj in objects}
    return names


def _worded(field, value, formats, names):
    if _is_blank(value):
        return BLANK
    if field.name in formats:
        return str(formats[field.name](value))
    if field.is_relation:
        known = names.get(field.related_model, {})
        missing = f"a deleted {field.related_model._meta.verbose_name}"
        worded = [known.get(pk, missing) for pk in _related_ids(field, value)]
        return ", ".join(sorted(worded)) if field.many_to_many else worded[0]
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(field, models.DateTimeField):
        return date_format(timezone.localtime(value), "j M Y, H:i")
    if isinstance(field, models.DateField):
        return date_format(value, "j M Y")
    if isinstance(field, models.DecimalField | models.FloatField):
        return str(numbers.number(value))
    if isinstance(field, models.IntegerField):
        return str(numbers.whole(value))
    return str(value)


def deltas_of(records, *, excluded=()):
    """For each historical record (newest first), simple_history's delta from the
    record after it (the one before in time), or None for the oldest. As
    `diff_against`, but each many-to-many field's rows are read in one query for
    all records (diff_against reads them twice for every record)."""
    records = list(records)
    if not records:
        return []
    m2m = [f for f in records[0]._history_m2m_fields if f.name not in excluded]
    rows = {}  # (field name, history id) -> the related primary keys
    for field in m2m:
        through = getattr(records[0], field.name).model
        related = get_m2m_reverse_field_name(field)
        found = through._default_manager.filter(history__in=[r.pk for r in records])
        for history_id, pk in found.values_list("history_id", related).order_by(related):
            rows.setdefault((field.name, history_id), []).append({related: pk})
    deltas = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if older is None:
            deltas.append(None)
            continue
        delta = newer.diff_against(older, excluded_fields=[*excluded, *(f.name for f in m2m)])
        for field in m2m:
            old, new = rows.get((field.name, older.pk), []), rows.get((field.name, newer.pk), [])
            if old != new:
                delta.changes.append(ModelChange(field.name, old, new))
        deltas.append(delta)
    return deltas


def worded_changes(model, deltas, *, formats=None):
    """For each simple_history delta (or None, for a record with nothing before
    it), its changes as (label, old, new) in words."""
    formats = formats or {}
    meta = model._meta
    needed = {}
    for delta in deltas:
        for change in delta.changes if delta else ():
            field = meta.get_field(change.field)
            if field.is_relation and field.name not in formats:
                ids = needed.setdefault(field.related_model, set())
                ids.update(_related_ids(field, change.old))
                ids.update(_related_ids(field, change.new))
    names = _names(needed)
    entries = []
    for delta in deltas:
        entries.append(
            [
                (
                    capfirst(meta.get_field(c.field).verbose_name),
                    _worded(meta.get_field(c.field), c.old, formats, names),
                    _worded(meta.get_field(c.field), c.new, formats, names),
                )
                for c in (delta.changes if delta else ())
            ]
        )
    return entries


class WordedHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history page says what changed in words: labels,
    display names, people's names and formatted values instead of raw values and
    primary keys. `history_formats` maps a field to the function that words it."""

    history_formats = {}

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        records = list(historical_records)
        worded = worded_changes(self.model, deltas_of(records), formats=self.history_formats)
        for record, changes in zip(records[:-1], worded, strict=False):
            record.history_delta_changes = [
                {"field": label, "old": old, "new": new} for label, old, new in changes
            ]
