"""Survey result URLs, part of the `widgets` namespace (see widgets/urls.py)."""

survey_urlpatterns = []
