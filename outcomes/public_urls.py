"""The only pages open to anonymous visitors, besides sign-in and the API."""

from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("<slug:slug>/", views.public_agency, name="agency"),
]
