"""Serantau settings.

One file for every environment: the environment decides, and the helpers below
refuse values they do not understand instead of guessing.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_HASHES, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envlist(name: str, default: str) -> list[str]:
    items = os.environ.get(name, default).split(",")
    return [item.strip() for item in items if item.strip()]


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}"
        ) from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


# `development` (a checkout, the tests, plain http on 127.0.0.1) or `production`,
# which refuses to start without what a public site needs and turns on HTTPS
# (below, "Production").
DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip().lower()
if DJANGO_ENV not in ("development", "production"):
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development or production, not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"

DEBUG = envbool("DEBUG", "false")

# A local checkout runs without any configuration; the fallback key is marked so
# that nobody mistakes it for a secret, and production refuses it.
LOCAL_SECRET_KEY = "insecure-local-development-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or LOCAL_SECRET_KEY

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

if PRODUCTION:
    if SECRET_KEY == LOCAL_SECRET_KEY:
        raise ImproperlyConfigured("DJANGO_ENV=production needs a SECRET_KEY")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "SECRET_KEY must be a random string of at least 50 characters in production"
        )
    # The local default names loopback only; a public site must say its names.
    if not os.environ.get("ALLOWED_HOSTS", "").strip() or not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs ALLOWED_HOSTS, the site's host names"
        )
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "reversion",
    "reversion_compare",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "briefings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the app server, compressed and cached for a
    # year when their names carry a hash (STATIC_MANIFEST below).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database that cannot be reached answers 503 with a plain page, not a
    # traceback (briefings/middleware.py).
    "briefings.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, plus the additions by path that the admin and the API's
    # HTML pages need (config/csp.py).
    "config.csp.PathScopedCSPMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in itself.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out user is refused before the password is tried.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        # A kept connection is checked before a request uses it, so that one
        # the database dropped (a restart, a failover) is replaced, not failed on.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] not in (
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
):
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # gunicorn's workers write to one file at once. WAL lets reads go on while a
    # write commits, instead of each commit waiting for every reader and holding
    # new ones back; IMMEDIATE takes the write lock when a transaction begins, so
    # that two which read first cannot both wait to write, one failing at once
    # with "database is locked"; and a write waits its turn for up to 20 s (under
    # gunicorn's 30 s timeout), not SQLite's 5.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ms", _("Malay")), ("id", _("Indonesian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Kuala_Lumpur"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes and WhiteNoise serves from; a deployment may put
# it outside the checkout.
STATIC_ROOT = Path(
    os.environ.get("STATIC_ROOT", "").strip() or BASE_DIR / "staticfiles"
)
STATICFILES_DIRS = [BASE_DIR / "static"]
# `make serve` collects static files and turns this on: hashed names that
# browsers may cache for ever. A checkout without collected files leaves it off.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", "false")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# One cache for every process: Redis when REDIS_URL names one (several
# machines), otherwise files on this machine, which its gunicorn workers, the
# task worker and management commands all share. A per-process memory cache
# would let an import preview made on one worker expire on another, and a
# change made in one process leave the others serving the old page.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "serantau"),
            # A Redis that stops answering fails a request's cache call in a
            # second (served uncached) instead of hanging it.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", "").strip()
            or str(BASE_DIR / ".cache"),
        }
    }

# Rendered public pages and API reads for anonymous readers are kept this many
# seconds (briefings/cache.py); 0 turns that off. Every change to a curated
# record empties them at once in the shared cache above.
CACHE_SECONDS = envint("CACHE_SECONDS", 300)

# Background work (django-tasks): the queue is a table in the database, so a
# worker (`manage.py db_worker`) may run on any machine that reaches it.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

SESSION_ENGINE = "config.sessions"

# Tabular import and export in the admin (django-import-export; the rules are in
# briefings/resources.py). Preview and confirmation are two requests that may
# reach two app servers, so the uploaded file waits between them in the cache,
# not on one server's disk: with more than one app server, CACHES must be one
# they share.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "briefings.resources.SharedCacheStorage"
# One transaction per import: a file with any bad row writes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# The admin's "Recent actions" list imports like other edits; the history
# proper, with the importing user, is django-reversion's.
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# A spreadsheet's trailing blank rows are not records.
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True

# Plain-text article import (briefings/importing/, services.articles_import_text),
# from the admin's "Import text articles" page and `manage.py import_articles`.
# A press release is a few kilobytes: a larger file is a mistake, not an article.
IMPORT_TEXT_MAX_BYTES = envint("IMPORT_TEXT_MAX_BYTES", 1024 * 1024, minimum=1)
# A zip is refused whole past these, before any member is read: a zip bomb
# declares few bytes packed and gigabytes unpacked.
IMPORT_ZIP_MAX_MEMBERS = envint("IMPORT_ZIP_MAX_MEMBERS", 1000, minimum=1)
IMPORT_ZIP_MAX_TOTAL_BYTES = envint(
    "IMPORT_ZIP_MAX_TOTAL_BYTES", 50 * 1024 * 1024, minimum=1
)
# Past these, a confirmed import becomes a background job (briefings/jobs.py)
# that a worker runs (`manage.py db_worker`), instead of holding the request:
# a text import of more files, a spreadsheet of more rows.
IMPORT_BACKGROUND_FILES = envint("IMPORT_BACKGROUND_FILES", 20)
IMPORT_BACKGROUND_ROWS = envint("IMPORT_BACKGROUND_ROWS", 1000)

# The API: anonymous clients read published records, throttled; editors sign
# in with a token or the admin's session and write within their permissions.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a refused token answers 401 with a challenge.
        "briefings.api.authentication.HexTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        # `search`: ranked full-text search on the curated lists (briefings.search).
        "briefings.api.filters.FullTextSearchFilter",
        "briefings.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "briefings.api.pagination.BoundedPageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "120/min"),
        "user": os.environ.get("API_USER_RATE", "600/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # `format` is a meeting filter (multilateral, bilateral); DRF would read it as
    # the response format and answer 404. Clients choose JSON or the browsable
    # API by the Accept header or a `.json` suffix instead.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Serantau API",
    "DESCRIPTION": (
        "Curated, sourced records of Southeast Asian security diplomacy: "
        "meetings, actors, commitments, the articles they come from and the "
        "annotated sentences that support them. Anonymous clients read "
        "published records; editors authenticate with a token "
        "(`Authorization: Token <key>`) or a session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EditorialStatusEnum": "briefings.models.EditorialStatus",
        "LanguageEnum": "briefings.models.Language",
        "StandingEnum": "briefings.models.Standing",
        "MeetingStateEnum": "briefings.models.MeetingState",
        "ActorKindEnum": "briefings.models.ActorKind",
        "CommitmentKindEnum": "briefings.models.CommitmentKind",
        "PrecisionEnum": "briefings.dates.Precision",
    },
}

# Production: HTTPS only, behind a TLS-terminating proxy that says
# `X-Forwarded-Proto: https` (and overwrites whatever a client sent in it).
# Development keeps Django's defaults, so that plain http on 127.0.0.1 works.
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    CSRF_COOKIE_SECURE = True
    # Origins of forms posted from another host name (scheme included,
    # `https://desk.example.org`); the site's own needs none.
    CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
    # Preloading puts the domain, and every subdomain, in the browsers' own
    # HTTPS-only list for months, past any later change of mind: the domain's
    # owner decides that by setting this and submitting it to hstspreload.org.
    # Until then the check that asks for it (W021) is a reminder, not a fault.
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp), enforced in every environment so that a
# violation shows in development and the tests before a reader meets it.
# Public pages have no inline script or style at all: scripts, styles and
# images come from this site's /static/. JSON-LD is data, which CSP leaves be.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Additions for the pages that are not public, by path (config/csp.py): each
# is what that third-party package's pages still need, and no more.
CONTENT_SECURITY_POLICY_BY_PATH = {
    "/admin/": {
        # django-import-export's export page ticks all fields with one inline
        # handler, `onSelectToggleChange(event)`: that handler alone, by hash.
        "script-src-attr": [
            UNSAFE_HASHES,
            "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",
        ],
        # Style attributes in import-export's and reversion-compare's templates;
        # they cannot run script, and <style> elements stay refused.
        "style-src-attr": [UNSAFE_INLINE],
    },
    "/api/": {
        # The browsable API's Bootstrap pages use style attributes and a
        # <style> of Pygments colours; their scripts are all files.
        "style-src": [UNSAFE_INLINE],
    },
    "/api/v1/docs/": {
        # Swagger UI's stylesheet draws its icons as data: SVG images.
        "img-src": ["data:"],
    },
    "/api/v1/redoc/": {
        # Redoc writes its styles into <style> elements at run time
        # (styled-components), draws icons as data: images and searches in a
        # Web Worker made from a blob. It still shows Redocly's logo from
        # their CDN, which stays refused.
        "style-src": [UNSAFE_INLINE],
        "img-src": ["data:"],
        "worker-src": ["blob:"],
    },
}

# Sign-in lockout (django-axes, briefings/signin.py). After SIGNIN_FAILURE_LIMIT
# failed sign-ins for one username from one address, that username is refused
# from that address, even with the right password, for SIGNIN_COOLOFF_MINUTES
# (429, the admin's own page); a success starts the count again. Other users
# and other addresses sign in as usual. `manage.py axes_reset` (or
# `axes_reset_username <name>`) lifts every pause (that user's) at once.
AXES_FAILURE_LIMIT = envint("SIGNIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("SIGNIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The pause runs from the attempt that started it, so the page can say how long
# it lasts; an attempt during it is refused without lengthening it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "briefings.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "briefings.signin.client_ip"
# Proxies whose X-Forwarded-For is believed: in production the addresses gunicorn
# trusts (FORWARDED_ALLOW_IPS, config/gunicorn.conf.py); in development none, so
# the address is the connection's own and a forged header changes nothing.
TRUSTED_PROXY_IPS = (
    envlist("FORWARDED_ALLOW_IPS", "127.0.0.1,::1") if PRODUCTION else []
)

# Errors go to standard error, where runserver, gunicorn or the process
# manager collects them; Django's default would only mail them to ADMINS when
# DEBUG is off, and there are none, so the 500 page's "the error has been
# recorded" would not be true.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
