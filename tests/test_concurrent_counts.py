"""Two people save the same count at the same moment, through the grid, the upload
and the API, on PostgreSQL (threads, each with its own connection): one is saved
whole, the other is told, nothing is lost, never a 500. Both for a count that
exists (both read version 1) and for one that does not yet (both saw none)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from widgets.api.tokens import issue_token
from widgets.models import WidgetCount, WidgetStatus

from . import factories as f
from .races import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]
ROUNDS = 20


@pytest.fixture
def permit(agency_a):
    return f.WidgetFactory(agency=agency_a, name="Air permit", status=WidgetStatus.APPROVED)


def _period(n):
    """Every other month: no period has a count before it (no balance check to confirm)."""
    n *= 2
    return dt.date(2019 + n // 12, 1 + n % 12, 1)


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _settle(results, *, won, lost):
    """The values of the one winner and the one loser; anything else fails."""
    assert not [r for r in results if isinstance(r, Exception)], results
    outcome = {value: response.status_code for value, response in results}
    winners = [v for v, code in outcome.items() if code == won]
    losers = [v for v, code in outcome.items() if code == lost]
    assert (len(winners), len(losers)) == (1, 1), {
        v: (c, r) for (v, r), c in zip(results, outcome.values(), strict=True)
    }
    return winners[0], dict(results)[losers[0]]


@pytest.mark.parametrize("exists", [True, False], ids=["existing row", "new row"])
def test_the_grid_two_saves_at_once_one_is_told(agency_a, staff_a, manager_a, permit, exists):
    people = [_signed_in(staff_a), _signed_in(manager_a)]
    for n in range(ROUNDS):
        period = _period(n)
        version = ""
        if exists:
            version = f.WidgetCountFactory(widget=permit, period_start=period, demand=0).version
        url = reverse("widgets:count-entry", args=[agency_a.slug])
        url += f"?frequency=month&period={period:%Y-%m-%d}"

        def save(client, demand, url=url, version=version):
            data = {f"w{permit.pk}-version": version, f"w{permit.pk}-demand": str(demand)}
            return demand, client.post(url, data)

        results = race(lambda: save(people[0], 11), lambda: save(people[1], 22))
        winner, loser = _settle(results, won=302, lost=200)
        assert "Someone else saved this row after you opened the page" in loser.content.decode()
        count = WidgetCount.objects.get(widget=permit, period_start=period)
        assert (count.demand, count.version) == (winner, 2 if exists else 1)


@pytest.mark.parametrize("exists", [True, False], ids=["existing row", "new row"])
def test_the_upload_two_commits_at_once_one_is_shown_the_preview_again(
    agency_a, staff_a, manager_a, permit, exists
):
    people = [_signed_in(staff_a), _signed_in(manager_a)]
    url = reverse("widgets:count-upload", args=[agency_a.slug])
    for n in range(ROUNDS):
        period = _period(n)
        if exists:
            f.WidgetCountFactory(widget=permit, period_start=period, demand=0)
        previews = []
        for client, demand in zip(people, (11, 22), strict=True):
            text = f"widget_id,period_start,demand\n{permit.pk},{period:%Y-%m-%d},{demand}\n"
            response = client.post(url, {"file": SimpleUploadedFile("c.csv", text.encode())})
            previews.append({"token": response.context["token"]})

        def commit(i, demand, previews=previews):
            return demand, people[i].post(url, previews[i])

        results = race(lambda: commit(0, 11), lambda: commit(1, 22))
        winner, loser = _settle(results, won=302, lost=409)
        assert "Nothing from the file was saved" in loser.content.decode()
        count = WidgetCount.objects.get(widget=permit, period_start=period)
        assert (count.demand, count.version) == (winner, 2 if exists else 1)


@pytest.mark.parametrize("exists", [True, False], ids=["existing row", "new row"])
def test_the_api_two_writes_at_once_one_is_a_409(agency_a, manager_a, permit, exists):
    _, plaintext = issue_token(agency=agency_a, name="Permit system", by=manager_a)
    for n in range(ROUNDS):
        period = _period(n)
        body = {"version": 0}  # both saw no count for the period
        if exists:
            f.WidgetCountFactory(widget=permit, period_start=period, demand=0)
            body["version"] = 1  # both read version 1
        url = f"/api/v1/widgets/{permit.pk}/counts/{period:%Y-%m-%d}"

        def put(demand, url=url, body=body):
            response = Client().put(
                url,
                {**body, "demand": demand},
                "application/json",
                HTTP_AUTHORIZATION=f"Bearer {plaintext}",
            )
            return demand, response

        results = race(lambda: put(11), lambda: put(22))
        winner, loser = _settle(results, won=200, lost=409)
        assert loser.json()["conflicts"][0]["period_start"] == f"{period:%Y-%m-%d}"
        count = WidgetCount.objects.get(widget=permit, period_start=period)
        assert (count.demand, count.version) == (winner, 2 if exists else 1)


def test_the_api_two_unconditional_writes_of_a_new_period_never_a_500(agency_a, manager_a, permit):
    """Without a version a write applies over whatever is stored: two at once are
    both saved one after the other, or, when both try to create the period, one
    answers 409 (the documented answer; before, a 500)."""
    _, plaintext = issue_token(agency=agency_a, name="Permit system", by=manager_a)
    codes = set()
    for n in range(ROUNDS):
        period = _period(n)
        url = f"/api/v1/widgets/{permit.pk}/counts/{period:%Y-%m-%d}"

        def put(demand, url=url):
            response = Client().put(
                url,
                {"demand": demand},
                "application/json",
                HTTP_AUTHORIZATION=f"Bearer {plaintext}",
            )
            return demand, response

        results = race(lambda: put(11), lambda: put(22))
        assert not [r for r in results if isinstance(r, Exception)], results
        saved = {v for v, r in results if r.status_code == 200}
        assert {r.status_code for _, r in results} <= {200, 409}
        assert WidgetCount.objects.get(widget=permit, period_start=period).demand in saved
        codes |= {r.status_code for _, r in results}
    assert 200 in codes
