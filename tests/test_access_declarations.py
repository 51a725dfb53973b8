"""Every view declares who may use it (agencies.permissions.grant), and each
declaration says what the policy table says.

tests/test_access_matrix.py asks the running views; this asks the declarations
alone, for the same URLs, roles and sample objects: the rule a view declares,
judged by agencies.scoping, must let through, hide (404) and refuse (403)
exactly whom tests/access_policy.py says. So a view cannot meet the policy by a
check hidden in its body while its declaration says something else, and a new
view cannot go without one.

Not ours to declare: the Django admin (its own permissions; the matrix asks it
as ADMIN_RULE), the token API (tokens, not sessions: widgets.api.app) and
django-allauth's own views.
"""

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from agencies.permissions import Grant

from . import access_policy as policy
from .test_access_matrix import build_world, cases, users  # noqa: F401 (a fixture)

NOT_OURS_NAMESPACES = ("admin", "api")
NOT_OURS_MODULES = ("allauth.",)


def _patterns(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in NOT_OURS_NAMESPACES:
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry.callback


def _is_ours(callback):
    module = getattr(callback, "__module__", "") or ""
    return not module.startswith(NOT_OURS_MODULES)


def test_every_view_declares_who_may_use_it():
    undeclared = sorted(
        name
        for name, callback in _patterns(get_resolver())
        if _is_ours(callback) and not isinstance(getattr(callback, "grant", None), Grant)
    )
    assert not undeclared, (
        "Views that declare nobody who may use them (decorate them with "
        f"agencies.permissions.grant): {undeclared}"
    )


def expected(answer):
    """What the policy's answer says the declaration must decide; None: not its to decide."""
    codes = answer.codes
    if codes == {405} or 401 in codes:
        return None  # the method is refused first, or a token is asked for
    if answer.location and answer.location[0].startswith(("/accounts/login/?", "/admin/login/?")):
        return "sign in"
    if codes <= {404, 405}:
        return "hidden"
    if codes == {403}:
        return "refused"
    return "through"


def decided(rule, user, method, kwargs):
    """What the declared rule alone does with this request."""
    if user is None:
        return "through" if rule.public else "sign in"
    try:
        rule.check(user, method.upper(), kwargs)
    except Http404:
        return "hidden"
    except PermissionDenied:
        return "refused"
    return "through"


@pytest.mark.django_db
def test_each_declaration_matches_the_policy_table(agency_a, users, caplog):  # noqa: F811
    caplog.set_level(logging.ERROR, logger="django.request")
    world = build_world(agency_a, users)
    mismatches, asked = [], 0
    for name, entry, path, _data in cases(world):
        match = resolve(path.partition("?")[0])
        rule = getattr(match.func, "grant", None)
        if rule is None:
            continue  # not ours (admin, API, allauth): see the module's docstring
        for method, answers in (("get", entry.get), ("post", entry.post)):
            for role in policy.ROLES:
                want = expected(answers[role])
                if want is None:
                    continue
                got = decided(rule, users[role], method, match.kwargs)
                # A public view decides for itself what exists (a publishing agency, a
                # configured provider): its rule only says nobody must sign in first.
                if rule.public and want != "sign in" and got == "through":
                    continue
                asked += 1
                if got != want:
                    mismatches.append(
                        f"{role:10} {method.upper():4} {path} ({name}): the policy says "
                        f"{answers[role]} ({want}); the view's grant says {got}"
                    )
    assert asked > 500
    assert not mismatches, f"{len(mismatches)} declarations differ from the policy:\n" + "\n".join(
        mismatches
    )
