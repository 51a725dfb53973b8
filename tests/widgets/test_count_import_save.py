"""Saving an upload of counts: the same result on PostgreSQL (COPY and set-based
statements, widgets.counting.copy) and on SQLite (batches through save_counts).

Run on both: every test here says what a commit must do whatever the database.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.errors import UploadRejected
from widgets import counting
from widgets.counting.rows import KEEP, Snapshot, version_checksum
from widgets.counting.upload import CountFile
from widgets.models import CountUpload, WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
HEADER = "widget_id,period_start,demand,delivered,within_standard,withdrawn,backlog,rework,cost"
AUG, SEP, OCT, NOV = (dt.date(2026, m, 1) for m in (8, 9, 10, 11))


@pytest.fixture
def permit(agency_a):
    return f.WidgetFactory(
        agency=agency_a,
        name="Air permit",
        status=WidgetStatus.APPROVED,
        reporting_frequency="month",
    )


def _file(*rows, name="counts.csv"):
    return SimpleUploadedFile(name, ("\n".join([HEADER, *rows]) + "\n").encode())


def _upload(count_file, upload_file, snapshot="preview"):
    """Preview then commit, as the page does (with the preview's snapshot by default)."""
    preview = count_file.preview(upload_file, upload_file.name)
    assert not preview.errors, [r.messages for r in preview.error_rows]
    if snapshot == "preview":
        snapshot = preview.snapshot
    return count_file.commit(upload_file, upload_file.name, snapshot=snapshot)


def _count(widget, period, **values):
    return f.WidgetCountFactory(widget=widget, period_start=period, **values)


@pytest.mark.parametrize("backfill", [True, False], ids=["into the counts", "staged"])
def test_a_commit_saves_with_the_debug_cursor(agency_a, staff_a, permit, backfill):
    """With DEBUG on (`make run`, and the worker beside it) Django hands out its debug
    cursor, whose copy() takes no more than the SQL and its parameters: the commit's
    COPY, in binary from a second thread, must go through all the same."""
    if not backfill:
        _count(permit, AUG, demand=1)
    with CaptureQueriesContext(connection):  # the debug cursor, as DEBUG gives it
        upload = _upload(
            CountFile(agency=agency_a, user=staff_a),
            _file(
                f"{permit.pk},2026-08-01,100,90,80,5,20,3,9000.00",
                f"{permit.pk},2026-09-01,7,,,,,,12.5",
            ),
        )
    saved = WidgetCount.objects.filter(widget=permit).order_by("period_start")
    assert [(c.period_start, c.demand, c.cost) for c in saved] == [
        (AUG, 100, Decimal("9000.00")),
        (SEP, 7, Decimal("12.50")),
    ]
    assert upload.rows_total == 2


def test_commit_classifies_rows_and_writes_history_as_simple_history_does(
    agency_a, staff_a, permit
):
    changed = _count(permit, AUG, demand=1)  # the file says 100: changes
    same = _count(permit, SEP, demand=100, cost=Decimal("900.00"))  # the file says the same
    same_values = "100,90,80,5,20,3,900.00"
    upload = _upload(
        CountFile(agency=agency_a, user=staff_a),
        _file(
            f"{permit.pk},2026-08-01,100,90,80,5,20,3,9000.00",
            f"{permit.pk},2026-09-01,{same_values}",
            f"{permit.pk},2026-10-01,7,,,,,,12.5",
            f"{permit.pk},2026-11-01,,,,,,,",  # blank and new: says nothing, saves nothing
        ),
    )
    assert (upload.rows_total, upload.rows_new, upload.rows_changed, upload.rows_unchanged) == (
        4,
        1,
        1,
        2,
    )
    counts = {c.period_start: c for c in WidgetCount.objects.filter(widget=permit)}
    assert set(counts) == {AUG, SEP, OCT}
    new = counts[OCT]
    assert (new.demand, new.delivered, new.cost, new.version) == (7, None, Decimal("12.50"), 1)
    # Who: the upload (and the history), not entered_by, which is for numbers typed in.
    assert (new.source, new.upload, new.entered_by, new.balance_note) == (
        "import",
        upload,
        None,
        "",
    )
    assert upload.uploaded_by == staff_a
    changed.refresh_from_db()
    assert (changed.demand, changed.version, changed.upload, changed.entered_by) == (
        100,
        2,
        upload,
        None,
    )
    same.refresh_from_db()
    assert (same.version, same.upload) == (1, None)
    tracked = [f.attname for f in WidgetCount.history.model.tracked_fields]
    for count, kind in ((new, "+"), (changed, "~")):
        record = count.history.latest()
        assert record.history_type == kind
        assert (record.history_user, record.history_change_reason) == (staff_a, "File upload")
        assert abs(record.history_date - count.updated_at) < dt.timedelta(seconds=5)
        assert {n: getattr(record, n) for n in tracked} == {n: getattr(count, n) for n in tracked}
    assert [r.history_type for r in changed.history.all()] == ["~", "+"]
    assert same.history.count() == 1  # the factory's own record only
    assert not counts.get(NOV)


def test_commit_refuses_a_count_changed_since_the_preview(agency_a, staff_a, manager_a, permit):
    count = _count(permit, AUG, demand=1)
    count_file = CountFile(agency=agency_a, user=staff_a)
    upload_file = _file(
        f"{permit.pk},2026-08-01,100,90,80,5,20,3,9000.00",
        f"{permit.pk},2026-09-01,5,,,,,,",
    )
    preview = count_file.preview(upload_file, upload_file.name)
    assert (preview.changed, preview.new, preview.existing) == (1, 1, 1)
    counting.save_counts(
        [
            counting.CountChange(
                widget=permit,
                period_start=AUG,
                values={"demand": 2},
                expected_version=count.version,
            )
        ],
        by=manager_a,
        source="form",
    )
    with pytest.raises(counting.CountConflict):
        count_file.commit(upload_file, upload_file.name, snapshot=preview.snapshot)
    count.refresh_from_db()
    assert (count.demand, count.version, count.entered_by) == (2, 2, manager_a)
    assert not WidgetCount.objects.filter(period_start=SEP).exists()
    assert not CountUpload.objects.exists()


def test_commit_refuses_a_count_created_since_the_preview(agency_a, staff_a, manager_a, permit):
    count_file = CountFile(agency=agency_a, user=staff_a)
    upload_file = _file(f"{permit.pk},2026-08-01,100,,,,,,", f"{permit.pk},2026-09-01,5,,,,,,")
    preview = count_file.preview(upload_file, upload_file.name)
    assert (preview.new, preview.existing) == (2, 0)
    counting.save_counts(
        [counting.CountChange(widget=permit, period_start=SEP, values={"demand": 3})],
        by=manager_a,
        source="form",
    )
    with pytest.raises(counting.CountConflict):
        count_file.commit(upload_file, upload_file.name, snapshot=preview.snapshot)
    assert list(WidgetCount.objects.values_list("period_start", "demand")) == [(SEP, 3)]
    assert not CountUpload.objects.exists()


def test_upload_page_refuses_to_save_over_a_count_changed_since_its_preview(
    client, agency_a, staff_a, manager_a, permit
):
    count = _count(permit, AUG, demand=1)
    url = reverse("widgets:count-upload", args=[agency_a.slug])
    client.force_login(staff_a)
    response = client.post(url, {"file": _file(f"{permit.pk},2026-08-01,100,,,,,,")})
    token = response.context["token"]
    assert response.context["preview"].data.snapshot == Snapshot(
        existing=1, checksum=version_checksum(permit.pk, AUG, 1)
    )
    WidgetCount.objects.filter(pk=count.pk).update(demand=2, version=2)
    response = client.post(url, {"token": token})
    assert response.status_code == 409
    assert "Nothing from the file was saved" in response.content.decode()
    assert WidgetCount.objects.get().demand == 2
    assert not CountUpload.objects.exists()


def test_a_widget_retired_between_preview_and_commit_rejects_the_whole_file(
    agency_a, staff_a, permit
):
    title = f.WidgetFactory(
        agency=agency_a, status=WidgetStatus.APPROVED, reporting_frequency="day"
    )
    start = dt.date(2010, 1, 1)
    rows = [f"{title.pk},{start + dt.timedelta(days=d)},{d},,,,,," for d in range(2500)]
    rows.append(f"{permit.pk},2026-08-01,1,,,,,,")  # row 2502: past the first batch
    upload_file = _file(*rows)
    count_file = CountFile(agency=agency_a, user=staff_a)
    preview = count_file.preview(upload_file, upload_file.name)
    assert (preview.total, preview.errors) == (2501, 0)
    permit.status = WidgetStatus.DRAFT
    permit.save()
    count_file = CountFile(agency=agency_a, user=staff_a)  # a new request
    with pytest.raises(UploadRejected) as rejected:
        count_file.commit(upload_file, upload_file.name, snapshot=preview.snapshot)
    result = rejected.value.preview
    assert (result.total, result.errors) == (2501, 1)
    assert [r.number for r in result.error_rows] == [2502]
    assert result.rows[0].status == "new"
    assert not WidgetCount.objects.exists()
    assert not CountUpload.objects.exists()


TEXT_CELLS = st.one_of(
    st.sampled_from(["", "0", "7", "007", "12", "1e3", "3.0", "3.5", "-1", "1,000", "$12.50"]),
    st.sampled_from(["12.345", "999999999999", "1000000000000", "999999999999.99", "NaN"]),
    st.from_regex(r"\A[0-9$.,eE+\- ]{0,16}\Z"),
    st.text(max_size=8),
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(st.fixed_dictionaries(dict.fromkeys(counting.VALUE_FIELDS, TEXT_CELLS))))
def test_the_uploads_remembered_parsing_agrees_with_the_rules(agency_a, staff_a, rows):
    """CountFile.parse_values remembers what counting.parse_values made of a text:
    the same answer, first time or remembered, for any text."""
    count_file = CountFile(agency=agency_a, user=staff_a)
    for row in rows + rows:  # the second time round, from memory
        values, errors = counting.parse_values(row, blank_clears=False)
        expected = tuple(values.get(n, KEEP) for n in counting.VALUE_FIELDS)
        assert count_file.parse_values(row) == (expected, errors)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the checksum's SQL is PostgreSQL's")
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    widget_id=st.integers(1, 2**40),
    day=st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
    version=st.integers(1, 2**31 - 1),
)
def test_the_snapshot_checksum_is_the_same_in_python_and_postgresql(widget_id, day, version):
    from widgets.counting.copy import CHECKSUM_SQL

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {CHECKSUM_SQL} FROM (SELECT %s::bigint AS widget_id, "  # noqa: S608
            "%s::date AS period_start, %s::integer AS version) c",
            [widget_id, day, version],
        )
        assert cursor.fetchone()[0] == version_checksum(widget_id, day, version)


@pytest.mark.parametrize("existing", [False, True], ids=["backfill", "with existing rows"])
def test_commit_gives_the_agency_a_new_data_version(agency_a, agency_b, staff_a, permit, existing):
    """The page caches (agencies.versions) must see the upload, on either save path."""
    from agencies.models import DataVersion

    def version(agency):
        return DataVersion.objects.filter(agency_id=agency.pk).values_list("version", flat=True)

    if existing:
        _count(permit, AUG, demand=1)
    before, other = list(version(agency_a)), list(version(agency_b))
    _upload(CountFile(agency=agency_a, user=staff_a), _file(f"{permit.pk},2026-08-01,5,,,,,,"))
    assert list(version(agency_a)) != before
    assert list(version(agency_a))
    assert list(version(agency_b)) == other
