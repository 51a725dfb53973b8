"""The page of an upload saved by the background worker (agencies.jobs), and its
small JSON status, which the page's script asks for while the worker runs it."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from . import jobs, previews
from .models import UploadJob
from .permissions import SIGNED_IN, grant


@grant(SIGNED_IN, job=UploadJob)
def upload_job(request, job):
    """Its progress while the worker runs it, then its result: saved, with the totals,
    or why nothing was saved (the rows with errors, as the preview shows them). Only
    whoever confirmed the upload (and administrators) see it. POST runs again a job
    whose worker stopped, or that failed unexpectedly."""
    stalled = jobs.stalled(job)
    may_retry = jobs.may_retry(job, stalled=stalled)
    if request.method == "POST":
        if may_retry:
            jobs.retry(job)
        return redirect(job)
    context = {
        "job": job,
        "stalled": stalled,
        "may_retry": may_retry,
        "progress_text": jobs.progress_text(job),
        "view": None,
    }
    view = jobs.page_view(job)
    if view is not None:
        view.request = request
        context["view"] = view
    refused = job.result.get("preview")
    if refused and view is not None:
        preview = previews.restored(refused)
        view.page_size = max(len(preview.rows), 1)  # the rows kept, on one page
        # No ticket: nothing is saved from here (the link below opens the whole preview).
        context.update(view.preview_context(preview, ""), preview=preview)
        ticket = job.result.get("ticket")
        if ticket:
            context["preview_url"] = f"{job.path}?{urlencode({'preview': ticket})}"
    return render(request, "uploads/job.html", context)


@require_GET
@grant(SIGNED_IN, job=UploadJob)
def upload_job_status(request, job):
    """{status, label, percent, rows_read, rows_total, text, finished, stalled}."""
    return JsonResponse(jobs.status(job))
