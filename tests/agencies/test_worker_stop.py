"""`manage.py worker` stops cleanly on SIGTERM (a deploy, `systemctl stop`), wherever
the signal lands (agencies/management/commands/worker.py, GracefulWorker)."""

import signal

import pytest
from django.db import connection

from agencies.management.commands.worker import GracefulWorker

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


def _worker():
    return GracefulWorker(
        queue_names=["default"],
        excluded_queue_names=[],
        interval=0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="stop-test",
    )


@pytest.fixture
def own_signal_handlers():
    """The worker sets the process's handlers for the stop signals: put pytest's back."""
    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    yield
    for number, handler in previous.items():
        signal.signal(number, handler)


# The worker closes connections it finds in a transaction (close_old_connections), as
# the test's own would be: the test commits instead.
@pytest.mark.django_db(transaction=True)
def test_sigterm_inside_the_look_for_a_task_ends_the_worker_after_that_look(own_signal_handlers):
    """CI once saw db_worker's own worker end with a traceback and exit code 1: the
    signal landed in its look for a queued task, a transaction, and its handler's
    sys.exit() broke the COMMIT. Here the signal is raised while the look's query
    runs, inside its transaction: the look finishes, the loop ends, run() returns."""
    looks = []

    def signal_in_the_look(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "dbtaskresult" in sql.lower() and connection.in_atomic_block:
            looks.append(sql)
            if len(looks) == 1:
                signal.raise_signal(signal.SIGTERM)
        return result

    worker = _worker()
    worker.configure_signals()
    with connection.execute_wrapper(signal_in_the_look):
        worker.run()  # returns, where db_worker's Worker raised SystemExit in the transaction

    assert len(looks) == 1  # no look after the one the signal landed in
    assert not worker.running
    with connection.cursor() as cursor:  # and the connection is fit for use
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_second_signal_stops_the_worker_at_once(own_signal_handlers):
    worker = _worker()
    worker.configure_signals()
    worker.shutdown(signal.SIGTERM, None)
    assert not worker.running
    with pytest.raises(SystemExit) as stopped:
        worker.shutdown(signal.SIGTERM, None)
    assert stopped.value.code == 1
