"""Import exported articles: files, directories (searched recursively) or - for stdin.

manage.py import_article samples/
manage.py import_article export/*.md --draft
cat article.md | manage.py import_article -
"""

import sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

from django.core.management.base import BaseCommand, CommandError

from articles.importer import Outcome, import_document

ARTICLE_SUFFIXES = {".md", ".markdown", ".txt"}


class Command(BaseCommand):
    help = "Import articles exported from WeChat official accounts (Markdown files)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="A file, a directory, or - for standard input.")
        parser.add_argument(
            "--draft", action="store_true", help="Keep new articles as drafts instead of publishing them."
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen; write nothing.")

    def handle(self, *args, paths, draft, dry_run, verbosity, **options):
        counts = Counter()
        for name, read in self._documents(paths):
            try:
                data = read()
            except OSError as error:
                counts[Outcome.FAILED] += 1
                self.stderr.write(self.style.ERROR(f"failed     {name}: cannot read the file ({error.strerror})."))
                continue
            result = import_document(data, filename=name, publish=not draft, dry_run=dry_run)
            counts[result.outcome] += 1
            for warning in result.warnings:
                self.stderr.write(self.style.WARNING(f"warning    {warning}"))
            if result.outcome == Outcome.FAILED:
                self.stderr.write(self.style.ERROR(f"failed     {result.error}"))
            elif verbosity >= 1:
                self.stdout.write(f"{result.outcome:<10} {name} → {unquote(result.article.get_absolute_url())}")

        summary = ", ".join(f"{counts[outcome]} {outcome}" for outcome in Outcome)
        if dry_run:
            summary += " (dry run: nothing was written)"
        if counts[Outcome.FAILED]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _documents(self, paths):
        """(name, reader) pairs for every document named on the command line, in a stable order."""
        for path in paths:
            if path == "-":
                yield "<stdin>", sys.stdin.buffer.read
                continue
            path = Path(path)
            if path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
                if not files:
                    self.stderr.write(self.style.WARNING(f"warning    {path}: no .md, .markdown or .txt files in it."))
                for file in files:
                    yield str(file), file.read_bytes
            else:
                yield str(path), path.read_bytes
