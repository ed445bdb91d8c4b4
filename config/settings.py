"""Django settings for autoreply, read from the environment (see README, "Settings")."""

from pathlib import Path

import dj_database_url

from autoreply.conf import DEFAULTS
from config import env, logs

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = BASE_DIR / ".local"  # git-ignored: this checkout's generated secrets and data

# The PostgreSQL that `bin/serve` starts for this checkout when DATABASE_URL is unset.
LOCAL_DATABASE_URL = "postgres://autoreply@127.0.0.1:{}/autoreply".format(
    env.integer("AUTOREPLY_PGPORT", 54329, minimum=1)
)

DEBUG = env.flag("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env.words("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env.words("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# Serving a real host name with DEBUG off is production: there the safe settings below
# are the defaults, and nothing falls back to a key made up for this checkout.
PRODUCTION = not DEBUG and any(host not in env.LOOPBACK_HOSTS for host in ALLOWED_HOSTS)
SECRET_KEY = env.secret_key("DJANGO_SECRET_KEY", LOCAL_DIR / "secret_key", required=PRODUCTION)

# TLS ends at the reverse proxy in front of us; it redirects plain HTTP itself (see
# deploy/nginx), so Django does not unless asked: the webhook must never be redirected
# (WeChat does not follow redirects on POST), and neither must a load balancer's probe.
SECURE_SSL_REDIRECT = env.flag("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.flag(
    "DJANGO_SECURE_COOKIES", PRODUCTION or SECURE_SSL_REDIRECT
)
SECURE_HSTS_SECONDS = env.integer("DJANGO_SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.flag("DJANGO_SECURE_HSTS_PRELOAD", True)
# security.W008 asks Django to redirect to HTTPS; here the proxy does (see above).
SILENCED_SYSTEM_CHECKS = [] if SECURE_SSL_REDIRECT else ["security.W008"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "nested_admin",
    "procrastinate.contrib.django",  # the task queue of autoreply.outbound, in PostgreSQL
    "autoreply",
]

MIDDLEWARE = [
    "autoreply.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's Accept-Language picks one of LANGUAGES; LANGUAGE_CODE otherwise.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Versions of rules and lookup tables recorded meanwhile are the user's (autoreply/history).
    "autoreply.history.authorship.AuthorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
APPEND_SLASH = True  # the webhook route itself accepts both forms, so POSTs never redirect

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The webhook's knobs (defaults in autoreply/conf.py, checked at start-up by autoreply/checks.py).
WECHAT_TIMESTAMP_TOLERANCE = env.integer(
    "WECHAT_TIMESTAMP_TOLERANCE", DEFAULTS["WECHAT_TIMESTAMP_TOLERANCE"]
)
WECHAT_MAX_BODY_BYTES = env.integer(
    "WECHAT_MAX_BODY_BYTES", DEFAULTS["WECHAT_MAX_BODY_BYTES"], minimum=1
)
WECHAT_REPLY_DEADLINE = env.number("WECHAT_REPLY_DEADLINE", DEFAULTS["WECHAT_REPLY_DEADLINE"])
AUTOREPLY_REFRESH_SECONDS = env.number(
    "AUTOREPLY_REFRESH_SECONDS", DEFAULTS["AUTOREPLY_REFRESH_SECONDS"]
)
# Lookup tables that `manage.py sync_lookup` fills from other databases: JSON, table ->
# {"account", "database_url", "query", "timeout"}. Kept as text here: parsed by
# autoreply/lookups/sync.py, whose system checks (autoreply.E101-E103) name any mistake.
AUTOREPLY_LOOKUP_SOURCES = env.text("AUTOREPLY_LOOKUP_SOURCES", "{}")
# Where a node keeps the pushes it could not store while the database was away
# (autoreply/webhook/spool.py); replayed into PostgreSQL when it answers again.
AUTOREPLY_SPOOL_DIR = env.text("AUTOREPLY_SPOOL_DIR", str(LOCAL_DIR / "spool"))

# The outbound API (autoreply/outbound): where WeChat's API is (a local stand-in in tests
# and the demo), and the base of the backoff between tries of a customer-service send.
WECHAT_API_BASE_URL = env.text("WECHAT_API_BASE_URL", DEFAULTS["WECHAT_API_BASE_URL"])
AUTOREPLY_SEND_RETRY_SECONDS = env.number(
    "AUTOREPLY_SEND_RETRY_SECONDS", DEFAULTS["AUTOREPLY_SEND_RETRY_SECONDS"]
)
PROCRASTINATE_IMPORT_PATHS = ["autoreply.outbound.tasks"]

# Days messages and their sends are kept (0 = forever); the worker ages them out hourly
# (autoreply/retention.py). Negative or absurd values are refused by autoreply.E301.
AUTOREPLY_RETENTION_DAYS = env.integer(
    "AUTOREPLY_RETENTION_DAYS", DEFAULTS["AUTOREPLY_RETENTION_DAYS"], minimum=-(2**31)
)

_database = dj_database_url.parse(
    env.text("DATABASE_URL", LOCAL_DATABASE_URL),
    conn_max_age=env.integer("DATABASE_CONN_MAX_AGE", 600),
    conn_health_checks=True,
)
_database.setdefault("OPTIONS", {})["connect_timeout"] = 2
# Behind PgBouncer in transaction pooling (README, "Scaling out") a server connection
# changes hands between transactions: no named prepared statements, server-side cursors
# or session settings may outlive one, so the webhook's timeouts come from the pool's
# own connect_query instead, on a pool entry of its own (WEBHOOK_DATABASE_URL).
DATABASE_POOL_MODE = env.choice("DATABASE_POOL_MODE", "session", ("session", "transaction"))
POOLED = DATABASE_POOL_MODE == "transaction"
_database["DISABLE_SERVER_SIDE_CURSORS"] = POOLED
_webhook = dj_database_url.parse(
    env.text("WEBHOOK_DATABASE_URL", "") or env.text("DATABASE_URL", LOCAL_DATABASE_URL),
    conn_max_age=_database["CONN_MAX_AGE"],
)
_timeouts = (
    "-c statement_timeout={ms} -c lock_timeout={ms} -c idle_in_transaction_session_timeout={ms}"
)
DATABASES = {
    "default": _database,
    # The webhook's own connection: same database, but statements are cut off well
    # inside WeChat's 5 seconds so a hung database cannot hold a follower's answer.
    # Server-side binding lets psycopg prepare the hot INSERT once per connection; no
    # health check before each request (a failed statement is retried on a new one).
    # Its ENGINE adds a circuit breaker, a connection probe bounded well under a second
    # (libpq's connect_timeout cannot go below 2 s) and a client-side cut-off for a
    # server that hangs without answering (autoreply/webhook/backend).
    "webhook": {
        **_webhook,
        "ENGINE": "autoreply.webhook.backend",
        "CONN_HEALTH_CHECKS": False,
        "DISABLE_SERVER_SIDE_CURSORS": POOLED,
        "OPTIONS": {
            **_database["OPTIONS"],
            "server_side_binding": True,
            # psycopg's default, which Django turns off; named statements need a session
            "prepare_threshold": None if POOLED else 5,
            **(
                {} if POOLED else {"options": _timeouts.format(ms=int(WECHAT_REPLY_DEADLINE * 750))}
            ),
        },
        "TEST": {"MIRROR": "default"},
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Operators read Chinese first (autoreply/locale/zh_Hans); English on request.
LANGUAGE_CODE = env.text("DJANGO_LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# One catalogue for the project, wechat/'s reply labels included (see the test of it,
# tests/autoreply/admin/test_catalogue.py, for the makemessages command).
LOCALE_PATHS = [BASE_DIR / "autoreply" / "locale"]
TIME_ZONE = env.text("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.text("DJANGO_STATIC_ROOT", str(LOCAL_DIR / "static")))
# The media library's own copies of uploaded material (thumbnails work without WeChat).
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.text("DJANGO_MEDIA_ROOT", str(LOCAL_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING_CONFIG = "logging.config.dictConfig"
LOGGING = logs.config(env.text("DJANGO_LOG_LEVEL", "INFO"), env.text("DJANGO_LOG_FORMAT", "plain"))
