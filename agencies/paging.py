"""A long list a page at a time, for views that page a list or queryset themselves
(the django-tables2 lists page through their table): what
templates/includes/pagination.html draws.

A page past the end shows the last, and a page that is not a number the first
(Django's `Paginator.get_page`): a link kept from when the list was longer still
opens a page, as on the widget list."""

from django.core.paginator import Paginator


def paged(request, items, per_page):
    """{"page": the Page asked for (`?page=`), "pages": the page numbers to offer
    (elided), "page_query": the query of a link to another page, keeping the
    request's other parameters (the filters), up to the page number}."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page,
        "pages": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "page_query": f"?{query.urlencode()}&page=" if query else "?page=",
    }
