"""One upload flow for every import: upload -> preview -> commit, or cancel.

An import page is a small subclass of UploadView that says only what differs
(title, form, who may use it, how to preview, how to commit); the flow, the
checks every file gets and the page (templates/uploads/upload.html) are here.

    GET                          the upload form
    POST files                   read and check every row, stash the files, show
                                 the preview (page 1) with a signed ticket
    GET ?preview=<ticket>&page=  another page of the same preview (read again), its
                                 rows filtered by the page's row_filters() if asked
    POST token=<ticket>          commit: read the stashed files again, check every
                                 row again, save all or nothing; redirect. A file of
                                 more than background_rows() rows is queued instead
                                 (agencies.jobs): redirect to the job's page, which
                                 follows the worker's progress, then the result
    POST token, action=cancel    discard the stashed files: nothing was saved

A refused commit (agencies.errors.NothingSaved, UploadRejected with the
preview it found) is a page with the message, answered with the exception's
status_code (400 for the file's rows, 409 for someone else's save); a bad,
expired or someone else's ticket is a 400. The preview protocol (what every import fills) is in
agencies.previews.
"""

import contextlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.files import File
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views import View

from . import jobs, tabular
from .errors import NothingSaved, UploadRejected
from .previews import STATUS_LABELS, STATUS_TAGS
from .tabular import UploadError

_TICKET_SALT = "agencies.uploads.ticket"
CANCELLED = "Cancelled. Nothing was saved."


class UploadForm(forms.Form):
    """One CSV or XLSX file: the form of every import that takes one file."""

    file = forms.FileField(
        label="CSV or Excel (XLSX) file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class _Read:
    """What the base saw of one file while a preview read it."""

    def __init__(self, rows):
        self.rows = rows  # tabular.Rows: its `columns` once the header is read
        self.count = 0


class UploadView(View):
    """The upload -> preview -> commit flow; subclasses fill in what differs.

    Attributes: `title`, `intro` (a paragraph under the title), `form_class`
    (UploadForm: one field `file`), `file_help` (the file field's hint),
    `stash_kind`, `columns` ([(name, what to put in it)] or names: documented
    on the page, and the columns the file may have), `template_url_name` (the
    template download), `noun` / `noun_plural` (what a row is), `max_rows`
    (None: settings.UPLOAD_MAX_ROWS), `page_size`, `status_labels` (overrides
    of previews.STATUS_LABELS), `template_name`.

    Who may use an upload is declared where its URL's view is made:
    `grant(STAFF, ...)(MyUpload.as_view())` (agencies.permissions); an object the
    grant looked up is in `self.kwargs`.

    Hooks: preview(files, options), commit(preview,
    state=), extra_state(preview), get_success_url(); and, less often,
    get_stash_kind(), get_form_kwargs(), get_options(form), known_columns(field),
    column_groups(), commit_files(files, options, state=), get_context_data(),
    background_rows(), row_filters(preview) with filter_rows(rows, chosen), and
    finding_kinds(preview).

    In the background (agencies.jobs), the worker sets the view up as the
    confirming request was (same URL and user, the @grant applied again) and
    calls commit_files(); `progress` is then told the rows read so far. A hook
    that may run there reads only `self.request.user` and `self.kwargs`.
    """

    title = ""
    intro = ""
    form_class = UploadForm
    file_help = ""
    template_name = "uploads/upload.html"
    stash_kind = ""
    columns = ()
    template_url_name = None
    noun = "row"
    noun_plural = "rows"
    max_rows = None
    page_size = 50
    status_labels = {}
    label_heading = "Item"  # the preview's column for each row's label
    columns_note = ""  # a paragraph above the columns
    progress = None  # in the worker: told the rows read so far (agencies.jobs)

    # --- hooks ---------------------------------------------------------------------

    def preview(self, files, options):
        """{field: file} -> previews.Preview; saves nothing.

        Each file has `.name`, the name it was uploaded as. Read each with
        `self.read_rows(file, file.name, required=...)`, so that the base checks
        the row limit, a header without rows and the columns it does not read.
        `options`: the form's other values (get_options). Raise
        tabular.UploadError for a file that cannot be read at all.
        """
        raise NotImplementedError

    def commit(self, preview, *, state):
        """Save a preview without errors, all or nothing; returns the success message.

        Raise UploadRejected (with the preview to show again) or any
        NothingSaved to refuse: nothing is saved, the page answers 400.
        `state` is what extra_state() gave at the preview, back signed.
        """
        raise NotImplementedError

    def extra_state(self, preview):
        """A JSON-able dict carried, signed, from the preview to the commit."""
        return {}

    def get_success_url(self):
        return self.request.path

    def row_filters(self, preview):
        """[(name, label, [(value, text)])]: filters of the preview's rows, shown above
        them as labelled selects (the first option, value "", shows every row)."""
        return []

    def filter_rows(self, rows, chosen):
        """The rows (errors first) that match `chosen`: {filter name: value}, none blank."""
        return rows

    def finding_kinds(self, preview):
        """[(symbol and grade in words, what, rows, filter value)]: the findings of rows
        that can be saved, grouped by kind, listed with the blocking errors."""
        return []

    def background_rows(self):
        """A confirmed file of more rows than this is saved by the background worker,
        with a progress page; None: always inside the request."""
        return settings.UPLOAD_BACKGROUND_ROWS

    def get_stash_kind(self):
        """Whose stash this is; a ticket made for another kind is refused."""
        return self.stash_kind

    def get_form_kwargs(self):
        return {}

    def get_options(self, form):
        """The form's values besides its files (JSON-able), given to preview()."""
        return {
            name: value
            for name, value in form.cleaned_data.items()
            if not isinstance(form.fields[name], forms.FileField)
        }

    def known_columns(self, field):
        """The columns the file in `field` may have; others are named as not read."""
        return {c if isinstance(c, str) else c[0] for c in self.columns}

    def column_groups(self):
        """[(caption, [(name, help)])] documented under the form."""
        if not self.columns:
            return []
        rows = [(c, "") if isinstance(c, str) else c for c in self.columns]
        return [("Columns of the file", rows)]

    def commit_files(self, files, options, *, state):
        """Check the stashed files again and commit; override to save while reading.

        A subclass that saves as it reads (a file too large to keep whole)
        overrides this and raises UploadRejected(preview) itself.
        """
        preview = self.run_preview(files, options)
        if preview.error_count:
            n = preview.error_count
            raise UploadRejected(
                preview, f"{n} row{'s have' if n > 1 else ' has'} errors; nothing was saved."
            )
        return self.commit(preview, state=state)

    # --- reading ---------------------------------------------------------------------

    def get_max_rows(self):
        return self.max_rows if self.max_rows is not None else settings.UPLOAD_MAX_ROWS

    def read_rows(self, fileobj, filename, *, required=()):
        """tabular.read_rows, counted: refuses more than get_max_rows() rows."""
        field = self._field_of.get(id(fileobj), self._primary)
        limit = self.get_max_rows()
        rows = tabular.read_rows(fileobj, filename, required=required, max_rows=limit)
        read = self._reads[field] = _Read(rows)
        progress = self.progress
        try:
            for row in rows:
                read.count += 1
                if progress is not None:
                    self._rows_read += 1
                    progress.read(self._rows_read)
                if read.count > limit:
                    raise UploadError(
                        f"The file has more than {limit:,} rows; at most {limit:,} are read "
                        "at once. Split it into smaller files and upload each."
                    )
                yield row
        except UploadError:
            self._failed_field = field
            raise
        finally:
            rows.close()  # now, while the file is open, even when the reading stopped early

    def begin_reading(self, files):
        """Forget what earlier reads saw; `files` ({field: file}) are read next."""
        self._reads, self._failed_field, self._rows_read = {}, None, 0
        self._field_of = {id(f): name for name, f in files.items()}

    def rows_read(self, preview):
        """How many rows the files held (all of them, whichever file), as last read."""
        return sum(read.count for read in self._reads.values()) or preview.total

    def run_preview(self, files, options):
        """preview(), then the checks every file gets; UploadError names `failed_field`."""
        self.begin_reading(files)
        preview = self.preview(files, options)
        primary = self._reads.get(self._primary)
        if (primary.count if primary else preview.total) == 0:
            self._failed_field = self._primary
            raise UploadError("The file has a header but no rows.")
        if preview.total > self.get_max_rows():  # a preview that read the file itself
            self._failed_field = self._primary
            limit = self.get_max_rows()
            raise UploadError(f"The file has more than {limit:,} rows; split it.")
        labels = self.file_labels
        for field, read in self._reads.items():
            known = self.known_columns(field)
            if known is None:
                continue
            ignored = [c for c in read.rows.columns or () if c and c not in known]
            if ignored:
                where = labels.get(field, "") if len(self._reads) > 1 else ""
                preview.ignored_columns.append((where, ignored))
        preview.filenames = [f.name for f in files.values()]
        return preview

    @cached_property
    def file_labels(self):
        """{field name: label} of the form's file fields; the first is the main file."""
        form = self.form_class(**self.get_form_kwargs())
        return {
            name: str(field.label)
            for name, field in form.fields.items()
            if isinstance(field, forms.FileField)
        }

    @property
    def _primary(self):
        return next(iter(self.file_labels), "file")

    # --- the flow --------------------------------------------------------------------

    def get_form(self, data=None, files=None):
        return self.form_class(data, files, **self.get_form_kwargs())

    def get(self, request, *args, **kwargs):
        ticket = request.GET.get("preview")
        if ticket is None:
            return self.render_page()
        try:
            data = self.open_ticket(ticket)
            with self.open_files(data) as files:
                preview = self.run_preview(files, data["options"])
        except UploadError as exc:
            return self.render_page(refusal=str(exc), status=400)
        return self.render_page(preview=preview, ticket=ticket)

    def post(self, request, *args, **kwargs):
        ticket = request.POST.get("token")
        if not ticket:
            return self.upload()
        if request.POST.get("action") == "cancel":
            return self.cancel(ticket)
        return self.commit_ticket(ticket)

    def upload(self):
        request = self.request
        self.discard_quietly(request.POST.get("previous"))
        form = self.get_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form=form)
        files = {
            name: form.cleaned_data[name]
            for name, field in form.fields.items()
            if isinstance(field, forms.FileField) and form.cleaned_data.get(name)
        }
        options = self.get_options(form)
        try:
            preview = self.run_preview(files, options)
        except UploadError as exc:
            form.add_error(self._failed_field or self._primary, str(exc))
            return self.render_page(form=form)
        tokens = {
            name: tabular.stash(f, user=request.user, kind=f"{self.get_stash_kind()}:{name}")
            for name, f in files.items()
        }
        ticket = self.sign_ticket(
            tokens,
            options,
            self.extra_state(preview),
            rows=self.rows_read(preview),
            names=preview.filenames,
        )
        return self.render_page(preview=preview, ticket=ticket)

    def commit_ticket(self, ticket):
        try:
            data = self.open_ticket(ticket)
        except UploadError as exc:
            return self.render_page(refusal=str(exc), status=400)
        limit = self.background_rows()
        if limit is not None and data.get("rows", 0) > limit:
            return redirect(jobs.start(self, data))
        try:
            with self.open_files(data) as files:
                message = self.commit_files(files, data["options"], state=data["state"])
        except UploadRejected as exc:
            if exc.preview is None:
                self.discard(data)
                return self.render_page(refusal=exc.message, status=exc.status_code)
            # The preview as the commit found it, with a ticket for what it shows.
            again = self.sign_ticket(
                data["files"],
                data["options"],
                self.extra_state(exc.preview),
                rows=data.get("rows", 0),
                names=data.get("names", ()),
            )
            return self.render_page(
                preview=exc.preview, ticket=again, refusal=exc.message, status=exc.status_code
            )
        except NothingSaved as exc:
            self.discard(data)
            return self.render_page(refusal=exc.message, status=exc.status_code)
        except UploadError as exc:  # the ticket or its files
            return self.render_page(refusal=str(exc), status=400)
        self.discard(data)
        messages.success(self.request, message)
        return redirect(self.get_success_url())

    def cancel(self, ticket):
        try:
            data = self.open_ticket(ticket)
        except UploadError as exc:
            return self.render_page(refusal=f"{exc} Nothing was saved.", status=400)
        self.discard(data)
        messages.info(self.request, CANCELLED)
        return redirect(self.request.path)

    # --- the ticket: the stashed files, the options and the state, signed --------------

    def sign_ticket(self, tokens, options, state, *, rows=0, names=()):
        """The signed ticket of a preview: its stashed files, options and state, and
        how many rows the files hold (a large file is saved in the background)."""
        payload = {
            "user": self.request.user.pk,
            "kind": self.get_stash_kind(),
            "files": tokens,
            "options": options,
            "state": state,
            "rows": rows,
            "names": list(names),
        }
        return signing.dumps(payload, salt=_TICKET_SALT, compress=True)

    def open_ticket(self, ticket):
        try:
            data = signing.loads(ticket, salt=_TICKET_SALT, max_age=tabular.STASH_MAX_AGE)
        except signing.SignatureExpired as exc:
            raise UploadError("This preview has expired. Upload the file again.") from exc
        except signing.BadSignature as exc:
            raise UploadError("This preview is not valid. Upload the file again.") from exc
        if data.get("user") != self.request.user.pk:
            raise UploadError("This preview is not yours. Upload the file again.")
        if data.get("kind") != self.get_stash_kind():
            raise UploadError("This preview is for another import. Upload the file again.")
        return data

    @contextlib.contextmanager
    def open_files(self, data):
        """{field: file} of the ticket's stashed files, each named as it was uploaded."""
        user, kind = self.request.user, self.get_stash_kind()
        with contextlib.ExitStack() as opened:
            files = {}
            for name, token in data["files"].items():
                fileobj, original = tabular.unstash(token, user=user, kind=f"{kind}:{name}")
                opened.callback(fileobj.close)
                files[name] = File(fileobj, name=original)
            self.begin_reading(files)
            yield files

    def discard(self, data):
        for token in data["files"].values():
            tabular.discard(token)

    def discard_quietly(self, ticket):
        """Discard the preview a new upload replaces, if it is the user's."""
        if ticket:
            with contextlib.suppress(UploadError):
                self.discard(self.open_ticket(ticket))

    # --- the page --------------------------------------------------------------------

    def render_page(self, *, form=None, preview=None, ticket=None, refusal=None, status=200):
        context = self.get_context_data(
            form=form or self.get_form(), preview=preview, token=ticket, refusal=refusal
        )
        return render(self.request, self.template_name, context, status=status)

    def get_context_data(self, **context):
        preview, ticket = context.get("preview"), context.get("token")
        if preview is not None:
            context.update(self.preview_context(preview, ticket))
        context.update(
            view=self,
            check_label="Check the files" if len(self.file_labels) > 1 else "Check the file",
            column_groups=[
                (caption, rows, any(help_text for _, help_text in rows))
                for caption, rows in self.column_groups()
            ],
            template_url=reverse(self.template_url_name) if self.template_url_name else None,
        )
        return context

    def preview_context(self, preview, ticket):
        """The context of templates/uploads/preview.html: one page of rows, errors first."""
        labels = {**STATUS_LABELS, **self.status_labels}
        get = self.request.GET if self.request.method == "GET" else {}
        filters = self.row_filters(preview)
        chosen = {}
        for name, _label, options in filters:
            if get.get(name) in {value for value, _ in options[1:]}:
                chosen[name] = get[name]
        rows = self.filter_rows(preview.ordered_rows(), chosen) if chosen else None
        shown_rows = preview.ordered_rows() if rows is None else rows
        page = Paginator(shown_rows, self.page_size).get_page(get.get("page", 1))
        pages = [
            (n, self._page_url(ticket, n, chosen) if n != Paginator.ELLIPSIS else None)
            for n in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ]
        return {
            "page": page,
            "pages": pages,
            "shown": [(row, labels[row.status], STATUS_TAGS[row.status]) for row in page],
            "previous_url": self._page_url(ticket, page.number - 1, chosen)
            if page.has_previous()
            else None,
            "next_url": self._page_url(ticket, page.number + 1, chosen)
            if page.has_next()
            else None,
            "can_commit": bool(ticket) and not preview.error_count and preview.to_save_count > 0,
            "filters": [
                (name, label, options, chosen.get(name, "")) for name, label, options in filters
            ],
            "filtered": bool(chosen),
            "finding_kinds": [
                (grade, what, n, self._page_url(ticket, 1, {"finding": value}) if ticket else None)
                for grade, what, n, value in self.finding_kinds(preview)
            ],
        }

    def _page_url(self, ticket, number, chosen=None):
        query = {"preview": ticket, **(chosen or {}), "page": number}
        return f"{self.request.path}?{urlencode(query)}"
