from .scoping import MANAGER, is_admin, memberships_of


def memberships(request):
    """The signed-in user's agencies and roles, for the header on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = memberships_of(user)
    return {
        "my_memberships": items,
        "is_admin": is_admin(user),
        "is_manager": is_admin(user) or any(m.role == MANAGER for m in items),
    }
