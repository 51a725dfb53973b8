from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from agencies import views as agency_views
from widgets import views as widget_views
from widgets.api import api

urlpatterns = [
    path("", widget_views.home, name="home"),
    path("healthz", agency_views.healthz, name="healthz"),
    path("accounts/login/", agency_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("agencies/", include("agencies.urls")),
    path("customers/", include("customers.urls")),
    path("widgets/", include("widgets.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("public/", include("outcomes.public_urls")),
    path("api/v1/", api.urls),
]
