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
    ├── CountConflict     counts changed since they were read (widgets.counting)
    └── UploadRejected    an upload's commit found what its preview did not
"""


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
