"""Test settings: the real settings, with what tests need to be fast and self-contained."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The test client and the live server speak plain HTTP; tests of the HTTPS settings turn them on.
os.environ.setdefault("DJANGO_HTTPS", "0")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Most tests write inside a transaction that never commits, so the page cache would never be
# told about their writes; tests/test_page_cache.py turns it on where commits are real.
ARCHIVE_PAGE_CACHE_SECONDS = 0
# Serve static files straight from the app folders: tests never need collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
