"""Editors' tag work: rename (the old address redirects) and merge (nothing tagged is lost)."""

from django.db import transaction
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from .models import TagRedirect


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
