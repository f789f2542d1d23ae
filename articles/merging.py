"""Merge articles that are the same article under different identities (probable duplicates)."""

from django.db import transaction
from django.db.models import Count

from .models import Article, ArticleKey, ArticleRedirect, Link


def duplicate_groups():
    """The publication, title and publication time that more than one article shares, newest first."""
    return (
        Article.objects.values("publication", "title", "published_at")
        .annotate(copies=Count("*"))
        .filter(copies__gt=1)
        .order_by("-published_at")
    )


def probable_duplicates():
    """Groups of articles with the same publication, title and publication time: lists of articles."""
    duplicates = []
    for group in duplicate_groups():
        fields = {key: group[key] for key in ("publication", "title", "published_at")}
        duplicates.append(list(Article.objects.filter(**fields).select_related("publication").order_by("pk")))
    return duplicates


@transaction.atomic
def merge_articles(*, target: Article, others: list[Article]) -> Article:
    """Fold ``others`` into ``target``: identities, links both ways, tags and mentions move; the
    others' addresses redirect to the target."""
    for other in others:
        if other.pk == target.pk:
            continue
        for key in [other.source_key, *other.keys.values_list("key", flat=True)]:
            if key:
                ArticleKey.objects.update_or_create(key=key, defaults={"article": target, "url": other.source_url})
        Link.objects.filter(target=other).update(target=target)
        kept = set(target.links.values_list("target_key", "kind"))
        for link in other.links.all():
            if (link.target_key, link.kind) not in kept:
                link.article = target
                link.save(update_fields=["article"])
        target.tags.add(*other.tags.all())
        # People's mentions hang on articles through the reverse relation; the target's own win.
        mentioned = set(target.mentions.values_list("person_id", flat=True))
        other.mentions.exclude(person_id__in=mentioned).update(article=target)
        ArticleRedirect.merged(old=other, into=target)
        other.delete()
    target.save()
    target.refresh_referrers()
    return target
