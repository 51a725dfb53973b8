"""The API answers JSON for every error, as its schema says (config/http.py,
widgets/api/errors.py): a body too large, a body that is not JSON or holds a key
twice, numbers out of range; and "-0.00" is kept as 0.00."""

import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from tests import factories as f
from widgets.api import tokens as api_tokens
from widgets.models import WidgetCount, WidgetStatus

pytestmark = pytest.mark.django_db
PERIOD = "2026-01-01"


@pytest.fixture
def api(agency_a, manager_a):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    _token, plaintext = api_tokens.issue_token(agency=agency_a, name="System", by=manager_a)
    return widget, {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def _json(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def _put(api, body, content_type="application/json"):
    widget, headers = api
    client = Client(raise_request_exception=False)
    return client.put(f"/api/v1/widgets/{widget.pk}/counts/{PERIOD}", body, content_type, **headers)


def test_a_body_too_large_is_a_json_413(api):
    body = json.dumps({"demand": 1, "pad": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    assert "larger than" in _json(_put(api, body), 413)["detail"]
    assert not WidgetCount.objects.exists()


def test_a_body_that_is_not_json_is_a_json_400(api):
    assert _json(_put(api, "{not json"), 400)["detail"]


def test_a_key_sent_twice_is_refused_not_guessed(api):
    body = _json(_put(api, '{"demand": 5, "demand": 7}'), 400)
    assert "demand" in body["detail"]
    assert not WidgetCount.objects.exists()


@pytest.mark.parametrize("offset", [2**63, 2**64, 10**30])
def test_an_offset_out_of_range_is_a_json_422_not_a_500(api, offset):
    widget, headers = api
    client = Client(raise_request_exception=False)
    for url in (f"/api/v1/widgets/{widget.pk}/counts", "/api/v1/widgets"):
        response = client.get(url, {"offset": offset}, **headers)
        assert "detail" in _json(response, 422)


@pytest.mark.parametrize("cost", ["-0.00", "-0", -0.0])
def test_a_negative_zero_cost_is_kept_as_zero(api, cost):
    body = _json(_put(api, {"demand": 1, "cost": cost}), 200)
    assert body["cost"] == "0.00"
    assert str(WidgetCount.objects.get().cost) == "0.00"
    assert WidgetCount.objects.get().cost == Decimal("0")


def test_a_negative_zero_is_zero_in_every_count_rule():
    from widgets import counting

    values, errors = counting.parse_values({"cost": "-0.00", "demand": "-0"}, blank_clears=False)
    assert not errors
    assert (str(values["cost"]), values["demand"]) == ("0.00", 0)


def test_the_schema_documents_every_error_with_its_shape(client):
    schema = client.get("/api/v1/schema").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            for code in ("400", "422", "503"):
                assert code in responses, (where, code)
            assert "Retry-After" in responses["503"]["headers"], where
            shapes = json.dumps(responses["422"]["content"]["application/json"]["schema"])
            assert "ValidationErrors" in shapes, where
            if "requestBody" in operation:
                assert "413" in responses, where
    put = schema["paths"]["/api/v1/widgets/{widget_id}/counts/{period}"]["put"]
    shapes = put["responses"]["422"]["content"]["application/json"]["schema"]["anyOf"]
    assert {"$ref": "#/components/schemas/CountRejected"} in shapes


def test_n_a_for_a_share_of_a_widget_that_is_not_the_agencys_is_a_422(api):
    """Found by schemathesis: "n/a" in a share beside delivered, on a widget the
    token's agency does not have, was judged as a number (a 500)."""
    widget, headers = api
    body = [
        {
            "widget_id": widget.pk + 1000,
            "period_start": PERIOD,
            "delivered": 5,
            "within_standard": "n/a",
            "rework": "n/a",
        },
    ]
    client = Client(raise_request_exception=False)
    response = client.post(
        "/api/v1/counts", data=json.dumps(body), content_type="application/json", **headers
    )
    (row,) = _json(response, 422)["errors"]
    assert "is not a widget of" in row["errors"]["widget_id"][0]
    assert not WidgetCount.objects.exists()
