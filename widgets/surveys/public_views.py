"""The public pages of a hosted survey: answered by anyone, with no account and no script.

`/s/<code>/` is the survey's short link (printed as a QR code); `/s/i/<token>/` an
invitation, answerable once. English or Spanish: `?lang=es` (the language switch
on the page is a plain link), else the browser's Accept-Language, else English.
The page is drawn inside `translation.override`, so every word goes through
Django's translation machinery (locale/es/LC_MESSAGES/django.po).

Abuse (docs/surveys.md, "Abuse"): an answer larger than SURVEY_MAX_BODY_BYTES is
refused unread (413); answers are rate-limited per client address and per survey
(agencies.ratelimits, 429 with a message and Retry-After); a form that fills the
honeypot field gets the thank-you page and saves nothing; nothing on these pages
shows another respondent's answers or comments.
"""

import logging

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from agencies.permissions import PUBLIC, grant
from agencies.ratelimits import survey_answer_limited

from ..models import Language, Survey, SurveyInvitation, SurveyStatus
from .answering import AnswerForm, AnswerRefused, record_answer, refusal

log = logging.getLogger(__name__)
LANGUAGES = frozenset(Language.values)
SURVEYS = Survey.objects.select_related("widget__agency").exclude(status=SurveyStatus.DRAFT)


def choose_language(request):
    asked = request.GET.get("lang")
    if asked in LANGUAGES:
        return asked
    found = translation.get_language_from_request(request)
    # Plain strings: a header value must be exactly a str (WSGI servers check).
    return Language.SPANISH.value if found.startswith("es") else Language.ENGLISH.value


def _page(request, template, context, *, language, status=200):
    with translation.override(language):
        response = render(request, template, {**context, "language": language}, status=status)
    response["Content-Language"] = language
    response.setdefault("Vary", "Accept-Language")
    return response


def _context(survey, language, path):
    title, title_language = survey.text("title", language)
    intro, intro_language = survey.text("intro", language)
    other = Language.SPANISH.value if language == Language.ENGLISH else Language.ENGLISH.value
    return {
        "survey": survey,
        "agency": survey.widget.agency,
        "title": title,
        "title_language": title_language,
        "intro": intro,
        "intro_language": intro_language,
        "other_language": other,
        "other_language_name": Language(other).label,
        "switch_url": f"{path}?lang={other}",
    }


def _answer(request, *, survey, invitation, path):
    language = choose_language(request)
    context = _context(survey, language, path)
    if request.method == "POST":
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.SURVEY_MAX_BODY_BYTES:
            return _page(
                request,
                "widgets/surveys/public/state.html",
                {**context, "state": "too_big"},
                language=language,
                status=413,
            )
        limited = survey_answer_limited(request, survey.code)
        if limited:
            limit, seconds = limited
            response = _page(
                request,
                "widgets/surveys/public/state.html",
                {**context, "state": "limited", "limit": limit, "minutes": -(-seconds // 60)},
                language=language,
                status=429,
            )
            response["Retry-After"] = str(seconds)
            return response
    why = refusal(survey, invitation)
    if why:
        status = 409 if request.method == "POST" else 200
        return _page(
            request,
            "widgets/surveys/public/state.html",
            {**context, "state": why},
            language=language,
            status=status,
        )
    with translation.override(language):
        data = request.POST if request.method == "POST" else None
        form = AnswerForm(data, survey=survey, invitation=invitation)
        if request.method == "POST":
            if form.is_bot:
                # Pretend all went well: a program learns nothing; nothing is saved.
                log.info("Survey %s: an answer with the honeypot filled, not saved.", survey.code)
                return redirect(_thanks_url(survey, language))
            if form.is_valid():
                try:
                    record_answer(
                        survey=survey,
                        invitation=invitation,
                        cleaned=form.cleaned_data,
                        language=language,
                    )
                except AnswerRefused as exc:
                    return _page(
                        request,
                        "widgets/surveys/public/state.html",
                        {**context, "state": exc.reason},
                        language=language,
                        status=409,
                    )
                return redirect(_thanks_url(survey, language))
    return _page(
        request,
        "widgets/surveys/public/answer.html",
        {**context, "form": form, "action": f"{path}?lang={language}"},
        language=language,
    )


def _thanks_url(survey, language):
    return f"{reverse('answer:thanks', args=[survey.code])}?lang={language}"


@grant(PUBLIC)
def answer_survey(request, code):
    survey = get_object_or_404(SURVEYS, code=code)
    return _answer(request, survey=survey, invitation=None, path=request.path)


@grant(PUBLIC)
def answer_invitation(request, token):
    invitation = get_object_or_404(
        SurveyInvitation.objects.select_related("batch__survey__widget__agency", "batch__segment"),
        token=token,
    )
    survey = invitation.batch.survey
    if survey.status == SurveyStatus.DRAFT:
        raise Http404("No such survey.")
    return _answer(request, survey=survey, invitation=invitation, path=request.path)


@require_GET
@grant(PUBLIC)
def thanks(request, code):
    survey = get_object_or_404(SURVEYS, code=code)
    language = choose_language(request)
    context = _context(survey, language, request.path)
    return _page(request, "widgets/surveys/public/thanks.html", context, language=language)
