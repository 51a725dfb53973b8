"""The preview of a whole service inventory is a page a person can use: blocking errors
and findings by kind first, then the services 50 a page, filtered by finding and by
department; small at 2,000 rows."""

import importlib.util
import io
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = ROOT / "tests" / "data" / "interop" / "gc_sample"
URL = "/widgets/inventory/import/"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "inventory_data", ROOT / "bench" / "inventory_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _upload(name, text):
    upload = io.BytesIO(text.encode())
    upload.name = name
    return upload


def _preview(client, services, standards):
    response = client.post(
        URL,
        {
            "services": _upload("services.csv", services),
            "standards": _upload("standards.csv", standards),
            "agency": "",
        },
    )
    assert response.status_code == 200
    return response


def test_the_preview_of_2000_rows_is_one_small_page(client, admin_user):
    services, standards, departments = _generator().generate(services=2_000, standards=2_700)
    client.force_login(admin_user)
    response = _preview(client, services, standards)
    page = response.content.decode()
    assert response.context["preview"].total >= 1_900  # services (some over two years)
    assert len(departments) == 78
    assert len(response.content) < 300_000, f"{len(response.content):,} bytes"
    # Findings by kind come before the rows; 50 services a page.
    assert page.index("Findings by kind") < page.index(
        'class="usa-table usa-table--borderless usa-table--stacked upload-preview"'
    )
    assert len(response.context["shown"]) == 50
    assert "✗ Error" in page  # the grade in words and a symbol, not by colour alone


def test_findings_are_counted_by_kind_and_the_rows_filtered(client, admin_user):
    client.force_login(admin_user)
    services = (SAMPLE / "si_2024_sample.csv").read_text(encoding="utf-8-sig")
    standards = (SAMPLE / "ss_2024_sample.csv").read_text(encoding="utf-8-sig")
    response = _preview(client, services, standards)
    kinds = {what: n for grade, what, n, _ in response.context["finding_kinds"] if "Error" in grade}
    assert kinds["volume_meeting_target"] == 3
    ticket = response.context["token"]
    # Each kind links to its rows; the filters are labelled selects.
    page = response.content.decode()
    assert '<label class="usa-label" for="filter-finding">Findings</label>' in page
    assert '<label class="usa-label" for="filter-department">Department (owner_org)</label>' in page

    def shown(**chosen):
        response = client.get(URL, {"preview": ticket, **chosen})
        assert response.status_code == 200
        return response.context["page"].paginator.object_list, response.content.decode()

    rows, page = shown(finding="error:volume_meeting_target")
    assert len(rows) == 3
    assert all(any(i.column == "volume_meeting_target" for i in r.flags) for r in rows)
    assert "3 of 279 services match the filters" in page
    with_findings, _ = shown(finding="any")
    without, _ = shown(finding="none")
    assert len(with_findings) + len(without) == 279
    department = rows[0].agency_code
    rows, page = shown(department=department, finding="any")
    assert rows and {r.agency_code for r in rows} == {department}
    assert all(r.flags for r in rows)
    # The pages of a filtered preview keep its filters.
    assert not re.search(r"page=2[^\"]*\"", page) or f"department={department}" in page
    rows, _ = shown(finding="not-a-filter")  # unknown: every row
    assert len(rows) == 279
