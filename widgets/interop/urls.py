"""URLs of widgets.interop.views, included in widgets.urls (namespace `widgets`)."""

from django.urls import path

from . import views as interop_views

interop_urlpatterns = [
    path("inventory/import/", interop_views.inventory_import, name="inventory-import"),
    path(
        "inventory/<slug:slug>/services.csv",
        interop_views.inventory_export_services,
        name="inventory-export-services",
    ),
    path(
        "inventory/<slug:slug>/standards.csv",
        interop_views.inventory_export_standards,
        name="inventory-export-standards",
    ),
    path("inventory/<slug:slug>/a11-cx.csv", interop_views.a11_export, name="a11-export"),
    path("open-data/<slug:slug>.csv", interop_views.opendata_csv, name="opendata-csv"),
    path("open-data/<slug:slug>.json", interop_views.opendata_json, name="opendata-json"),
]
