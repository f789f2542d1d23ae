"""Atom feeds: the whole site, a tag, a publication. People's feeds build on ArticleFeed."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.html import escape
from django.utils.translation import gettext as _
from taggit.models import Tag

from .models import Article, Publication
from .parsing.encoding import CONTROL_CHARACTERS

FEED_SIZE = 30


def _xml_text(value):
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class Atom1Feed(feedgenerator.Atom1Feed):
    """Atom without the characters XML 1.0 cannot carry: an editor's title with a pasted control
    character would otherwise make Django refuse to write the whole feed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_xml_text, args), **{name: _xml_text(value) for name, value in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_xml_text, args), **{name: _xml_text(value) for name, value in kwargs.items()})


class ArticleFeed(Feed):
    """Published articles, newest first; subclasses say which."""

    feed_type = Atom1Feed

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj):
        return self.articles(obj).select_related("publication").order_by("-published_at")[:FEED_SIZE]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        # Atom marks the summary type="html" and readers render it as such: the summary is
        # plain text (an excerpt, or the body's text with its entities decoded), so escape it.
        return escape(article.summary)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return article.publication.name if article.publication else None


class LatestArticlesFeed(ArticleFeed):
    def title(self):
        return _("Article archive")

    def subtitle(self):
        return _("The latest archived articles")

    def link(self):
        return reverse("articles:list")

    def feed_url(self):
        return reverse("feed")


class TagFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def articles(self, tag):
        return Article.objects.tagged(tag)

    def title(self, tag):
        return _("Articles tagged “%(name)s”") % {"name": tag.name}

    def link(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})

    def feed_url(self, tag):
        return reverse("articles:tag-feed", kwargs={"slug": tag.slug})


class PublicationFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Publication, slug=slug)

    def articles(self, publication):
        return Article.objects.published().filter(publication=publication)

    def title(self, publication):
        return publication.name

    def subtitle(self, publication):
        return publication.description

    def link(self, publication):
        return publication.get_absolute_url()

    def feed_url(self, publication):
        return reverse("articles:publication-feed", kwargs={"slug": publication.slug})
