"""Settings for the article archive, read from the environment.

One module for every environment. The defaults give a safe local run on the
embedded SQLite database; production sets the variables documented in the
README (DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, ...).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ARCHIVE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)


SECRET_KEY_FILE = VAR_DIR / "secret_key"
# A local run (`make run`) keeps a generated secret key in var/; a deployment passes one in
# the environment and must then also say which host names it serves.
LOCAL_RUN = not os.environ.get("DJANGO_SECRET_KEY") and SECRET_KEY_FILE.exists()


def _secret_key() -> str:
    """The secret key comes from the environment, or from the untracked file that
    `make run` generates. Never from a literal default."""
    if LOCAL_RUN:
        return SECRET_KEY_FILE.read_text().strip()
    key = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    if not key and DEBUG:
        # A throwaway key is harmless while debugging: nothing signed with it outlives the process.
        key = os.urandom(32).hex()
    if not key:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in the environment, or run `make run` once "
            f"to generate {SECRET_KEY_FILE} for a local run."
        )
    return key


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not (DEBUG or LOCAL_RUN):
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is not set: list the host names this site answers to, "
            "separated by commas (e.g. archive.example.com)."
        )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "taggit",
    "markdownx",
    "articles",
    "people",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above sessions and CSRF: it must see the cookies they set before it shares a page.
    "articles.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while an import writes; IMMEDIATE transactions and
    # a busy timeout make concurrent writers wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that went away must fail a request in seconds (a 503 page), not hang a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

# A shared cache (Redis) when one is configured; otherwise each process keeps its own.
# Cached pages are correct either way: they are keyed by a version kept in the database.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL / REDIS_URL must be a redis://, rediss:// or unix:// URL.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "archive"),
            # A Redis that is down or unreachable costs a second, never a page.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 1000}}}
# How long a rendered public page is kept for anonymous readers (0: not at all). Writes expire
# it at once; this bounds what a missed expiry could cost.
ARCHIVE_PAGE_CACHE_SECONDS = int(os.environ.get("ARCHIVE_PAGE_CACHE_SECONDS", 600))
# Cache-Control max-age of public pages for browsers and proxies: how stale a reader's copy may be.
ARCHIVE_PUBLIC_MAX_AGE = int(os.environ.get("ARCHIVE_PUBLIC_MAX_AGE", 60))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Publish times in the exports are Beijing time; show them the same way.
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

TAGGIT_CASE_INSENSITIVE = True

# The admin preview renders with the same function as the public page.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "articles.rendering.render_markdown"
MARKDOWNX_UPLOAD_MAX_SIZE = 5 * 1024 * 1024
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]

# Imports larger than this are refused: no real article comes close.
ARCHIVE_IMPORT_MAX_BYTES = int(os.environ.get("ARCHIVE_IMPORT_MAX_BYTES", 5 * 1024 * 1024))

# Uploads wait here between the admin import's preview and its confirmation.
ARCHIVE_IMPORT_STAGING_DIR = Path(os.environ.get("ARCHIVE_IMPORT_STAGING_DIR", VAR_DIR / "import-staging"))

# Image mirroring (import_article --mirror-images, or always when ARCHIVE_MIRROR_IMAGES is on).
ARCHIVE_MIRROR_IMAGES = env_bool("ARCHIVE_MIRROR_IMAGES", False)
ARCHIVE_IMAGE_MAX_BYTES = int(os.environ.get("ARCHIVE_IMAGE_MAX_BYTES", 10 * 1024 * 1024))
ARCHIVE_IMAGE_TIMEOUT = float(os.environ.get("ARCHIVE_IMAGE_TIMEOUT", 10))
ARCHIVE_IMAGE_RETRIES = int(os.environ.get("ARCHIVE_IMAGE_RETRIES", 2))
ARCHIVE_IMAGE_RETRY_DELAY = float(os.environ.get("ARCHIVE_IMAGE_RETRY_DELAY", 1))
# Articles are untrusted: by default the mirror refuses hosts on private or loopback addresses.
ARCHIVE_IMAGE_ALLOW_PRIVATE_HOSTS = env_bool("ARCHIVE_IMAGE_ALLOW_PRIVATE_HOSTS", False)

# Media files are served by the reverse proxy in production; a local run serves them itself.
ARCHIVE_SERVE_MEDIA = env_bool("ARCHIVE_SERVE_MEDIA", DEBUG or LOCAL_RUN)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
