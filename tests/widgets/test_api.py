"""The token API (/api/v1/): tokens, scope, the rules of counting, the schema."""

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from widgets import counting
from widgets.api import tokens as api_tokens
from widgets.api.schemas import MAX_BATCH_ROWS, CountValues
from widgets.management.commands.export_openapi import schema_json
from widgets.models import ApiToken, CountSource, WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db

JANUARY = dt.date(2026, 1, 1)
FEBRUARY = dt.date(2026, 2, 1)
COUNTS = {
    "demand": 120,
    "delivered": 110,
    "within_standard": 100,
    "withdrawn": 2,
    "backlog": 30,
    "rework": 3,
    "cost": "15400.00",
}


@pytest.fixture
def token_a(agency_a, manager_a):
    """(ApiToken, plaintext) of agency A."""
    return api_tokens.issue_token(agency=agency_a, name="Permit system", by=manager_a)


@pytest.fixture
def widget_a(agency_a):
    return f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)


@pytest.fixture
def widget_b(agency_b):
    return f.WidgetFactory(agency=agency_b, status=WidgetStatus.APPROVED)


def _auth(plaintext):
    return {"Authorization": f"Bearer {plaintext}"}


def _put(client, plaintext, widget_id, period, body):
    return client.put(
        f"/api/v1/widgets/{widget_id}/counts/{period:%Y-%m-%d}",
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        headers=_auth(plaintext),
    )


def _post_batch(client, plaintext, rows):
    return client.post(
        "/api/v1/counts",
        data=json.dumps(rows),
        content_type="application/json",
        headers=_auth(plaintext),
    )


# Writing one period


def test_put_is_idempotent(client, token_a, widget_a):
    token, plaintext = token_a
    first = _put(client, plaintext, widget_a.pk, JANUARY, COUNTS)
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "new"
    count = WidgetCount.objects.get(widget=widget_a, period_start=JANUARY)
    assert count.source == CountSource.API
    assert count.api_token == token
    assert count.entered_by is None
    assert count.cost == Decimal("15400.00")
    history = count.history.count()

    again = _put(client, plaintext, widget_a.pk, JANUARY, COUNTS)

    assert again.status_code == 200
    assert again.json()["status"] == "unchanged"
    assert again.json()["version"] == 1
    assert count.history.count() == history
    changed = _put(client, plaintext, widget_a.pk, JANUARY, {**COUNTS, "backlog": 31})
    assert changed.json()["status"] == "changed"
    assert changed.json()["version"] == 2
    assert count.history.count() == history + 1


def test_put_answers_with_the_saved_row_and_cost_as_a_decimal_string(client, token_a, widget_a):
    response = _put(client, token_a[1], widget_a.pk, JANUARY, {**COUNTS, "cost": 15400.5})
    body = response.json()
    assert body["cost"] == "15400.50"
    assert body["period_start"] == "2026-01-01"
    assert body["demand"] == 120
    assert body["source"] == "api"


def test_put_changes_only_the_fields_it_sends_and_clear_clears(client, token_a, widget_a):
    stored = f.WidgetCountFactory(widget=widget_a, period_start=JANUARY)

    response = _put(
        client, token_a[1], widget_a.pk, JANUARY, {"demand": 7, "rework": None, "cost": "clear"}
    )

    assert response.json()["status"] == "changed"
    count = WidgetCount.objects.get(widget=widget_a, period_start=JANUARY)
    assert count.demand == 7
    # Left out or null: as stored. The word "clear": unknown again.
    assert (count.delivered, count.backlog, count.rework) == (
        stored.delivered,
        stored.backlog,
        stored.rework,
    )
    assert count.cost is None


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"demand": -1}, "demand", "Cannot be negative."),
        ({"demand": "abc"}, "demand", "Enter a number."),
        ({"demand": 1.5}, "demand", "Enter a whole number."),
        ({"demand": True}, "demand", "Enter a number."),
        ('{"backlog": NaN}', "backlog", "Enter a number."),
        ({"cost": "12.345"}, "cost", "Use at most two decimal places (cents)."),
        ({"delivered": 3, "within_standard": 5}, "within_standard", "cannot be more than"),
    ],
)
def test_put_refuses_values_that_break_the_rules_naming_the_field(
    client, token_a, widget_a, body, field, message
):
    response = _put(client, token_a[1], widget_a.pk, JANUARY, body)

    assert response.status_code == 422
    assert message in " ".join(response.json()["errors"][field])
    assert not WidgetCount.objects.exists()


def test_put_refuses_a_misspelt_field_rather_than_reading_it_as_unknown(client, token_a, widget_a):
    response = _put(client, token_a[1], widget_a.pk, JANUARY, {"deliverd": 3})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "deliverd"


def test_put_with_a_body_that_is_not_json_is_a_400(client, token_a, widget_a):
    response = _put(client, token_a[1], widget_a.pk, JANUARY, "{demand: 1")

    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("period", "status", "message"),
    [
        (dt.date(2026, 1, 15), WidgetStatus.APPROVED, "is not the first day"),
        (dt.date(2099, 1, 1), WidgetStatus.APPROVED, "has not started yet"),
        (JANUARY, WidgetStatus.DRAFT, "it can be counted once it is approved"),
    ],
)
def test_put_refuses_a_period_that_cannot_be_counted(
    client, token_a, agency_a, period, status, message
):
    widget = f.WidgetFactory(agency=agency_a, status=status)

    response = _put(client, token_a[1], widget.pk, period, COUNTS)

    assert response.status_code == 422
    assert message in " ".join(response.json()["errors"]["period_start"])


# Batches


def test_batch_saves_every_row_and_counts_what_changed(client, token_a, agency_a, widget_a):
    other = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    f.WidgetCountFactory(widget=widget_a, period_start=JANUARY, **{**COUNTS, "cost": "15400"})
    rows = [
        {"widget_id": widget_a.pk, "period_start": "2026-01-01", **COUNTS},
        {"widget_id": widget_a.pk, "period_start": "2026-02-01", **COUNTS},
        {"widget_id": other.pk, "period_start": "2026-01-01", **COUNTS, "backlog": None},
    ]

    response = _post_batch(client, token_a[1], rows)

    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in ("total", "new", "changed", "unchanged")} == {
        "total": 3,
        "new": 2,
        "changed": 0,
        "unchanged": 1,
    }
    # February after January: 30 + 120 - 110 - 2 = 38, and its backlog is 30 (saved all
    # the same, with a warning: tests/widgets/test_balance.py).
    assert [(w["period_start"], w["expected_backlog"]) for w in body["warnings"]] == [
        ("2026-02-01", 38)
    ]
    assert WidgetCount.objects.filter(source=CountSource.API, api_token=token_a[0]).count() == 2


def test_batch_with_bad_rows_lists_every_bad_row_and_saves_nothing(
    client, token_a, widget_a, widget_b
):
    rows = [
        {"widget_id": widget_a.pk, "period_start": "2026-01-01", **COUNTS},
        {"widget_id": widget_a.pk, "period_start": "2026-02-01", **COUNTS, "demand": -5},
        {"widget_id": widget_b.pk, "period_start": "2026-01-01", **COUNTS},
        {"widget_id": widget_a.pk, "period_start": "2026-03-01", "delivered": 1, "rework": 2},
        {"widget_id": widget_a.pk, "period_start": "2099-01-01", **COUNTS},
        {"widget_id": widget_a.pk, "period_start": "2026-01-01", **COUNTS},
    ]

    response = _post_batch(client, token_a[1], rows)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["index"] for e in errors] == [1, 2, 3, 4, 5]
    by_index = {e["index"]: e for e in errors}
    assert by_index[1]["errors"] == {"demand": ["Cannot be negative."]}
    assert by_index[1]["period_start"] == "2026-02-01"
    assert by_index[2]["widget_id"] == widget_b.pk
    assert "is not a widget of DA" in by_index[2]["errors"]["widget_id"][0]
    assert "cannot be more than delivered" in by_index[3]["errors"]["rework"][0]
    assert "has not started yet" in by_index[4]["errors"]["period_start"][0]
    assert "Row 0 has the same widget and period" in by_index[5]["errors"]["period_start"][0]
    assert "nothing was saved" in response.json()["detail"]
    assert not WidgetCount.objects.exists()


def test_batch_with_a_value_of_the_wrong_type_names_the_row_and_field(client, token_a, widget_a):
    rows = [
        {"widget_id": widget_a.pk, "period_start": "2026-01-01"},
        {"widget_id": "seven", "period_start": "2026-13-01"},
    ]

    response = _post_batch(client, token_a[1], rows)

    assert response.status_code == 422
    locations = {tuple(e["loc"][-2:]) for e in response.json()["detail"]}
    assert {(1, "widget_id"), (1, "period_start")} <= locations


def test_batch_of_more_than_the_limit_is_refused(client, token_a, widget_a):
    rows = [{"widget_id": widget_a.pk, "period_start": "2026-01-01"}] * (MAX_BATCH_ROWS + 1)

    response = _post_batch(client, token_a[1], rows)

    assert response.status_code == 413
    assert "at most 10,000 rows" in response.json()["detail"]
    assert not WidgetCount.objects.exists()


# Reading


def test_widgets_lists_only_the_tokens_agency(client, token_a, widget_a, widget_b):
    draft = f.WidgetFactory(agency=widget_a.agency, status=WidgetStatus.DRAFT)

    response = client.get("/api/v1/widgets", headers=_auth(token_a[1]))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {w["id"] for w in body["items"]} == {widget_a.pk, draft.pk}
    item = next(w for w in body["items"] if w["id"] == widget_a.pk)
    assert item["program"] == widget_a.program.name
    assert item["standard_share"] == "90.00"
    assert item["reporting_frequency"] == "month"


def test_counts_of_a_widget_between_two_periods(client, token_a, widget_a):
    for month in (1, 2, 3):
        f.WidgetCountFactory(widget=widget_a, period_start=dt.date(2026, month, 1))

    response = client.get(
        f"/api/v1/widgets/{widget_a.pk}/counts?from=2026-02-01&to=2026-03-01",
        headers=_auth(token_a[1]),
    )

    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["period_start"] for i in items] == ["2026-02-01", "2026-03-01"]
    assert items[0]["cost"] == "9000.00"
    assert items[0]["version"] == 1


def test_another_agencys_widget_is_not_found(client, token_a, widget_b):
    f.WidgetCountFactory(widget=widget_b, period_start=JANUARY)
    headers = _auth(token_a[1])

    assert client.get(f"/api/v1/widgets/{widget_b.pk}/counts", headers=headers).status_code == 404
    assert _put(client, token_a[1], widget_b.pk, FEBRUARY, COUNTS).status_code == 404
    assert WidgetCount.objects.count() == 1


# Authentication


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer nonsense",
        "Bearer wgt_abcdefghij_not-the-secret",
        "Token {plaintext}",
        "Bearer {plaintext}x",
    ],
)
def test_without_a_valid_token_the_api_answers_401(client, token_a, widget_a, header):
    headers = {"Authorization": header.format(plaintext=token_a[1])} if header else {}

    response = client.get("/api/v1/widgets", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_refused(client, token_a, manager_a, widget_a):
    token, plaintext = token_a
    api_tokens.revoke_token(token=token, by=manager_a)

    assert client.get("/api/v1/widgets", headers=_auth(plaintext)).status_code == 401
    assert _put(client, plaintext, widget_a.pk, JANUARY, COUNTS).status_code == 401


def test_a_session_cookie_alone_does_not_authenticate(client, manager_a, widget_a):
    client.force_login(manager_a)

    assert client.get("/api/v1/widgets").status_code == 401
    response = client.put(
        f"/api/v1/widgets/{widget_a.pk}/counts/2026-01-01",
        data=json.dumps(COUNTS),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not WidgetCount.objects.exists()


def test_anonymous_caller_with_a_token_is_not_sent_to_sign_in(client, token_a, widget_a):
    response = client.get("/api/v1/widgets", headers=_auth(token_a[1]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_token_calls_need_no_csrf_token_and_ignore_the_session_user(token_a, staff_a, widget_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a)

    response = _put(client, token_a[1], widget_a.pk, JANUARY, COUNTS)

    assert response.status_code == 200
    count = WidgetCount.objects.get(widget=widget_a, period_start=JANUARY)
    assert count.entered_by is None
    assert count.history.get().history_user is None


# Tokens


def test_a_token_is_stored_only_as_its_hash(agency_a, manager_a):
    token, plaintext = api_tokens.issue_token(agency=agency_a, name="Permits", by=manager_a)

    assert plaintext.startswith(f"wgt_{token.prefix}_")
    assert 8 <= len(token.prefix) <= 10
    assert len(plaintext) > 50
    assert token.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(plaintext in str(value) for value in stored.values())
    assert api_tokens.authenticate(plaintext) == token


def test_last_used_at_is_written_at_most_once_a_minute(token_a):
    token, plaintext = token_a
    assert token.last_used_at is None

    api_tokens.authenticate(plaintext)
    token.refresh_from_db()
    first = token.last_used_at
    api_tokens.authenticate(plaintext)
    token.refresh_from_db()

    assert first is not None
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    api_tokens.authenticate(plaintext)
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(seconds=1)
    assert timezone.now() - token.last_used_at < dt.timedelta(minutes=1)


def test_manager_makes_a_token_and_sees_it_once(client, agency_a, manager_a):
    client.force_login(manager_a)
    url = reverse("widgets:api-tokens", args=[agency_a.slug])

    response = client.post(url, {"name": "Licensing system"})

    assert response.status_code == 200
    token = ApiToken.objects.get(agency=agency_a)
    assert token.created_by == manager_a
    plaintext = response.context["plaintext"]
    assert plaintext.startswith(f"wgt_{token.prefix}_")
    assert plaintext in response.content.decode()
    assert "Copy the token" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    again = client.get(url)
    assert plaintext not in again.content.decode()
    assert "Licensing system" in again.content.decode()
    assert api_tokens.authenticate(plaintext) == token


def test_manager_revokes_a_token_with_a_post(client, token_a, agency_a, manager_a):
    token, plaintext = token_a
    client.force_login(manager_a)
    url = reverse("widgets:api-token-revoke", args=[agency_a.slug, token.pk])

    assert client.get(url).status_code == 405
    response = client.post(url)

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_tokens.authenticate(plaintext) is None


@pytest.mark.parametrize(("who", "http"), [("staff_a", 403), ("manager_b", 403), ("outsider", 404)])
def test_only_the_agencys_managers_manage_its_tokens(request, client, token_a, agency_a, who, http):
    client.force_login(request.getfixturevalue(who))
    page = reverse("widgets:api-tokens", args=[agency_a.slug])
    revoke = reverse("widgets:api-token-revoke", args=[agency_a.slug, token_a[0].pk])

    assert client.get(page).status_code == http
    assert client.post(page, {"name": "Sneaky"}).status_code == http
    assert client.post(revoke).status_code == http
    assert ApiToken.objects.get().revoked_at is None


def test_admin_makes_a_token_and_sees_it_once(client, admin_user, agency_a):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:widgets_apitoken_add"),
        {"agency": agency_a.pk, "name": "Grants system"},
        follow=True,
    )

    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"] if "not be shown again" in str(m)]
    assert len(shown) == 1
    plaintext = shown[0].rsplit(" ", 1)[-1]
    assert api_tokens.authenticate(plaintext) == token
    assert token.created_by == admin_user
    change = client.get(reverse("admin:widgets_apitoken_change", args=[token.pk]))
    assert plaintext not in change.content.decode()
    assert token.key_hash not in change.content.decode()


def test_admin_revokes_tokens_with_an_action(client, admin_user, token_a):
    client.force_login(admin_user)

    client.post(
        reverse("admin:widgets_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token_a[0].pk]},
    )

    token_a[0].refresh_from_db()
    assert token_a[0].revoked_at is not None


# Schema


def test_served_schema_matches_the_committed_copy(client):
    committed = Path(settings.BASE_DIR, "docs", "api", "openapi.json")

    response = client.get("/api/v1/schema")

    assert response.status_code == 200
    assert response.json() == json.loads(committed.read_text()), (
        "The API changed: run `.venv/bin/python manage.py export_openapi > docs/api/openapi.json`"
    )
    assert json.loads(schema_json()) == response.json()


def test_no_docs_page_loads_code_from_elsewhere(client):
    assert client.get("/api/v1/docs").status_code == 404


def test_a_widget_id_beyond_any_key_is_not_found_never_a_500(client, token_a, widget_a):
    huge = 10**30
    headers = _auth(token_a[1])

    assert client.get(f"/api/v1/widgets/{huge}/counts", headers=headers).status_code == 404
    assert _put(client, token_a[1], huge, JANUARY, COUNTS).status_code == 404
    response = _post_batch(client, token_a[1], [{"widget_id": huge, "period_start": "2026-01-01"}])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-2:] == [0, "widget_id"]


def test_the_api_takes_every_field_people_count_and_the_version_read():
    # Every VALUE_FIELD a person may send, the version the writer read, and why the
    # backlog does not balance.
    assert set(CountValues.model_fields) == {*counting.VALUE_FIELDS, "version", "balance_note"}
