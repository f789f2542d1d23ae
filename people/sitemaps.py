from django.contrib.sitemaps import Sitemap

from .models import Person


class PersonSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Person.objects.with_published_article_counts().only("slug", "updated_at")

    def lastmod(self, person):
        return person.updated_at
