"""Views that exist only for the benchmark (``ARCHIVE_BENCH_TRIVIAL_VIEW=1``), never in production.

``trivial`` is the yardstick every page is measured against: the whole middleware stack, no work.
``layout_floor`` is the least an article page can be on this stack: one article's row read
through the ORM and shown in the site's layout (base.html), with nothing beside it (no tags, people,
links or related articles). No article page can be faster than it, so its figure bounds theirs.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines

from articles.models import Article

LAYOUT_ONLY = engines["django"].from_string(
    '{% extends "base.html" %}'
    "{% block title %}{{ article.title }} · {{ block.super }}{% endblock title %}"
    '{% block content %}<article class="article"><h1>{{ article.title }}</h1>'
    '<div class="prose article-body">{{ article.body_html|safe }}</div></article>{% endblock content %}'
)


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


def layout_floor(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published().only("title", "slug", "body_html"), slug=slug)
    return HttpResponse(LAYOUT_ONLY.render({"article": article}, request))
