"""Who is asking (behind reverse proxies), and what a locked-out login sees. Used by django-axes."""

import ipaddress

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils.translation import gettext as _


def client_ip(request) -> str:
    """The client's address as the outermost of our ``ARCHIVE_PROXY_COUNT`` proxies saw it.

    Each proxy appends the address it was connected from to X-Forwarded-For, so the entry
    that many places from the right was written by our own first proxy; anything left of
    it came from the client and is not trusted. Without proxies, or when the header is
    missing or malformed, the connection's own address counts.
    """
    proxies = settings.ARCHIVE_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies:
            try:
                return str(ipaddress.ip_address(forwarded[-proxies]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """The admin's login page after too many failed attempts: when to try again, in the admin's frame."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {**admin.site.each_context(request), "title": _("Too many failed logins"), "cooloff_minutes": minutes}
    return render(request, "admin/lockout.html", context, status=429)
