"""URL map: the admin, the health check, and one webhook per account."""

from django.contrib import admin
from django.urls import include, path, re_path

from autoreply import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
    path("healthz", views.healthz, name="healthz"),
    # With and without the trailing slash: WeChat does not follow redirects on POST.
    re_path(r"^wechat/(?P<slug>[-\w]+)/?$", views.webhook_view, name="webhook"),
]
