"""Write every article's search document again, then compact the index.

manage.py rebuild_search_index

Saving an article keeps its search document current; this is for articles written around
the ORM (bulk inserts, raw SQL, a restored dump without the index) and after an upgrade
that changes how text is folded or tokenised.
"""

from django.core.management.base import BaseCommand

from articles.search import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the search index of every article."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Articles written per statement.")

    def handle(self, *args, batch_size, **options):
        written = rebuild_index(batch_size=batch_size)
        self.stdout.write(self.style.SUCCESS(f"Indexed {written} articles."))
