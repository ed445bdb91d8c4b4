from django.urls import path

from bench.peer.views import webhook

urlpatterns = [path("wechat/<slug:slug>/", webhook)]
