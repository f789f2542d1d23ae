from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .models import Alias, Mention, Person


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 1
    fields = ["text", "kind", "language", "is_ambiguous", "key"]
    readonly_fields = ["key"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "native_name", "headline", "confirmed_mentions"]
    search_fields = ["name", "native_name", "aliases__text"]
    list_filter = ["tags"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AliasInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(confirmed_mentions=Count("mentions", filter=Q(mentions__status=Mention.Status.CONFIRMED)))
        )

    @admin.display(description=_("confirmed mentions"), ordering="confirmed_mentions")
    def confirmed_mentions(self, person):
        return person.confirmed_mentions


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["person", "article", "status", "count", "origin"]
    list_filter = ["status", "origin"]
    list_select_related = ["person", "article"]
    search_fields = ["person__name", "person__native_name", "article__title"]
    autocomplete_fields = ["article", "person"]
    readonly_fields = ["spans", "created_at", "updated_at"]
