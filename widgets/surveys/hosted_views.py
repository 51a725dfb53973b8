"""Staff pages of hosted surveys: make, edit, publish / pause / close, print, invite, read.

Who may use each is declared on it (docs/surveys.md, "Who may do what"); the
comments and the invitation links stay inside the agency (staff of it).
"""

import io

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agencies import tabular
from agencies.errors import EditConflict
from agencies.permissions import READ, STAFF, grant
from agencies.scoping import can_change
from config.forms import refuse_stale_save

from ..models import InvitationBatch, Survey, SurveyResponse, SurveyStatus, Widget
from ..periods import Frequency, describe_period
from . import hosting, rollup
from .funnel import funnel
from .hosted_forms import InvitationForm, RedactionForm, SurveyForm

SURVEYS = Survey.objects.select_related("widget__agency", "widget__program")
COMMENTS_PER_PAGE = 50
BATCHES_SHOWN = 100
PERIOD_NAMES = {Frequency.MONTH: "month", Frequency.QUARTER: "fiscal quarter"}


def short_link(request, survey):
    return request.build_absolute_uri(reverse("answer:survey", args=[survey.code]))


def invitation_link(request, token):
    return request.build_absolute_uri(reverse("answer:invitation", args=[token]))


@grant(STAFF, widget=Widget.objects.select_related("agency"), to="make surveys of its widgets")
def hosted_survey_new(request, widget):
    current = widget.surveys.exclude(status=SurveyStatus.CLOSED).first()
    if current is not None:
        messages.info(request, "This widget has a survey already: here it is.")
        return redirect(current)
    initial = {"title": f"How was getting your {widget.name.lower()}?"}
    form = SurveyForm(request.POST or None, widget=widget, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            survey = hosting.create_survey(survey=form.instance, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Survey made, as a draft: a manager publishes it.")
            return redirect(survey)
    return render(
        request, "widgets/surveys/hosted/survey_form.html", {"form": form, "widget": widget}
    )


@grant(STAFF, survey=SURVEYS, to="change its surveys")
def hosted_survey_edit(request, survey):
    form = SurveyForm(request.POST or None, instance=survey, widget=survey.widget)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            hosting.save_survey(
                survey=form.instance, by=request.user, saw_version=form.cleaned_data["version"]
            )
        except EditConflict as exc:
            conflict = exc.current
            refuse_stale_save(form, current=conflict, noun="this survey")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Survey saved.")
            return redirect(survey)
    return render(
        request,
        "widgets/surveys/hosted/survey_form.html",
        {"form": form, "widget": survey.widget, "survey": survey, "conflict": conflict},
    )


@grant(READ, survey=SURVEYS)
def hosted_survey(request, survey):
    user = request.user
    agency_id = survey.widget.agency_id
    is_staff = can_change(user, agency_id, STAFF)
    actions = [
        (action, label)
        for action, label in (
            ("publish", "Publish"),
            ("resume", "Open again"),
            ("pause", "Pause"),
            ("close", "Close"),
        )
        if survey.status in hosting.TRANSITIONS[action][0]
        and can_change(user, agency_id, hosting.TRANSITIONS[action][2])
    ]
    return render(
        request,
        "widgets/surveys/hosted/survey_detail.html",
        {
            "survey": survey,
            "widget": survey.widget,
            "short_link": short_link(request, survey),
            "funnel": funnel(survey),
            "held": [
                describe_period(p, rollup.survey_frequency(survey.widget))
                for p in rollup.held_periods(survey.widget)
            ],
            "actions": actions,
            "is_staff": is_staff,
            "period_name": PERIOD_NAMES[rollup.survey_frequency(survey.widget)],
        },
    )


def _role_of(action):
    if action not in hosting.TRANSITIONS:
        raise Http404("No such action.")
    return hosting.TRANSITIONS[action][2]


@require_POST
@grant(_role_of, survey=SURVEYS, to="do that to its surveys")
def hosted_survey_action(request, survey, action):
    try:
        hosting.transition_survey(survey=survey, action=action, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The survey is {hosting.TRANSITIONS[action][3]}.")
    return redirect(survey)


def _qr_svg(url, *, title):
    buffer = io.BytesIO()
    # Error correction "M" survives a crease or a smudge on a printed receipt.
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=8, border=4, xmldecl=False, title=title, svgclass="qr-code"
    )
    return buffer.getvalue()


@require_GET
@grant(READ, survey=SURVEYS)
def hosted_survey_qr(request, survey):
    svg = _qr_svg(short_link(request, survey), title=f"QR code of the survey: {survey.title}")
    response = HttpResponse(svg, content_type="image/svg+xml")
    if "download" in request.GET:
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.code}-qr.svg"'
    return response


@require_GET
@grant(READ, survey=SURVEYS)
def hosted_survey_print(request, survey):
    return render(
        request,
        "widgets/surveys/hosted/survey_print.html",
        {"survey": survey, "widget": survey.widget, "short_link": short_link(request, survey)},
    )


@grant(STAFF, survey=SURVEYS, to="invite customers to its surveys")
def hosted_survey_invitations(request, survey):
    form = InvitationForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            batch = hosting.make_invitations(
                survey=survey,
                period_start=form.cleaned_data["delivered_on"],
                channel=form.cleaned_data["channel"],
                segment=form.cleaned_data["segment"],
                size=form.cleaned_data["size"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Made {batch.size:,} invitations for {form.period_label()}: download their "
                "links below.",
            )
            return redirect("widgets:hosted-survey-invitations", pk=survey.pk)
    batches = survey.batches.select_related("segment", "created_by").order_by("-created_at")
    frequency = rollup.survey_frequency(survey.widget)
    for batch in batches:
        batch.period = describe_period(batch.period_start, frequency)
    return render(
        request,
        "widgets/surveys/hosted/invitations.html",
        {
            "survey": survey,
            "widget": survey.widget,
            "form": form,
            "batches": batches,
            "batch_count": survey.batches.count() if len(batches) == BATCHES_SHOWN else None,
        },
    )


@require_GET
@grant(
    STAFF,
    batch=InvitationBatch.objects.select_related("survey__widget__agency"),
    to="read its invitation links",
)
def hosted_survey_invitations_csv(request, batch):
    rows = [
        [invitation_link(request, token), batch.period_start.isoformat(), batch.channel]
        for token in batch.invitations.order_by("pk").values_list("token", flat=True)
    ]
    return tabular.export_response(
        headers=["invitation_link", "period_start", "channel"],
        rows=rows,
        filename=f"survey-{batch.survey.code}-invitations-{batch.pk}",
        fmt="csv",
    )


@require_GET
@grant(STAFF, survey=SURVEYS, to="read its customers' comments")
def hosted_survey_comments(request, survey):
    responses = (
        survey.responses.exclude(comment="", comment_redacted_at__isnull=True)
        .select_related("segment", "comment_redacted_by")
        .order_by("-created_at")
    )
    page = Paginator(responses, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "widgets/surveys/hosted/comments.html",
        {
            "survey": survey,
            "widget": survey.widget,
            "page": page,
            "redaction_form": RedactionForm(),
            "frequency": rollup.survey_frequency(survey.widget),
        },
    )


@require_POST
@grant(
    STAFF,
    response=SurveyResponse.objects.select_related("survey__widget__agency"),
    to="redact its survey comments",
)
def hosted_survey_redact(request, response):
    form = RedactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the comment is redacted; nothing was changed.")
    else:
        try:
            hosting.redact_comment(
                response=response, by=request.user, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, "The comment is redacted: its words are gone.")
    return redirect("widgets:hosted-survey-comments", pk=response.survey_id)
