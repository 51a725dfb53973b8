"""How the app names a person: the one rule every page, e-mail and sort uses."""


def display_name(user, empty="nobody"):
    """A user's full name, else their username; `empty` for nobody."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()
