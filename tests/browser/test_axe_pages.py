"""axe-core (WCAG 2.2 A/AA) on every named URL pattern, with a sample object,
for the roles that can see it, and on the error state of every form.

The walk covers the URL resolver, so a new page is checked the day it is
added; a new URL that takes arguments needs a sample in SAMPLES (the test
fails until it has one). Pages that are not HTML (exports, JSON, the token
API) and POST-only actions are listed as such. The list of what was checked
is printed and written to reports/axe-pages.txt (CI prints it).
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agencies.models import Agency, JobStatus, UploadJob
from outcomes.models import Board, Outcome, Problem, Review
from tests import factories as f
from widgets.api.tokens import issue_token
from widgets.models import (
    CountUpload,
    Survey,
    SurveyInvitation,
    SurveyResult,
    Widget,
    WidgetCount,
)
from widgets.periods import next_period_start

from .conftest import (
    assert_no_axe_violations,
    axe_violations,
    fit_problems,
    measurement_files,
    upload,
)

pytestmark = pytest.mark.django_db(transaction=True)
DEMO_PASSWORD = "widgets-demo-2026"
REPORT = Path(settings.BASE_DIR) / "reports" / "axe-pages.txt"

# Forms whose error state is checked: posted empty, they must show errors accessibly.
FORM_PAGES = {
    "widgets:create-for",
    "widgets:edit",
    "widgets:count-entry",
    "widgets:count-edit",
    "widgets:count-upload",
    "widgets:import",
    "widgets:survey-create",
    "widgets:survey-import",
    "widgets:inventory-import",
    "customers:create",
    "customers:edit",
    "outcomes:create",
    "outcomes:edit",
    "outcomes:measurement-create",
    "outcomes:measurement-import",
    "outcomes:countermeasure-create",
    "outcomes:review-create",
    "widgets:hosted-survey-new",
    "widgets:hosted-survey-edit",
    "widgets:hosted-survey-invitations",
    "answer:survey",
    "outcomes:board-measures",
    "outcomes:problem-create",
    "outcomes:problem-edit",
    "outcomes:problem-solve",
    "outcomes:problem-send-back",
}


def _walk(resolver, ns=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, f"{ns}{entry.namespace}:" if entry.namespace else ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{ns}{entry.name}", entry.pattern.regex.groupindex


def _samples():
    """URL name -> kwargs (or (kwargs, query string)), from the demo data of DEQ."""
    deq = Agency.objects.get(slug="deq")
    widget = Widget.objects.get(name="Air quality permit")
    draft = Widget.objects.filter(agency=deq, status="draft").first()
    count = WidgetCount.objects.filter(widget=widget).order_by("-period_start").first()
    outcome = Outcome.objects.filter(agency=deq).first()
    token, _ = issue_token(agency=deq, name="Permit system", by=None)
    # The demo's held (closed) review, and an open one for the month after it.
    held = Review.objects.get(agency=deq)
    review = Review.objects.create(agency=deq, month=next_period_start(held.month, "month"))
    countermeasure = f.CountermeasureFactory(outcome=outcome, owner=None)
    survey = SurveyResult.objects.filter(widget__agency=deq).first()
    CountUpload.objects.create(agency=deq, file_name="counts.csv")
    # A finished background upload of the manager's (its progress and its refusal:
    # tests/browser/test_count_upload_job.py).
    job = UploadJob.objects.create(
        started_by=get_user_model().objects.get(username="manager@deq"),
        path="/widgets/inventory/import/",
        title="Import a service inventory",
        success_url="/widgets/?status=draft",
        status=JobStatus.DONE,
        rows_total=771,
        rows_read=771,
        filenames=["si_2024.csv", "ss_2024.csv"],
        message="Service inventory saved: 279 widgets created, 0 changed.",
    )
    # The demo's hosted survey (seed_demo), one of its invitations not yet answered.
    hosted = Survey.objects.get(widget__agency=deq)
    invitation = SurveyInvitation.objects.filter(batch__survey=hosted, response=None).first()
    slug = {"slug": "deq"}
    team_board = Board.objects.get(team__name="Permit writers")
    problem = Problem.objects.filter(board=team_board).first()  # with its actions
    a3_problem = Problem.objects.get(board__tier="agency", board__agency=deq, depth="a3")
    # A problem that came up and is still worked above (the demo's lab results).
    came_up = Problem.objects.filter(
        board__agency=deq, escalated_from__isnull=False, status__in=("open", "solving")
    ).first()
    return {
        "agencies:detail": slug,
        "customers:detail": {"pk": deq.segments.first().pk},
        "customers:edit": {"pk": deq.segments.first().pk},
        "customers:archive": {"pk": deq.segments.first().pk},
        "widgets:create-for": slug,
        "widgets:count-entry": slug,
        "widgets:overdue": slug,
        "widgets:data-quality": slug,
        "widgets:count-upload": slug,
        "widgets:count-edit": {"pk": count.pk},
        "widgets:count-history": {"pk": widget.pk},
        "widgets:detail": {"pk": widget.pk},
        "widgets:edit": {"pk": draft.pk},
        "widgets:transition": {"pk": draft.pk, "action": "submit"},
        "widgets:survey-create": {"pk": widget.pk},
        "widgets:survey-edit": {"pk": survey.pk},
        "widgets:api-tokens": slug,
        "widgets:api-token-revoke": {"slug": "deq", "pk": token.pk},
        "uploads:job": {"pk": job.pk},
        "uploads:job-status": {"pk": job.pk},
        "widgets:inventory-export-services": slug,
        "widgets:inventory-export-standards": slug,
        "widgets:a11-export": slug,
        "widgets:opendata-csv": slug,
        "widgets:opendata-json": slug,
        "outcomes:detail": {"pk": outcome.pk},
        "outcomes:edit": {"pk": outcome.pk},
        "outcomes:step-change-create": {"pk": outcome.pk},
        "outcomes:measurement-create": {"pk": outcome.pk},
        "outcomes:dashboard": slug,
        "outcomes:flows": slug,
        "outcomes:huddle": slug,
        "outcomes:engagement": slug,
        "outcomes:board": {"pk": team_board.pk},
        "outcomes:board-tv": {"pk": team_board.pk},
        "outcomes:board-measures": {"pk": team_board.pk},
        "outcomes:problem-create": {"pk": team_board.pk},
        "outcomes:problem": {"pk": problem.pk},
        "outcomes:problem-edit": {"pk": problem.pk},
        "outcomes:problem-action-create": {"pk": problem.pk},
        "outcomes:problem-action-done": {"pk": problem.actions.first().pk},
        "outcomes:problem-escalate": {"pk": problem.pk},
        "outcomes:problem-send-back": {"pk": came_up.pk},
        "outcomes:problem-solve": {"pk": a3_problem.pk, "depth": "a3"},
        "outcomes:problem-a3": {"pk": a3_problem.pk},
        "outcomes:problem-countermeasure": {"pk": problem.pk},
        "outcomes:create": slug,
        "outcomes:review-list": slug,
        "outcomes:review-create": slug,
        "outcomes:countermeasure-create": (slug, f"?outcome={outcome.pk}"),
        "outcomes:countermeasure-edit": {"pk": countermeasure.pk},
        "outcomes:review-detail": {"pk": review.pk},
        "outcomes:review-close": {"pk": review.pk},
        "outcomes:review-pack": {"pk": held.pk},
        "outcomes:review-pack-pdf": {"pk": held.pk},
        "outcomes:review-pack-make": {"pk": review.pk},
        "widgets:hosted-survey-new": {"pk": widget.pk},  # a widget with no survey: the form
        "widgets:hosted-survey": {"pk": hosted.pk},
        "widgets:hosted-survey-edit": {"pk": hosted.pk},
        "widgets:hosted-survey-action": {"pk": hosted.pk, "action": "pause"},
        "widgets:hosted-survey-qr": {"pk": hosted.pk},
        "widgets:hosted-survey-print": {"pk": hosted.pk},
        "widgets:hosted-survey-invitations": {"pk": hosted.pk},
        "widgets:hosted-survey-invitations-csv": {"pk": hosted.batches.first().pk},
        "widgets:hosted-survey-comments": {"pk": hosted.pk},
        "widgets:hosted-survey-redact": {"pk": hosted.responses.first().pk},
        "answer:survey": {"code": hosted.code},
        "answer:invitation": {"token": invitation.token},
        "answer:thanks": {"code": hosted.code},
        "public:agency": slug,
        "public:data": slug,
        "public:widgets-csv": slug,
        "public:outcomes-csv": slug,
        "public:data-json": slug,
        "public:dictionary-csv": slug,
    }


def _skip_reason(name):
    if name.startswith("api:"):
        return "token API (JSON), tested in tests/widgets/test_api.py"
    if name.startswith("admin:") and name not in ADMIN_SAMPLE:
        return "Django admin: a sample of its pages is checked"
    if re.match(r"(account_|mfa_|socialaccount_|openid_connect_|sso-|not-offered-)", name):
        return "sign-in pages of django-allauth: checked in tests/browser/test_sso.py"
    return None


ADMIN_SAMPLE = {"admin:index", "admin:agencies_membership_add", "admin:widgets_widget_changelist"}


def _sign_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_every_page_has_no_axe_violations(page, base):
    call_command("seed_demo", stdout=io.StringIO())
    samples = _samples()
    urls, lines, failures = {}, [], []
    for name, params in sorted(_walk(get_resolver())):
        reason = _skip_reason(name)
        if reason:
            lines.append(f"skipped  {name}: {reason}")
            continue
        if params and name not in samples:
            failures.append(f"{name}: add a sample to SAMPLES")
            continue
        sample = samples.get(name) or {}
        kwargs, query = sample if isinstance(sample, tuple) else (sample, "")
        urls[name] = reverse(name, kwargs=kwargs or None) + query

    checked = 0
    for role in ("manager@deq", "staff@deq", "admin", None):
        if role:
            _sign_in(page, base, role)
        else:
            page.context.clear_cookies()
        for name, url in urls.items():
            if role == "admin" and not name.startswith("admin:") and name != "home":
                continue
            if role != "admin" and name.startswith("admin:"):
                continue
            # Ask first without rendering: exports and POST-only actions are not pages.
            response = page.request.get(base + url, max_redirects=0)
            kind = response.headers.get("content-type", "")
            status = response.status
            if status == 405:
                lines.append(f"POST only {name}")
                continue
            if "text/html" not in kind:
                lines.append(f"not HTML  {name} ({kind.split(';')[0]})")
                continue
            if status != 200:
                lines.append(f"{role or 'anonymous'}: {status} for {name}")
                continue
            page.goto(base + url)
            assert page.url == base + url, (name, page.url)
            violations = axe_violations(page)
            checked += 1
            lines.append(f"{role or 'anonymous'}: checked {name} {url}")
            if violations:
                failures.append(f"{role} {name} {url}: {violations}")
            if not name.startswith("admin:"):
                failures += [f"{role} {name} {url}: {p}" for p in fit_problems(page)]
            forms = page.locator("main form[method=post]")
            if name in FORM_PAGES and role == "manager@deq" and forms.count():
                # submit() skips the browser's own checks: the server's messages are tested.
                with page.expect_navigation():
                    forms.last.evaluate("f => f.submit()")
                violations = axe_violations(page)
                checked += 1
                lines.append(f"{role}: checked the error state of {name}")
                if violations:
                    failures.append(f"{role} {name} (error state): {violations}")
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")
    print(f"axe checked {checked} page states; see {REPORT}")
    assert checked > 60
    assert failures == [], "\n".join(failures)


def test_upload_preview_states_have_no_axe_violations(page, base, tmp_path):
    """The preview of agencies.uploads, as every import shows it: with errors (by kind,
    a column not read, more than one page), its second page, and with changes."""
    call_command("seed_demo", stdout=io.StringIO())
    outcome = Outcome.objects.filter(agency__slug="deq").first()
    errors, changes = measurement_files(tmp_path, outcome)
    _sign_in(page, base, "staff@deq")
    page.goto(base + reverse("outcomes:measurement-import"))
    upload(page, errors)
    assert page.get_by_text("have errors. Nothing has been saved.").count() == 1
    assert page.get_by_text("These columns are not read").count() == 1
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Page 2").click()
    assert "page=2" in page.url
    assert_no_axe_violations(page)
    upload(page, changes)
    assert page.get_by_text("clears note (was Provisional estimate)").count() == 1
    assert_no_axe_violations(page)
