"""The admin's change forms of versioned records refuse a lost update
(agencies.admin_versions), as every other edit of them does."""

import pytest
from django.db.models import F
from django.urls import reverse

from outcomes.models import Countermeasure, Outcome, Problem, StepChange
from widgets.admin import WidgetAdmin
from widgets.models import Widget

from . import factories as f

pytestmark = pytest.mark.django_db

# model, factory, a text field an admin changes
VERSIONED = [
    (Widget, f.WidgetFactory, "description"),
    (Outcome, f.OutcomeFactory, "measure"),
    (Countermeasure, f.CountermeasureFactory, "problem"),
    (StepChange, f.StepChangeFactory, "reason"),
    (Problem, f.ProblemFactory, "where"),
]
NAMES = [model._meta.model_name for model, *_ in VERSIONED]


def _url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _opened(client, obj):
    """The change form's fields as the admin's browser would send them back."""
    response = client.get(_url(obj))
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()  # prepared for the widget, as the page shows it
        if value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


@pytest.fixture
def second_admin(db):
    return f.AdminFactory(username="second-admin")


@pytest.mark.parametrize(("model", "factory", "field"), VERSIONED, ids=NAMES)
def test_a_second_admin_saving_over_a_later_change_is_told_and_nothing_is_saved(
    client, admin_user, second_admin, model, factory, field
):
    obj = factory()
    client.force_login(admin_user)
    mine = {**_opened(client, obj), field: "Mine, typed over an old form."}
    client.force_login(second_admin)
    theirs = client.post(_url(obj), {**_opened(client, obj), field: "Theirs, saved first."})
    assert theirs.status_code == 302, theirs.context["adminform"].form.errors

    client.force_login(admin_user)
    response = client.post(_url(obj), mine)

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any("Someone else saved this" in e and "second-admin" in e for e in errors), errors
    stored = model.objects.get(pk=obj.pk)
    assert getattr(stored, field) == "Theirs, saved first."
    assert stored.version == obj.version + 1
    # Told, the admin may save again: the form's version moved on with the refusal.
    again = client.post(_url(obj), response.context["adminform"].form.data)
    assert again.status_code == 302
    stored.refresh_from_db()
    assert (getattr(stored, field), stored.version) == (
        "Mine, typed over an old form.",
        obj.version + 2,
    )


@pytest.mark.parametrize(("model", "factory", "field"), VERSIONED, ids=NAMES)
def test_an_admin_save_without_the_version_it_was_opened_at_is_refused(
    client, admin_user, model, factory, field
):
    obj = factory()
    client.force_login(admin_user)
    data = {**_opened(client, obj), field: "Forged."}
    del data["seen_version"]

    response = client.post(_url(obj), data)

    assert response.status_code == 200
    assert "sent without the version" in str(response.context["adminform"].form.errors)
    assert getattr(model.objects.get(pk=obj.pk), field) != "Forged."


def test_an_app_edit_opened_before_an_admin_save_is_refused(
    client, agency_a, manager_a, admin_user
):
    """An admin save gives the record a new version, so the app's form that was
    opened before it cannot overwrite it either."""
    outcome = f.OutcomeFactory(agency=agency_a, measure="Before")
    client.force_login(manager_a)
    edit = reverse("outcomes:edit", args=[outcome.pk])
    opened = client.get(edit).context["form"]
    client.force_login(admin_user)
    assert (
        client.post(_url(outcome), {**_opened(client, outcome), "measure": "Admin"}).status_code
        == 302
    )

    client.force_login(manager_a)
    data = {
        name: opened[name].value() for name in opened.fields if opened[name].value() is not None
    }
    data.update(
        {"measure": "Stale", "contributions-TOTAL_FORMS": 0, "contributions-INITIAL_FORMS": 0}
    )
    response = client.post(edit, data)

    assert response.status_code == 200
    assert Outcome.objects.get(pk=outcome.pk).measure == "Admin"


def test_a_save_that_lands_between_the_check_and_the_write_is_refused(
    client, admin_user, monkeypatch
):
    """The form's check runs before the write; the write checks again under a lock."""
    widget = f.WidgetFactory(description="Before")
    client.force_login(admin_user)
    data = {**_opened(client, widget), "description": "Mine"}
    save_form = WidgetAdmin.save_form

    def someone_saves_meanwhile(self, request, form, change):
        Widget.objects.filter(pk=widget.pk).update(description="Theirs", version=F("version") + 1)
        return save_form(self, request, form, change)

    monkeypatch.setattr(WidgetAdmin, "save_form", someone_saves_meanwhile)
    response = client.post(_url(widget), data)

    assert response.status_code == 409
    assert "Someone else saved this" in response.content.decode()
    # (Their stand-in save ran inside this request's transaction, so it went with it.)
    assert Widget.objects.get(pk=widget.pk).description != "Mine"
