from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Max, Min
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from taggit.models import Tag
from taggit.utils import parse_tags

from . import staging
from .forms import ImportUploadForm
from .importer import ImportOptions, Outcome, import_document
from .merging import merge_articles, probable_duplicates
from .models import Article, ArticleKey, Link, MirroredImage, Publication
from .tagging import merge_tags, rename_tag

WANTED_ROWS = 200

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


class ArticleKeyInline(admin.TabularInline):
    """Other addresses of the article (a short link, a mirror): links to them resolve here."""

    model = ArticleKey
    extra = 0
    fields = ["url", "key"]
    readonly_fields = ["key"]
    formfield_overrides = URL_FIELDS


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "publication", "published_at", "status", "is_published", "link_count"]
    list_filter = ["status", "publication", "tags"]
    list_select_related = ["publication"]
    search_fields = ["title", "excerpt", "publication__name"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["publication"]
    readonly_fields = ["source_key", "source_sha256", "imported_at", "created_at", "updated_at"]
    inlines = [ArticleKeyInline, LinkInline]
    actions = ["publish", "unpublish", "change_tags"]
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

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="articles_article_import"),
            path("wanted/", self.admin_site.admin_view(self.wanted_view), name="articles_article_wanted"),
            path("duplicates/", self.admin_site.admin_view(self.duplicates_view), name="articles_article_duplicates"),
            *super().get_urls(),
        ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Another address may have been added: links to it now lead here.
        form.instance.claim_links()

    def delete_queryset(self, request, queryset):
        for article in queryset:  # one by one, so referrers are re-rendered
            article.delete()

    def wanted_view(self, request):
        """Articles others link to that we have not archived: what to import next."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        wanted = (
            Link.objects.filter(target=None)
            .values("target_key")
            .annotate(referrers=Count("article", distinct=True), likely_title=Max("text"), url=Min("url"))
            .order_by("-referrers", "target_key")[:WANTED_ROWS]
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Wanted articles"),
            "wanted": wanted,
        }
        return TemplateResponse(request, "admin/articles/article/wanted.html", context)

    def duplicates_view(self, request):
        """Articles with the same publication, title and time under different identities; merge them."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            group = list(Article.objects.filter(pk__in=request.POST.getlist("article")).order_by("pk"))
            target = next((article for article in group if str(article.pk) == request.POST.get("target")), None)
            if target and len(group) > 1:
                merge_articles(target=target, others=[article for article in group if article.pk != target.pk])
                self.message_user(request, _("Merged into %(name)s.") % {"name": target.title}, messages.SUCCESS)
            return redirect("admin:articles_article_duplicates")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Probable duplicates"),
            "groups": probable_duplicates(),
        }
        return TemplateResponse(request, "admin/articles/article/duplicates.html", context)

    @admin.action(description=_("Add or remove tags"), permissions=["change"])
    def change_tags(self, request, queryset):
        if "apply" in request.POST:
            add = parse_tags(request.POST.get("add", ""))
            remove = parse_tags(request.POST.get("remove", ""))
            for article in queryset:
                if add:
                    article.tags.add(*add)
                if remove:
                    article.tags.remove(*remove)
            self.message_user(request, ngettext("Tags changed on %d article.", "Tags changed on %d articles.",
                                                queryset.count()) % queryset.count())  # fmt: skip
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Add or remove tags"),
            "queryset": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/article/change_tags.html", context)

    def import_view(self, request):
        """Upload → preview (the importer's dry run) → confirm. The same pipeline as import_article."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": _("Import articles")}
        if request.method == "POST" and request.POST.get("token"):
            return self._confirm_import(request)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            files = [(upload.name, _read_capped(upload)) for upload in form.cleaned_data["files"]]
            options = ImportOptions(
                publish=not form.cleaned_data["draft"], overwrite=form.cleaned_data["overwrite"], dry_run=True
            )
            context["previews"] = [import_document(data, filename=name, options=options) for name, data in files]
            context["token"] = staging.stage(files)
            context["options"] = options
        context["form"] = form
        return TemplateResponse(request, "admin/articles/article/import.html", context)

    def _confirm_import(self, request):
        token = request.POST["token"]
        files = staging.staged(token)
        if files is None:
            self.message_user(request, _("These uploads are gone; upload the files again."), messages.ERROR)
            return redirect("admin:articles_article_import")
        options = ImportOptions(
            publish=request.POST.get("publish") == "1", overwrite=request.POST.get("overwrite") == "1"
        )
        for name, data in files:
            result = import_document(data, filename=name, options=options)
            for warning in result.warnings:
                self.message_user(request, warning, messages.WARNING)
            if result.outcome == Outcome.FAILED:
                self.message_user(request, result.error, messages.ERROR)
            else:
                self.message_user(request, f"{result.outcome}: {name} → {result.article.title}", messages.SUCCESS)
        staging.discard(token)
        return redirect(reverse("admin:articles_article_changelist"))

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


def _read_capped(upload) -> bytes:
    """At most one byte over the import limit: enough for the importer to refuse the file."""
    return upload.read(settings.ARCHIVE_IMPORT_MAX_BYTES + 1)


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags of articles and people. Renaming keeps the old address working; merging loses nothing."""

    list_display = ["name", "slug", "item_count"]
    search_fields = ["name"]
    actions = ["merge"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("taggit_taggeditem_items"))

    @admin.display(description=_("tagged items"), ordering="item_count")
    def item_count(self, tag):
        return tag.item_count

    def save_model(self, request, obj, form, change):
        if change:
            # The form has already changed obj; rename the tag as it is stored, so the old slug is known.
            rename_tag(Tag.objects.get(pk=obj.pk), obj.name, obj.slug)
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Merge the selected tags into the most used one"), permissions=["change"])
    def merge(self, request, queryset):
        tags = sorted(queryset, key=lambda tag: (-tag.item_count, tag.pk))
        if len(tags) < 2:
            self.message_user(request, _("Select at least two tags to merge."), messages.WARNING)
            return
        merge_tags(target=tags[0], others=tags[1:])
        self.message_user(request, _("Merged into %(name)s.") % {"name": tags[0].name}, messages.SUCCESS)
