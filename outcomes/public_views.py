"""The open data of an agency's public page (outcomes.open_data): its two datasets as
CSV, everything as JSON, and the data dictionary as CSV and as a page. Open to
anyone, like the public page, and only for an agency that publishes (404 otherwise).

Downloads may be kept by browsers and shared caches for an hour (the figures change
when counts are entered, at most a few times a day); a signed-in visitor's copy is
still `no-store` (config.http.NoStoreMiddleware).
"""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control

from agencies.models import Agency
from agencies.permissions import PUBLIC, grant
from agencies.tabular import export_response

from . import open_data

MAX_AGE = 3600
public_cache = cache_control(public=True, max_age=MAX_AGE)


def _publishing(slug):
    return get_object_or_404(Agency.objects.publishing(), slug=slug)


def _csv(headers, rows, filename):
    return export_response(headers=headers, rows=rows, filename=filename, fmt="csv")


@grant(PUBLIC)
@public_cache
def public_widgets_csv(request, slug):
    agency = _publishing(slug)
    start, end = open_data.months_shown()
    rows = open_data.widget_rows(agency, start=start, end=end)
    headers, cells = open_data.table(rows, open_data.WIDGET_COLUMNS)
    return _csv(headers, cells, f"{agency.slug}-widgets")


@grant(PUBLIC)
@public_cache
def public_outcomes_csv(request, slug):
    agency = _publishing(slug)
    headers, cells = open_data.table(open_data.outcome_rows(agency), open_data.OUTCOME_COLUMNS)
    return _csv(headers, cells, f"{agency.slug}-outcomes")


@grant(PUBLIC)
@public_cache
def public_data_json(request, slug):
    agency = _publishing(slug)
    source = request.build_absolute_uri(reverse("public:agency", args=[agency.slug]))
    document = open_data.document(open_data.published(agency), source=source)
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@grant(PUBLIC)
@public_cache
def public_dictionary_csv(request, slug):
    agency = _publishing(slug)
    headers, rows = open_data.dictionary_table()
    return _csv(headers, rows, f"{agency.slug}-data-dictionary")


@grant(PUBLIC)
def public_dictionary(request, slug):
    agency = _publishing(slug)
    return render(
        request,
        "outcomes/public_data.html",
        {"agency": agency, "datasets": open_data.DATASETS},
    )
