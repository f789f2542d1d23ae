from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path, re_path
from django.views.static import serve
from markdownx.views import MarkdownifyView

from articles.feeds import LatestArticlesFeed
from articles.sitemaps import ArticleSitemap, PublicationSitemap, TagSitemap
from articles.uploads import EditorImageUploadView
from articles.views import RobotsView, healthz
from people.sitemaps import PersonSitemap

SITEMAPS = {
    "articles": ArticleSitemap,
    "people": PersonSitemap,
    "tags": TagSitemap,
    "publications": PublicationSitemap,
}

# A database that went away is a 503 ("try again"), not a 500.
handler500 = "config.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    # The editor's preview and image upload are for staff only, never for anonymous visitors.
    path("markdownx/markdownify/", staff_member_required(MarkdownifyView.as_view()), name="markdownx_markdownify"),
    path("markdownx/upload/", staff_member_required(EditorImageUploadView.as_view()), name="markdownx_upload"),
    path("healthz", healthz, name="healthz"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    # An index of per-section sitemaps, each paginated (?p=) at the protocol's 50,000 addresses at most.
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"}, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("people/", include("people.urls")),
    path("", include("articles.urls")),
]

if settings.ARCHIVE_SERVE_MEDIA:
    # For a local run only; in production the reverse proxy serves MEDIA_ROOT (README).
    urlpatterns.insert(0, re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))

if settings.ARCHIVE_BENCH_TRIVIAL_VIEW:
    # What a page's throughput is measured against (bench/run.py): the same middleware, no work; and
    # the least an article page can be, one row in the layout. Imported only then: production
    # never loads the benchmark's code.
    from bench import views as bench_views

    urlpatterns[:0] = [
        path("bench/trivial", bench_views.trivial, name="bench-trivial"),
        path("bench/layout/<str:slug>/", bench_views.layout_floor, name="bench-layout"),
    ]
