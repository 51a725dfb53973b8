"""How the app names a person: the one rule every page, e-mail and sort uses."""

from collections import Counter

from django.db.models import F, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim

from config.forms import NamedChoiceField, NamedChoiceIterator


def display_name(user, empty="nobody"):
    """A user's full name, else their username; `empty` for nobody."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()


def name_of(first_name, last_name, username):
    """display_name() from a user's fields, read without the user (Django's
    get_full_name: first and last name, stripped; else the username)."""
    return f"{first_name} {last_name}".strip() or username


def name_in_sql(path=""):
    """display_name() of the user at `path` ("owner": a widget's owner; "" the user
    itself) as a database expression, for a list that shows or sorts by it: first and
    last name with the spaces around them trimmed, else the username."""
    prefix = f"{path}__" if path else ""
    full = Trim(Concat(F(f"{prefix}first_name"), Value(" "), F(f"{prefix}last_name")))
    return Coalesce(NullIf(full, Value("")), F(f"{prefix}username"))


def name_order(path=""):
    """The order of name_in_sql(path) that people expect: "de Vries" beside "Dean",
    whatever the database's collation."""
    return Lower(name_in_sql(path))


class PeopleIterator(NamedChoiceIterator):
    """People offered by the name pages call them (display_name), in its order
    regardless of case; two of the same name told apart by their usernames, so
    that no two options read alike. One query for their names, no model instance."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.queryset.order_by().values_list("pk", "first_name", "last_name", "username")
        people = [(name_of(first, last, user), user, pk) for pk, first, last, user in rows]
        people.sort(key=lambda person: (person[0].lower(), person[1]))
        named = Counter(name for name, _username, _pk in people)
        for name, username, pk in people:
            yield (pk, f"{name} ({username})" if named[name] > 1 else name)


class PersonChoiceField(NamedChoiceField):
    """A choice of people, each by name (PeopleIterator), read without a model
    instance each; validated as Django's ModelChoiceField."""

    iterator = PeopleIterator

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, label_field="username", **kwargs)
