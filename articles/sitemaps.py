"""Sitemaps of what readers can reach: published articles, and the publications and tags that have them."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Article, Publication
from .tagging import tags_in_use


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, article):
        return article.updated_at


class PublicationSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Publication.objects.filter(articles__in=Article.objects.published())
            .annotate(latest=Max("articles__updated_at"))
            .order_by("name")
        )

    def lastmod(self, publication):
        return publication.latest


class TagSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return tags_in_use()

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})
