from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Case, Count, When
from django.forms.models import BaseInlineFormSet
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from simple_history.admin import SimpleHistoryAdmin
from taggit.managers import TaggableManager
from taggit.models import Tag
from taggit.utils import parse_tags

from . import revisions, staging
from .forms import ImportUploadForm, LineFeedTextField, TagSuggestWidget
from .images import mirror_article_images
from .importer import BATCH_CACHE_RENEWAL_SECONDS, ImportOptions, Outcome, batches, import_batch, import_document
from .merging import merge_articles, probable_duplicates
from .models import (
    RECENT_ARTICLES,
    Article,
    ArticleKey,
    Link,
    MirroredImage,
    PageCacheVersion,
    Publication,
    count_of,
)
from .tagging import merge_tags, rename_tag, tags_of

WANTED_ROWS = 200
# An action reports at most this many failures one by one.
MAX_MESSAGES = 10
TAG_SUGGESTIONS = 15
# An article's long texts, which lists that only name articles do not load.
LONG_TEXT_FIELDS = ("body", "body_html", "footer", "excerpt")

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


class RowsOfTheArticle(BaseInlineFormSet):
    """Inline rows that know their article without asking the database for it once per row
    (each row's label names it)."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        setattr(form.instance, self.fk.name, self.instance)
        return form


class LinkInline(admin.TabularInline):
    model = Link
    formset = RowsOfTheArticle
    fk_name = "article"
    extra = 0
    fields = ["kind", "text", "url", "target", "position"]
    readonly_fields = ["target"]
    ordering = ["position", "id"]
    formfield_overrides = URL_FIELDS

    def get_queryset(self, request):
        # A row names its target: the title, not the body.
        return (
            super()
            .get_queryset(request)
            .select_related("target")
            .defer(*(f"target__{name}" for name in LONG_TEXT_FIELDS))
        )


class ArticleKeyInline(admin.TabularInline):
    """Other addresses of the article (a short link, a mirror): links to them resolve here."""

    model = ArticleKey
    extra = 0
    fields = ["url", "key"]
    readonly_fields = ["key"]
    formfield_overrides = URL_FIELDS


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(str(year), str(year)) for year in Article.objects.years()]

    def queryset(self, request, queryset):
        return queryset.filter(published_at__year=self.value()) if self.value() else queryset


class TagFilter(admin.SimpleListFilter):
    """Articles with a tag. Offers the tags most used in the latest articles archived (a long tail
    of tags would fill the sidebar); any tag works by address, as on the tags list."""

    title = _("tags")
    parameter_name = "tags__id__exact"
    OFFERED = 30

    def lookups(self, request, model_admin):
        latest = Article.objects.order_by("-pk").values("pk")[:RECENT_ARTICLES]
        tags = tags_of(latest, limit=self.OFFERED)
        selected = self.value()
        if selected and selected.isdigit() and all(str(tag.pk) != selected for tag in tags):
            tags += list(Tag.objects.filter(pk=selected))
        return [(str(tag.pk), tag.name) for tag in tags]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(tags__id=value) if value and value.isdigit() else queryset


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    """The articles, as editors work on them. The people app adds mentions (people/admin.py)."""

    list_display = [
        "cover_thumbnail", "title", "publication", "published_on", "status", "is_published", "link_count", "tag_list",
    ]  # fmt: skip
    list_display_links = ["title"]
    list_filter = ["status", "publication", TagFilter, YearFilter]
    list_select_related = ["publication", "cover_image"]
    search_fields = ["title", "slug", "excerpt", "publication__name", "source_url"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["publication"]
    readonly_fields = [
        "cover_preview", "source_key", "source_filename", "source_sha256", "imported_at", "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [ArticleKeyInline, LinkInline]
    actions = ["publish", "unpublish", "change_tags", "mirror_images"]
    formfield_overrides = {
        **URL_FIELDS,
        MarkdownxField: {"widget": AdminMarkdownxWidget, "form_class": LineFeedTextField},
        models.TextField: {"form_class": LineFeedTextField},
    }
    fieldsets = [
        (_("Content"), {"fields": ["title", "body"]}),
        (_("Metadata"), {"fields": ["status", "published_at", "publication", "tags", "slug", "location"]}),
        (_("Sharing"), {"fields": ["excerpt", "cover_url", "cover_preview"]}),
        (_("Source"), {
            "classes": ["collapse"],
            "fields": ["source_url", "source_filename", "source_sha256", "imported_at", "source_key", "footer",
                       "created_at", "updated_at"],
        }),
    ]  # fmt: skip
    history_list_per_page = 50
    object_history_template = "admin/articles/article/history.html"
    object_history_list_template = "admin/articles/article/history_list.html"

    class Media:
        css = {"all": ["desk/desk.css"]}
        js = ["desk/markdown_editor.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(link_count=count_of(Link.objects)).with_tags()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, TaggableManager):
            kwargs["widget"] = TagSuggestWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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

    def get_historical_record_context_helper(self, request, historical_record):
        return revisions.RevisionSummary(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """One revision: how it differs from the article as it is now, and a button to restore it."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        revision = get_object_or_404(article.history.select_related("history_user"), history_id=version_id)
        may_restore = self.has_change_permission(request, article)
        when = formats.localize(timezone.localtime(revision.history_date))
        if request.method == "POST":
            if not may_restore:
                raise PermissionDenied
            restored = gettext("Restored the version of %(date)s") % {"date": when}
            try:
                revisions.restore(article, revision, reason=restored)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
            else:
                self.log_change(request, article, restored)
                self.message_user(request, restored, messages.SUCCESS)
                return redirect("admin:articles_article_change", article.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Revision of %(date)s") % {"date": when},
            "article": article,
            "revision": revision,
            "changes": revisions.changes(article, revision),
            "may_restore": may_restore,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/articles/article/revision.html", context)

    def wanted_view(self, request):
        """Articles others link to that we have not archived: what to import next."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Wanted articles"),
            "wanted": Link.objects.wanted()[:WANTED_ROWS],
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
        with PageCacheVersion.renewed_at_most_every(BATCH_CACHE_RENEWAL_SECONDS) as renewals:
            for batch in batches(files, size=lambda file: len(file[1])):
                for result in import_batch(batch, options=options):
                    self._report_import(request, result)
                renewals.release_if_due()
        staging.discard(token)
        return redirect(reverse("admin:articles_article_changelist"))

    def _report_import(self, request, result):
        for warning in result.warnings:
            self.message_user(request, warning, messages.WARNING)
        if result.outcome == Outcome.FAILED:
            self.message_user(request, result.error, messages.ERROR)
        else:
            message = f"{result.outcome}: {result.filename} → {result.article.title}"
            self.message_user(request, message, messages.SUCCESS)

    @admin.display(description=_("cover"))
    def cover_thumbnail(self, article):
        return _cover_image(article, "cover-thumbnail")

    @admin.display(description=_("cover as shown"))
    def cover_preview(self, article):
        return _cover_image(article, "cover-preview")

    @admin.display(description=_("published at"), ordering="published_at")
    def published_on(self, article):
        # Short, so the list keeps room for what follows it.
        return date_format(timezone.localtime(article.published_at), "Y-m-d H:i") if article.published_at else "—"

    @admin.display(description=_("published"), boolean=True)
    def is_published(self, article):
        return article.is_published

    @admin.display(description=_("links"), ordering="link_count")
    def link_count(self, article):
        return article.link_count

    @admin.display(description=_("tags"))
    def tag_list(self, article):
        return ", ".join(tag.name for tag in article.listed_tags) or "—"

    # The actions save article by article: each change keeps a revision, and the articles that
    # link to one re-render when readers can reach it (or no longer can).

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        drafts = queryset.exclude(status=Article.Status.PUBLISHED)
        published = 0
        for article in drafts.exclude(published_at=None):
            article.status = Article.Status.PUBLISHED
            article.save(update_fields=["status", "updated_at"])
            published += 1
        self.message_user(request, ngettext("%d article published.", "%d articles published.", published) % published)
        skipped = drafts.filter(published_at=None).count()
        if skipped:
            self.message_user(
                request,
                ngettext("%d article has no publication date and stays a draft.",
                         "%d articles have no publication date and stay drafts.", skipped) % skipped,
                messages.WARNING,
            )  # fmt: skip

    @admin.action(description=_("Return the selected articles to draft"), permissions=["change"])
    def unpublish(self, request, queryset):
        unpublished = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article.status = Article.Status.DRAFT
            article.save(update_fields=["status", "updated_at"])
            unpublished += 1
        self.message_user(
            request,
            ngettext("%d article is a draft now.", "%d articles are drafts now.", unpublished) % unpublished,
        )

    @admin.action(description=_("Mirror the images of the selected articles"), permissions=["change"])
    def mirror_images(self, request, queryset):
        mirrored = reused = 0
        failed = []
        for article in queryset:
            report = mirror_article_images(article)
            mirrored, reused = mirrored + len(report.mirrored), reused + len(report.reused)
            failed += report.failed
        self.message_user(
            request,
            _("Images mirrored: %(mirrored)d; already mirrored: %(reused)d; failed: %(failed)d.")
            % {"mirrored": mirrored, "reused": reused, "failed": len(failed)},
            messages.WARNING if failed else messages.SUCCESS,
        )
        for url, why in failed[:MAX_MESSAGES]:
            self.message_user(request, f"{url}: {why}", messages.WARNING)


def _cover_image(article: Article, css_class: str) -> str:
    source = article.cover_src
    if not source.startswith(("https://", "http://", "/")):
        return "—"
    # The image host refuses pages that send a foreign Referer (and must not learn our admin's address).
    return format_html(
        '<img src="{}" alt="" class="{}" loading="lazy" referrerpolicy="no-referrer">', source, css_class
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

    def get_urls(self):
        return [
            path("suggest/", self.admin_site.admin_view(self.suggest_view), name="taggit_tag_suggest"),
            *super().get_urls(),
        ]

    def suggest_view(self, request):
        """Tags whose name contains ``term``, those starting with it first: the tags field's suggestions."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        if not term:
            return JsonResponse({"results": []})
        names = (
            Tag.objects.filter(name__icontains=term)
            .annotate(starts=Case(When(name__istartswith=term, then=0), default=1))
            .order_by("starts", "name")
            .values_list("name", flat=True)[:TAG_SUGGESTIONS]
        )
        return JsonResponse({"results": list(names)})

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
