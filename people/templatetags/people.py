"""People for pages the articles app renders (the home page, a tag's page), without articles importing people."""

from dataclasses import dataclass

from django import template
from django.db.models import Count, Window

from articles.models import Article

from ..models import Person

register = template.Library()

# A tag's page shows this many of the people carrying it, and links to the rest.
TAGGED_PEOPLE_SHOWN = 24


@register.simple_tag
def most_written_about(limit: int = 10):
    """The people confirmed in the most of the latest published articles, each with ``article_count``."""
    return Person.objects.most_written_about(Article.objects.latest_ids(), limit=limit)


@dataclass(frozen=True)
class TaggedPeople:
    people: list[Person]  # the first few, by name
    total: int


@register.simple_tag
def people_tagged(tag, limit: int = TAGGED_PEOPLE_SHOWN) -> TaggedPeople:
    """The first ``limit`` people carrying ``tag``, by name, and how many carry it: a tag may be on
    thousands of people, and its page shows a few and links to them all."""
    # The count over all of them rides along with the first few: one query.
    tagged = Person.objects.filter(tags=tag).annotate(carrying_tag=Window(Count("pk"))).order_by("name", "pk")
    people = list(tagged[:limit])
    return TaggedPeople(people, people[0].carrying_tag if people else 0)
