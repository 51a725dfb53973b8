from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.segment_list, name="list"),
    path("new/", views.segment_create, name="create"),
    path("statewide/", views.statewide, name="statewide"),
    path("<int:pk>/", views.segment_detail, name="detail"),
    path("<int:pk>/edit/", views.segment_edit, name="edit"),
    path("<int:pk>/archive/", views.segment_archive, name="archive"),
]
