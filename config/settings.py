"""Settings for the article archive, read from the environment.

One module for every environment. The defaults give a safe local run on the
embedded SQLite database; production sets the variables documented in the
README (DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, ...).
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
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
# A deployment passes its secret key in the environment and says which host names it serves.
# Where the environment says neither, this is a local run: its key is generated into var/ on
# first use and kept there. Host names without a key is a half-configured deployment: refused.
LOCAL_RUN = not os.environ.get("DJANGO_SECRET_KEY") and (
    SECRET_KEY_FILE.exists() or not env_list("DJANGO_ALLOWED_HOSTS")
)


def _local_secret_key() -> str:
    """The local run's key: random, readable by its owner only, never committed (var/ is ignored).
    Written whole under a temporary name, then linked into place, which fails if another process
    got there first: every process reads the same complete key."""
    if not SECRET_KEY_FILE.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        descriptor, draft = tempfile.mkstemp(dir=VAR_DIR, prefix=".secret_key-")  # mode 0600
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(50) + "\n")
            os.link(draft, SECRET_KEY_FILE)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    return SECRET_KEY_FILE.read_text().strip()


def _secret_key() -> str:
    """The secret key comes from the environment, or, for a local run, from the file in var/.
    Never from a literal default."""
    if LOCAL_RUN:
        return _local_secret_key()
    key = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    if not key and DEBUG:
        # A throwaway key is harmless while debugging: nothing signed with it outlives the process.
        key = os.urandom(32).hex()
    if not key:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in the environment (a deployment), or unset "
            "DJANGO_ALLOWED_HOSTS for a local run, which keeps a generated key in "
            f"{SECRET_KEY_FILE}."
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
    "config.apps.ArchiveAdminConfig",  # django.contrib.admin, with the editors' desk as its site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "taggit",
    "markdownx",
    "simple_history",
    "articles",
    "people",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, which answers static files itself: the headers go on every response.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # An ETag from the finished page answers a repeat visit with 304 Not Modified.
    "django.middleware.http.ConditionalGetMiddleware",
    # Above sessions and CSRF: it must see the cookies they set before it shares a page.
    "articles.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Revisions made during a request (an admin save, an import from admin) record who made them.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
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

# Axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

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
# The editor keeps its size and scrolls beside its preview (static/desk/desk.css), however long the article.
MARKDOWNX_EDITOR_RESIZABLE = False
# Images editors upload into the Markdown editor (articles/uploads.py): raster only, at most this size.
ARCHIVE_UPLOAD_MAX_BYTES = int(os.environ.get("ARCHIVE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))

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

# Security. Production is served over HTTPS behind a reverse proxy; a local run (`make run`,
# or DEBUG) speaks plain HTTP on 127.0.0.1 and must not be sent to an HTTPS port that does not exist.
SERVED_OVER_HTTPS = env_bool("DJANGO_HTTPS", not (DEBUG or LOCAL_RUN))
SECURE_SSL_REDIRECT = SERVED_OVER_HTTPS
# Load balancers and monitors probe the application server directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SERVED_OVER_HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 365 * 24 * 3600)) if SERVED_OVER_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
# Only behind a proxy that always sets (never passes on) this header, e.g. X-Forwarded-Proto.
# Gunicorn already trusts X-Forwarded-Proto from a proxy on 127.0.0.1 (its forwarded_allow_ips).
if os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["DJANGO_SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"),
        "https",
    )
# How many reverse proxies in front of the application append the client's address to
# X-Forwarded-For; 0 means clients connect directly. Decides which address a login
# failure is counted against (config.security.client_ip).
ARCHIVE_PROXY_COUNT = int(os.environ.get("ARCHIVE_PROXY_COUNT", 0))
SECURE_CONTENT_TYPE_NOSNIFF = True
# Other sites learn nothing of where a reader came from; mmbiz.qpic.cn images also carry
# referrerpolicy="no-referrer" themselves, since that host refuses foreign referrers.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The markdownx editor reads the CSRF token from its cookie: the cookie stays readable by scripts.
CSRF_COOKIE_HTTPONLY = False

# Nothing inline: no <script> or <style> blocks, no style="" or on…="" attributes, here or in
# admin. Article images stay on their original hosts unless mirrored, hence any http(s) image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "https:", "http:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": SERVED_OVER_HTTPS,
    }
}

# Admin login throttling: after AXES_FAILURE_LIMIT failed logins for one user name from one
# address, that pair is refused for AXES_COOLOFF_TIME (each further failure restarts it).
AXES_FAILURE_LIMIT = int(os.environ.get("ARCHIVE_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ARCHIVE_LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
# bench/run.py's yardsticks (bench/views.py): /bench/trivial, a view that does nothing, and /bench/layout/<slug>/,
# one article in the layout, on the same stack. Never in production.
ARCHIVE_BENCH_TRIVIAL_VIEW = env_bool("ARCHIVE_BENCH_TRIVIAL_VIEW", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # django-axes announces itself on every start, even of a management command; its failures still log.
    "loggers": {"axes.apps": {"level": "WARNING"}},
}
