"""What the background worker keeps in the database (docs/adr/0004, docs/adr/0007).

UploadJob: a confirmed upload too large to save inside a request (any
agencies.uploads.UploadView: counts, survey results, a service inventory),
queued for the worker, with its progress and then its result.
PeriodicTask: one scheduled job (count reminders...) and when it is next due;
the worker that claims it first queues it, once (agencies.schedule).
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import TimeStampedModel


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    READING = "reading", "Reading and checking every row"
    SAVING = "saving", "Saving every row, or none"
    DONE = "done", "Saved"
    FAILED = "failed", "Nothing was saved"


RUNNING = (JobStatus.READING, JobStatus.SAVING)


class UploadJobQuerySet(models.QuerySet):
    def for_user(self, user):
        """Whoever started the upload sees it; administrators see every one."""
        if user.is_superuser:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(started_by=user)


class UploadJob(TimeStampedModel):
    """A confirmed upload saved by the background worker (agencies.jobs), so that no
    request outlasts the server's timeout; its page shows the progress, then the result.

    The worker runs the commit of the very page the upload came from (`path`), as
    the person who confirmed it, after checking again that they still may.
    """

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The upload page (its URL path), its title (e.g. "Upload counts") and where it
    # sends a person after a save.
    path = models.CharField(max_length=300)
    title = models.CharField(max_length=200)
    success_url = models.CharField(max_length=300, blank=True)
    # The preview's signed ticket, opened: the stashed files, the form's options and
    # what the preview saw (the state its commit checks, e.g. the counts' versions).
    files = models.JSONField(default=dict)
    options = models.JSONField(default=dict, blank=True)
    state = models.JSONField(default=dict, blank=True)
    filenames = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_read = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    # A refused save: the preview as the worker found it (agencies.jobs.stored_preview)
    # and a ticket to see it whole on the upload page; `retry` when running it again
    # may succeed (the worker stopped, or failed unexpectedly).
    result = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    objects = UploadJobQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="agencies_uploadjob_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.pk}: {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("uploads:job", kwargs={"pk": self.pk})

    @property
    def finished(self):
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self):
        """How far it got, 0-100: reading and checking is the first 90%; the save, one
        transaction, the rest, and 100 only once it is saved."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(self.rows_read, self.rows_total) * 90 // self.rows_total

    @property
    def all_read(self):
        return self.status in RUNNING and self.rows_read >= self.rows_total


class PeriodicTask(TimeStampedModel):
    """A task the worker queues on a schedule (agencies.schedule): daily `at` a time
    of day (TIME_ZONE), or `every` so long. Rows are made from settings.WORKER_SCHEDULE
    when a worker starts; `next_run_at` is what makes a run happen once: the worker
    that claims a due row queues its task and moves it on, in one transaction."""

    name = models.SlugField(max_length=60, unique=True)
    task_path = models.CharField(max_length=200)  # a django-tasks @task's dotted path
    at = models.TimeField(null=True, blank=True)
    every = models.DurationField(null=True, blank=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)  # when it was last queued
    last_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(at__isnull=True, every__gt=dt.timedelta(0))
                | Q(at__isnull=False, every__isnull=True),
                name="agencies_periodictask_one_timing",
            ),
        ]

    def __str__(self):
        return f"{self.name}: next {self.next_run_at:%Y-%m-%d %H:%M}"

    def following(self, now):
        """When it is due next after `now`: no catching up on runs a stopped worker missed."""
        if self.every is not None:
            return now + self.every
        local = timezone.localtime(now)
        day = local.date()
        when = timezone.make_aware(dt.datetime.combine(day, self.at))
        if when <= now:
            when = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), self.at))
        return when
