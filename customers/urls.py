from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.segment_list, name="list"),
]
