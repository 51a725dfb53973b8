"""Housekeeping the worker does on its schedule (settings.WORKER_SCHEDULE,
docs/adr/0007), instead of cron: each is also a management command for a run by hand."""

from django.core.management import call_command
from django_tasks import task

from .tabular import clear_stale_stashes


@task()
def clear_stale_uploads():
    """Delete the stashed files of previews nobody saved or cancelled (hourly)."""
    return {"deleted": clear_stale_stashes()}


@task()
def prune_task_results():
    """Delete the results of tasks finished more than 14 days ago (django-tasks-db's
    command and default age; daily). It logs how many it deleted."""
    call_command("prune_db_task_results")
