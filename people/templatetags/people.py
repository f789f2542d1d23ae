"""People for pages the articles app renders (the home page), without articles importing people."""

from django import template

from ..models import Person

register = template.Library()


@register.simple_tag
def most_written_about(limit: int = 10):
    """The people confirmed in the most published articles, each with ``article_count``."""
    return list(Person.objects.with_published_article_counts()[:limit])
