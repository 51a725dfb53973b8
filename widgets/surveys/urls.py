"""Survey result URLs, part of the `widgets` namespace (see widgets/urls.py)."""

from django.urls import path

from . import views as survey_views

survey_urlpatterns = [
    path("<int:pk>/surveys/new/", survey_views.survey_create, name="survey-create"),
    path("surveys/<int:pk>/edit/", survey_views.survey_edit, name="survey-edit"),
    path("surveys/import/", survey_views.survey_import, name="survey-import"),
    path(
        "surveys/import/template.csv",
        survey_views.survey_import_template,
        name="survey-import-template",
    ),
]
