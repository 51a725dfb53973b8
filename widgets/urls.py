from django.urls import path

from . import views
from .survey_urls import survey_urlpatterns

app_name = "widgets"
urlpatterns = [
    path("", views.widget_list, name="list"),
    path("new/", views.widget_create, name="create"),
    path("new/<slug:slug>/", views.widget_create, name="create-for"),
    path("review/", views.review_queue, name="review-queue"),
    path("import/", views.definition_import, name="import"),
    path("import/template.csv", views.definition_import_template, name="import-template"),
    path("<int:pk>/", views.widget_detail, name="detail"),
    path("<int:pk>/edit/", views.widget_edit, name="edit"),
    path("<int:pk>/workflow/<slug:action>/", views.widget_transition, name="transition"),
    *survey_urlpatterns,
]
