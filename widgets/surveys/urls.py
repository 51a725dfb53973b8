"""Survey result URLs, part of the `widgets` namespace (see widgets/urls.py)."""

from django.urls import path

from . import hosted_views as hosted
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
    # Hosted surveys (docs/surveys.md): customers answer for themselves.
    path("<int:pk>/survey/new/", hosted.hosted_survey_new, name="hosted-survey-new"),
    path("survey/<int:pk>/", hosted.hosted_survey, name="hosted-survey"),
    path("survey/<int:pk>/edit/", hosted.hosted_survey_edit, name="hosted-survey-edit"),
    path(
        "survey/<int:pk>/workflow/<slug:action>/",
        hosted.hosted_survey_action,
        name="hosted-survey-action",
    ),
    path("survey/<int:pk>/qr.svg", hosted.hosted_survey_qr, name="hosted-survey-qr"),
    path("survey/<int:pk>/print/", hosted.hosted_survey_print, name="hosted-survey-print"),
    path(
        "survey/<int:pk>/invitations/",
        hosted.hosted_survey_invitations,
        name="hosted-survey-invitations",
    ),
    path(
        "survey/invitations/<int:pk>.csv",
        hosted.hosted_survey_invitations_csv,
        name="hosted-survey-invitations-csv",
    ),
    path("survey/<int:pk>/comments/", hosted.hosted_survey_comments, name="hosted-survey-comments"),
    path(
        "survey/comments/<int:pk>/redact/",
        hosted.hosted_survey_redact,
        name="hosted-survey-redact",
    ),
]
