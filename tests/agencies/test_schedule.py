"""The worker's schedule (agencies.schedule, docs/adr/0007): each run happens once,
however many workers look, and survives their restarts."""

import datetime as dt
import io
import os
import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from agencies import schedule
from agencies.models import PeriodicTask
from tests import factories as f
from tests.task_worker import IN_ITS_OWN_PROCESS, finished, start_worker
from widgets.counting.reminders import send_reminders
from widgets.models import WidgetStatus

REMINDERS = {"task": "widgets.counting.reminders.send_reminders", "at": "07:00"}
EVERY_MINUTE = {"task": "agencies.jobs.recover_stalled_jobs", "every": 60}


def _at(text):
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def _late_owner(agency, username="late"):
    """An owner whose widget's latest due count is missing: one reminder to send."""
    owner = f.UserFactory(username=username, email=f"{username}@example.gov")
    f.WidgetFactory(agency=agency, owner=owner, status=WidgetStatus.APPROVED, name="Late permit")
    return owner


def test_a_daily_task_is_due_next_at_its_time_and_never_catches_up():
    task = PeriodicTask(name="r", task_path="x", at=dt.time(7), next_run_at=timezone.now())
    assert task.following(_at("2026-11-26 06:59")) == _at("2026-11-26 07:00")
    assert task.following(_at("2026-11-26 07:00")) == _at("2026-11-27 07:00")
    # A worker down for three days runs it once when it comes back, then daily again.
    assert task.following(_at("2026-11-29 10:00")) == _at("2026-11-30 07:00")
    every = PeriodicTask(name="s", task_path="x", every=dt.timedelta(seconds=60))
    assert every.following(_at("2026-11-26 10:00")) == _at("2026-11-26 10:01")


@pytest.mark.django_db
def test_sync_makes_the_rows_the_settings_say_and_keeps_their_next_run():
    now = _at("2026-11-26 10:00")
    schedule.sync({"count-reminders": REMINDERS, "stalled-uploads": EVERY_MINUTE}, now=now)
    rows = {p.name: p for p in PeriodicTask.objects.all()}
    assert rows["count-reminders"].next_run_at == _at("2026-11-27 07:00")
    assert rows["stalled-uploads"].next_run_at == _at("2026-11-26 10:01")

    # A worker starting later changes nothing that did not change...
    schedule.sync({"count-reminders": REMINDERS, "stalled-uploads": EVERY_MINUTE}, now=now)
    assert PeriodicTask.objects.get(name="stalled-uploads").next_run_at == _at("2026-11-26 10:01")
    # ...a new time is due anew, and an entry no longer in the settings is gone.
    later = {"count-reminders": {**REMINDERS, "at": "06:00"}}
    schedule.sync(later, now=_at("2026-11-26 10:05"))
    assert list(PeriodicTask.objects.values_list("name", "at", "next_run_at")) == [
        ("count-reminders", dt.time(6), _at("2026-11-27 06:00"))
    ]


@pytest.mark.django_db
def test_a_due_task_is_queued_and_moved_on():
    schedule.sync({"count-reminders": REMINDERS}, now=_at("2026-11-25 10:00"))
    assert schedule.run_due(now=_at("2026-11-26 06:59")) == []
    assert schedule.run_due(now=_at("2026-11-26 07:00")) == ["count-reminders"]
    assert schedule.run_due(now=_at("2026-11-26 07:00")) == []  # done for today
    row = PeriodicTask.objects.get()
    assert row.next_run_at == _at("2026-11-27 07:00")
    queued = DBTaskResult.objects.get()
    assert str(queued.id) == row.last_task_id
    assert queued.task_path == "widgets.counting.reminders.send_reminders"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="skipping a locked row is PostgreSQL's"
)
@pytest.mark.django_db(transaction=True)
def test_a_task_another_worker_is_claiming_is_skipped_not_queued_twice():
    """Two workers look at the same moment: the one that does not get the row's lock
    skips it, and once the first has committed, the row is no longer due."""
    schedule.sync({"count-reminders": REMINDERS}, now=_at("2026-11-25 10:00"))
    now = _at("2026-11-26 07:00")
    claimed, release, seen = threading.Event(), threading.Event(), {}

    def first_worker():
        try:
            with transaction.atomic():
                seen["first"] = schedule.run_due(now=now)
                claimed.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=first_worker)
    other.start()
    assert claimed.wait(10)
    assert schedule.run_due(now=now) == []  # locked by the first: skipped
    release.set()
    other.join()
    assert seen["first"] == ["count-reminders"]
    assert schedule.run_due(now=now) == []  # moved on by the first
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_the_scheduled_reminders_send_what_the_command_sends(agency_a, settings):
    settings.SITE_URL = "https://widgets.example.gov"
    _late_owner(agency_a)
    send_reminders.call()
    call_command("send_reminders", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["late@example.gov"]] * 2
    scheduled, by_hand = mail.outbox
    assert scheduled.body == by_hand.body  # the same words, links and all
    assert "https://widgets.example.gov/widgets/counts/da/?frequency=" in scheduled.body


def _emails(folder):
    """Every message the workers' file e-mail backend wrote (one file per connection)."""
    return [
        line
        for path in Path(folder).glob("*.log")
        for line in path.read_text().splitlines()
        if line.startswith("To: ")
    ]


@IN_ITS_OWN_PROCESS
@pytest.mark.django_db(transaction=True)
def test_two_workers_send_the_days_reminders_once(agency_a, tmp_path):
    """Two real workers (two processes, as on two hosts) look every 0.1 s at a schedule
    whose reminders are due: one of them queues the run, one runs it, one e-mail goes."""
    _late_owner(agency_a)
    schedule.sync({"count-reminders": REMINDERS, "stalled-uploads": EVERY_MINUTE})
    PeriodicTask.objects.filter(name="count-reminders").update(next_run_at=timezone.now())
    env = {"TEST_EMAIL_DIR": str(tmp_path)}
    workers = [start_worker("--schedule-every", "0.1", env=env) for _ in range(2)]
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = DBTaskResult.objects.filter(
                task_path="widgets.counting.reminders.send_reminders", status="SUCCESSFUL"
            )
            if done.exists():
                break
            time.sleep(0.2)
        time.sleep(2)  # twenty more looks of each worker's scheduler: nothing more is queued
    finally:
        for worker in workers:
            worker.terminate()
        results = [finished(worker, timeout=60) for worker in workers]
    assert all(code == 0 for code, _err in results), results
    runs = DBTaskResult.objects.filter(task_path="widgets.counting.reminders.send_reminders")
    assert [(r.status, r.return_value) for r in runs] == [("SUCCESSFUL", {"reminders sent": 1})]
    assert _emails(tmp_path) == ["To: late@example.gov"]
    row = PeriodicTask.objects.get(name="count-reminders")
    # moved on to the next 07:00 (local) after the run: later today when the run
    # was before 07:00, else tomorrow (CI once ran this at 06:20 New York time)
    assert timezone.localtime(row.next_run_at).time() == dt.time(7, 0)
    assert row.last_run_at < row.next_run_at <= row.last_run_at + dt.timedelta(days=1)


@pytest.mark.django_db
def test_the_housekeeping_tasks_run_as_their_commands_do(settings, tmp_path):
    from agencies import housekeeping, tabular

    settings.MEDIA_ROOT = tmp_path
    stale = tmp_path / tabular.STASH_DIR / "old.csv"
    stale.parent.mkdir()
    stale.write_text("a,b\n")
    old = time.time() - tabular.STASH_MAX_AGE - 60
    os.utime(stale, (old, old))
    assert housekeeping.clear_stale_uploads.call() == {"deleted": 1}
    assert not stale.exists()
    done = send_reminders.enqueue().id
    DBTaskResult.objects.filter(id=done).update(
        status="SUCCESSFUL", finished_at=timezone.now() - dt.timedelta(days=15)
    )
    recent = send_reminders.enqueue().id
    housekeeping.prune_task_results.call()
    assert [str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)] == [recent]
