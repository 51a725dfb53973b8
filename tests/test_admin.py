"""The Django admin loads for every registered model: list, add, change, history."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from agencies.models import AccessRule, PeriodicTask, UploadJob
from widgets.models import (
    ApiToken,
    CountUpload,
    InventoryFinding,
    InventoryImport,
    InvitationBatch,
    PublishedRow,
    SurveyInvitation,
    SurveyResponse,
)

from . import factories as f

pytestmark = pytest.mark.django_db

APP_MODELS = [
    model
    for model in admin.site._registry
    if model._meta.app_label in {"agencies", "customers", "widgets", "outcomes", "auth"}
]


@pytest.fixture
def one_of_everything(admin_user):
    Group.objects.create(name="Auditors")
    widget = f.WidgetCountFactory().widget
    f.SurveyResultFactory(widget=widget, segment=f.CustomerSegmentFactory(agency=widget.agency))
    f.MembershipFactory(agency=widget.agency)
    contribution = f.ContributionFactory()
    f.MeasurementFactory(outcome=contribution.outcome)
    f.StepChangeFactory(outcome=contribution.outcome)
    f.CountermeasureFactory(outcome=contribution.outcome)
    f.ReviewFactory(agency=widget.agency)
    CountUpload.objects.create(agency=widget.agency, uploaded_by=admin_user, file_name="a.csv")
    ApiToken.objects.create(agency=widget.agency, name="Permit system", prefix="abc", key_hash="0")
    AccessRule.objects.create(
        kind="claim", claim_name="groups", claim_value="a", agency=widget.agency
    )
    record = InventoryImport.objects.create(imported_by=admin_user, services_file="si.csv")
    PublishedRow.objects.create(
        widget=widget, inventory_import=record, file="services", fiscal_year=2024, row_number=2
    )
    InventoryFinding.objects.create(
        widget=widget,
        inventory_import=record,
        grade="error",
        file="standards",
        column="target",
        message="Enter the target as a share between 0 and 1.",
    )
    f.ProblemActionFactory(problem=f.ProblemFactory(board=f.TeamFactory().board))
    UploadJob.objects.create(started_by=admin_user, path="/widgets/surveys/import/", status="done")
    PeriodicTask.objects.create(
        name="count-reminders",
        task_path="widgets.counting.reminders.send_reminders",
        at=dt.time(7),
        next_run_at=timezone.now(),
    )
    survey = f.SurveyFactory(widget=widget)
    batch = InvitationBatch.objects.create(
        survey=survey, period_start=dt.date(2026, 1, 1), channel="mail", size=1
    )
    invitation = SurveyInvitation.objects.create(batch=batch)
    SurveyResponse.objects.create(
        survey=survey,
        invitation=invitation,
        period_start=batch.period_start,
        language="es",
        satisfaction=5,
        comment="Muy bien.",
    )


@pytest.mark.parametrize("model", APP_MODELS, ids=lambda m: m._meta.label)
def test_admin_pages_load_for_every_model(client, admin_user, one_of_everything, model):
    client.force_login(admin_user)
    opts = model._meta
    obj = model._default_manager.first()
    assert obj is not None, f"no sample {opts.label}"
    base = f"admin:{opts.app_label}_{opts.model_name}"
    urls = [
        reverse(f"{base}_changelist"),
        reverse(f"{base}_changelist") + "?q=a",
        reverse(f"{base}_change", args=[obj.pk]),
        reverse(f"{base}_history", args=[obj.pk]),
    ]
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = admin_user
    if model_admin.has_add_permission(request):
        urls.append(reverse(f"{base}_add"))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url


def test_every_domain_model_is_in_the_admin():
    from django.apps import apps

    registered = set(admin.site._registry)
    for label in ("agencies", "customers", "widgets", "outcomes"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            assert model in registered, model


def test_non_admin_cannot_open_the_admin(client, manager_a):
    client.force_login(manager_a)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
