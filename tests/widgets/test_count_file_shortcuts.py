"""The shortcuts a count file's preview and commit take for speed give what the
definitions they stand in for give (docs/performance.md, "The count import back above 0.3"):

- widgets.periods.starts_between: stepping next_period_start;
- the positional test of a row's shares (upload._may_break_rules): only a row the
  rules (counting.check_rules) may refuse is given to them;
- agencies.tabular.collecting_less: the cycle collector's threshold is put back,
  whatever happens in the block and however many blocks overlap.
"""

import datetime as dt
import gc
import threading
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agencies.tabular import ROWS_GC_THRESHOLD, collecting_less
from widgets import counting, measures
from widgets.counting.rows import KEEP
from widgets.counting.upload import _may_break_rules
from widgets.periods import Frequency, next_period_start, period_start, starts_between


def _stepped(first, last, frequency):
    found, period = [], first
    while period <= last:
        found.append(period)
        period = next_period_start(period, frequency)
    return found


@given(
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2098, 1, 1)),
    days=st.integers(min_value=-40, max_value=1200),
    frequency=st.sampled_from(list(Frequency)),
)
def test_starts_between_is_stepping_period_by_period(day, days, frequency):
    first = period_start(day, frequency)
    last = first + dt.timedelta(days=days)
    assert starts_between(first, last, frequency) == _stepped(first, last, frequency)


CELLS = st.one_of(
    st.just(KEEP),
    st.none(),
    st.just(measures.NOT_APPLICABLE),
    st.integers(min_value=0, max_value=30),
    st.decimals(min_value=0, max_value=30, places=2).map(Decimal),
)


@given(values=st.tuples(*[CELLS] * len(counting.VALUE_FIELDS)))
def test_a_row_the_positional_test_passes_breaks_no_rule(values):
    """Each row's cells as _check gives them to the rules (the cells that say
    something): a row _may_break_rules lets through is one check_rules finds
    nothing in. (A row it holds back is judged by check_rules itself.)"""
    sent = {n: v for n, v in zip(counting.VALUE_FIELDS, values, strict=True) if v is not KEEP}
    if not _may_break_rules(values):
        assert counting.check_rules(sent) == {}


def test_the_positional_test_holds_back_a_share_above_its_whole():
    values = dict.fromkeys(counting.VALUE_FIELDS, KEEP)
    values.update(delivered=3, within_standard=5)
    assert _may_break_rules(tuple(values.values()))
    values.update(within_standard=3, rework=None)
    assert not _may_break_rules(tuple(values.values()))


def test_collecting_less_raises_the_threshold_and_puts_it_back():
    before = gc.get_threshold()
    with collecting_less():
        assert gc.get_threshold() == (ROWS_GC_THRESHOLD, *before[1:])
        with collecting_less():
            assert gc.get_threshold()[0] == ROWS_GC_THRESHOLD
        assert gc.get_threshold()[0] == ROWS_GC_THRESHOLD  # the outer block goes on
    assert gc.get_threshold() == before
    with pytest.raises(ZeroDivisionError), collecting_less():
        1 / 0  # noqa: B018 - an error inside the block
    assert gc.get_threshold() == before


def test_collecting_less_in_overlapping_threads_puts_the_threshold_back_last():
    """The first reader in raises it, the last out restores it: in the order
    A in, B in, A out, B out, the threshold stays raised until B is out."""
    before = gc.get_threshold()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def reader_a():
        with collecting_less():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def reader_b():
        a_in.wait(5)
        with collecting_less():
            b_in.set()
            a_out.wait(5)
            seen["after A left"] = gc.get_threshold()[0]

    threads = [threading.Thread(target=reader_a), threading.Thread(target=reader_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"after A left": ROWS_GC_THRESHOLD}
    assert gc.get_threshold() == before
