"""Sitemaps of what readers can reach: published articles, and the publications and tags that have them."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Subquery
from django.urls import reverse

from .models import Article, Publication
from .tagging import tags_with_pages


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    # Pages a worker renders in well under a second (the protocol allows 50,000 addresses).
    limit = 2000

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        # None: the index then gives no date for this section. Django's default calls lastmod()
        # on every article in the archive, and even a MAX(updated_at) reads every published row.
        return None


class PublicationSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        published = Article.objects.published().filter(publication=OuterRef("pk"))
        # The newest article's date, off the (publication, status, published_at) index: what
        # changes a publication's page is mostly a new article.
        newest = published.order_by("-published_at").values("published_at")[:1]
        return Publication.objects.filter(Exists(published)).annotate(latest=Subquery(newest)).order_by("name")

    def lastmod(self, publication):
        return publication.latest

    def get_latest_lastmod(self):
        return Article.objects.published().aggregate(latest=Max("published_at"))["latest"]


class TagSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return tags_with_pages()

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})
