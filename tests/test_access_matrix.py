"""The access matrix: every URL x every role x GET / POST, against agency A's objects.

The expected answers are tests/access_policy.py's, from docs/domain.md, "Who may do what". The
URLs come from the resolver, so a new URL with no entry in the policy fails
here until its policy is declared. A refused request must change nothing: the
row count and the latest updated_at of every table of the four apps are
compared before and after each refused or read-only request. Every request
runs in a savepoint that is rolled back, so an allowed change (a retirement,
a revoked token) does not disturb the cases after it.

All mismatches are reported at once, with the role, method, URL, the answer
expected and the answer given.
"""

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from agencies.models import JobStatus, Role, UploadJob
from outcomes.huddles import tiers
from outcomes.models import Board
from widgets.api import tokens as api_tokens
from widgets.models import (
    CountUpload,
    SurveyInvitation,
    SurveyResponse,
    WidgetStatus,
)
from widgets.surveys import hosting

from . import access_policy as policy
from . import factories as f

APPS = ("agencies", "customers", "widgets", "outcomes")


def _walk(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {entry}>"


def url_names():
    return sorted(set(_walk(get_resolver())))


def _is_admin(name):
    return name.startswith(f"{policy.ADMIN_NAMESPACE}:")


def admin_sample(names):
    """The admin's index and every model's changelist."""
    return sorted(
        n for n in names if n in {"admin:index"} or (_is_admin(n) and n.endswith("_changelist"))
    )


def test_every_url_has_a_declared_policy():
    missing = [n for n in url_names() if not _is_admin(n) and n not in policy.POLICY]
    assert not missing, (
        "URLs with no entry in tests/access_policy.py POLICY (declare who may GET and "
        f"POST them): {missing}"
    )


def test_the_policy_names_no_url_that_is_gone():
    names = set(url_names())
    assert not set(policy.POLICY) - names


def test_the_admin_sample_covers_every_app():
    sample = admin_sample(url_names())
    for app in (*APPS, "auth"):
        assert any(n.startswith(f"admin:{app}_") for n in sample), app


# --- the sample world: one of each kind of object of agency A ---------------------


def build_world(agency_a, users):
    agency_a.publishes = True
    agency_a.save()
    approved = f.WidgetFactory(agency=agency_a, name="Air permit", status=WidgetStatus.APPROVED)
    draft = f.WidgetFactory(
        agency=agency_a, program=approved.program, name="Water permit", status=WidgetStatus.DRAFT
    )
    segment = f.CustomerSegmentFactory(agency=agency_a, name="Small businesses")
    approved.customer_segments.add(segment)
    count = f.WidgetCountFactory(widget=approved, period_start=dt.date(2026, 1, 1))
    survey = f.SurveyResultFactory(widget=approved, period_start=dt.date(2026, 1, 1))
    outcome = f.OutcomeFactory(agency=agency_a, owner=users[policy.MANAGER_A])
    f.ContributionFactory(outcome=outcome, widget=approved)
    measurement = f.MeasurementFactory(outcome=outcome, value=Decimal("30"))
    countermeasure = f.CountermeasureFactory(outcome=outcome, owner=users[policy.MANAGER_A])
    review = f.ReviewFactory(agency=agency_a, month=dt.date(2026, 1, 1))
    review.pack.save("sample.pdf", ContentFile(b"%PDF-1.7 sample"), save=False)
    review.pack_made_at = timezone.now()
    review.save()
    token, _plaintext = api_tokens.issue_token(
        agency=agency_a, name="Permit system", by=users[policy.MANAGER_A]
    )
    upload = CountUpload.objects.create(
        agency=agency_a, uploaded_by=users[policy.STAFF_A], file_name="counts.csv"
    )
    upload_job = UploadJob.objects.create(
        started_by=users[policy.STAFF_A],
        path="/widgets/surveys/import/",
        title="Import survey results",
        status=JobStatus.FAILED,
        message="Nothing was saved.",
    )
    # A published hosted survey with a batch of invitations and an answer with a comment.
    hosted = f.SurveyFactory(widget=approved, code=policy.SURVEY_CODE)
    batch = hosting.make_invitations(
        survey=hosted,
        period_start=dt.date(2026, 1, 15),
        channel="online",
        segment=None,
        size=2,
        by=users[policy.STAFF_A],
    )
    SurveyInvitation.objects.filter(pk=batch.invitations.first().pk).update(
        token=policy.INVITATION_TOKEN
    )
    survey_response = SurveyResponse.objects.create(
        survey=hosted,
        period_start=dt.date(2026, 1, 1),
        language="en",
        satisfaction=4,
        comment="Quick.",
    )
    team = f.TeamFactory(program=approved.program, name="Permit writers")
    problem = f.ProblemFactory(
        board=team.board, widget=approved, depth="a3", owner=users[policy.STAFF_A]
    )
    problem_action = f.ProblemActionFactory(problem=problem)
    # A problem that came up from the team's board to the program's, still worked there.
    sent_up = f.ProblemFactory(board=team.board, status="escalated")
    came_up = f.ProblemFactory(board=tiers.above(team.board, make=True), escalated_from=sent_up)
    return {
        "problem": problem,
        "problem_action": problem_action,
        "came_up_problem": came_up,
        "agency_a": agency_a,
        "upload_job": upload_job,
        "survey": hosted,
        "invitation_batch": batch,
        "survey_response": survey_response,
        "team_board": team.board,
        "state_board": Board.objects.state(),
        "approved_widget": approved,
        "draft_widget": draft,
        "count": count,
        "upload": upload,
        "api_token": token,
        "segment": segment,
        "survey_result": survey,
        "outcome": outcome,
        "measurement": measurement,
        "countermeasure": countermeasure,
        "review": review,
    }


def snapshot_sql():
    """One query: row count and latest updated_at of every table of the apps."""
    quote = connection.ops.quote_name
    parts = []
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            fields = {f.column for f in model._meta.concrete_fields}
            latest = f"MAX({quote('updated_at')})" if "updated_at" in fields else "NULL"
            table = model._meta.db_table
            # names from the models' own metadata, not from input
            parts.append(f"SELECT '{table}', COUNT(*), {latest} FROM {quote(table)}")  # noqa: S608
    return " UNION ALL ".join(parts)


def snapshot(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {table: (n, latest) for table, n, latest in cursor.fetchall()}


def _resolve(value, key, world):
    obj = world.get(value)
    if obj is None:
        return value
    return obj.slug if key == "slug" else obj.pk


def cases(world):
    """(url name, Case, path, data) for every declared case and the admin sample."""
    names = url_names()
    for name in names:
        if _is_admin(name) or name not in policy.POLICY:
            continue  # undeclared: test_every_url_has_a_declared_policy fails for it
        entries = policy.POLICY[name]
        for entry in entries if isinstance(entries, tuple) else (entries,):
            kwargs = {k: _resolve(v, k, world) for k, v in entry.kwargs.items()}
            path = reverse(name, kwargs=kwargs)
            if entry.query:
                key, _, value = entry.query.partition("=")
                path += f"?{key}={_resolve(value, key, world)}"
            data = {k: _resolve(v, k, world) for k, v in entry.data.items()}
            yield name, entry, path, data
    for name in admin_sample(names):
        yield name, policy.ADMIN_RULE, reverse(name), {}


class _Rollback(Exception):
    pass


def signed_in_clients(users):
    """A client per role, signed in once; the session key to restore after each case."""
    clients = {}
    for role, user in users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        clients[role] = (client, client.cookies.get(settings.SESSION_COOKIE_NAME))
    return clients


def ask(client, session_cookie, method, path, data):
    # Start from the signed-in session alone (a case may have signed out, or left
    # a message in a cookie); its database row is the one rolled back to.
    client.cookies.clear()
    if session_cookie is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie.value
    if method == "put":
        return client.put(path, data="{}", content_type="application/json")
    return getattr(client, method)(path, data)


def check(answer, response, changed):
    """Why the response does not match the answer ("" when it does)."""
    if response.status_code not in answer.codes:
        where = f" -> {response['Location']}" if response.status_code == 302 else ""
        return f"answered {response.status_code}{where}"
    location = response.get("Location", "")
    if response.status_code == 302 and answer.location and not location.startswith(answer.location):
        return f"redirected to {response['Location']}"
    if changed and not answer.may_change:
        return f"changed {changed} though refused or read-only"
    return ""


def run_matrix(world, users):
    """Ask every case; return (number of cases, list of mismatches)."""
    total, mismatches = 0, []
    clients = signed_in_clients(users)
    sql = snapshot_sql()
    for name, entry, path, data in cases(world):
        methods = [("get", entry.get), ("post", entry.post)]
        if entry.put:
            methods.append(("put", entry.put))
        for method, expected in methods:
            for role in policy.ROLES:
                answer = expected[role]
                total += 1
                problem = ""
                try:
                    with transaction.atomic():
                        before = snapshot(sql)
                        try:
                            response = ask(*clients[role], method, path, data)
                        except Exception as exc:  # a 500: the client re-raises it
                            problem = f"raised {type(exc).__name__}: {exc}"
                        else:
                            after = snapshot(sql)
                            changed = sorted(k for k in before if before[k] != after[k])
                            problem = check(answer, response, changed)
                        raise _Rollback
                except _Rollback:
                    pass
                if problem:
                    mismatches.append(
                        f"{role:10} {method.upper():4} {path} ({name}): expected {answer}, "
                        f"{problem}"
                    )
    return total, mismatches


@pytest.fixture
def users(staff_a, manager_a, staff_b, manager_b, outsider, admin_user):
    return {
        policy.ANON: None,
        policy.STAFF_A: staff_a,
        policy.MANAGER_A: manager_a,
        policy.STAFF_B: staff_b,
        policy.MANAGER_B: manager_b,
        policy.OUTSIDER: outsider,
        policy.ADMIN: admin_user,
    }


@pytest.mark.django_db
def test_every_url_answers_every_role_as_the_policy_says(agency_a, users, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")  # 403s and 404s by the hundred
    assert users[policy.STAFF_A].memberships.get().role == Role.STAFF
    world = build_world(agency_a, users)
    total, mismatches = run_matrix(world, users)
    print(f"\naccess matrix: {total} cases, {len(mismatches)} unexpected answers")
    assert not mismatches, f"{len(mismatches)} unexpected answers of {total}:\n" + "\n".join(
        mismatches
    )
