"""People for pages the articles app renders (the home page), without articles importing people."""

from django import template

from articles.models import Article

from ..models import Person

register = template.Library()


@register.simple_tag
def most_written_about(limit: int = 10):
    """The people confirmed in the most of the latest published articles, each with ``article_count``."""
    return Person.objects.most_written_about(Article.objects.latest_ids(), limit=limit)
