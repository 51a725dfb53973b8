"""The one upload flow (agencies.uploads) on every import page that uses it: cancel,
tickets that are forged, expired or someone else's, the row limit, a header with no
rows, columns not read, cell-by-cell changes, paging, errors first by kind, and the
cleanup of previews nobody committed."""

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agencies import tabular
from agencies.uploads import UploadView
from outcomes.models import Measurement
from widgets.interop.views import InventoryUpload
from widgets.models import SurveyResult, Widget, WidgetStatus

from . import factories as f

pytestmark = pytest.mark.django_db
SERVICES_HEADER = (
    "fiscal_yr,service_id,service_name_en,service_description_en,owner_org,owner_org_title"
)


@dataclass
class Page:
    """One import page, and how to make a file of n good rows for it."""

    url_name: str
    model: type
    header: str
    row: object  # (world, i) -> one line of the file
    file_field: str = "file"
    data: dict = field(default_factory=dict)

    def file(self, world, n=1, *, header=None, rows=None, name="upload.csv"):
        lines = [header or self.header, *(rows or [self.row(world, i) for i in range(n)])]
        return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode())

    def post(self, client, upload):
        return client.post(reverse(self.url_name), {self.file_field: upload, **self.data})


PAGES = {
    "definitions": Page(
        "widgets:import",
        Widget,
        "agency,program,name,kind",
        lambda w, i: f"DA,Air,Open burning permit {i},permit",
    ),
    "surveys": Page(
        "widgets:survey-import",
        SurveyResult,
        "widget_id,period_start,respondents,offered",
        lambda w, i: f"{w['widget'].pk},{dt.date(2020 + i // 12, i % 12 + 1, 1)},10,20",
    ),
    "measurements": Page(
        "outcomes:measurement-import",
        Measurement,
        "outcome_id,date,value,note",
        lambda w, i: f"{w['outcome'].pk},{dt.date(2019, 1, 1) + dt.timedelta(days=i)},{i},",
    ),
    "inventory": Page(
        "widgets:inventory-import",
        Widget,
        SERVICES_HEADER,
        lambda w, i: f"2023-2024,S{i},Fishing licence {i},A licence.,DA,Department of A",
        file_field="services",
        data={"agency": "da"},
    ),
}
page_names = pytest.mark.parametrize("page", sorted(PAGES))


@pytest.fixture
def world(agency_a, staff_a):
    f.ProgramFactory(agency=agency_a, name="Air")
    widget = f.WidgetFactory(agency=agency_a, name="Air permit", status=WidgetStatus.APPROVED)
    outcome = f.OutcomeFactory(agency=agency_a, name="Cleaner air")
    return {"widget": widget, "outcome": outcome}


def stashed():
    try:
        return set(default_storage.listdir(tabular.STASH_DIR)[1])
    except FileNotFoundError:
        return set()


def _preview(client, staff_a, page, world, n=1):
    client.force_login(staff_a)
    response = page.post(client, page.file(world, n))
    assert response.status_code == 200
    assert response.context["preview"].error_count == 0
    return response


# --- every page goes through the base ------------------------------------------------


def _views(resolver, ns=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry, f"{ns}{entry.namespace}:" if entry.namespace else ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{ns}{entry.name}", entry.callback


def test_every_import_and_upload_page_is_an_upload_view():
    pages = {
        name: view
        for name, view in _views(get_resolver())
        if name.endswith(("import", "upload")) and not name.startswith("admin:")
    }
    assert {PAGES[p].url_name for p in PAGES} <= set(pages)
    strays = [
        n
        for n, view in pages.items()
        if not issubclass(getattr(view, "view_class", object), UploadView)
    ]
    assert strays == [], f"import pages that do not go through agencies.uploads: {strays}"


# --- cancel ----------------------------------------------------------------------------


@page_names
def test_cancel_discards_the_files_and_saves_nothing(client, staff_a, world, page):
    page = PAGES[page]
    before, files = page.model.objects.count(), stashed()
    response = _preview(client, staff_a, page, world)
    token = response.context["token"]
    assert response.context["can_commit"]
    assert len(stashed() - files) == (1)
    cancelled = client.post(reverse(page.url_name), {"token": token, "action": "cancel"})
    assert cancelled.status_code == 302
    assert "Nothing was saved" in client.get(cancelled["Location"]).content.decode()
    assert stashed() == files
    again = client.post(reverse(page.url_name), {"token": token, "action": "commit"})
    assert again.status_code == 400
    assert "already been used or has expired" in again.content.decode()
    assert page.model.objects.count() == before


# --- tickets: forged, expired, someone else's --------------------------------------------


@page_names
@pytest.mark.parametrize("action", ["commit", "cancel", "page"])
def test_a_forged_ticket_is_refused(client, staff_a, world, page, action):
    page = PAGES[page]
    before = page.model.objects.count()
    token = _preview(client, staff_a, page, world).context["token"]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    url = reverse(page.url_name)
    if action == "page":
        response = client.get(url, {"preview": forged, "page": 2})
    else:
        response = client.post(url, {"token": forged, "action": action})
    assert response.status_code == 400
    assert "This preview is not valid" in response.content.decode()
    assert page.model.objects.count() == before


@page_names
def test_an_expired_ticket_is_refused(client, staff_a, world, page, monkeypatch):
    page = PAGES[page]
    before = page.model.objects.count()
    token = _preview(client, staff_a, page, world).context["token"]
    later = time.time() + tabular.STASH_MAX_AGE + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(reverse(page.url_name), {"token": token, "action": "commit"})
    assert response.status_code == 400
    assert "This preview has expired" in response.content.decode()
    assert page.model.objects.count() == before


@page_names
def test_someone_elses_ticket_is_refused(client, staff_a, manager_a, world, page):
    page = PAGES[page]
    before, files = page.model.objects.count(), stashed()
    token = _preview(client, staff_a, page, world).context["token"]
    client.force_login(manager_a)
    for action in ("commit", "cancel"):
        response = client.post(reverse(page.url_name), {"token": token, "action": action})
        assert response.status_code == 400
        assert "This preview is not yours" in response.content.decode()
    assert len(stashed() - files) == 1  # still there for its owner
    assert page.model.objects.count() == before


def test_a_ticket_for_another_import_is_refused(client, staff_a, world):
    token = _preview(client, staff_a, PAGES["measurements"], world).context["token"]
    response = client.post(reverse("widgets:survey-import"), {"token": token})
    assert response.status_code == 400
    assert "This preview is for another import" in response.content.decode()


# --- reading: the row limit, a header without rows ---------------------------------------


@page_names
def test_more_rows_than_the_limit_are_refused_naming_it(
    client, staff_a, world, page, settings, monkeypatch
):
    page = PAGES[page]
    monkeypatch.setattr(InventoryUpload, "max_rows", 3)  # its own limit, above the setting
    settings.UPLOAD_MAX_ROWS = 3
    before, files = page.model.objects.count(), stashed()
    client.force_login(staff_a)
    response = page.post(client, page.file(world, 4))
    assert response.status_code == 200
    assert "The file has more than 3 rows" in str(response.context["form"].errors[page.file_field])
    assert response.context["preview"] is None
    assert stashed() == files
    assert page.model.objects.count() == before


def test_the_limit_is_the_setting(client, staff_a, world, settings):
    settings.UPLOAD_MAX_ROWS = 2
    page = PAGES["measurements"]
    client.force_login(staff_a)
    assert page.post(client, page.file(world, 2)).context["preview"]
    assert "more than 2 rows" in page.post(client, page.file(world, 3)).content.decode()


@page_names
def test_a_header_without_rows_is_refused(client, staff_a, world, page):
    page = PAGES[page]
    client.force_login(staff_a)
    response = page.post(client, page.file(world, 0))
    assert response.status_code == 200
    [error] = response.context["form"].errors[page.file_field]
    assert error.endswith("file has a header but no rows.")


# --- the preview ---------------------------------------------------------------------------


@page_names
def test_columns_the_import_does_not_read_are_named(client, staff_a, world, page):
    page = PAGES[page]
    client.force_login(staff_a)
    rows = [page.row(world, 0) + ",x,y"]
    response = page.post(client, page.file(world, header=page.header + ",foo,Bar baz", rows=rows))
    assert response.context["preview"].ignored_columns == [("", ["foo", "bar_baz"])]
    body = response.content.decode()
    assert "These columns are not read: <code>foo</code>, <code>bar_baz</code>." in body


def test_changed_rows_show_old_and_new_values_cell_by_cell(client, staff_a, world):
    outcome = world["outcome"]
    f.MeasurementFactory(outcome=outcome, date=dt.date(2019, 1, 1), value=Decimal("30"))
    f.MeasurementFactory(outcome=outcome, date=dt.date(2019, 2, 1), value=Decimal("31"), note="Old")
    page = PAGES["measurements"]
    client.force_login(staff_a)
    rows = [f"{outcome.pk},2019-01-01,35,First", f"{outcome.pk},2019-02-01,31,"]
    response = page.post(client, page.file(world, rows=rows))
    body = response.content.decode()
    assert "value: 30 → 35" in body
    assert "note: (blank) → First" in body
    assert "clears note (was Old)" in body
    assert "2 with changes" in body


def test_survey_changes_are_shown_cell_by_cell(client, staff_a, world):
    f.SurveyResultFactory(
        widget=world["widget"], period_start=dt.date(2026, 1, 1), respondents=100, offered=500
    )
    page = PAGES["surveys"]
    client.force_login(staff_a)
    rows = [f"{world['widget'].pk},2026-01-01,90,500"]
    body = page.post(client, page.file(world, rows=rows)).content.decode()
    assert "respondents: 100 → 90" in body
    assert "offered:" not in body.split("<tbody>")[1]  # unchanged: not listed


def test_inventory_changes_are_shown_cell_by_cell(client, staff_a, world, agency_a):
    page = PAGES["inventory"]
    client.force_login(staff_a)
    token = page.post(client, page.file(world, 1)).context["token"]
    client.post(reverse(page.url_name), {"token": token})
    Widget.objects.filter(external_id="S0").update(description="Changed here")
    body = page.post(client, page.file(world, 1)).content.decode()
    assert "description: Changed here → A licence." in body


def test_a_long_preview_is_paged(client, staff_a, world):
    page = PAGES["measurements"]
    client.force_login(staff_a)
    response = page.post(client, page.file(world, 120))
    assert response.context["preview"].total == 120
    body = response.content.decode()
    assert body.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == 50
    assert "Measurements 1\u201350 of 120" in body
    assert 'aria-label="Page 3"' in body
    token = response.context["token"]
    last = client.get(reverse(page.url_name), {"preview": token, "page": 3})
    assert last.status_code == 200
    assert [r.number for r in last.context["page"]] == list(range(102, 122))
    assert "Measurements 101\u2013120 of 120" in last.content.decode()
    # The page still commits the whole file.
    assert client.post(reverse(page.url_name), {"token": token}).status_code == 302
    assert Measurement.objects.filter(outcome=world["outcome"]).count() == 120


def test_errors_come_first_counted_by_kind(client, staff_a, world):
    outcome = world["outcome"]
    page = PAGES["measurements"]
    rows = [
        f"{outcome.pk},2019-01-01,1,",
        f"{outcome.pk},2019-01-02,forty,",
        f"{outcome.pk},2019-01-03,2,",
        f"{outcome.pk},2019-01-04,fifty,",
        f"{outcome.pk},2019-13-01,3,",
    ]
    client.force_login(staff_a)
    response = page.post(client, page.file(world, rows=rows))
    preview = response.context["preview"]
    assert preview.error_kinds() == [
        ("value: Enter a number.", 2),
        ("date: Enter a valid date.", 1),
    ]
    assert [r.number for r in response.context["page"]] == [3, 5, 6, 2, 4]
    body = response.content.decode()
    assert "3 measurements have errors. Nothing has been saved." in body
    assert "2 measurements: “value: Enter a number.”" in body
    assert body.index("Enter a number.") < body.index("<tbody>")
    assert not response.context["can_commit"]
    assert "Save " not in body.split("</tbody>")[1].split("Upload a corrected file")[0]
    assert Measurement.objects.count() == 0


def test_a_new_upload_discards_the_preview_it_replaces(client, staff_a, world):
    page = PAGES["measurements"]
    files = stashed()
    token = _preview(client, staff_a, page, world).context["token"]
    response = client.post(reverse(page.url_name), {"file": page.file(world, 2), "previous": token})
    assert response.status_code == 200
    assert len(stashed() - files) == 1
    assert client.post(reverse(page.url_name), {"token": token}).status_code == 400


def test_a_refused_commit_shows_the_preview_again_with_400(client, staff_a, world):
    page = PAGES["definitions"]
    token = _preview(client, staff_a, page, world).context["token"]
    f.WidgetFactory(agency=world["widget"].agency, name="Open burning permit 0")
    response = client.post(reverse(page.url_name), {"token": token})
    assert response.status_code == 400
    assert "1 row has errors; nothing was saved." in response.content.decode()
    assert response.context["preview"].error_count == 1
    assert Widget.objects.filter(name__startswith="Open burning").count() == 1


# --- abandoned previews --------------------------------------------------------------------


def _stashed_file(seconds_ago):
    """A file in the stash folder, last written `seconds_ago`."""
    path = default_storage.save(f"{tabular.STASH_DIR}/test.csv", ContentFile(b"a,b\n1,2\n"))
    stamp = time.time() - seconds_ago
    os.utime(default_storage.path(path), (stamp, stamp))
    return path.rsplit("/", 1)[1]


def test_the_command_deletes_abandoned_previews_and_keeps_fresh_ones(capsys):
    old = _stashed_file(tabular.STASH_MAX_AGE + 60)
    fresh = _stashed_file(60)
    call_command("clear_stale_uploads")
    assert old not in stashed()
    assert fresh in stashed()
    assert "Deleted 1 stale upload." in capsys.readouterr().out


def test_each_stash_deletes_abandoned_previews(staff_a):
    old = _stashed_file(tabular.STASH_MAX_AGE + 60)
    token = tabular.stash(ContentFile(b"a,b\n1,2\n", name="x.csv"), user=staff_a, kind="test")
    fresh = signing.loads(token, salt="widgets.tabular.stash")["path"].rsplit("/", 1)[1]
    assert old not in stashed()
    assert fresh in stashed()
