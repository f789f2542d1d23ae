"""Atom feeds: the whole site, a tag, a publication. People's feeds build on ArticleFeed."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from taggit.models import Tag

from .models import Article, Publication

FEED_SIZE = 30


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
        return article.summary

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
        return Article.objects.published().filter(tags=tag)

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
