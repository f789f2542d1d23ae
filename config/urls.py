from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve
from markdownx.views import ImageUploadView, MarkdownifyView

from articles.feeds import LatestArticlesFeed
from articles.views import healthz

# A database that went away is a 503 ("try again"), not a 500.
handler500 = "config.views.server_error"

admin.site.site_header = _("Article archive")
admin.site.site_title = _("Article archive")
admin.site.index_title = _("Editors' desk")

urlpatterns = [
    path("admin/", admin.site.urls),
    # The editor's preview and image upload are for staff only, never for anonymous visitors.
    path("markdownx/markdownify/", staff_member_required(MarkdownifyView.as_view()), name="markdownx_markdownify"),
    path("markdownx/upload/", staff_member_required(ImageUploadView.as_view()), name="markdownx_upload"),
    path("healthz", healthz, name="healthz"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("people/", include("people.urls")),
    path("", include("articles.urls")),
]

if settings.ARCHIVE_SERVE_MEDIA:
    # For a local run only; in production the reverse proxy serves MEDIA_ROOT (README).
    urlpatterns.insert(0, re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))
