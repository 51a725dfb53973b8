"""What guards a write is required: an edit sent without the version it was opened
at, or an upload commit without the preview's snapshot, is refused with a message
and saves nothing; it is never saved unchecked."""

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies import uploads
from agencies.errors import VERSION_MISSING, UploadRejected, VersionMissing
from tests import factories as f
from tests.widgets.test_workflow import _form_data
from widgets.catalogue import services
from widgets.catalogue.forms import WidgetForm
from widgets.counting.upload import CountFile
from widgets.models import CountUpload, Widget, WidgetCount, WidgetStatus

pytestmark = pytest.mark.django_db
MISSING = VERSION_MISSING.split(":")[0]


def _without_version(data):
    return {k: v for k, v in data.items() if k != "version"}


def test_a_widget_edit_without_its_version_is_refused_with_a_message(client, agency_a, staff_a):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.DRAFT)
    client.force_login(staff_a)
    data = _without_version(_form_data(widget, description="Sent without a version."))
    response = client.post(reverse("widgets:edit", args=[widget.pk]), data)
    assert response.status_code == 200
    assert MISSING in response.content.decode()
    saved = Widget.objects.get()
    assert (saved.description, saved.version) == (widget.description, widget.version)


def test_the_widget_service_refuses_an_edit_without_a_version(agency_a, staff_a):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.DRAFT)
    form = WidgetForm(
        _without_version(_form_data(widget, description="x")), instance=widget, agency=agency_a
    )
    form.fields["version"].required = False
    form.is_valid()
    with pytest.raises(VersionMissing):
        services.save_widget(form=form, by=staff_a, expected_version=None)
    assert Widget.objects.get().description == f.WidgetFactory.description


@pytest.fixture
def permit(agency_a):
    return f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)


HEADER = "widget_id,period_start,demand,delivered,within_standard,withdrawn,backlog,rework,cost"


def _file(permit):
    row = f"{permit.pk},2026-08-01,100,,,,,,"
    return SimpleUploadedFile("counts.csv", f"{HEADER}\n{row}\n".encode())


def test_the_count_file_refuses_a_commit_without_a_snapshot(agency_a, staff_a, permit):
    f.WidgetCountFactory(widget=permit, period_start="2026-08-01", demand=1)
    upload = _file(permit)
    with pytest.raises(UploadRejected, match="what the preview saw"):
        CountFile(agency=agency_a, user=staff_a).commit(upload, upload.name, snapshot=None)
    assert WidgetCount.objects.get().demand == 1
    assert not CountUpload.objects.exists()


def test_an_upload_commit_whose_ticket_lost_its_snapshot_is_refused(
    client, agency_a, staff_a, permit
):
    f.WidgetCountFactory(widget=permit, period_start="2026-08-01", demand=1)
    url = reverse("widgets:count-upload", args=[agency_a.slug])
    client.force_login(staff_a)
    ticket = client.post(url, {"file": _file(permit)}).context["token"]
    data = signing.loads(ticket, salt=uploads._TICKET_SALT)
    assert "snapshot" in data["state"]
    data["state"].pop("snapshot")
    forged = signing.dumps(data, salt=uploads._TICKET_SALT, compress=True)
    response = client.post(url, {"token": forged})
    assert response.status_code == 400
    assert "what the preview saw" in response.content.decode()
    assert WidgetCount.objects.get().demand == 1


def test_a_count_edit_without_its_version_is_refused_with_a_message(client, staff_a, permit):
    count = f.WidgetCountFactory(widget=permit, period_start="2026-08-01", demand=100)
    client.force_login(staff_a)
    response = client.post(
        reverse("widgets:count-edit", args=[count.pk]), {"demand": "7", "balance_note": ""}
    )
    assert response.status_code == 200
    assert MISSING in response.content.decode()
    saved = WidgetCount.objects.get()
    assert (saved.demand, saved.version) == (100, count.version)


def test_an_admin_count_save_without_its_version_is_refused(client, admin_user, permit):
    count = f.WidgetCountFactory(widget=permit, period_start="2026-08-01", demand=100)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:widgets_widgetcount_change", args=[count.pk]),
        {"demand": "7", "balance_note": ""},
    )
    assert response.status_code == 200
    assert MISSING in response.content.decode()
    saved = WidgetCount.objects.get()
    assert (saved.demand, saved.version) == (100, count.version)
