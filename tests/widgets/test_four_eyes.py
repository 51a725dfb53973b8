"""Four eyes: whoever last changed a definition may not approve or return it
(widgets.catalogue.services), whichever path changed it: the edit form, the
definition import, the service-inventory import, the Django admin."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Role
from widgets.catalogue import selectors, services
from widgets.interop.gc_commit import commit
from widgets.interop.gc_inventory import InventoryImport
from widgets.models import Widget, WidgetStatus

from .. import factories as f
from .test_workflow import _form_data

pytestmark = pytest.mark.django_db
S = WidgetStatus
INTEROP = Path(__file__).resolve().parent.parent / "data" / "interop"


@pytest.fixture
def second_manager_a(agency_a):
    user = f.UserFactory(username="manager_a2")
    f.MembershipFactory(user=user, agency=agency_a, role=Role.MANAGER)
    return user


def _act(client, user, widget, action, comment="Looks right."):
    client.force_login(user)
    return client.post(
        reverse("widgets:transition", args=[widget.pk, action]), {"comment": comment}
    )


def _status(widget):
    widget.refresh_from_db()
    return widget.status


def _assert_last_editor_may_not_review(client, widget, editor, other_manager):
    """The editor can neither approve nor return; another manager can."""
    for action in ("approve", "return"):
        assert _act(client, editor, widget, action).status_code == 403
        assert _status(widget) == S.SUBMITTED
    assert services.allowed_actions(widget=widget, user=editor) == []
    assert widget.last_edited_by == editor
    assert "approve" in services.allowed_actions(widget=widget, user=other_manager)
    assert _act(client, other_manager, widget, "approve").status_code == 302
    assert _status(widget) == S.APPROVED


def test_a_manager_who_edits_a_submitted_definition_may_not_approve_or_return_it(
    client, agency_a, staff_a, manager_a, second_manager_a
):
    widget = f.WidgetFactory(agency=agency_a, status=S.SUBMITTED, submitted_by=staff_a)
    client.force_login(manager_a)
    url = reverse("widgets:edit", args=[widget.pk])
    assert client.post(url, _form_data(widget, description="The manager's words.")).status_code
    widget.refresh_from_db()
    assert widget.description == "The manager's words."
    _assert_last_editor_may_not_review(client, widget, manager_a, second_manager_a)


def test_an_admin_who_edits_a_definition_may_not_approve_it_either(
    client, agency_a, staff_a, admin_user, manager_a
):
    widget = f.WidgetFactory(agency=agency_a, status=S.SUBMITTED, submitted_by=staff_a)
    client.force_login(admin_user)
    client.post(
        reverse("widgets:edit", args=[widget.pk]), _form_data(widget, description="Admin's.")
    )
    _assert_last_editor_may_not_review(client, Widget.objects.get(), admin_user, manager_a)


def test_submitting_unchanged_does_not_make_the_submitter_its_editor(
    client, agency_a, staff_a, manager_a
):
    widget = f.WidgetFactory(agency=agency_a, status=S.DRAFT, last_edited_by=staff_a)
    _act(client, manager_a, widget, "submit")
    widget.refresh_from_db()
    assert widget.last_edited_by == staff_a  # a transition is not an edit


def test_a_manager_who_imports_a_definition_may_not_approve_it(
    client, agency_a, staff_a, manager_a, second_manager_a
):
    f.ProgramFactory(agency=agency_a, name="Air")
    client.force_login(manager_a)
    url = reverse("widgets:import")
    upload = SimpleUploadedFile(
        "defs.csv", b"agency,program,name,kind\nDA,Air,Open burning permit,permit\n"
    )
    token = client.post(url, {"file": upload}).context["token"]
    assert client.post(url, {"token": token}).status_code == 302
    widget = Widget.objects.get(name="Open burning permit")
    assert _act(client, staff_a, widget, "submit").status_code == 302
    widget.refresh_from_db()
    _assert_last_editor_may_not_review(client, widget, manager_a, second_manager_a)


def _inventory(user):
    files = [
        (io.BytesIO((INTEROP / name).read_bytes()), name)
        for name in ("services.csv", "standards.csv")
    ]
    return InventoryImport(user=user, agency=None).preview(*files)


def test_a_manager_whose_inventory_import_changes_a_definition_may_not_approve_it(
    client, agency_a, staff_a, manager_a, second_manager_a
):
    commit(_inventory(staff_a), by=staff_a)
    widget = Widget.objects.get(external_id="S1")
    assert _act(client, staff_a, widget, "submit").status_code == 302
    Widget.objects.filter(pk=widget.pk).update(description="Changed here")
    preview = _inventory(manager_a)
    assert preview.plans[0].changed_fields == ["description"]
    commit(preview, by=manager_a)
    widget.refresh_from_db()
    assert widget.description.startswith("A licence to fish")
    _assert_last_editor_may_not_review(client, widget, manager_a, second_manager_a)


def _admin_change(client, widget, **changes):
    url = reverse("admin:widgets_widget_change", args=[widget.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list):
            value = [getattr(v, "pk", v) for v in value]
        data[name] = getattr(value, "pk", value)
    data["channels"] = '["online"]'
    for prefix in ("counts",):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return client.post(url, data)


def test_an_admin_who_edits_a_definition_in_the_admin_may_not_approve_it(
    client, agency_a, staff_a, admin_user, manager_a
):
    widget = f.WidgetFactory(agency=agency_a, status=S.SUBMITTED, submitted_by=staff_a)
    client.force_login(admin_user)
    response = _admin_change(client, widget, description="Changed in the admin.")
    assert response.status_code == 302, response.context["adminform"].form.errors
    widget.refresh_from_db()
    assert widget.description == "Changed in the admin."
    _assert_last_editor_may_not_review(client, widget, admin_user, manager_a)


def test_the_admin_cannot_approve_by_setting_the_status(client, agency_a, staff_a, admin_user):
    widget = f.WidgetFactory(agency=agency_a, status=S.SUBMITTED, submitted_by=staff_a)
    client.force_login(admin_user)
    _admin_change(client, widget, status=S.APPROVED, description="Changed in the admin.")
    assert _status(widget) == S.SUBMITTED


def test_the_admin_editing_an_approved_definition_sends_it_back_for_review(
    client, agency_a, admin_user
):
    widget = f.WidgetFactory(agency=agency_a, status=S.APPROVED)
    client.force_login(admin_user)
    assert _admin_change(client, widget, description="New words.").status_code == 302
    assert _status(widget) == S.SUBMITTED


def test_the_review_queue_leaves_out_what_one_last_edited(
    client, agency_a, staff_a, manager_a, second_manager_a
):
    widget = f.WidgetFactory(
        agency=agency_a, status=S.SUBMITTED, submitted_by=staff_a, last_edited_by=manager_a
    )
    assert list(selectors.review_queue(manager_a)) == []
    assert list(selectors.review_queue(second_manager_a)) == [widget]


def _link_from_segment_page(client, user, segment, widgets):
    client.force_login(user)
    return client.post(
        reverse("customers:edit", args=[segment.pk]),
        {
            "agency": segment.agency_id,
            "name": segment.name,
            "kind": segment.kind,
            "widgets": [w.pk for w in widgets],
        },
    )


def test_a_manager_who_adds_customers_to_a_definition_from_a_segment_may_not_approve_it(
    client, agency_a, staff_a, manager_a, second_manager_a
):
    """Who receives a widget is part of its definition, from either side."""
    widget = f.WidgetFactory(agency=agency_a, status=S.SUBMITTED, submitted_by=staff_a)
    widget.last_edited_by = staff_a
    widget.save()
    segment = f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    seen = widget.version
    assert _link_from_segment_page(client, manager_a, segment, [widget]).status_code == 302
    widget.refresh_from_db()
    assert list(widget.customer_segments.all()) == [segment]
    assert widget.version == seen + 1  # an edit form opened before is told, not obeyed
    assert widget.history.first().history_change_reason == "Customers changed on a segment's page"
    _assert_last_editor_may_not_review(client, widget, manager_a, second_manager_a)


def test_taking_customers_off_an_approved_definition_sends_it_back_for_review(
    client, agency_a, staff_a, manager_a
):
    segment = f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    widget = f.WidgetFactory(agency=agency_a, status=S.APPROVED)
    widget.customer_segments.add(segment)
    untouched = f.WidgetFactory(agency=agency_a, status=S.APPROVED)
    untouched.customer_segments.add(segment)
    assert _link_from_segment_page(client, staff_a, segment, [untouched]).status_code == 302
    assert _status(widget) == S.SUBMITTED and widget.last_edited_by == staff_a
    assert _status(untouched) == S.APPROVED  # its customers did not change


def test_a_retired_definitions_customers_cannot_change_and_nothing_is_saved(
    client, agency_a, staff_a
):
    segment = f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    retired = f.WidgetFactory(agency=agency_a, status=S.RETIRED)
    response = _link_from_segment_page(client, staff_a, segment, [retired])
    assert response.status_code == 200
    assert "A retired widget cannot be edited." in response.content.decode()
    assert not retired.customer_segments.exists()


def test_a_long_review_comment_is_kept_whole_in_the_history(client, agency_a, staff_a, manager_a):
    widget = f.WidgetFactory(agency=agency_a, status=S.SUBMITTED, submitted_by=staff_a)
    comment = "The unit of count is an application, not a decision: " + "say which. " * 20
    assert _act(client, manager_a, widget, "return", comment=comment).status_code == 302
    reason = widget.history.order_by("-history_id").first().history_change_reason
    assert reason == f"Return for changes: {comment.strip()}"
