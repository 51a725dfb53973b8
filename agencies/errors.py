"""One family of exceptions for "nothing was saved".

Every write that cannot be applied exactly as the person saw it is refused whole
and explained (docs/domain.md, "How a write treats what it was not told"). The
services raise a subclass of NothingSaved; the message is for people. Views that
can do better (show the form again with both versions, show the preview again)
catch the subclass they know; anything that escapes is answered by
`agencies.middleware.NothingSavedMiddleware` as a 409 page with the message,
never a 500.

    NothingSaved
    ├── EditConflict      a record changed since its form was opened (`current`)
    ├── VersionMissing    an edit sent without the version it was opened at
    ├── CountConflict     counts changed since they were read (widgets.counting)
    └── UploadRejected    an upload's commit found what its preview did not
"""

from django.core.exceptions import ValidationError


class NothingSaved(Exception):
    """A write refused whole; `str(exc)` says why, in words for the person."""

    default_message = "Nothing was saved."
    # How a page answers it: 409 when someone else's save got in the way.
    status_code = 409

    def __init__(self, message=None):
        super().__init__(message or self.default_message)

    @property
    def message(self):
        return str(self)


VERSION_MISSING = (
    "This form was sent without the version it was opened at, so whether someone saved "
    "since cannot be told: nothing was saved. Open it again and make your change there."
)


class VersionMissing(NothingSaved):
    """An edit came without the version it was read at: refused, never saved unchecked."""

    default_message = VERSION_MISSING
    status_code = 400


def require_version(expected_version):
    """The version an edit was opened at; VersionMissing when it was not sent."""
    if expected_version is None:
        raise VersionMissing()
    return expected_version


class VersionedForm:
    """A form mixin: editing a saved record needs its `version` field (the hidden
    field the edit page sends back); without it the form says so and is invalid."""

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("version") is None and "version" not in self.errors:
            raise ValidationError(VERSION_MISSING, code="version_missing")
        return data


class EditConflict(NothingSaved):
    """Someone else saved the record since the form was opened; `current` is theirs."""

    default_message = "This was changed by someone else after you opened it. Nothing was saved."

    def __init__(self, current, message=None):
        super().__init__(message)
        self.current = current


class UploadRejected(NothingSaved):
    """An upload's commit found rows with errors, or data changed since the preview.

    `preview`, when given, is what the commit found: the view shows it again.
    """

    default_message = "The file could not be saved as previewed. Nothing was saved."
    status_code = 400  # the file's rows, unless `status_code` says someone else's save

    def __init__(self, preview=None, message=None, *, status_code=None):
        super().__init__(message)
        self.preview = preview
        if status_code is not None:
            self.status_code = status_code
