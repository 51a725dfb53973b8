"""An administrator adds a membership in the Django admin, and it takes effect."""

import pytest
from playwright.sync_api import expect

from agencies.models import Membership, Role
from tests import factories as f

from .conftest import assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def _autocomplete(page, field, text):
    """Pick a value in the admin's autocomplete box, as a person does."""
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.locator(".select2-search__field").fill(text)
    # wait for the search results, not the first list shown while it searches
    page.locator(".select2-results__option--highlighted", has_text=text).wait_for()
    page.keyboard.press("Enter")


def test_admin_adds_a_membership_and_the_user_gets_access(page, base, sign_in):
    f.AdminFactory(username="admin")
    agency = f.AgencyFactory(name="Department of Motor Vehicles", abbreviation="DMV", slug="dmv")
    newcomer = f.UserFactory(username="newcomer@dmv", first_name="Nia", last_name="Okafor")

    sign_in("newcomer@dmv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting for access")
    page.get_by_role("button", name="Sign out").click()

    sign_in("admin")
    page.goto(f"{base}/admin/agencies/membership/add/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add membership")
    _autocomplete(page, "user", "newcomer")
    _autocomplete(page, "agency", "Motor")
    page.locator("#id_role").select_option(Role.MANAGER)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Membership.objects.filter(user=newcomer, agency=agency, role=Role.MANAGER).exists()
    page.get_by_role("button", name="Log out").click()

    sign_in("newcomer@dmv")
    expect(page.locator(".identity-bar")).to_contain_text("Manager, Department of Motor Vehicles")
    assert_no_axe_violations(page)
