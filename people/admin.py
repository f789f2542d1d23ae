from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin import LONG_TEXT_FIELDS, ArticleAdmin, RowsOfTheArticle
from articles.models import RECENT_ARTICLES, Article, count_of

from . import services
from .models import Alias, Mention, NameCandidate, Person


class RowAutocompleteSelect(AutocompleteSelect):
    """An autocomplete on a row (an inline, an editable list) that names its chosen object from the
    row itself, loaded with the list, instead of asking the database once per row."""

    chosen = None

    def optgroups(self, name, value, attr=None):
        chosen = self.chosen
        if chosen is None or [str(item) for item in value if item] != [str(chosen.pk)]:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.choices.field.label_from_instance(chosen)
        options.append(self.create_option(name, chosen.pk, label, True, len(options)))
        return [(None, options, 0)]


class RowAutocompleteForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # inside the add/change links
            if isinstance(widget, RowAutocompleteSelect) and self.instance.pk:
                widget.chosen = getattr(self.instance, name)


class RowAutocompleteMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = RowAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MentionForm(RowAutocompleteForm):
    """A status an editor sets or a mention an editor adds is their decision: detection keeps it."""

    class Meta:
        model = Mention
        fields = ["article", "person", "status", "origin", "count", "context"]

    def save(self, commit=True):
        if not self.instance.pk or "status" in self.changed_data:
            self.instance.reviewed_at = timezone.now()
        return super().save(commit)


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 1
    fields = ["text", "kind", "language", "is_ambiguous", "key"]
    readonly_fields = ["key"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "native_name", "headline", "confirmed_mentions", "suggested_mentions"]
    search_fields = ["name", "native_name", "aliases__text"]
    list_filter = ["tags"]
    inlines = [AliasInline]
    actions = ["merge"]
    readonly_fields = ["mention_summary"]
    fields = ["name", "slug", "native_name", "headline", "bio", "tags", "mention_summary"]

    @admin.display(description=_("mentions"))
    def mention_summary(self, person):
        counts = dict(person.mentions.values_list("status").annotate(total=Count("id")))
        return ", ".join(f"{Mention.Status(status).label}: {total}" for status, total in sorted(counts.items())) or "—"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # Counted for the people of the page only (a join and GROUP BY would count every
            # mention in the archive, and so would the paginator's count of people).
            .annotate(
                confirmed_mentions=count_of(Mention.objects.filter(status=Mention.Status.CONFIRMED), via="person"),
                suggested_mentions=count_of(Mention.objects.filter(status=Mention.Status.SUGGESTED), via="person"),
            )
        )

    @admin.display(description=_("confirmed mentions"), ordering="confirmed_mentions")
    def confirmed_mentions(self, person):
        if not person.confirmed_mentions:
            return 0
        articles = reverse("admin:articles_article_changelist") + f"?person={person.pk}"
        return format_html('<a href="{}">{}</a>', articles, person.confirmed_mentions)

    @admin.display(description=_("suggested mentions"), ordering="suggested_mentions")
    def suggested_mentions(self, person):
        return person.suggested_mentions

    @admin.action(description=_("Merge the selected people into one"), permissions=["change"])
    def merge(self, request, queryset):
        people = list(queryset.order_by("pk"))
        if len(people) < 2:
            self.message_user(request, _("Select at least two people to merge."), messages.WARNING)
            return None
        if "target" in request.POST:
            target = next((person for person in people if str(person.pk) == request.POST["target"]), None)
            if target:
                services.merge_people(target=target, others=[p for p in people if p.pk != target.pk])
                self.message_user(request, _("Merged into %(name)s.") % {"name": target.name}, messages.SUCCESS)
                return redirect("admin:people_person_change", target.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Merge people"),
            "people": people,
            "queryset": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/people/person/merge.html", context)


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    """The review queue: filter by status "suggested", read the context, confirm or reject in bulk."""

    list_display = ["person", "article", "status", "count", "highlighted_context", "is_near_miss", "origin"]
    list_filter = ["status", "is_near_miss", "origin"]
    list_select_related = ["person", "article"]
    search_fields = ["person__name", "person__native_name", "article__title"]
    autocomplete_fields = ["article", "person"]
    readonly_fields = ["spans", "context", "matched_text", "is_near_miss", "reviewed_at", "created_at", "updated_at"]
    actions = ["confirm", "reject", "add_spelling_as_alias"]

    def get_queryset(self, request):
        # Rows name their article: the title, not the body.
        return super().get_queryset(request).defer(*(f"article__{name}" for name in LONG_TEXT_FIELDS))

    @admin.display(description=_("context"))
    def highlighted_context(self, mention):
        if not mention.matched_text or mention.matched_text not in mention.context:
            return mention.context
        before, _, after = mention.context.partition(mention.matched_text)
        return format_html("{}<mark>{}</mark>{}", before, mention.matched_text, after)

    @admin.action(description=_("Confirm the selected mentions"), permissions=["change"])
    def confirm(self, request, queryset):
        count = services.review_mentions(queryset, Mention.Status.CONFIRMED)
        self.message_user(request, ngettext("%d mention confirmed.", "%d mentions confirmed.", count) % count)

    @admin.action(description=_("Reject the selected mentions"), permissions=["change"])
    def reject(self, request, queryset):
        count = services.review_mentions(queryset, Mention.Status.REJECTED)
        self.message_user(request, ngettext("%d mention rejected.", "%d mentions rejected.", count) % count)

    @admin.action(description=_("Add the spelling found as an alias of the person"), permissions=["change"])
    def add_spelling_as_alias(self, request, queryset):
        added = [services.add_spelling_as_alias(mention) for mention in queryset.select_related("person", "article")]
        names = ", ".join(f"{alias.text} → {alias.person}" for alias in added if alias)
        self.message_user(request, _("Aliases added: %(names)s") % {"names": names or "—"})

    form = MentionForm


class MentionInline(RowAutocompleteMixin, admin.TabularInline):
    """The people an article mentions, on the article's change page."""

    model = Mention
    form = MentionForm
    formset = RowsOfTheArticle
    extra = 0
    fields = ["person", "status", "count", "context", "origin"]
    readonly_fields = ["count", "context", "origin"]
    autocomplete_fields = ["person"]
    ordering = ["-count"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class PersonFilter(admin.SimpleListFilter):
    """Articles confirmed to mention a person. Offers the people most mentioned in the latest
    articles archived; any person works by address (the people list links each person's articles)."""

    title = _("person")
    parameter_name = "person"
    OFFERED = 30

    def lookups(self, request, model_admin):
        # The latest articles, not the whole archive: every change list would count every mention.
        latest = Article.objects.order_by("-pk").values("pk")[:RECENT_ARTICLES]
        people = Person.objects.most_written_about(latest, limit=self.OFFERED)
        selected = self._selected()
        if selected and all(person.pk != selected for person in people):
            people += list(Person.objects.filter(pk=selected))
        return [(str(person.pk), person.name) for person in people]

    def queryset(self, request, queryset):
        selected = self._selected()
        if selected is None:
            return queryset
        return queryset.filter(mentions__in=Mention.objects.confirmed().filter(person_id=selected))

    def _selected(self) -> int | None:
        value = self.value()
        return int(value) if value and value.isdigit() else None


admin.site.unregister(Article)


@admin.register(Article)
class ArticleWithPeopleAdmin(ArticleAdmin):
    """The article admin with the people each article mentions: a column, a filter, the mentions
    inline and re-detection."""

    list_display = [*ArticleAdmin.list_display]
    list_display.insert(list_display.index("link_count"), "people_count")
    list_filter = [*ArticleAdmin.list_filter, PersonFilter]
    inlines = [*ArticleAdmin.inlines, MentionInline]
    actions = [*ArticleAdmin.actions, "redetect_people"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_count=count_of(Mention.objects.confirmed()))

    @admin.display(description=_("people"), ordering="people_count")
    def people_count(self, article):
        return article.people_count

    @admin.action(description=_("Detect the people in the selected articles again"), permissions=["change"])
    def redetect_people(self, request, queryset):
        matcher = services.current_matcher()
        total = services.MentionChanges()
        for article in queryset:
            changes = services.detect_mentions(article, matcher=matcher)
            total.added += changes.added
            total.updated += changes.updated
            total.removed += changes.removed
        self.message_user(
            request,
            _("Mentions found: %(added)d new, %(updated)d updated, %(removed)d dropped. Editors' decisions are kept.")
            % {"added": total.added, "updated": total.updated, "removed": total.removed},
        )


@admin.register(NameCandidate)
class NameCandidateAdmin(RowAutocompleteMixin, admin.ModelAdmin):
    """Names nobody registered yet: promote to a person, add as an alias, or ignore."""

    list_display = ["text", "article_count", "count", "status", "person"]
    list_editable = ["person"]
    list_select_related = ["person"]
    list_filter = ["status"]
    search_fields = ["text"]
    autocomplete_fields = ["person"]
    readonly_fields = ["key", "count", "article_count"]
    actions = ["promote", "attach", "ignore"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=RowAutocompleteForm, **kwargs)

    @admin.action(description=_("Create a person for each selected name"), permissions=["change"])
    def promote(self, request, queryset):
        people = [services.promote_candidate(candidate) for candidate in queryset]
        self.message_user(request, _("People created: %(names)s") % {"names": ", ".join(map(str, people))})

    @admin.action(description=_("Add each selected name as an alias of the person chosen"), permissions=["change"])
    def attach(self, request, queryset):
        chosen = queryset.exclude(person=None).select_related("person")
        for candidate in chosen:
            services.attach_candidate(candidate, candidate.person)
        skipped = queryset.filter(person=None).count()
        self.message_user(request, ngettext("%d alias added.", "%d aliases added.", len(chosen)) % len(chosen))
        if skipped:
            self.message_user(request, _("Choose a person for the other names first."), messages.WARNING)

    @admin.action(description=_("Ignore the selected names"), permissions=["change"])
    def ignore(self, request, queryset):
        count = queryset.update(status=NameCandidate.Status.IGNORED)
        self.message_user(request, ngettext("%d name ignored.", "%d names ignored.", count) % count)
