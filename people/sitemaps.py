from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from .models import Person


class PersonSitemap(Sitemap):
    changefreq = "weekly"
    # As for articles: 10,000 people on one page took a worker most of a second.
    limit = 2000

    def items(self):
        # Whether each person has a published mention, not how many: a count would read every mention.
        return Person.objects.in_published_articles().only("slug", "updated_at").order_by("name", "pk")

    def lastmod(self, person):
        return person.updated_at

    def get_latest_lastmod(self):
        # For the index; Django's default calls lastmod() on every person.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]
