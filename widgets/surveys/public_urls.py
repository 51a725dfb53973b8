"""The public pages of hosted surveys, at /s/ (config/urls.py): short enough to type
from a printed receipt. Namespace `answer`."""

from django.urls import path

from . import public_views

app_name = "answer"
urlpatterns = [
    path("i/<str:token>/", public_views.answer_invitation, name="invitation"),
    path("<slug:code>/", public_views.answer_survey, name="survey"),
    path("<slug:code>/thanks/", public_views.thanks, name="thanks"),
]
