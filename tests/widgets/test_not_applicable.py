"""Not applicable, declared on the widget, on every way counts enter (docs/domain.md,
"Unknown, zero and not applicable"): the declaration never hides a number, and
every path refuses a number for a field that does not apply and takes "n/a".

The parametrized tests run over every count field the registry lets a widget
declare not applicable, so a new one is covered by its entry alone."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse

from widgets import counting, measures
from widgets.api import tokens as api_tokens
from widgets.counting.upload import CountFile
from widgets.models import WidgetCount, WidgetStatus

from .. import factories as f
from .test_workflow import _form_data

pytestmark = pytest.mark.django_db

PERIOD = dt.date(2026, 9, 1)
NOT_APPLICABLE = [spec.name for spec in measures.may_be_not_applicable()]
TYPED = [spec.name for spec in measures.may_be_not_applicable() if spec.typed]
# A value each count field may hold whatever the others say (within standard and
# rework are shares of delivered).
VALUE = {spec.name: Decimal("1.00") if spec.is_money else 1 for spec in measures.COUNT_FIELDS}


def _widget(agency, *names, **kwargs):
    """An approved widget that declares `names` not applicable (without a service
    standard when within standard is among them, as the definition requires)."""
    if "within_standard" in names:
        kwargs.update(standard_days=None, standard_share=None)
    return f.WidgetFactory(
        agency=agency, status=WidgetStatus.APPROVED, not_applicable=list(names), **kwargs
    )


def _declare(widget, *names):
    widget.not_applicable = list(names)
    widget.standard_days = widget.standard_share = None
    widget.full_clean()
    widget.save()


# The sentinel and the registry


def test_not_applicable_is_neither_unknown_nor_zero_and_never_adds_up():
    assert measures.NOT_APPLICABLE is not None
    assert measures.NOT_APPLICABLE != 0
    assert str(measures.NOT_APPLICABLE) == "n/a"
    assert measures.exported(measures.NOT_APPLICABLE) == "not applicable"
    assert measures.exported(None) is None
    assert measures.exported(0) == 0
    with pytest.raises(TypeError):
        measures.NOT_APPLICABLE + 1


def test_demand_and_delivered_always_apply(agency_a):
    assert {"demand", "delivered"}.isdisjoint(NOT_APPLICABLE)
    widget = _widget(agency_a)
    widget.not_applicable = ["delivered"]
    with pytest.raises(ValidationError, match="demand and delivered always apply"):
        widget.full_clean()


def test_within_standard_applies_while_the_widget_has_a_standard(agency_a):
    widget = _widget(agency_a)  # the factory's standard: 90% within 30 days
    widget.not_applicable = ["within_standard"]
    with pytest.raises(ValidationError, match="has a service standard"):
        widget.full_clean()


def test_measure_value_shows_not_applicable_apart_from_unknown():
    template = Template('{% load measure_tags %}{% measure_value value "cost_per_widget" %}')
    shown = template.render(Context({"value": measures.NOT_APPLICABLE}))
    assert "n/a" in shown and "not applicable" in shown
    assert "unknown" in template.render(Context({"value": None}))


# Declaring it never hides a number


@pytest.mark.parametrize("name", NOT_APPLICABLE)
def test_a_field_holding_numbers_cannot_be_declared_not_applicable(agency_a, name):
    widget = _widget(agency_a, standard_days=None, standard_share=None)
    f.WidgetCountFactory(widget=widget, period_start=PERIOD, **{name: VALUE[name]})
    with pytest.raises(ValidationError, match="holds values in 1 period") as caught:
        _declare(widget, name)
    assert "Clear" in str(caught.value)
    assert WidgetCount.objects.get(widget=widget).__dict__[name] == VALUE[name]
    WidgetCount.objects.filter(widget=widget).update(**{name: None})
    _declare(widget, name)  # cleared first: now it may
    widget.refresh_from_db()
    assert widget.not_applicable == [name]


def test_the_edit_form_declares_it_and_refuses_over_numbers(client, agency_a, staff_a):
    widget = _widget(agency_a, standard_days=None, standard_share=None)
    f.WidgetCountFactory(widget=widget, period_start=PERIOD, cost=Decimal("5.00"), rework=None)
    client.force_login(staff_a)
    url = reverse("widgets:edit", args=[widget.pk])
    page = client.get(url).content.decode()
    assert "Measures that do not apply" in page
    assert 'name="not_applicable" value="cost"' in page
    assert 'name="not_applicable" value="demand"' not in page
    response = client.post(url, _form_data(widget, not_applicable=["cost", "rework"]))
    assert response.status_code == 200
    assert "Cost holds values in 1 period" in response.content.decode()
    widget.refresh_from_db()
    assert widget.not_applicable == []
    response = client.post(url, _form_data(widget, not_applicable=["rework"]))
    assert response.status_code == 302
    widget.refresh_from_db()
    assert widget.not_applicable == ["rework"]


# The one write


@pytest.mark.parametrize("name", NOT_APPLICABLE)
def test_the_one_write_refuses_a_number_for_a_field_that_does_not_apply(agency_a, name):
    widget = _widget(agency_a, name)
    change = counting.CountChange(
        widget=widget, period_start=PERIOD, values={"demand": 3, name: VALUE[name]}
    )
    with pytest.raises(counting.CountRejected) as caught:
        counting.save_counts([change], by=None, source="form")
    assert "does not apply" in caught.value.message
    assert not WidgetCount.objects.filter(widget=widget).exists()


def test_each_refusal_of_a_declaration_says_how_to_put_it_right(agency_a):
    widget = _widget(agency_a, "cost", name="Boat title")
    kept, errors = counting.check_not_applicable(
        widget, {"demand": 3, "cost": Decimal("1.00"), "rework": measures.NOT_APPLICABLE}
    )
    assert kept == {"demand": 3}
    assert errors == {
        "cost": [
            "Cost does not apply to “Boat title”: leave it out. To count it, untick it "
            "under “Measures that do not apply” on the widget's edit page."
        ],
        "rework": [
            "“n/a” is only for a measure that does not apply to the widget, and rework "
            "applies to “Boat title”: give a number, or leave it blank if it is not known."
        ],
    }


@pytest.mark.parametrize("name", NOT_APPLICABLE)
def test_n_a_saves_nothing_for_a_field_that_does_not_apply_and_is_refused_elsewhere(agency_a, name):
    widget = _widget(agency_a, name)
    change = counting.CountChange(
        widget=widget,
        period_start=PERIOD,
        values={"demand": 3, name: measures.NOT_APPLICABLE},
    )
    counting.save_counts([change], by=None, source="api")
    count = WidgetCount.objects.get(widget=widget)
    assert (count.demand, getattr(count, name)) == (3, None)
    other = _widget(agency_a, standard_days=None, standard_share=None)
    change = counting.CountChange(
        widget=other, period_start=PERIOD, values={name: measures.NOT_APPLICABLE}
    )
    with pytest.raises(counting.CountRejected, match="applies to"):
        counting.save_counts([change], by=None, source="api")


def test_the_write_reads_the_widget_as_stored_not_as_the_writer_read_it(agency_a):
    widget = _widget(agency_a, standard_days=None, standard_share=None)
    stale = type(widget).objects.get(pk=widget.pk)  # read before the declaration
    _declare(widget, "cost")
    change = counting.CountChange(
        widget=stale, period_start=PERIOD, values={"cost": Decimal("10.00")}
    )
    with pytest.raises(counting.CountRejected, match="Cost does not apply"):
        counting.save_counts([change], by=None, source="form")


# The entry grid and the edit page


def test_the_grid_shows_n_a_instead_of_a_cell_and_refuses_a_posted_number(
    client, agency_a, staff_a
):
    widget = _widget(agency_a, "cost")
    client.force_login(staff_a)
    url = reverse("widgets:count-entry", args=[agency_a.slug]) + "?period=2026-09-01"
    page = client.get(url).content.decode()
    prefix = f"w{widget.pk}"
    assert f'name="{prefix}-demand"' in page
    assert f'name="{prefix}-cost"' not in page
    assert f"Cost does not apply to {widget.name}" in page
    response = client.post(
        url, {f"{prefix}-version": "", f"{prefix}-demand": "4", f"{prefix}-cost": "12.00"}
    )
    assert response.status_code == 200
    assert "Cost does not apply to" in response.content.decode()
    assert not WidgetCount.objects.exists()
    response = client.post(url, {f"{prefix}-version": "", f"{prefix}-demand": "4"})
    assert response.status_code == 302
    assert WidgetCount.objects.get(widget=widget).demand == 4


def test_the_edit_page_has_no_input_for_a_field_that_does_not_apply(client, agency_a, staff_a):
    widget = _widget(agency_a, "rework")
    count = f.WidgetCountFactory(widget=widget, period_start=PERIOD, rework=None)
    client.force_login(staff_a)
    url = reverse("widgets:count-edit", args=[count.pk])
    page = client.get(url).content.decode()
    assert 'name="demand"' in page and 'name="rework"' not in page
    data = {n: getattr(count, n) or "" for n in counting.VALUE_FIELDS if n != "rework"}
    response = client.post(url, {**data, "rework": "2", "version": count.version})
    assert response.status_code == 200
    assert "Rework does not apply" in response.content.decode()
    count.refresh_from_db()
    assert count.rework is None


# Uploads


def _upload_preview(agency, user, widget, cells):
    header = ["widget_id", "period_start", *cells]
    text = ",".join(header) + "\n" + ",".join([str(widget.pk), "2026-09-01", *cells.values()])
    return CountFile(agency=agency, user=user).preview(io.BytesIO(text.encode()), "counts.csv")


@pytest.mark.parametrize("name", TYPED)
def test_an_upload_row_with_a_number_for_a_field_that_does_not_apply_is_an_error(
    agency_a, staff_a, name
):
    widget = _widget(agency_a, name)
    preview = _upload_preview(agency_a, staff_a, widget, {"demand": "5", name: "1"})
    (row,) = preview.error_rows
    assert any(m.startswith(f"{name}: ") and "does not apply" in m for m in row.messages)
    assert any("edit page" in m for m in row.messages)


@pytest.mark.parametrize("name", TYPED)
def test_an_upload_takes_n_a_for_a_field_that_does_not_apply(agency_a, staff_a, name):
    widget = _widget(agency_a, name)
    preview = _upload_preview(agency_a, staff_a, widget, {"demand": "5", name: "n/a"})
    assert (preview.errors, preview.new) == (0, 1)
    applies = _widget(agency_a, standard_days=None, standard_share=None)
    preview = _upload_preview(agency_a, staff_a, applies, {"demand": "5", name: "n/a"})
    (row,) = preview.error_rows
    assert any("“n/a” is only for a measure that does not apply" in m for m in row.messages)


def test_an_upload_saves_n_a_as_nothing(client, agency_a, staff_a):
    widget = _widget(agency_a, "cost")
    client.force_login(staff_a)
    url = reverse("widgets:count-upload", args=[agency_a.slug])
    body = f"widget_id,period_start,demand,cost\n{widget.pk},2026-09-01,5,N/A\n".encode()
    response = client.post(url, {"file": SimpleUploadedFile("c.csv", body)})
    assert response.context["can_commit"]
    assert client.post(url, {"token": response.context["token"]}).status_code == 302
    count = WidgetCount.objects.get(widget=widget)
    assert (count.demand, count.cost) == (5, None)


# The API


@pytest.fixture
def plaintext(agency_a, manager_a):
    return api_tokens.issue_token(agency=agency_a, name="System", by=manager_a)[1]


def _put(client, plaintext, widget, body):
    return client.put(
        f"/api/v1/widgets/{widget.pk}/counts/2026-09-01",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {plaintext}"},
    )


@pytest.mark.parametrize("name", TYPED)
def test_the_api_answers_422_for_a_number_and_takes_n_a(client, agency_a, plaintext, name):
    widget = _widget(agency_a, name)
    response = _put(client, plaintext, widget, {"demand": 5, name: str(VALUE[name])})
    assert response.status_code == 422
    (message,) = response.json()["errors"][name]
    assert "does not apply" in message and "edit page" in message
    response = _put(client, plaintext, widget, {"demand": 5, name: "n/a"})
    assert response.status_code == 200, response.json()
    assert response.json()[name] == "not applicable"
    assert WidgetCount.objects.get(widget=widget).demand == 5


@pytest.mark.parametrize("name", TYPED)
def test_the_api_reads_not_applicable_apart_from_unknown(client, agency_a, plaintext, name):
    widget = _widget(agency_a, name)
    f.WidgetCountFactory(widget=widget, period_start=PERIOD, **{name: None})
    response = client.get(
        f"/api/v1/widgets/{widget.pk}/counts",
        headers={"Authorization": f"Bearer {plaintext}"},
    )
    (row,) = response.json()["items"]
    assert row[name] == "not applicable"
    other = next(n for n in TYPED if n != name)
    WidgetCount.objects.filter(widget=widget).update(**{other: None})
    (row,) = client.get(
        f"/api/v1/widgets/{widget.pk}/counts", headers={"Authorization": f"Bearer {plaintext}"}
    ).json()["items"]
    assert row[other] is None  # unknown stays null


def test_an_upload_judges_a_remembered_n_a_cell_by_each_rows_widget(agency_a, staff_a):
    """The second "n/a" is read from the file's memo of cell texts, not parsed again."""
    declares = _widget(agency_a, "cost")
    applies = _widget(agency_a, standard_days=None, standard_share=None)
    text = (
        "widget_id,period_start,demand,cost\n"
        f"{declares.pk},2026-09-01,5,n/a\n{applies.pk},2026-09-01,5,n/a\n"
    )
    preview = CountFile(agency=agency_a, user=staff_a).preview(
        io.BytesIO(text.encode()), "counts.csv"
    )
    assert (preview.new, preview.errors) == (1, 1)
    (row,) = preview.error_rows
    assert row.widget == applies.name
