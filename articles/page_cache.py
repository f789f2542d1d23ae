"""Cached public pages, for anonymous readers, expired by every write they could notice.

A rendered page is stored under the current ``PageCacheVersion`` token. Writes renew the
token after their transaction commits: model saves and deletes of the watched models here,
bulk writes through ``PublicQuerySet``. So the next request after an edit, a re-import or a
confirmed mention renders afresh; nothing has to know which pages an edit touched.

The token lives in the database, not in the cache: with the default local-memory cache,
each gunicorn worker has a cache of its own, and an import run from the shell must still
expire all of them. Reading it costs one indexed query per request.

Never cached: requests carrying a session (editors, whose pages show drafts and tools), and
responses that set a cookie, use a CSRF token, carry a CSP nonce, say ``private`` or
``no-store``, or are not a 200.
"""

import hashlib
import logging
import math

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import (
    add_never_cache_headers,
    cc_delim_re,
    get_conditional_response,
    get_max_age,
    patch_cache_control,
    set_response_etag,
)
from django.utils.http import parse_http_date_safe

from .models import Article, PageCacheVersion

logger = logging.getLogger(__name__)

WATCHED: set[type] = set()

# A page may vary on these request headers: the cache key carries the language, and requests
# with a session are never cached. Anything else it varies on makes it uncacheable here.
HARMLESS_VARY = {"accept-language", "cookie"}


def watch(*models) -> None:
    """Expire cached pages whenever one of ``models`` is saved or deleted (or its many-to-many changes)."""
    for model in models:
        WATCHED.add(model)
        post_save.connect(_changed, sender=model)
        post_delete.connect(_changed, sender=model)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(_changed, sender=field.remote_field.through)


def _changed(**kwargs) -> None:
    PageCacheVersion.renew_after_commit()


def renew_after_migrate(*, using, **kwargs) -> None:
    """A deploy runs migrate: pages the old code rendered are not served by the new."""
    if PageCacheVersion._meta.db_table in connections[using].introspection.table_names():
        PageCacheVersion.renew()


class PageCacheMiddleware:
    """Serve anonymous GETs from the cache; store what is safe to share; say so in Cache-Control.

    Place it above SessionMiddleware and CsrfViewMiddleware: it must see the cookies they set.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A hit is answered here, before sessions, CSRF, authentication and the view: for an
        # anonymous reader none of them would change the page, and skipping them is what makes
        # a hit nearly as cheap as the simplest response Django can give.
        cached = self._lookup(request)
        if cached is not None:
            return cached
        response = self.get_response(request)
        if _shareable(request, response):
            if "Cache-Control" not in response:
                patch_cache_control(response, public=True, max_age=settings.ARCHIVE_PUBLIC_MAX_AGE)
            if getattr(request, "_page_cache_key", None) and request.method == "GET":
                self._store(request._page_cache_key, response)
        elif "Cache-Control" not in response and (_has_session(request) or response.cookies):
            add_never_cache_headers(response)
        return response

    def _lookup(self, request):
        if not settings.ARCHIVE_PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD") or _has_session(request):
            return None
        try:
            version = PageCacheVersion.current()
        except DatabaseError:
            return None  # the view decides what a reader sees when the database is away
        # The language LocaleMiddleware will choose, worked out from the same request.
        language = translation.get_language_from_request(request)
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        digest = hashlib.sha256(address.encode()).hexdigest()
        request._page_cache_key = f"page:{version:x}:{language}:{digest}"
        stored = _cache_call("get", request._page_cache_key)
        if stored is None:
            return None
        content, headers = stored
        response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )

    def _store(self, key: str, response) -> None:
        timeout = settings.ARCHIVE_PAGE_CACHE_SECONDS
        next_article = Article.objects.next_to_appear()
        if next_article:
            # A scheduled article appears without any write: the page must be rendered again by then.
            timeout = min(timeout, math.floor((next_article - timezone.now()).total_seconds()))
        if timeout > 0:
            # The ETag ConditionalGetMiddleware would compute, kept with the page: a hit then
            # does not hash the whole page again.
            if not response.has_header("ETag"):
                set_response_etag(response)
            _cache_call("set", key, (response.content, list(response.headers.items())), timeout)


def _has_session(request) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _shareable(request, response) -> bool:
    """The same bytes may go to every anonymous reader asking for this address."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
        return False
    if _has_session(request) or response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    directives = response.get("Cache-Control", "").lower()
    if any(word in directives for word in ("private", "no-store", "no-cache")) or get_max_age(response) == 0:
        return False
    # A CSP nonce is good for one response only (django-csp keeps the one it made on the request).
    if isinstance(getattr(request, "_csp_nonce", None), str) or "nonce-" in response.get("Content-Security-Policy", ""):
        return False
    vary = {header.strip().lower() for header in cc_delim_re.split(response.get("Vary", "")) if header.strip()}
    return vary <= HARMLESS_VARY


def _cache_call(method: str, *args):
    """A cache that is down (Redis restarting) costs speed, never a page."""
    try:
        return getattr(cache, method)(*args)
    except Exception:
        logger.warning("page cache %s failed", method, exc_info=True)
        return None
