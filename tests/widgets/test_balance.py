"""The balance check on every path (issue 18, point 4): previous backlog + demand -
delivered - withdrawn should be the backlog. Said in words, judged on the rows as
they will be (the previous period from the same write when it has it), warned on
the grid, the edit page, the upload preview and the API answer, with the period
after a changed backlog warned too; a reason given is kept with the row, and the
dashboard lists the gaps without one apart from those with one."""

import datetime as dt
import html
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from widgets import counting
from widgets.api import tokens as api_tokens
from widgets.counting.balance import Balance
from widgets.counting.upload import CountFile
from widgets.models import WidgetCount, WidgetStatus
from widgets.periods import next_period_start, previous_period_start

from .. import factories as f

pytestmark = pytest.mark.django_db


def words(text):
    """`text` as the pages write it: " - " is a minus sign (U+2212)."""
    return text.replace(" - ", " \u2212 ")


JAN, FEB, MAR, APR = (dt.date(2026, m, 1) for m in (1, 2, 3, 4))
# 100 asked, 90 delivered, 5 withdrawn: the backlog grows by 5 a month.
FLOW = {"demand": 100, "delivered": 90, "within_standard": 80, "withdrawn": 5}
HIGHER = words(
    "The backlog is 35 higher than last period's backlog + demand - delivered - withdrawn "
    "(122 + 40 - 30 - 0 = 132; the backlog is 167)."
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def permit(agency_a):
    return f.WidgetFactory(
        agency=agency_a,
        name="Air permit",
        status=WidgetStatus.APPROVED,
        reporting_frequency="month",
    )


def _count(widget, period, backlog, **values):
    return f.WidgetCountFactory(
        widget=widget, period_start=period, **{**FLOW, "backlog": backlog, **values}
    )


def _page(response):
    return html.unescape(response.content.decode())


# --- in words ----------------------------------------------------------------------


def test_a_backlog_above_the_balance_is_said_to_be_higher_without_a_signed_number():
    balance = Balance(previous_backlog=122, demand=40, delivered=30, withdrawn=0, backlog=167)
    assert balance.sentence() == HIGHER
    assert "-" not in balance.sentence()  # the minus signs are U+2212, and no signed number


def test_a_backlog_below_the_balance_is_said_to_be_lower():
    balance = Balance(previous_backlog=122, demand=40, delivered=30, withdrawn=0, backlog=97)
    assert balance.sentence() == words(
        "The backlog is 35 lower than last period's backlog + demand - delivered - withdrawn "
        "(122 + 40 - 30 - 0 = 132; the backlog is 97)."
    )


def test_a_sum_below_zero_has_a_minus_sign_and_a_gap_of_one_is_higher():
    balance = Balance(previous_backlog=0, demand=500, delivered=2000, withdrawn=0, backlog=0)
    assert balance.sentence() == words(
        "The backlog is 1,500 higher than last period's backlog + demand - delivered - "
        "withdrawn (0 + 500 - 2,000 - 0 = \u22121,500; the backlog is 0)."
    )
    one = Balance(previous_backlog=10, demand=0, delivered=0, withdrawn=0, backlog=11)
    assert one.sentence().startswith("The backlog is 1 higher than")


def test_large_numbers_have_separators_and_unknown_is_no_check():
    balance = counting.balance_of(
        {"demand": 12000, "delivered": 9000, "withdrawn": 0, "backlog": 2000}, 1000
    )
    assert words("(1,000 + 12,000 - 9,000 - 0 = 4,000; the backlog is 2,000)") in balance.sentence()
    assert (
        counting.balance_of({"demand": 1, "delivered": 1, "withdrawn": 0, "backlog": 1}, None)
        is None
    )
    assert (
        counting.balance_of({"demand": 1, "delivered": None, "withdrawn": 0, "backlog": 1}, 0)
        is None
    )


# --- rows as they will be ------------------------------------------------------------


def _change(widget, period, **values):
    return counting.CountChange(widget=widget, period_start=period, values=values)


def test_a_write_is_judged_after_its_own_row_for_the_period_before(permit):
    _count(permit, JAN, 20)
    # Stored January says 20, so February's 55 would be 30 too high; but the same
    # write sets January to 50, and 50 + 100 - 90 - 5 = 55.
    changes = [_change(permit, JAN, backlog=50), _change(permit, FEB, **FLOW, backlog=55)]
    assert counting.balance_findings(changes) == []
    # In the other order too: February waits for the write's January.
    assert counting.balance_findings(changes[::-1]) == []
    alone = counting.balance_findings(changes[1:])
    assert [(x.period_start, x.balance.expected, x.balance.backlog) for x in alone] == [
        (FEB, 25, 55)
    ]


def test_a_new_backlog_warns_of_the_saved_period_after_it(permit):
    _count(permit, JAN, 20)
    _count(permit, FEB, 25)  # balances: 20 + 100 - 90 - 5
    (finding,) = counting.balance_findings([_change(permit, JAN, backlog=30)])
    assert (finding.period_start, finding.later) == (FEB, True)
    assert finding.message == words(
        "This changes the balance of February 2026, the period after: the backlog is 10 lower "
        "than last period's backlog + demand - delivered - withdrawn (30 + 100 - 90 - 5 = 35; "
        "the backlog is 25)."
    )
    # Not when the write gives February itself (then February is judged as a row).
    both = [_change(permit, JAN, backlog=30), _change(permit, FEB, backlog=35)]
    assert counting.balance_findings(both) == []


def _chain(first, frequency, length):
    """`length` consecutive period starts at `frequency` from `first`."""
    periods = [first]
    while len(periods) < length:
        periods.append(next_period_start(periods[-1], frequency))
    return periods


# Runs of periods across the calendar year end (31 December) and the fiscal one
# (30 June; FISCAL_YEAR_START_MONTH is 7): the write numbers each widget's periods
# at its frequency, and the one before a period must be its number - 1.
CHAINS = {
    "day": ("day", _chain(dt.date(2025, 12, 27), "day", 10)),
    "week": ("week", _chain(dt.date(2025, 11, 17), "week", 10)),
    "month": ("month", _chain(dt.date(2025, 11, 1), "month", 10)),
    "quarter": ("quarter", _chain(dt.date(2024, 7, 1), "quarter", 6)),
    "year": ("year", _chain(dt.date(2022, 7, 1), "year", 4)),
    # May 2021 is month 256 since 2000: the first of the second block of 256
    # periods the write keeps its backlogs in, so April's is in the block before.
    "month-across-a-block": ("month", _chain(dt.date(2021, 4, 1), "month", 4)),
}


@pytest.mark.parametrize("chain", list(CHAINS))
def test_each_period_is_judged_after_the_writes_period_before_at_every_frequency(agency_a, chain):
    frequency, chained = CHAINS[chain]
    widget = f.WidgetFactory(agency=agency_a, reporting_frequency=frequency)
    before, *periods = [previous_period_start(chained[0], frequency), *chained]
    _count(widget, before, 45)
    for period in periods:
        _count(widget, period, 0)  # stored: none of them balances with the write's
    # The write's backlogs grow by 5 a period, each balancing with the write's own
    # period before; the last stored period is not in the write.
    *written, last = periods
    changes = [
        _change(widget, period, **FLOW, backlog=50 + 5 * i) for i, period in enumerate(written)
    ]
    moved = [(last, True, 50 + 5 * len(written), 0)]

    def found(changes):
        return [
            (x.period_start, x.later, x.balance.expected, x.balance.backlog)
            for x in counting.balance_findings(changes)
        ]

    assert found(changes) == moved
    assert found(changes[::-1]) == moved
    assert found(changes[1::2] + changes[::2]) == moved
    # Without the first period, the second is judged against its stored backlog (0).
    assert found(changes[1:]) == [(periods[1], False, 5, 55), *moved]
    # Reversed, the last written period (its finding about the period after) comes first.
    assert found(changes[:0:-1]) == [*moved, (periods[1], False, 5, 55)]


def test_widgets_of_two_frequencies_in_one_write_each_read_their_own_periods_around(agency_a):
    monthly = f.WidgetFactory(agency=agency_a, reporting_frequency="month")
    quarterly = f.WidgetFactory(agency=agency_a, reporting_frequency="quarter")
    _count(monthly, dt.date(2025, 12, 1), 20)
    _count(monthly, FEB, 25)
    _count(quarterly, dt.date(2025, 10, 1), 30)
    _count(quarterly, APR, 35)
    # Both change January (a month, and a quarter: January to March): each is judged
    # against its own period before (December, October) and moves its own after.
    changes = [
        _change(monthly, JAN, **FLOW, backlog=99),
        _change(quarterly, JAN, **FLOW, backlog=99),
    ]
    expected = [
        (monthly, JAN, False, 25, 99),
        (monthly, FEB, True, 104, 25),
        (quarterly, JAN, False, 35, 99),
        (quarterly, APR, True, 104, 35),
    ]

    def found(changes):
        return [
            (x.widget, x.period_start, x.later, x.balance.expected, x.balance.backlog)
            for x in counting.balance_findings(changes)
        ]

    assert found(changes) == expected
    assert found(changes[::-1]) == expected[2:] + expected[:2]


def test_a_change_that_keeps_the_backlog_does_not_warn_of_the_period_after(permit):
    _count(permit, JAN, 20)
    _count(permit, FEB, 99)  # already does not balance: 20 + 100 - 90 - 5 = 25
    # January's demand changes, its backlog does not: February's balance is as it was.
    assert counting.balance_findings([_change(permit, JAN, demand=120)]) == []


def test_a_findings_reason_is_the_changes_note_else_the_stored_one(permit):
    _count(permit, JAN, 20)
    _count(permit, FEB, 25, balance_note="A transfer from the old office.")

    def note(**values):
        change = _change(permit, FEB, backlog=99)
        if values:
            change.balance_note = values["note"]
        (finding,) = counting.balance_findings([change])
        return finding.note, finding.explained

    assert note() == ("A transfer from the old office.", True)  # "" says nothing
    assert note(note="Files found.") == ("Files found.", True)
    assert note(note=None) == ("", False)  # None clears it


def test_a_new_row_that_does_not_balance_has_no_reason(permit):
    _count(permit, JAN, 20)
    (finding,) = counting.balance_findings([_change(permit, FEB, **FLOW, backlog=99)])
    assert (finding.note, finding.explained) == ("", False)


def _found(changes):
    return [
        (x.period_start, x.later, x.balance.expected, x.balance.backlog)
        for x in counting.balance_findings(changes)
    ]


def test_a_row_that_does_not_balance_with_the_writes_period_before_is_found_in_either_order(
    permit,
):
    _count(permit, JAN, 20)
    _count(permit, APR, 0)
    changes = [
        _change(permit, JAN, backlog=50),
        _change(permit, FEB, **FLOW, backlog=99),  # 50 + 100 - 90 - 5 = 55
        _change(permit, MAR, **FLOW, backlog=80),  # 99 + 100 - 90 - 5 = 104
    ]
    own = [(FEB, False, 55, 99), (MAR, False, 104, 80)]
    april = (APR, True, 85, 0)  # saved April after the new March: 80 + 5 = 85
    assert _found(changes) == [*own, april]
    # Reversed: March (position 0) and the April it moves, then February.
    assert _found(changes[::-1]) == [own[1], april, own[0]]


def test_a_row_after_the_writes_row_with_an_unknown_backlog_is_not_judged(permit):
    _count(permit, JAN, 20)
    changes = [_change(permit, JAN, backlog=None), _change(permit, FEB, **FLOW, backlog=99)]
    assert _found(changes) == []
    assert _found(changes[::-1]) == []


def test_a_write_with_nothing_stored_is_judged_against_its_own_rows(permit):
    changes = [_change(permit, JAN, **FLOW, backlog=20), _change(permit, FEB, **FLOW, backlog=99)]
    assert _found(changes) == [(FEB, False, 25, 99)]
    assert _found(changes[::-1]) == [(FEB, False, 25, 99)]


@pytest.mark.parametrize("unknown", ["demand", "delivered", "withdrawn"])
def test_a_row_with_an_unknown_part_is_not_judged(permit, unknown):
    _count(permit, JAN, 20)
    assert _found([_change(permit, FEB, **{**FLOW, unknown: None}, backlog=99)]) == []


def test_a_new_backlog_that_the_saved_period_after_balances_with_is_not_warned(permit):
    _count(permit, JAN, 20)
    _count(permit, FEB, 35)  # 30 + 100 - 90 - 5: balances once January is 30
    assert _found([_change(permit, JAN, backlog=30)]) == []


def test_a_warning_of_the_period_after_carries_that_periods_reason(permit):
    _count(permit, JAN, 20)
    _count(permit, FEB, 25, balance_note="Files moved to another office.")

    def later():
        (finding,) = counting.balance_findings([_change(permit, JAN, backlog=30)])
        return finding.later, finding.note, finding.explained

    assert later() == (True, "Files moved to another office.", True)
    WidgetCount.objects.filter(widget=permit, period_start=FEB).update(balance_note="")
    assert later() == (True, "", False)


# --- the grid ----------------------------------------------------------------------------


def _grid_row(widget, version, **values):
    return {f"w{widget.pk}-version": str(version)} | {
        f"w{widget.pk}-{k}": str(v) for k, v in values.items()
    }


def test_grid_warns_of_the_period_after_and_saves_once_confirmed(client, staff_a, agency_a, permit):
    _count(permit, JAN, 20)
    feb = _count(permit, FEB, 30)  # 5 too high
    _count(permit, MAR, 35)  # balances with February's 30
    url = reverse("widgets:count-entry", args=[agency_a.slug]) + "?period=2026-02-01"
    client.force_login(staff_a)
    corrected = _grid_row(permit, feb.version, **FLOW, backlog=25)  # February now balances

    response = client.post(url, corrected)

    assert response.status_code == 200
    page = _page(response)
    assert (
        words(
            "This changes the balance of March 2026, the period after: the backlog is 5 higher "
            "than last period's backlog + demand - delivered - withdrawn (25 + 100 - 90 - 5 = 30; "
            "the backlog is 35)."
        )
        in page
    )
    assert WidgetCount.objects.get(pk=feb.pk).backlog == 30
    response = client.post(url, {**corrected, f"w{permit.pk}-confirm": "on"})
    assert response.status_code == 302  # no reason asked: it is March's gap, not February's
    assert WidgetCount.objects.get(pk=feb.pk).backlog == 25


def test_grid_says_the_gap_in_words_and_keeps_the_reason(client, staff_a, agency_a, permit):
    _count(permit, JAN, 20)
    url = reverse("widgets:count-entry", args=[agency_a.slug]) + "?period=2026-02-01"
    client.force_login(staff_a)
    row = _grid_row(permit, "", **FLOW, backlog=60)
    assert words(
        "The backlog is 35 higher than last period's backlog + demand - delivered - withdrawn "
        "(20 + 100 - 90 - 5 = 25; the backlog is 60)."
    ) in _page(client.post(url, row))
    confirmed = {**row, f"w{permit.pk}-confirm": "on", f"w{permit.pk}-note": "A transfer in."}
    assert client.post(url, confirmed).status_code == 302
    assert WidgetCount.objects.get(widget=permit, period_start=FEB).balance_note == "A transfer in."


# --- the edit page -------------------------------------------------------------------------


def _edit(count, **changes):
    data = {
        n: "" if getattr(count, n) is None else str(getattr(count, n))
        for n in counting.VALUE_FIELDS
    }
    return {**data, "balance_note": count.balance_note, "version": count.version, **changes}


def test_edit_page_asks_a_reason_in_words_and_a_confirmation_for_the_period_after(
    client, staff_a, permit
):
    _count(permit, JAN, 20)
    feb = _count(permit, FEB, 25)
    _count(permit, MAR, 30)
    url = reverse("widgets:count-edit", args=[feb.pk])
    client.force_login(staff_a)

    response = client.post(url, _edit(feb, backlog="40"))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["balance_note"] == [
        words(
            "The backlog is 15 higher than last period's backlog + demand - delivered - withdrawn "
            "(20 + 100 - 90 - 5 = 25; the backlog is 40). Say why, or correct the numbers."
        )
    ]
    assert errors["confirm_later"] == [
        words(
            "This changes the balance of March 2026, the period after: the backlog is 15 lower "
            "than last period's backlog + demand - delivered - withdrawn (40 + 100 - 90 - 5 = 45; "
            "the backlog is 30). Confirm it, or correct the numbers."
        )
    ]
    assert 'type="checkbox" name="confirm_later"' in response.content.decode()
    response = client.post(
        url, _edit(feb, backlog="40", balance_note="Files moved in.", confirm_later="on")
    )
    assert response.status_code == 302
    feb.refresh_from_db()
    assert (feb.backlog, feb.balance_note) == (40, "Files moved in.")


# --- the upload ------------------------------------------------------------------------------

HEADER = "widget_id,period_start,demand,delivered,within_standard,withdrawn,backlog,balance_note"


def _file(*rows):
    return SimpleUploadedFile("counts.csv", ("\n".join([HEADER, *rows]) + "\n").encode())


def _line(widget, period, backlog, note=""):
    return f"{widget.pk},{period:%Y-%m-%d},100,90,80,5,{backlog},{note}"


def _preview(client, agency, upload):
    response = client.post(reverse("widgets:count-upload", args=[agency.slug]), {"file": upload})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("order", [1, -1], ids=["in order", "february first"])
def test_upload_preview_warns_each_row_that_will_not_balance(
    client, staff_a, agency_a, permit, order
):
    _count(permit, JAN, 20)
    lines = [
        _line(permit, JAN, 50),  # the file's January...
        _line(permit, FEB, 55),  # ...balances February (not the stored 20)
        _line(permit, MAR, 99),  # 55 + 5 = 60: 39 higher, no reason
        _line(permit, APR, 90, "Files moved in."),  # 99 + 5 = 104: 14 lower, with a reason
    ]
    client.force_login(staff_a)

    response = _preview(client, agency_a, _file(*lines[::order]))

    preview = response.context["preview"]
    assert preview.warning_count == 2
    warned = {row.label: row.warnings for row in preview.rows if row.warnings}
    assert warned == {
        "Air permit, 2026-03-01": [
            words(
                "The backlog is 39 higher than last period's backlog + demand - delivered - "
                "withdrawn (55 + 100 - 90 - 5 = 60; the backlog is 99). Give the reason in the "
                "balance_note column, or correct the numbers."
            )
        ],
        "Air permit, 2026-04-01": [
            words(
                "The backlog is 14 lower than last period's backlog + demand - delivered - "
                "withdrawn (99 + 100 - 90 - 5 = 104; the backlog is 90). "
                "Reason given: Files moved in."
            )
        ],
    }
    page = _page(response)
    assert "2 with warnings" in page
    assert "<strong>Warning:</strong> The backlog is 39 higher" in page


def test_upload_preview_warns_of_a_saved_period_after_a_changed_backlog(
    client, staff_a, agency_a, permit
):
    _count(permit, JAN, 20)
    _count(permit, FEB, 25, balance_note="")
    client.force_login(staff_a)
    preview = _preview(client, agency_a, _file(_line(permit, JAN, 30))).context["preview"]
    (row,) = [r for r in preview.rows if r.warnings]
    assert row.label == "Air permit, 2026-01-01"
    assert row.warnings == [
        words(
            "This changes the balance of February 2026, the period after: the backlog is 10 lower "
            "than last period's backlog + demand - delivered - withdrawn (30 + 100 - 90 - 5 = 35; "
            "the backlog is 25)."
        )
    ]


def test_upload_preview_names_warned_rows_past_the_first_fifty(client, staff_a, agency_a):
    widgets = [
        f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED, reporting_frequency="month")
        for _ in range(30)
    ]
    lines = [_line(w, p, b) for w in widgets for p, b in ((JAN, 20), (FEB, 25), (MAR, 30))]
    lines[-1] = _line(widgets[-1], MAR, 34)  # row 91: 25 + 5 = 30, 4 higher
    client.force_login(staff_a)
    preview = _preview(client, agency_a, _file(*lines)).context["preview"]
    assert preview.warning_count == 1
    assert [(r.number, r.status) for r in preview.rows if r.warnings] == [(91, "new")]


def _upload(agency, user, upload):
    count_file = CountFile(agency=agency, user=user)
    preview = count_file.preview(upload, upload.name)
    assert not preview.errors, [r.messages for r in preview.error_rows]
    return count_file.commit(upload, upload.name, snapshot=preview.snapshot)


def test_upload_saves_rows_that_do_not_balance_with_their_reason(agency_a, staff_a, permit):
    # New rows only (on PostgreSQL: COPY straight into the counts table).
    _upload(
        agency_a, staff_a, _file(_line(permit, JAN, 20), _line(permit, FEB, 60, "A transfer in."))
    )
    saved = {c.period_start: c for c in WidgetCount.objects.filter(widget=permit)}
    assert (saved[FEB].backlog, saved[FEB].balance_note) == (60, "A transfer in.")
    assert saved[JAN].balance_note == ""
    assert saved[FEB].history.first().balance_note == "A transfer in."


def test_upload_changes_clears_or_keeps_a_saved_reason(agency_a, staff_a, permit):
    # Existing rows (on PostgreSQL: staged, then one UPDATE).
    jan = _count(permit, JAN, 20, balance_note="Kept.")
    feb = _count(permit, FEB, 60, balance_note="Old reason.")
    mar = _count(permit, MAR, 70, balance_note="Gone.")
    upload = _upload(
        agency_a,
        staff_a,
        _file(
            _line(permit, JAN, 21),  # blank: the reason stays
            _line(permit, FEB, 60, "New reason."),  # only the reason changes
            _line(permit, MAR, 70, "clear"),
        ),
    )
    assert (upload.rows_changed, upload.rows_unchanged) == (3, 0)
    for count in (jan, feb, mar):
        count.refresh_from_db()
    assert (jan.backlog, jan.balance_note) == (21, "Kept.")
    assert feb.balance_note == "New reason."
    assert mar.balance_note == ""


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def token(agency_a, manager_a):
    return api_tokens.issue_token(agency=agency_a, name="Permit system", by=manager_a)[1]


def _put(client, token, widget, period, body):
    return client.put(
        f"/api/v1/widgets/{widget.pk}/counts/{period:%Y-%m-%d}",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_api_saves_a_count_that_does_not_balance_and_warns_in_the_answer(client, token, permit):
    _count(permit, JAN, 122, demand=1)
    response = _put(
        client, token, permit, FEB, {"demand": 40, "delivered": 30, "withdrawn": 0, "backlog": 167}
    )
    assert response.status_code == 200
    assert response.json()["warnings"] == [
        {
            "widget_id": permit.pk,
            "period_start": "2026-02-01",
            "message": HIGHER,
            "expected_backlog": 132,
            "backlog": 167,
            "balance_note": "",
            "explained": False,
            "later": False,
        }
    ]
    assert WidgetCount.objects.get(widget=permit, period_start=FEB).backlog == 167
    response = _put(client, token, permit, FEB, {"balance_note": "A transfer from the old office."})
    (warning,) = response.json()["warnings"]
    assert (warning["explained"], warning["balance_note"]) == (
        True,
        "A transfer from the old office.",
    )
    saved = WidgetCount.objects.get(widget=permit, period_start=FEB)
    assert saved.balance_note == "A transfer from the old office."


def test_api_warns_of_the_period_after_a_changed_backlog(client, token, permit):
    _count(permit, JAN, 20)
    _count(permit, FEB, 25)
    (warning,) = _put(client, token, permit, JAN, {"backlog": 30}).json()["warnings"]
    assert (warning["period_start"], warning["later"], warning["expected_backlog"]) == (
        "2026-02-01",
        True,
        35,
    )


def test_api_batch_judges_a_row_after_the_batch_row_before_it(client, token, permit):
    _count(permit, JAN, 20)
    rows = [
        {"widget_id": permit.pk, "period_start": "2026-02-01", **FLOW, "backlog": 55},
        {"widget_id": permit.pk, "period_start": "2026-01-01", "backlog": 50},
        {"widget_id": permit.pk, "period_start": "2026-03-01", **FLOW, "backlog": 99},
    ]
    response = client.post(
        "/api/v1/counts",
        data=json.dumps(rows),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert [(w["period_start"], w["expected_backlog"]) for w in response.json()["warnings"]] == [
        ("2026-03-01", 60)
    ]


# --- the dashboard ---------------------------------------------------------------------------


def test_dashboard_lists_unexplained_gaps_in_words_and_explained_ones_with_their_reason(
    client, staff_a, staff_b, agency_a, permit
):
    from outcomes.dashboard import add_months, reference_month

    first, second = add_months(reference_month(), -2), add_months(reference_month(), -1)
    _count(permit, add_months(reference_month(), -3), 20)
    gap = _count(permit, first, 60)  # 20 + 5 = 25: 35 higher
    explained = _count(permit, second, 50, balance_note="Files moved in.")  # 65: 15 lower
    url = reverse("outcomes:dashboard", args=[agency_a.slug])
    client.force_login(staff_a)

    response = client.get(url)

    attention = response.context["attention"]
    assert [c.pk for c in attention.unbalanced] == [gap.pk]
    assert [c.pk for c in attention.explained] == [explained.pk]
    assert len(attention) == len(attention.unbalanced) + len(attention.late)
    page = _page(response)
    assert (
        words(
            "The backlog is 35 higher than last period's backlog + demand - delivered - withdrawn "
            "(20 + 100 - 90 - 5 = 25; the backlog is 60)."
        )
        in page
    )
    assert reverse("widgets:count-edit", args=[gap.pk]) in page
    assert "Backlog does not balance, reason given (1)" in page
    assert "The backlog is 15 lower" in page
    assert "Reason given:</strong> Files moved in." in page
    # Another agency's reader sees the list, with the counts to read, not to edit.
    client.force_login(staff_b)
    page = _page(client.get(url))
    assert reverse("widgets:count-edit", args=[gap.pk]) not in page
    assert reverse("widgets:count-history", args=[permit.pk]) in page
