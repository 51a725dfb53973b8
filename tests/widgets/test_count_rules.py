"""The rules every count obeys and the one write, on their edges (widgets.counting)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, OperationalError, connection

from widgets.counting import (
    MAX_COST,
    MAX_COUNT,
    SAW_NONE,
    Conflict,
    CountChange,
    CountConflict,
    CountRejected,
    check_period,
    check_rules,
    is_blank,
    is_clear,
    merged,
    parse_value,
    parse_values,
    races_as_conflicts,
    save_counts,
    with_sent_rules,
)
from widgets.measures import NOT_APPLICABLE
from widgets.models import CountSource, CountUpload, WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 15)


def test_within_standard_and_rework_may_equal_delivered():
    assert check_rules({"delivered": 90, "within_standard": 90, "rework": 90}) == {}


def test_within_standard_or_rework_above_delivered_is_refused_at_that_field():
    errors = check_rules({"delivered": 90, "within_standard": 91, "rework": 95})
    assert errors == {
        "within_standard": ["Within standard (91) cannot be more than delivered (90)."],
        "rework": ["Rework (95) cannot be more than delivered (90)."],
    }


def test_within_standard_without_delivered_asks_for_delivered():
    assert check_rules({"within_standard": 5, "delivered": None}) == {
        "within_standard": ["Enter delivered too: within standard is a share of it."]
    }


def test_a_share_that_does_not_apply_is_no_rule_among_numbers():
    """Whether "n/a" may stand is the widget's declaration (check_not_applicable);
    among numbers it is neither above nor below delivered (it was a TypeError)."""
    from widgets.measures import NOT_APPLICABLE

    values = {"delivered": 90, "within_standard": NOT_APPLICABLE, "rework": NOT_APPLICABLE}
    assert check_rules(values) == {}


def test_n_a_sent_for_delivered_leaves_its_shares_to_the_widgets_declaration():
    """An API batch may send "n/a" for delivered beside a number for a share: the
    rules among the sent cells do not compare them (check_not_applicable refuses
    the "n/a", delivered always applies)."""
    from widgets.measures import NOT_APPLICABLE

    sent = {"delivered": NOT_APPLICABLE, "within_standard": 5, "rework": 3}
    assert with_sent_rules(sent, {}) == {}


def test_a_share_that_does_not_apply_does_not_stop_the_rule_for_the_next_share():
    from widgets.measures import NOT_APPLICABLE

    values = {"delivered": 90, "within_standard": NOT_APPLICABLE, "rework": 95}
    assert check_rules(values) == {"rework": ["Rework (95) cannot be more than delivered (90)."]}


@pytest.mark.parametrize(
    "status", [WidgetStatus.APPROVED, WidgetStatus.SUBMITTED, WidgetStatus.RETIRED]
)
def test_approved_submitted_and_retired_widgets_are_counted(status):
    widget = f.WidgetFactory(status=status, reporting_frequency="month")
    assert check_period(widget, dt.date(2026, 10, 1), today=TODAY) == []


def test_a_draft_widget_is_not_counted():
    widget = f.WidgetFactory(status=WidgetStatus.DRAFT, name="Boat title")
    assert check_period(widget, dt.date(2026, 10, 1), today=TODAY) == [
        "“Boat title” is draft: it can be counted once it is approved."
    ]


def test_no_counts_before_the_year_2000():
    widget = f.WidgetFactory(status=WidgetStatus.APPROVED, reporting_frequency="month")
    assert check_period(widget, dt.date(1999, 12, 1), today=TODAY) == [
        "Counts before the year 2000 are not kept."
    ]
    assert check_period(widget, dt.date(2000, 1, 1), today=TODAY) == []


def test_a_period_that_has_not_started_is_refused_and_todays_is_not():
    widget = f.WidgetFactory(status=WidgetStatus.APPROVED, reporting_frequency="day")
    assert check_period(widget, TODAY, today=TODAY) == []
    assert len(check_period(widget, TODAY + dt.timedelta(days=1), today=TODAY)) == 1


def test_a_period_that_has_not_started_is_named_at_the_widgets_frequency():
    widget = f.WidgetFactory(status=WidgetStatus.APPROVED, reporting_frequency="month")
    assert check_period(widget, dt.date(2026, 12, 1), today=TODAY) == [
        "December 2026 has not started yet."
    ]


def test_a_period_start_that_is_not_the_first_day_is_refused():
    widget = f.WidgetFactory(
        status=WidgetStatus.APPROVED, reporting_frequency="month", name="Boat title"
    )
    assert check_period(widget, dt.date(2026, 10, 2), today=TODAY) == [
        "2026-10-02 is not the first day of a monthly period of “Boat title”."
    ]


@pytest.fixture
def permit(agency_a):
    return f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)


def test_a_new_balance_note_with_the_same_numbers_is_saved(permit, staff_a):
    count = f.WidgetCountFactory(widget=permit, period_start=dt.date(2026, 1, 1))
    values = {"delivered": count.delivered, "backlog": count.backlog}
    change = CountChange(
        permit,
        count.period_start,
        values,
        expected_version=count.version,
        balance_note="Ten files moved to the new office.",
    )
    [saved] = save_counts([change], by=staff_a, source=CountSource.FORM)
    assert saved.status == "changed"
    count.refresh_from_db()
    assert count.balance_note == "Ten files moved to the new office."
    assert count.version == 2
    assert count.history.count() == 2


def test_the_same_numbers_and_note_save_nothing(permit, staff_a):
    count = f.WidgetCountFactory(
        widget=permit, period_start=dt.date(2026, 1, 1), balance_note="As noted."
    )
    change = CountChange(
        permit,
        count.period_start,
        {"delivered": count.delivered},
        expected_version=count.version,
        balance_note="As noted.",
    )
    [saved] = save_counts([change], by=staff_a, source=CountSource.FORM)
    assert saved.status == "unchanged"
    assert saved.count == count
    count.refresh_from_db()
    assert count.version == 1


def _save_note(permit, user, *, stored, sent):
    """A stored count with the note `stored`, written again with its own numbers and
    the note `sent`: (what the write says, the count as stored after it)."""
    count = f.WidgetCountFactory(
        widget=permit, period_start=dt.date(2026, 1, 1), balance_note=stored
    )
    change = CountChange(
        permit,
        count.period_start,
        {"delivered": count.delivered},
        expected_version=count.version,
        balance_note=sent,
    )
    [saved] = save_counts([change], by=user, source=CountSource.FORM)
    count.refresh_from_db()
    return saved, count


@pytest.mark.parametrize(("stored", "sent"), [("As noted.", ""), ("", None)])
def test_the_same_numbers_and_no_new_note_save_nothing(permit, staff_a, stored, sent):
    """A note of "" says nothing of the stored reason; None clears it, and clearing
    a reason that is already empty changes nothing."""
    saved, count = _save_note(permit, staff_a, stored=stored, sent=sent)
    assert saved.status == "unchanged"
    assert (count.version, count.balance_note) == (1, stored)


def test_a_cleared_note_is_stored_empty(permit, staff_a):
    saved, count = _save_note(permit, staff_a, stored="As noted.", sent=None)
    assert saved.status == "changed"
    assert (count.version, count.balance_note) == (2, "")


def test_a_new_row_is_saved_with_who_entered_it_and_a_blank_new_row_is_not(permit, staff_a):
    first, second = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
    saved = save_counts(
        [
            CountChange(permit, first, {"delivered": 5}, expected_version=SAW_NONE),
            CountChange(permit, second, {"delivered": None}, expected_version=SAW_NONE),
        ],
        by=staff_a,
        source=CountSource.FORM,
    )
    assert [c.status for c in saved] == ["new", "unchanged"]
    count = WidgetCount.objects.get(widget=permit)
    assert (count.period_start, count.delivered, count.version) == (first, 5, 1)
    assert count.entered_by == staff_a
    assert count.source == CountSource.FORM
    assert count.history.get().history_user == staff_a


def test_a_write_is_judged_with_the_stored_values(permit, staff_a):
    count = f.WidgetCountFactory(widget=permit, delivered=90, within_standard=80)
    change = CountChange(permit, count.period_start, {"delivered": 70}, count.version)
    with pytest.raises(CountRejected) as refused:
        save_counts([change], by=staff_a, source=CountSource.FORM)
    assert refused.value.errors == [
        (change, {"within_standard": ["Within standard (80) cannot be more than delivered (70)."]})
    ]
    count.refresh_from_db()
    assert count.delivered == 90


def test_a_write_at_an_old_version_is_refused_naming_what_is_stored(permit, staff_a):
    count = f.WidgetCountFactory(widget=permit, delivered=90)
    change = CountChange(permit, count.period_start, {"delivered": 70}, count.version + 1)
    with pytest.raises(CountConflict) as refused:
        save_counts([change], by=staff_a, source=CountSource.FORM)
    assert refused.value.current == count
    assert "someone else saved" in str(refused.value)


def test_a_field_that_is_not_a_count_is_refused(permit, staff_a):
    change = CountChange(permit, dt.date(2026, 1, 1), {"colour": 1})
    with pytest.raises(ValueError, match="Not a count field: colour"):
        save_counts([change], by=staff_a, source=CountSource.FORM)


def test_fields_that_are_not_counts_are_named_in_order(permit, staff_a):
    change = CountChange(permit, dt.date(2026, 1, 1), {"colour": 1, "delivered": 2, "age": 3})
    with pytest.raises(ValueError, match=r"^Not a count field: age, colour$"):
        save_counts([change], by=staff_a, source=CountSource.FORM)


def test_a_blank_new_row_or_an_unchanged_row_does_not_stop_the_rows_after_it(permit, staff_a):
    """Rows that save nothing are passed over; every row after them is saved."""
    jan, feb, mar = (dt.date(2026, m, 1) for m in (1, 2, 3))
    kept = f.WidgetCountFactory(widget=permit, period_start=feb)
    saved = save_counts(
        [
            CountChange(permit, jan, {"delivered": None}, expected_version=SAW_NONE),
            CountChange(permit, feb, {"delivered": kept.delivered}, expected_version=kept.version),
            CountChange(permit, mar, {"delivered": 30}, expected_version=SAW_NONE),
        ],
        by=staff_a,
        source=CountSource.FORM,
    )
    assert [c.status for c in saved] == ["unchanged", "unchanged", "new"]
    assert saved[2].count == WidgetCount.objects.get(widget=permit, period_start=mar)
    assert saved[2].count.delivered == 30
    saved = save_counts(
        [
            CountChange(permit, feb, {"delivered": kept.delivered}, expected_version=kept.version),
            CountChange(permit, mar, {"delivered": 31}, expected_version=1),
        ],
        by=staff_a,
        source=CountSource.FORM,
    )
    assert [c.status for c in saved] == ["unchanged", "changed"]
    assert WidgetCount.objects.get(widget=permit, period_start=mar).delivered == 31


def test_a_cost_is_saved_in_dollars_and_cents(permit, staff_a):
    change = CountChange(permit, dt.date(2026, 1, 1), {"cost": Decimal("12.50"), "delivered": 1})
    save_counts([change], by=staff_a, source=CountSource.API)
    assert WidgetCount.objects.get(widget=permit).cost == Decimal("12.50")


# --- one cell, as people type it --------------------------------------------------

PARSED = [
    ("delivered", None, None),
    ("delivered", "  ", None),
    ("delivered", " 7 ", 7),
    ("delivered", "2.0", 2),
    ("delivered", 12, 12),
    ("delivered", str(MAX_COUNT - 1), MAX_COUNT - 1),
    ("cost", "$12.5", Decimal("12.50")),
    ("cost", "0", Decimal("0.00")),
    ("cost", str(MAX_COST), MAX_COST),
    ("cost", 3.25, Decimal("3.25")),
]


@pytest.mark.parametrize(("name", "raw", "value"), PARSED)
def test_a_cell_is_read_as_a_whole_number_or_dollars_and_cents(name, raw, value):
    parsed = parse_value(name, raw)
    assert parsed == value
    assert type(parsed) is type(value)
    if isinstance(value, Decimal):
        assert str(parsed) == str(value)


REFUSED = [
    ("delivered", True, "Enter a number."),
    ("delivered", "1,234", "Write the number without thousands separators, e.g. 1234."),
    ("delivered", "1 234", "Write the number without thousands separators, e.g. 1234."),
    ("delivered", "1\u00a0234", "Write the number without thousands separators, e.g. 1234."),
    ("delivered", "$5", "Enter a number."),
    ("delivered", "five", "Enter a number."),
    ("delivered", "NaN", "Enter a number."),
    ("delivered", "Infinity", "Enter a number."),
    ("delivered", float("inf"), "Enter a number."),
    ("delivered", float("nan"), "Enter a number."),
    ("delivered", "-1", "Cannot be negative."),
    ("delivered", "1.5", "Enter a whole number."),
    ("delivered", str(MAX_COUNT), "This is larger than any count the system can hold."),
    ("cost", "-0.01", "Cannot be negative."),
    ("cost", "12.345", "Use at most two decimal places (cents)."),
    # Only a leading dollar sign is dropped from a cost, not any letter before it.
    ("cost", "X5", "Enter a number."),
    ("cost", "X$5", "Enter a number."),
    ("cost", "1e30", "This is larger than any cost the system can hold."),
    ("cost", str(MAX_COST + Decimal("0.01")), "This is larger than any cost the system can hold."),
]


@pytest.mark.parametrize(("name", "raw", "message"), REFUSED)
def test_a_cell_that_is_not_a_count_says_why(name, raw, message):
    with pytest.raises(ValueError) as refused:
        parse_value(name, raw)
    assert str(refused.value) == message


def test_in_the_grid_an_emptied_cell_clears_and_a_field_not_sent_is_not_touched():
    values, errors = parse_values({"demand": "", "delivered": "5", "cost": "x"}, blank_clears=True)
    assert values == {"demand": None, "delivered": 5}
    assert errors == {"cost": ["Enter a number."]}


def test_in_a_file_a_blank_cell_is_no_change_and_the_word_clear_clears():
    values, errors = parse_values(
        {"demand": " ", "delivered": " Clear ", "backlog": "4", "rework": None},
        blank_clears=False,
    )
    assert values == {"delivered": None, "backlog": 4}
    assert errors == {}
    assert is_clear("CLEAR") and not is_clear("clears") and not is_clear(None)
    assert is_blank(" ") and is_blank(None) and not is_blank("0") and not is_blank(0)


def test_every_cell_after_an_n_a_cell_is_read_too():
    values, errors = parse_values(
        {"demand": "n/a", "delivered": "5", "within_standard": "n/a", "cost": "x"},
        blank_clears=False,
    )
    assert values == {"demand": NOT_APPLICABLE, "delivered": 5, "within_standard": NOT_APPLICABLE}
    assert errors == {"cost": ["Enter a number."]}


def test_the_rules_judge_the_row_as_it_will_be():
    stored = f.WidgetCountFactory.build(delivered=90, within_standard=80, cost=None)
    after = merged(stored, {"delivered": 70, "cost": Decimal("5.00")})
    assert after["delivered"] == 70
    assert after["within_standard"] == 80
    assert after["cost"] == Decimal("5.00")
    assert after["channel_online"] is None
    assert merged(None, {"demand": 3})["demand"] == 3
    assert merged(None, {"demand": 3})["delivered"] is None


def test_rules_among_the_sent_cells_wait_for_delivered():
    assert with_sent_rules({"within_standard": 9}, {}) == {}
    assert with_sent_rules({"delivered": 5, "within_standard": 9}, {"cost": ["x"]}) == {
        "within_standard": ["Within standard (9) cannot be more than delivered (5)."],
        "cost": ["x"],
    }
    assert with_sent_rules({"delivered": 5, "rework": 9}, {"rework": ["typed"]}) == {
        "rework": ["typed"]
    }


# --- the one write: what it says when it refuses, and who it records -------------

JAN = dt.date(2026, 1, 1)


def test_a_conflict_names_the_row_and_what_is_stored_now(permit, staff_a):
    count = f.WidgetCountFactory(
        widget=permit,
        period_start=JAN,
        delivered=90,
        within_standard=None,
        demand=None,
        withdrawn=None,
        backlog=None,
        rework=None,
        cost=None,
    )
    change = CountChange(permit, JAN, {"within_standard": 5}, expected_version=count.version + 1)
    with pytest.raises(CountConflict) as refused:
        save_counts([change], by=staff_a, source=CountSource.FORM)
    assert str(refused.value) == (
        "Someone else saved these counts after you read them. Nothing was saved. "
        f"{permit.name}, January 2026: someone else saved delivered 90, within standard blank."
    )


def test_a_conflict_on_a_row_deleted_meanwhile_says_so(permit, staff_a):
    change = CountChange(permit, JAN, {"delivered": 5}, expected_version=3)
    with pytest.raises(CountConflict) as refused:
        save_counts([change], by=staff_a, source=CountSource.FORM)
    assert refused.value.current is None
    assert str(refused.value).endswith(
        f"{permit.name}, January 2026: the count you saw was deleted meanwhile."
    )


def test_a_conflict_on_many_rows_names_five_and_counts_the_rest(permit, staff_a):
    months = [dt.date(2025, m, 1) for m in range(1, 8)]
    changes = [CountChange(permit, m, {"delivered": 1}, expected_version=2) for m in months]
    with pytest.raises(CountConflict) as refused:
        save_counts(changes, by=staff_a, source=CountSource.FORM)
    assert len(refused.value.conflicts) == 7
    assert refused.value.current is None
    assert str(refused.value).count("deleted meanwhile") == 5
    assert str(refused.value).endswith(" And 2 more.")
    stored_blank = WidgetCount(widget=permit, period_start=JAN)
    nothing_sent = CountChange(permit, JAN, {})
    assert (
        Conflict(nothing_sent, stored_blank).describe().endswith("someone else saved blank counts.")
    )


def test_a_conflict_on_five_rows_names_them_all_and_on_six_counts_the_sixth(permit, staff_a):
    months = [dt.date(2025, m, 1) for m in range(1, 7)]
    changes = [CountChange(permit, m, {"delivered": 1}, expected_version=2) for m in months]
    with pytest.raises(CountConflict) as five:
        save_counts(changes[:5], by=staff_a, source=CountSource.FORM)
    assert "more." not in str(five.value)
    with pytest.raises(CountConflict) as six:
        save_counts(changes, by=staff_a, source=CountSource.FORM)
    assert str(six.value).count("deleted meanwhile") == 5
    assert str(six.value).endswith(" And 1 more.")


def test_a_conflict_names_its_rows_one_sentence_after_another(permit, staff_a):
    changes = [
        CountChange(permit, m, {"delivered": 1}, expected_version=2)
        for m in (JAN, dt.date(2026, 2, 1))
    ]
    with pytest.raises(CountConflict) as refused:
        save_counts(changes, by=staff_a, source=CountSource.FORM)
    assert str(refused.value) == (
        "Someone else saved these counts after you read them. Nothing was saved. "
        f"{permit.name}, January 2026: the count you saw was deleted meanwhile. "
        f"{permit.name}, February 2026: the count you saw was deleted meanwhile."
    )


def test_a_conflict_given_its_own_message_says_that(permit):
    conflict = Conflict(CountChange(permit, JAN, {}), None)
    assert str(CountConflict([conflict], message="Try again.")) == "Try again."
    assert str(CountConflict()) == CountConflict.default_message


def test_a_refusal_names_the_first_five_rows_each_with_all_its_broken_rules(permit, staff_a):
    months = [dt.date(2025, m, 1) for m in range(1, 7)]
    changes = [
        CountChange(permit, m, {"delivered": 5, "within_standard": 6, "rework": 7}) for m in months
    ]
    with pytest.raises(CountRejected) as refused:
        save_counts(changes, by=staff_a, source=CountSource.FORM)
    assert len(refused.value.errors) == 6
    assert str(refused.value).count(permit.name) == 5
    assert f"{permit.name}, January 2025: Within standard (6) cannot be more than " in str(
        refused.value
    )
    assert (
        "Within standard (6) cannot be more than delivered (5). "
        "Rework (7) cannot be more than delivered (5)."
    ) in str(refused.value)
    assert (f"Rework (7) cannot be more than delivered (5). {permit.name}, February 2025: ") in str(
        refused.value
    )
    assert "June 2025" not in str(refused.value)


def test_a_refusal_names_each_row_and_its_broken_rule(permit, staff_a):
    change = CountChange(permit, JAN, {"delivered": 5, "rework": 6}, expected_version=SAW_NONE)
    with pytest.raises(CountRejected) as refused:
        save_counts([change], by=staff_a, source=CountSource.FORM)
    assert str(refused.value) == (
        "These counts break the rules. Nothing was saved. "
        f"{permit.name}, January 2026: Rework (6) cannot be more than delivered (5)."
    )
    assert not WidgetCount.objects.exists()


def test_a_refusal_names_the_rows_after_one_with_a_number_that_does_not_apply(agency_a, staff_a):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED, not_applicable=["cost"])
    changes = [
        CountChange(widget, JAN, {"cost": Decimal("1.00")}),
        CountChange(widget, dt.date(2026, 2, 1), {"delivered": 5, "rework": 6}),
    ]
    with pytest.raises(CountRejected) as refused:
        save_counts(changes, by=staff_a, source=CountSource.FORM)
    assert [(change, list(errors)) for change, errors in refused.value.errors] == [
        (changes[0], ["cost"]),
        (changes[1], ["rework"]),
    ]


def test_a_lost_race_to_create_a_row_is_a_conflict_naming_the_row(permit):
    theirs = f.WidgetCountFactory(widget=permit, period_start=JAN)
    mine = CountChange(permit, JAN, {"delivered": 1}, expected_version=None, status="new")
    untouched = CountChange(permit, dt.date(2026, 2, 1), {"delivered": 1}, status="new")
    with pytest.raises(CountConflict) as refused, races_as_conflicts([mine, untouched]):
        raise IntegrityError("duplicate key value violates unique constraint")
    assert [(c.change, c.current) for c in refused.value.conflicts] == [(mine, theirs)]


def test_a_lost_race_names_the_rows_saved_since_they_were_read_and_no_other(permit):
    """After a race lost to another writer: a row they read at version 1 and is now
    at version 2 is named; a row still as its writer read it is not."""
    moved = f.WidgetCountFactory(widget=permit, period_start=JAN, version=2)
    still = f.WidgetCountFactory(widget=permit, period_start=dt.date(2026, 2, 1), version=1)
    mine = CountChange(permit, JAN, {"delivered": 1}, expected_version=1, status="changed")
    as_read = CountChange(permit, still.period_start, {"delivered": 1}, expected_version=1)
    as_read.status = "changed"
    with pytest.raises(CountConflict) as refused, races_as_conflicts([mine, as_read]):
        raise IntegrityError("duplicate key value violates unique constraint")
    assert [(c.change, c.current) for c in refused.value.conflicts] == [(mine, moved)]


def test_a_race_lost_inside_the_write_names_its_rows(permit, staff_a, monkeypatch):
    """The write's own rows are named when another writer created one first (the
    unique violation is made here: two real writers racing need committed data)."""
    from widgets.counting import writes

    theirs = f.WidgetCountFactory(widget=permit, period_start=JAN)

    def lose(changes, **kwargs):
        for change in changes:
            change.status = "new"
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(writes, "_save_counts", lose)
    change = CountChange(permit, JAN, {"delivered": 1}, expected_version=SAW_NONE)
    with pytest.raises(CountConflict) as refused:
        save_counts([change], by=staff_a, source=CountSource.FORM)
    assert [(c.change, c.current) for c in refused.value.conflicts] == [(change, theirs)]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's (SQLite locks the file)"
)
def test_the_write_share_locks_the_widgets_it_counts(permit, staff_a):
    """The lock that keeps a declaration "does not apply" and a number for that field
    from being saved together (widgets.counting.writes.lock_not_applicable): taken,
    on the widgets' rows. No test races the two writers yet."""
    from django.test.utils import CaptureQueriesContext

    change = CountChange(permit, JAN, {"delivered": 1}, expected_version=SAW_NONE)
    with CaptureQueriesContext(connection) as queries:
        save_counts([change], by=staff_a, source=CountSource.FORM)
    locks = [q["sql"] for q in queries if "for share" in q["sql"].lower()]
    assert len(locks) == 1
    assert "widgets_widget" in locks[0]


def test_a_deadlock_is_a_conflict_and_another_database_error_is_not():
    with pytest.raises(CountConflict) as refused, races_as_conflicts():
        raise OperationalError("deadlock detected")
    assert refused.value.conflicts == []
    with pytest.raises(OperationalError), races_as_conflicts():
        raise OperationalError("server closed the connection")


def test_counts_from_a_file_or_a_token_are_not_entered_by_the_person(permit, staff_a, agency_a):
    upload = CountUpload.objects.create(agency=agency_a, uploaded_by=staff_a, file_name="c.csv")
    count = f.WidgetCountFactory(widget=permit, period_start=JAN, balance_note="Kept.")
    change = CountChange(permit, JAN, {"delivered": 85}, expected_version=count.version)
    save_counts([change], by=staff_a, source=CountSource.IMPORT, upload=upload, reason="File")
    count.refresh_from_db()
    assert (count.delivered, count.entered_by, count.upload) == (85, None, upload)
    assert count.source == CountSource.IMPORT
    assert count.balance_note == "Kept."
    assert count.updated_at > count.created_at
    latest = count.history.first()
    assert (latest.history_user, latest.history_change_reason) == (staff_a, "File")


def test_the_history_of_a_write_gives_its_source_as_the_reason(permit, staff_a):
    save_counts(
        [CountChange(permit, JAN, {"delivered": 7}, expected_version=SAW_NONE)],
        by=staff_a,
        source=CountSource.API,
    )
    assert WidgetCount.objects.get().history.get().history_change_reason == "API"
    assert save_counts([], by=staff_a, source=CountSource.API) == []
