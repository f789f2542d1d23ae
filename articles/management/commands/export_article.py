"""Write articles back out in the seed's export format (default) or as JSON.

manage.py export_article openai-联创-iiya-是谁为什么要离开-openai > ilya.md
manage.py export_article --all --output exports/
manage.py export_article 12 13 --format json
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from articles.exporting import as_json, as_markdown
from articles.models import Article


class Command(BaseCommand):
    help = "Export articles (by id or slug, or --all) as Markdown in the import format, or as JSON."

    def add_arguments(self, parser):
        parser.add_argument("articles", nargs="*", metavar="ID|SLUG")
        parser.add_argument(
            "--all", dest="everything", action="store_true", help="Export every article, drafts included."
        )
        parser.add_argument("--format", dest="output_format", choices=["markdown", "json"], default="markdown")
        parser.add_argument("--output", type=Path, help="A directory: one file per article, named by slug.")

    def handle(self, *args, articles, everything, output_format, output, verbosity, **options):
        selected = self._select(articles, everything).select_related("publication").prefetch_related("tags", "links")
        if output_format == "markdown" and output is None and len(selected) > 1:
            raise CommandError("Several articles in Markdown need --output DIR (one file each).")
        if output is None:
            if output_format == "json":
                self.stdout.write(json.dumps([as_json(a) for a in selected], ensure_ascii=False, indent=2))
            else:
                self.stdout.write(as_markdown(selected[0]), ending="")
            return
        output.mkdir(parents=True, exist_ok=True)
        suffix = ".json" if output_format == "json" else ".md"
        for article in selected:
            path = output / f"{article.slug}{suffix}"
            if output_format == "json":
                path.write_text(json.dumps(as_json(article), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            else:
                path.write_text(as_markdown(article), encoding="utf-8")
            if verbosity >= 1:
                self.stdout.write(f"exported   {path}")
        self.stdout.write(self.style.SUCCESS(f"{len(selected)} exported to {output}"))

    def _select(self, names, everything):
        if everything:
            return Article.objects.order_by("published_at", "pk")
        if not names:
            raise CommandError("Name the articles to export (id or slug), or use --all.")
        query = Q()
        for name in names:
            query |= Q(slug=name) | (Q(pk=int(name)) if name.isdigit() else Q())
        found = Article.objects.filter(query).order_by("published_at", "pk")
        known = {str(article.pk) for article in found} | {article.slug for article in found}
        missing = [name for name in names if name not in known]
        if missing:
            raise CommandError(f"No article with id or slug: {', '.join(missing)}")
        return found
