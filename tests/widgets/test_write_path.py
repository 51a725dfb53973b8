"""The one write of counts (widgets.counting.writes): what each path sends is all it
changes, and a row saved by someone else since the writer read it is refused and
explained, never overwritten (docs/domain.md, "How a write treats what it was not told").

Each test here is a loss an outside probe found: a file without some columns, a
file with blank cells, a grid POST without a widget's cells, two saves of a new
row from pages opened at the same time.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from widgets import counting
from widgets.counting.upload import CountFile
from widgets.models import WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
AUG, SEP = dt.date(2026, 8, 1), dt.date(2026, 9, 1)
STORED = {
    "demand": 100,
    "delivered": 90,
    "within_standard": 80,
    "withdrawn": 5,
    "backlog": 30,
    "rework": 3,
    "cost": Decimal("9000.00"),
}


@pytest.fixture
def permit(agency_a):
    return f.WidgetFactory(agency=agency_a, name="Air permit", status=WidgetStatus.APPROVED)


@pytest.fixture
def title(agency_a):
    return f.WidgetFactory(agency=agency_a, name="Boat title", status=WidgetStatus.APPROVED)


def _values(count):
    return {n: getattr(count, n) for n in STORED}


def _file(text, name="counts.csv"):
    return SimpleUploadedFile(name, text.encode())


def _preview_and_commit(client, url, text):
    response = client.post(url, {"file": _file(text)})
    assert response.context["can_commit"], response.context["preview"].error_rows
    return response, client.post(url, {"token": response.context["token"]})


def _changes(preview):
    """The first row's changes as the page words them."""
    return [
        f"clears {c.column} (was {c.old_text})"
        if c.clears
        else f"{c.column}: {c.old_text} → {c.new_text}"
        for c in preview.rows[0].cells
    ]


# --- uploads ---------------------------------------------------------------------


def test_a_file_without_some_columns_changes_only_the_columns_it_has(
    client, agency_a, staff_a, permit
):
    count = f.WidgetCountFactory(widget=permit, period_start=AUG, **STORED)
    client.force_login(staff_a)
    url = reverse("widgets:count-upload", args=[agency_a.slug])

    preview, saved = _preview_and_commit(
        client, url, f"widget_id,period_start,demand\n{permit.pk},2026-08-01,120\n"
    )

    assert _changes(preview.context["preview"]) == ["demand: 100 → 120"]
    assert saved.status_code == 302
    count.refresh_from_db()
    assert _values(count) == {**STORED, "demand": 120}


def test_blank_cells_in_a_file_keep_stored_values_and_the_word_clear_clears(
    client, agency_a, staff_a, permit
):
    count = f.WidgetCountFactory(widget=permit, period_start=AUG, **STORED)
    client.force_login(staff_a)
    url = reverse("widgets:count-upload", args=[agency_a.slug])
    header = "widget_id,period_start,demand,delivered,within_standard,withdrawn,backlog,rework,cost"

    preview, _ = _preview_and_commit(
        client, url, f"{header}\n{permit.pk},2026-08-01,101,,,,,clear,\n"
    )

    assert _changes(preview.context["preview"]) == ["demand: 100 → 101", "clears rework (was 3)"]
    assert "clears rework (was 3)" in preview.content.decode()
    count.refresh_from_db()
    assert _values(count) == {**STORED, "demand": 101, "rework": None}


def test_a_file_that_would_break_a_rule_with_the_stored_values_is_refused(
    agency_a, staff_a, permit
):
    f.WidgetCountFactory(widget=permit, period_start=AUG, **STORED)
    text = f"widget_id,period_start,within_standard\n{permit.pk},2026-08-01,95\n"
    preview = CountFile(agency=agency_a, user=staff_a).preview(_file(text), "counts.csv")
    assert preview.errors == 1
    assert "cannot be more than delivered (90)" in " ".join(preview.error_rows[0].messages)


def test_a_row_whose_number_and_name_disagree_is_an_error_and_unknown_columns_are_named(
    client, agency_a, staff_a, permit, title
):
    text = (
        "widget_id,widget,period_start,demand,comment\n"
        f"{permit.pk},Boat title,2026-08-01,5,typo\n"
        f"{permit.pk},air permit,2026-09-01,6,\n"
    )
    client.force_login(staff_a)
    url = reverse("widgets:count-upload", args=[agency_a.slug])
    preview = client.post(url, {"file": _file(text)}).context["preview"]
    assert (preview.error_count, preview.new_count) == (1, 1)
    assert preview.error_rows[0].messages == [
        f"widget: widget {permit.pk} is “Air permit”, not “Boat title”: "
        "correct the number or the name."
    ]
    assert preview.ignored_columns == [("", ["comment"])]


def test_two_previews_of_a_new_period_the_second_commit_is_shown_the_difference(
    client, agency_a, staff_a, manager_a, permit
):
    url = reverse("widgets:count-upload", args=[agency_a.slug])
    text = "widget_id,period_start,demand\n{pk},2026-08-01,{demand}\n"
    client.force_login(staff_a)
    first = client.post(url, {"file": _file(text.format(pk=permit.pk, demand=7))})
    other = type(client)()
    other.force_login(manager_a)
    second = other.post(url, {"file": _file(text.format(pk=permit.pk, demand=8))})

    assert client.post(url, {"token": first.context["token"]}).status_code == 302
    response = other.post(url, {"token": second.context["token"]})

    assert response.status_code == 409
    assert "Nothing from the file was saved" in response.content.decode()
    assert _changes(response.context["preview"]) == ["demand: 7 → 8"]
    assert WidgetCount.objects.get(widget=permit).demand == 7
    # The preview shown again can be saved, over their numbers, knowingly.
    assert other.post(url, {"token": response.context["token"]}).status_code == 302
    assert WidgetCount.objects.get(widget=permit).demand == 8


# --- the grid -------------------------------------------------------------------


def _grid_url(agency):
    return reverse("widgets:count-entry", args=[agency.slug]) + "?frequency=month&period=2026-08-01"


def _row(widget, version, **values):
    return {f"w{widget.pk}-version": str(version)} | {
        f"w{widget.pk}-{k}": v for k, v in values.items()
    }


def test_a_grid_post_without_a_widgets_cells_leaves_that_widgets_counts(
    client, agency_a, staff_a, permit, title
):
    kept = f.WidgetCountFactory(widget=title, period_start=AUG, **STORED)
    client.force_login(staff_a)

    response = client.post(_grid_url(agency_a), _row(permit, "", demand="4"))

    assert response.status_code == 302
    kept.refresh_from_db()
    assert (_values(kept), kept.version) == (STORED, 1)
    assert WidgetCount.objects.get(widget=permit).demand == 4


def test_a_grid_row_with_some_cells_missing_changes_only_the_cells_posted(
    client, agency_a, staff_a, permit
):
    count = f.WidgetCountFactory(widget=permit, period_start=AUG, **STORED)
    client.force_login(staff_a)
    client.post(_grid_url(agency_a), _row(permit, count.version, backlog="30", demand="100"))
    count.refresh_from_db()
    assert (_values(count), count.version) == (STORED, 1)


def test_two_grids_opened_on_an_uncounted_period_the_second_save_is_told(
    client, agency_a, staff_a, manager_a, permit
):
    client.force_login(staff_a)
    other = type(client)()
    other.force_login(manager_a)
    for person in (client, other):  # both open the page (the second from the cache): no count
        body = person.get(_grid_url(agency_a)).content.decode()
        assert f'name="w{permit.pk}-version" value=""' in body

    first = client.post(_grid_url(agency_a), _row(permit, "", demand="7"))
    second = other.post(_grid_url(agency_a), _row(permit, "", demand="8"))

    assert first.status_code == 302
    assert second.status_code == 200
    body = second.content.decode()
    assert "Someone else saved this row after you opened the page" in body
    assert "demand 7" in body  # theirs
    assert f'name="w{permit.pk}-demand" value="8"' in body  # yours, kept on the page
    assert WidgetCount.objects.get(widget=permit).demand == 7
    # Saving again from the page they now see replaces theirs knowingly.
    again = other.post(_grid_url(agency_a), _row(permit, 1, demand="8"))
    assert again.status_code == 302
    assert WidgetCount.objects.get(widget=permit).demand == 8


def test_a_stale_grid_row_the_person_did_not_touch_is_not_a_conflict(
    client, agency_a, staff_a, permit, title
):
    count = f.WidgetCountFactory(widget=title, period_start=AUG, **STORED)
    client.force_login(staff_a)
    client.get(_grid_url(agency_a))
    WidgetCount.objects.filter(pk=count.pk).update(demand=55, version=2)  # someone else
    shown = {n: str(v) for n, v in STORED.items()}  # what the page showed them

    response = client.post(
        _grid_url(agency_a), {**_row(permit, "", demand="4"), **_row(title, 1, **shown)}
    )

    assert response.status_code == 302
    count.refresh_from_db()
    assert (count.demand, count.version) == (55, 2)


def test_emptying_a_grid_cell_clears_only_once_confirmed(client, agency_a, staff_a, permit):
    count = f.WidgetCountFactory(widget=permit, period_start=AUG, **STORED)
    client.force_login(staff_a)
    shown = {n: str(v) for n, v in STORED.items()}
    emptied = _row(permit, 1, **{**shown, "rework": ""})

    response = client.post(_grid_url(agency_a), emptied)

    assert response.status_code == 200
    assert "This clears rework (was 3)" in response.content.decode()
    count.refresh_from_db()
    assert count.rework == 3
    confirmed = client.post(_grid_url(agency_a), {**emptied, f"w{permit.pk}-clear": "on"})
    assert confirmed.status_code == 302
    count.refresh_from_db()
    assert count.rework is None


# --- the edit page, the API, the admin, the service inventory --------------------


def test_an_edit_post_without_a_field_leaves_it(client, agency_a, staff_a, permit):
    count = f.WidgetCountFactory(widget=permit, period_start=AUG, **STORED)
    client.force_login(staff_a)
    shown = {n: str(v) for n, v in STORED.items() if n != "cost"}
    response = client.post(reverse("widgets:count-edit", args=[count.pk]), {**shown, "version": 1})
    assert response.status_code == 302
    count.refresh_from_db()
    assert count.cost == STORED["cost"]


def test_the_api_refuses_a_write_of_a_period_not_as_the_writer_read_it(
    client, agency_a, manager_a, permit
):
    from widgets.api.tokens import issue_token

    _, plaintext = issue_token(agency=agency_a, name="Permit system", by=manager_a)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    url = f"/api/v1/widgets/{permit.pk}/counts/2026-08-01"
    f.WidgetCountFactory(widget=permit, period_start=AUG, **STORED)

    saw_none = client.put(url, {"demand": 1, "version": 0}, "application/json", **headers)
    stale = client.put(url, {"demand": 2, "version": 7}, "application/json", **headers)
    fresh = client.put(url, {"demand": 3, "version": 1}, "application/json", **headers)

    assert (saw_none.status_code, stale.status_code, fresh.status_code) == (409, 409, 200)
    assert saw_none.json()["conflicts"] == [
        {"widget_id": permit.pk, "period_start": "2026-08-01", "version": 1}
    ]
    assert fresh.json()["version"] == 2
    assert WidgetCount.objects.get(widget=permit).demand == 3


def test_an_api_batch_that_breaks_a_rule_with_the_stored_values_is_a_422(
    client, agency_a, manager_a, permit
):
    from widgets.api.tokens import issue_token

    _, plaintext = issue_token(agency=agency_a, name="Permit system", by=manager_a)
    f.WidgetCountFactory(widget=permit, period_start=AUG, **STORED)
    response = client.post(
        "/api/v1/counts",
        [{"widget_id": permit.pk, "period_start": "2026-08-01", "rework": 91}],
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["errors"] == {
        "rework": ["Rework (91) cannot be more than delivered (90)."]
    }
    assert WidgetCount.objects.get(widget=permit).rework == 3


def test_the_admin_saves_a_count_only_as_it_was_read(client, admin_user, permit):
    count = f.WidgetCountFactory(widget=permit, period_start=AUG, **STORED)
    client.force_login(admin_user)
    url = reverse("admin:widgets_widgetcount_change", args=[count.pk])

    def opened():
        """The change form as the admin sees it, with demand typed over."""
        form = client.get(url).context["adminform"].form
        shown = {n: "" if v is None else v for n, v in form.initial.items() if n in STORED}
        return {**shown, "balance_note": "", "seen_version": form["seen_version"].initial}

    data = {**opened(), "demand": 111}
    WidgetCount.objects.filter(pk=count.pk).update(backlog=44, version=2)  # someone else

    response = client.post(url, data)

    assert response.status_code == 409
    count.refresh_from_db()
    assert (count.demand, count.backlog, count.version) == (100, 44, 2)
    ok = client.post(url, {**opened(), "demand": 111})  # opened again: theirs shown
    assert ok.status_code == 302
    count.refresh_from_db()
    assert (count.demand, count.backlog, count.version) == (111, 44, 3)


def test_a_service_inventory_commit_refuses_counts_saved_since_its_preview(agency_a, staff_a):
    from pathlib import Path

    from widgets.interop.gc_commit import commit
    from widgets.interop.gc_inventory import InventoryImport

    data = Path(__file__).parent.parent / "data" / "interop"
    importer = InventoryImport(user=None, agency=agency_a)

    def preview():
        with (data / "services.csv").open("rb") as services:
            return importer.preview((services, "services.csv"))

    commit(preview(), by=staff_a)
    counts = WidgetCount.objects.filter(widget__agency=agency_a)
    assert counts.exists()
    first = preview()  # nothing to change yet, but someone adds a count meanwhile
    plan = next(p for p in first.plans if p.counts)
    plan.counts[0].status = "changed"
    plan.counts[0].values = {**plan.counts[0].values, "demand": 999_999}
    WidgetCount.objects.filter(widget=plan.widget, period_start=plan.counts[0].period_start).update(
        version=5
    )
    with pytest.raises(counting.CountConflict):
        commit(first, by=staff_a)
    assert not WidgetCount.objects.filter(demand=999_999).exists()
