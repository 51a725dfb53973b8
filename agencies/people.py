"""How the app names a person: the one rule every page, e-mail and sort uses."""

from django.db.models import F, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim

from config.forms import NamedChoiceField, NamedChoiceIterator


def display_name(user, empty="nobody"):
    """A user's full name, else their username; `empty` for nobody."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()


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
    """People offered by the name pages call them (display_name), in its order; two
    of the same name told apart by their usernames, so that no two options read
    alike."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = list(
            self.queryset.annotate(shown_as=name_in_sql())
            .order_by(name_order(), "username")
            .values_list("pk", "shown_as", "username")
        )
        names = [name for _pk, name, _username in rows]
        for pk, name, username in rows:
            yield (pk, f"{name} ({username})" if names.count(name) > 1 else name)


class PersonChoiceField(NamedChoiceField):
    """A choice of people, each by name (PeopleIterator), read without a model
    instance each; validated as Django's ModelChoiceField."""

    iterator = PeopleIterator

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, label_field="username", **kwargs)
