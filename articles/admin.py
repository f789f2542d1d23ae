from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from .models import Article, Link, MirroredImage, Publication

# Editors paste full addresses; a bare host should become https://, as it will in Django 6.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "wechat_biz", "article_count"]
    search_fields = ["name", "wechat_biz"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, publication):
        return publication.article_count


class LinkInline(admin.TabularInline):
    model = Link
    fk_name = "article"
    extra = 0
    fields = ["kind", "text", "url", "target", "position"]
    readonly_fields = ["target"]
    ordering = ["position", "id"]
    formfield_overrides = URL_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "publication", "published_at", "status", "is_published", "link_count"]
    list_filter = ["status", "publication", "tags"]
    list_select_related = ["publication"]
    search_fields = ["title", "excerpt", "publication__name"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["publication"]
    readonly_fields = ["source_key", "source_sha256", "imported_at", "created_at", "updated_at"]
    inlines = [LinkInline]
    actions = ["publish", "unpublish"]
    formfield_overrides = {**URL_FIELDS, MarkdownxField: {"widget": AdminMarkdownxWidget}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "publication", "published_at", "tags"]}),
        (_("Content"), {"fields": ["body", "excerpt", "cover_url"]}),
        (_("Source"), {
            "classes": ["collapse"],
            "fields": ["location", "source_url", "footer", "source_key", "source_sha256", "imported_at",
                       "created_at", "updated_at"],
        }),
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(link_count=Count("links"))

    @admin.display(description=_("published"), boolean=True)
    def is_published(self, article):
        return article.is_published

    @admin.display(description=_("links"), ordering="link_count")
    def link_count(self, article):
        return article.link_count

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        updated = queryset.exclude(published_at=None).update(status=Article.Status.PUBLISHED)
        self.message_user(request, ngettext("%d article published.", "%d articles published.", updated) % updated)
        skipped = queryset.filter(published_at=None).count()
        if skipped:
            self.message_user(
                request,
                ngettext("%d article has no publication date and stays a draft.",
                         "%d articles have no publication date and stay drafts.", skipped) % skipped,
                messages.WARNING,
            )  # fmt: skip

    @admin.action(description=_("Return the selected articles to draft"), permissions=["change"])
    def unpublish(self, request, queryset):
        updated = queryset.update(status=Article.Status.DRAFT)
        self.message_user(
            request, ngettext("%d article is a draft now.", "%d articles are drafts now.", updated) % updated
        )


@admin.register(MirroredImage)
class MirroredImageAdmin(admin.ModelAdmin):
    list_display = ["source_url", "status", "content_type", "size", "error", "fetched_at"]
    list_filter = ["status", "content_type"]
    search_fields = ["source_url", "sha256"]
    readonly_fields = ["source_url", "file", "sha256", "content_type", "size", "status", "error", "fetched_at"]
    filter_horizontal = ["articles"]
