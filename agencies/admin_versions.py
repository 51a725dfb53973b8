"""The admin's change forms of versioned records refuse a lost update.

Every edit of a record that carries a `version` (a widget definition, an
outcome, a countermeasure, a step change) is saved only if the record is still
as the editor saw it (agencies.errors). The app's forms send the version back
in a hidden field; the admin's change forms do the same here:

- the form carries the version it was opened at (hidden `seen_version`); one
  sent without it is refused (a forged request must not skip the check);
- a save over a change made after the form was opened is refused, and the admin
  is told above the form who saved it and when; the form's version moves on, so
  that saving again replaces the other change knowingly (as the app's edit
  forms do: config.forms.refuse_stale_save);
- the check is made again under a row lock when saving (EditConflict, a 409
  page, for a save that lands between the two), and every save here gives the
  record a new version, so an app form opened before it is refused in turn.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from .errors import VERSION_MISSING, EditConflict


class VersionCheckedForm(forms.ModelForm):
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        if self.instance.pk is None or "seen_version" in self.errors:
            return data
        seen = data.get("seen_version")
        if seen is None:
            raise ValidationError(VERSION_MISSING, code="version_missing")
        # The instance was read when this POST arrived: its version is the current one.
        if seen != self.instance.version:
            self.data = self.data.copy()
            self.data["seen_version"] = self.instance.version
            raise ValidationError(stale_message(self.instance), code="stale")
        return data


def stale_message(current):
    noun = current._meta.verbose_name
    last = current.history.first() if hasattr(current, "history") else None
    by = ""
    if last is not None:
        who = last.history_user.get_username() if last.history_user else "someone"
        when = date_format(timezone.localtime(last.history_date), "DATETIME_FORMAT")
        by = f" (the last save: {who}, {when})"
    return (
        f"Someone else saved this {noun} after you opened it{by}. Nothing was saved. "
        "Open it again in another tab to see their change; saving this form again "
        "replaces it with what is shown here."
    )


def lock_current(obj, *, seen):
    """The record as stored, locked for this transaction; EditConflict if it has
    moved on from the version the form was opened at."""
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if seen is None or current.version != seen:
        raise EditConflict(current, stale_message(current))
    return current


class VersionCheckedAdmin:
    """A ModelAdmin mixin (before the admin class) for models with a `version`."""

    form = VersionCheckedForm

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if "version" in fields else [*fields, "version"]

    def save_model(self, request, obj, form, change):
        if change:
            current = lock_current(obj, seen=form.cleaned_data.get("seen_version"))
            obj.version = current.version + 1
            self.replacing(request, obj, current)
        super().save_model(request, obj, form, change)

    def replacing(self, request, obj, current):
        """Called with the stored record (locked, as the form saw it) before `obj`
        replaces it: what an admin may add to the save."""
