"""Find the people articles mention, after the registry changed.

    manage.py detect_mentions --all
    manage.py detect_mentions openai-联创-iiya-是谁为什么要离开-openai 12

Editors' decisions (confirmed or rejected mentions) are never changed.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from articles.models import Article
from people.services import current_matcher, detect_mentions


class Command(BaseCommand):
    help = "Detect people mentions in articles (all of them, or the ones named by id or slug)."

    def add_arguments(self, parser):
        parser.add_argument("articles", nargs="*", metavar="ID|SLUG")
        parser.add_argument("--all", dest="everything", action="store_true")

    def handle(self, *args, articles, everything, verbosity, **options):
        if not everything and not articles:
            raise CommandError("Name articles by id or slug, or use --all.")
        selected = Article.objects.all()
        if not everything:
            query = Q()
            for name in articles:
                query |= Q(slug=name) | (Q(pk=int(name)) if name.isdigit() else Q())
            selected = selected.filter(query)
            if not selected.exists():
                raise CommandError(f"No article with id or slug: {', '.join(articles)}")
        matcher = current_matcher()
        added = updated = removed = 0
        for article in selected.only("pk", "body").iterator(chunk_size=200):
            changes = detect_mentions(article, matcher=matcher)
            added, updated, removed = added + changes.added, updated + changes.updated, removed + changes.removed
        self.stdout.write(self.style.SUCCESS(f"mentions: {added} added, {updated} updated, {removed} removed"))
