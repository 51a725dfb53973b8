from django.urls import path

from .api.urls import api_token_urlpatterns
from .catalogue import views
from .counting import quality_views, upload_views
from .counting import views as count_views
from .interop.urls import interop_urlpatterns
from .surveys.urls import survey_urlpatterns

app_name = "widgets"
urlpatterns = [
    path("", views.widget_list, name="list"),
    path("new/", views.widget_create, name="create"),
    path("new/<slug:slug>/", views.widget_create_for, name="create-for"),
    path("review/", views.review_queue, name="review-queue"),
    path("import/", views.definition_import, name="import"),
    path("import/template.csv", views.definition_import_template, name="import-template"),
    path("counts/<slug:slug>/", count_views.count_entry, name="count-entry"),
    path("counts/<slug:slug>/overdue/", count_views.overdue, name="overdue"),
    path("counts/<slug:slug>/quality/", quality_views.data_quality, name="data-quality"),
    path("counts/<slug:slug>/upload/", upload_views.count_upload, name="count-upload"),
    path(
        "counts/upload-template.csv",
        upload_views.count_upload_template,
        name="count-upload-template",
    ),
    path("count/<int:pk>/edit/", count_views.count_edit, name="count-edit"),
    path("<int:pk>/counts/", count_views.count_history, name="count-history"),
    path("<int:pk>/", views.widget_detail, name="detail"),
    path("<int:pk>/edit/", views.widget_edit, name="edit"),
    path("<int:pk>/workflow/<slug:action>/", views.widget_transition, name="transition"),
    *survey_urlpatterns,
    *api_token_urlpatterns,
    *interop_urlpatterns,
]
