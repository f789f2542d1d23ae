"""Site-wide error views."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

# Seconds a client or load balancer should wait before asking again when the database is away.
RETRY_AFTER = 30


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """Django's 500 view, except that a database that went away is a 503: unavailable, try again.

    Called for every unhandled exception, wherever it was raised (a view, a template, a
    middleware), while the exception is still being handled. The templates are rendered
    without a request context: nothing on an error page may need the database.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
    return defaults.server_error(request, template_name)
