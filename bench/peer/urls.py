"""One webhook route; BENCH_PEER chooses which peer serves it (orm or lean)."""

import os

from django.urls import path

from bench.peer.views import lean_webhook, webhook

VIEWS = {"orm": webhook, "lean": lean_webhook}

urlpatterns = [path("wechat/<slug:slug>/", VIEWS[os.environ.get("BENCH_PEER", "orm")])]
