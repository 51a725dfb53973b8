from django.urls import path

from . import views
from .survey_urls import survey_urlpatterns

app_name = "widgets"
urlpatterns = [
    path("", views.widget_list, name="list"),
    path("<int:pk>/", views.widget_detail, name="detail"),
    *survey_urlpatterns,
]
