"""Writing many rows of a model with their history in a fixed number of queries.

A save through `Model.save()` costs several queries a row (the insert or
update, its history record, a many-to-many `set()` and its own history
record); an import of thousands of rows spends minutes on them. `write` saves
every row in a handful of statements, whatever their number, and keeps what
django-simple-history keeps for each row saved one by one: one history record
per row created ("+") or changed ("~"), with its user, change reason and, for a
model whose history tracks many-to-many fields, the links the row has after the
save.

It writes what it is given: the caller has checked the rows (`check_fields`)
and judged what changed. Constraints are the database's (a clash is an
IntegrityError, and the caller's transaction rolls back). Django's model signals
are not sent; `created_in_bulk` is, once a call that inserts rows: its receivers
do for all of them what their post_save receivers do for one made by save()
(outcomes.huddles.boards makes their huddle boards).

    written = bulk.write(Widget, new=[...], changed=[...], fields=["name", ...],
                         links={"customer_segments": [(widget, [segment, ...])]},
                         by=user, reason="Service inventory import")
"""

from dataclasses import dataclass

from django.db import models
from django.dispatch import Signal
from django.utils import timezone

# Sent by `write` with sender=the model, objs=[the rows it inserted].
created_in_bulk = Signal()

# A foreign key is checked by the database, not by a query per row.
RELATIONS = (models.ForeignKey, models.OneToOneField, models.ManyToManyField)


def check_fields(obj):
    """`obj.clean_fields()` without its query per foreign key (the database checks those)."""
    obj.clean_fields(exclude=[f.name for f in obj._meta.get_fields() if isinstance(f, RELATIONS)])


@dataclass
class Written:
    created: list
    changed: list
    history: list  # the history records made, created rows' first


def _set_links(model, links):
    """Make each row's links of each many-to-many field exactly the ones given:
    one delete and one insert per field. {field: {pk: [through rows]}} after."""
    after = {}
    for name, wanted in links.items():
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        pks = [obj.pk for obj, _ in wanted]
        stored = {}
        for row in through.objects.filter(**{f"{source}__in": pks}):
            stored.setdefault(getattr(row, f"{source}_id"), {})[getattr(row, f"{target}_id")] = row
        stale, new = [], []
        for obj, targets in wanted:
            have = stored.get(obj.pk, {})
            keep = {t.pk for t in targets}
            stale += [row.pk for key, row in have.items() if key not in keep]
            new += [
                through(**{f"{source}_id": obj.pk, f"{target}_id": pk})
                for pk in dict.fromkeys(t.pk for t in targets)
                if pk not in have
            ]
        if stale:
            through.objects.filter(pk__in=stale).delete()
        created = through.objects.bulk_create(new)
        rows = {}
        for obj, targets in wanted:
            keep = {t.pk for t in targets}
            rows[obj.pk] = [r for key, r in stored.get(obj.pk, {}).items() if key in keep]
        for row in created:
            rows[getattr(row, f"{source}_id")].append(row)
        for obj, _ in wanted:  # as ManyRelatedManager.set() does: read them again
            getattr(obj, "_prefetched_objects_cache", {}).pop(field.name, None)
        after[name] = rows
    return after


def _linked_now(model, names, objs):
    """{field: {pk: [through rows]}} as stored, for rows whose links were not given."""
    found = {}
    for name in names:
        field = model._meta.get_field(name)
        through, source = field.remote_field.through, field.m2m_field_name()
        rows = {obj.pk: [] for obj in objs}
        if objs:
            for row in through.objects.filter(**{f"{source}__in": list(rows)}):
                rows[getattr(row, f"{source}_id")].append(row)
        found[name] = rows
    return found


def write(model, *, new=(), changed=(), fields=(), links=None, by=None, reason=""):
    """Insert `new`, update `fields` of `changed` (updated_at set now if the model has
    it), set the many-to-many `links` ({field: [(obj, [related])]}, for any of the rows),
    and add a history record per row; all in the caller's transaction."""
    new, changed, links = list(new), list(changed), links or {}
    now = timezone.now()
    fields = list(fields)
    if changed and any(f.name == "updated_at" for f in model._meta.concrete_fields):
        for obj in changed:
            obj.updated_at = now
        fields = list(dict.fromkeys([*fields, "updated_at"]))
    if new:
        model._default_manager.bulk_create(new)
    if changed and fields:
        model._default_manager.bulk_update(changed, fields)
    after = _set_links(model, links)
    history = []
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    if manager is not None:
        for rows, update in ((new, False), (changed, True)):
            if rows:
                history += getattr(model, manager).bulk_history_create(
                    rows,
                    update=update,
                    default_user=by,
                    default_change_reason=reason,
                    default_date=now,
                )
        _history_links(model, history, after, [*new, *changed])
    if new:
        created_in_bulk.send(sender=model, objs=new)
    return Written(created=new, changed=changed, history=history)


def _history_links(model, history, after, objs):
    """The many-to-many rows of each history record: the row's links after the save."""
    historical = getattr(model, model._meta.simple_history_manager_attribute).model
    tracked = [f.name for f in getattr(historical, "_history_m2m_fields", [])]
    if not tracked or not history:
        return
    pk = model._meta.pk.attname
    missing = [name for name in tracked if name not in after]
    after = {**after, **_linked_now(model, missing, objs)}
    for name in tracked:
        m2m_history = getattr(historical, name).model
        through = model._meta.get_field(name).remote_field.through
        columns = [f.attname for f in through._meta.concrete_fields]
        rows = []
        for record in history:
            for link in after[name].get(getattr(record, pk), ()):
                rows.append(m2m_history(history=record, **{c: getattr(link, c) for c in columns}))
        m2m_history.objects.bulk_create(rows)
