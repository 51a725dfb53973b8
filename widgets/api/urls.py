"""API token pages, part of the `widgets` namespace (see widgets/urls.py)."""

from django.urls import path

from . import views as api_token_views

api_token_urlpatterns = [
    path("api-tokens/<slug:slug>/", api_token_views.api_tokens_page, name="api-tokens"),
    path(
        "api-tokens/<slug:slug>/<int:pk>/revoke/",
        api_token_views.api_token_revoke,
        name="api-token-revoke",
    ),
]
