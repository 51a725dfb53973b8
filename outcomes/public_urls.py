"""The only pages open to anonymous visitors, besides sign-in and the API: an
agency's public page and its open data."""

from django.urls import path

from . import public_views, views

app_name = "public"
urlpatterns = [
    path("<slug:slug>/", views.public_agency, name="agency"),
    path("<slug:slug>/data/", public_views.public_dictionary, name="data"),
    path("<slug:slug>/data/widgets.csv", public_views.public_widgets_csv, name="widgets-csv"),
    path("<slug:slug>/data/outcomes.csv", public_views.public_outcomes_csv, name="outcomes-csv"),
    path("<slug:slug>/data.json", public_views.public_data_json, name="data-json"),
    path(
        "<slug:slug>/data/dictionary.csv",
        public_views.public_dictionary_csv,
        name="dictionary-csv",
    ),
]
