"""The pages of uploads saved by the background worker (agencies.job_views)."""

from django.urls import path

from . import job_views

app_name = "uploads"
urlpatterns = [
    path("<int:pk>/", job_views.upload_job, name="job"),
    path("<int:pk>/status/", job_views.upload_job_status, name="job-status"),
]
