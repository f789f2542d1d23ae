"""Editors' tag work: rename (the old address redirects) and merge (nothing tagged is lost)."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from .models import Article, TagRedirect
from .ranking import counted


def tags_in_use() -> list[Tag]:
    """Tags on published articles or on anything else (people), most used on articles first, then
    by name. Each tag carries ``article_count``: how many published articles have it."""
    article_type = ContentType.objects.get_for_model(Article)
    on_articles = TaggedItem.objects.filter(content_type=article_type).values_list("tag")
    counts = counted(on_articles, less=on_articles.filter(object_id__in=Article.objects.unpublished().values("pk")))
    on_other_things = set(
        TaggedItem.objects.exclude(content_type=article_type).values_list("tag", flat=True).order_by().distinct()
    )
    # In the database's order of names (its collation), then by count: a stable sort keeps the names' order.
    tags = [tag for tag in Tag.objects.order_by("name", "pk") if tag.pk in counts or tag.pk in on_other_things]
    for tag in tags:
        tag.article_count = counts[tag.pk]
    return sorted(tags, key=lambda tag: -tag.article_count)


def tags_with_pages() -> QuerySet[Tag]:
    """Tags whose page shows something (a published article, or anything else tagged), by name.

    Checked tag by tag, each on its own tagged items, stopping at the first: counting them as
    ``tags_in_use`` does would read every tagged item in the archive.
    """
    article_type = ContentType.objects.get_for_model(Article)
    items = TaggedItem.objects.filter(tag=OuterRef("pk"))
    published = Article.objects.published().filter(pk=OuterRef("object_id"))
    on_published_articles = items.filter(content_type=article_type).filter(Exists(published))
    on_other_things = items.exclude(content_type=article_type)
    return Tag.objects.filter(Exists(on_published_articles) | Exists(on_other_things)).order_by("name")


def tags_of(articles: QuerySet, *, limit: int) -> list[Tag]:
    """The tags on the most of ``articles`` (a subquery of ids), each with ``article_count``, most first."""
    counts = dict(
        TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(Article), object_id__in=articles)
        .values_list("tag")
        .annotate(total=Count("pk"))
        .order_by("-total", "tag__name")[:limit]
    )
    tags = Tag.objects.in_bulk(counts)
    for pk, tag in tags.items():
        tag.article_count = counts[pk]
    return [tags[pk] for pk in counts if pk in tags]


@transaction.atomic
def rename_tag(tag: Tag, name: str, slug: str | None = None) -> Tag:
    old_slug = tag.slug
    tag.name = name.strip()
    tag.slug = slug or slugify(tag.name, allow_unicode=True) or old_slug
    tag.save()
    TagRedirect.renamed(old_slug=old_slug, target=tag)
    return tag


@transaction.atomic
def merge_tags(*, target: Tag, others: list[Tag]) -> Tag:
    for other in others:
        if other.pk == target.pk:
            continue
        already = set(TaggedItem.objects.filter(tag=target).values_list("content_type_id", "object_id"))
        for item in TaggedItem.objects.filter(tag=other):
            if (item.content_type_id, item.object_id) in already:
                item.delete()
            else:
                item.tag = target
                item.save(update_fields=["tag"])
        TagRedirect.merged(old=other, into=target)
        other.delete()
    return target
