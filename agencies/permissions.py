"""Who may use a view, declared on the view: `@grant(...)`.

One idiom for every view of the four apps, so that a reader sees the rule where
the view is. The decorator enforces the rule before the view runs, and hands the
view the object the rule was judged on; the rules themselves are
agencies.scoping's (docs/domain.md, "Who may do what"):

    @grant(PUBLIC)                 anyone, signed in or not (the view shows only
                                   what is published)
    @grant(SIGNED_IN)              any signed-in user (the page lists what they may read)
    @grant(READ)                   a member of some agency, or an admin; else 403
    @grant(STAFF) / @grant(MANAGER)
                                   staff / a manager of some agency; else 403: pages
                                   that are nobody's object yet (a new segment, imports)
    @grant(READ, widget=Widget)    the widget the URL's `pk` names, if the user may
                                   read it (else 404, as if it did not exist); the
                                   view gets it as `widget` instead of `pk`
    @grant(STAFF, segment=CustomerSegment.objects.select_related("agency"))
                                   ... and only if they may change it as staff of its
                                   agency (else 403)
    @grant(MANAGER, agency=Agency, by="slug")
                                   the object named by the URL's `slug`
    @grant(READ, review=Review, post=MANAGER)
                                   reading is enough to look; a POST needs a manager
    @grant(role_of_action, widget=Widget)
                                   the role named by the URL's other arguments (a
                                   workflow action); the function raises Http404 for
                                   an action that does not exist
    @grant(NOBODY)                 a page that is not offered: 404 once signed in

`to` finishes the sentence a refused user reads: "Only staff of X can {to}."

tests/test_access_matrix.py holds every declaration to the policy table
(tests/access_policy.py), and fails for a URL whose view declares nothing.
Services still check the role they need (a view is not the only caller).
"""

import functools
from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .models import Agency
from .scoping import (
    MANAGER,
    ROLE_RANK,
    STAFF,
    can_change,
    get_readable_or_404,
    may_change_some_agency,
    may_read_any,
)

PUBLIC = "public"
SIGNED_IN = "signed in"
READ = "read"
NOBODY = "nobody"
__all__ = ["MANAGER", "NOBODY", "PUBLIC", "READ", "SIGNED_IN", "STAFF", "Grant", "grant"]

# Methods that only look; any other needs the `post` role where one is declared.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WHO = {STAFF: "staff", MANAGER: "managers"}


@dataclass(frozen=True)
class Grant:
    """A view's declared rule (the decorator puts it on the view as `.grant`)."""

    role: object  # one of the names above, or a function of the URL's other arguments
    post: object = None  # the role for methods that change (None: the same as `role`)
    name: str | None = None  # the view's argument that receives the object
    target: QuerySet | None = None  # where the object is looked up
    by: str = "pk"  # the URL argument that names it (the model field of the same name)
    to: str = "change this"

    @property
    def public(self):
        return self.role == PUBLIC

    def role_for(self, method, arguments):
        role = self.role if method in SAFE_METHODS or self.post is None else self.post
        return role(**arguments) if callable(role) else role

    def check(self, user, method, kwargs):
        """The view's keyword arguments with the object in place of its lookup.

        Raises Http404 when the object is out of the user's scope (or the page is
        not offered) and PermissionDenied when the user may read but not do this.
        """
        kwargs = dict(kwargs)
        key = kwargs.pop(self.by) if self.target is not None else None
        role = self.role_for(method, kwargs)
        if role == PUBLIC:
            return kwargs
        if role == NOBODY:
            raise Http404("Not offered here.")
        if self.target is None:
            self._check_page(user, role)
            return kwargs
        obj = get_readable_or_404(self.target, user, **{self.by: key})
        if role in ROLE_RANK:
            agency_id = self.target.agency_id_of(obj)
            if not can_change(user, agency_id, role):
                raise PermissionDenied(self._refusal(role, agency_id))
        kwargs[self.name] = obj
        return kwargs

    def _check_page(self, user, role):
        if role == SIGNED_IN:
            return
        if role == READ:
            if not may_read_any(user):
                raise PermissionDenied(f"Only members of an agency can {self.to}.")
            return
        if not may_change_some_agency(user, role):
            raise PermissionDenied(f"Only an agency's {_WHO[role]} can {self.to}.")

    def _refusal(self, role, agency_id):
        if agency_id is None:  # the state's own (a huddle board): no agency's people
            return f"You can read this, but only administrators can {self.to}."
        name = Agency.objects.filter(pk=agency_id).values_list("name", flat=True).first()
        return f"You can read this, but only {_WHO[role]} of {name} can {self.to}."


def grant(role, *, post=None, by="pk", to="change this", **target):
    """Declare who may use the decorated view (see the module's docstring)."""
    if len(target) > 1:
        raise TypeError("A view is judged on one object.")
    name, queryset = next(iter(target.items()), (None, None))
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    rule = Grant(role=role, post=post, name=name, target=queryset, by=by, to=to)

    def decorate(view):
        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            return view(request, *args, **rule.check(request.user, request.method, kwargs))

        guarded.grant = rule
        return login_not_required(guarded) if rule.public else guarded

    return decorate
