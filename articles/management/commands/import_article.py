"""Import exported articles: files, directories (searched recursively), globs, or - for stdin.

manage.py import_article samples/
manage.py import_article 'exports/**/*.md' --draft
cat article.md | manage.py import_article -
"""

import argparse
import glob
import os
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.importer import BATCH_CACHE_RENEWAL_SECONDS, BATCH_SIZE, ImportOptions, Outcome, batches, import_batch
from articles.models import PageCacheVersion
from articles.parsing import FORMATS

ARTICLE_SUFFIXES = {".md", ".markdown", ".txt"}
GLOB_CHARACTERS = set("*?[")


class Command(BaseCommand):
    help = "Import articles exported from WeChat official accounts (Markdown files)."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="A file, a directory, a glob such as 'exports/**/*.md', or -."
        )
        parser.add_argument("--draft", action="store_true", help="Keep new articles as drafts instead of publishing.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen; write nothing.")
        parser.add_argument(
            "--overwrite", action="store_true", help="Take the source's body even where an editor changed it."
        )
        parser.add_argument("--fail-fast", action="store_true", help="Stop at the first file that fails.")
        parser.add_argument("--format", choices=sorted(FORMATS), help="Skip sniffing: every file is in this format.")
        parser.add_argument("--encoding", help="Skip detection: every file is in this encoding (e.g. gb18030).")
        parser.add_argument(
            "--mirror-images",
            action=argparse.BooleanOptionalAction,
            default=settings.ARCHIVE_MIRROR_IMAGES,
            help="Download the cover and body images to media storage (default: the ARCHIVE_MIRROR_IMAGES setting).",
        )

    def handle(self, *args, paths, verbosity, **options):
        import_options = ImportOptions(
            publish=not options["draft"],
            dry_run=options["dry_run"],
            overwrite=options["overwrite"],
            format_name=options["format"],
            encoding=options["encoding"],
            mirror_images=options["mirror_images"],
        )
        total = sum(1 for _ in self._documents(paths, announce=False))
        progress = Progress(sys.stderr, total) if total > 1 and verbosity >= 1 and sys.stderr.isatty() else None
        counts = Counter()
        # Readers' cached pages expire every few seconds while the batch runs, not after every file.
        # --fail-fast stops at the first failure: nothing after it may have been imported with it.
        batch_size = 1 if options["fail_fast"] else BATCH_SIZE
        with PageCacheVersion.renewed_at_most_every(BATCH_CACHE_RENEWAL_SECONDS) as renewals:
            files = self._read(self._documents(paths, announce=True))
            for batch in batches(files, size=lambda file: len(file[1] or b""), files=batch_size):
                for outcome, name, lines in self._import(batch, import_options):
                    counts[outcome] += 1
                    for stream, style, text in lines:
                        if verbosity >= 1 or stream is self.stderr:
                            with _above(progress):
                                stream.write(style(text))
                    if progress:
                        progress.advance(name)
                renewals.release_if_due()
                if outcome == Outcome.FAILED and options["fail_fast"]:
                    break
        if progress:
            progress.finish()

        summary = ", ".join(f"{counts[outcome]} {outcome}" for outcome in Outcome)
        if options["dry_run"]:
            summary += " (dry run: nothing was written)"
        if counts[Outcome.FAILED]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _read(self, documents):
        """(name, data, error) for each (name, reader) of ``documents``: data, or why it cannot be read."""
        for name, read in documents:
            try:
                yield name, read(), None
            except OSError as error:
                yield name, None, error

    def _import(self, documents, options):
        """(outcome, name, report lines) for each of ``documents`` (name, data, error), in order."""
        results = iter(import_batch([(name, data) for name, data, error in documents if not error], options=options))
        for name, _, error in documents:
            if error:
                problem = f"failed     {name}: cannot read the file ({error.strerror})."
                yield Outcome.FAILED, name, [(self.stderr, self.style.ERROR, problem)]
            else:
                result = next(results)
                yield result.outcome, name, self._report(result)

    def _report(self, result):
        """(stream, style, text) lines for one file's result."""
        lines = [(self.stderr, self.style.WARNING, f"warning    {warning}") for warning in result.warnings]
        if result.outcome == Outcome.FAILED:
            lines.append((self.stderr, self.style.ERROR, f"failed     {result.error}"))
        else:
            url = unquote(result.article.get_absolute_url())
            lines.append((self.stdout, str, f"{result.outcome:<10} {result.filename} → {url}"))
        return lines

    def _documents(self, paths, *, announce):
        """(name, reader) for every document named on the command line, in a stable order,
        one at a time: memory does not grow with the number of files."""
        for path in paths:
            if path == "-":
                yield "<stdin>", sys.stdin.buffer.read
            elif GLOB_CHARACTERS & set(path) and not os.path.exists(path):
                matches = sorted(glob.iglob(path, recursive=True))
                if not matches and announce:
                    self.stderr.write(self.style.WARNING(f"warning    {path}: matches no file."))
                for match in matches:
                    yield from self._documents([match], announce=announce)
            elif os.path.isdir(path):
                found = False
                for directory, subdirectories, files in os.walk(path):
                    subdirectories.sort()
                    for file in sorted(files):
                        if Path(file).suffix.lower() in ARTICLE_SUFFIXES and not file.startswith("."):
                            found = True
                            file_path = Path(directory, file)
                            yield str(file_path), file_path.read_bytes
                if not found and announce:
                    self.stderr.write(self.style.WARNING(f"warning    {path}: no .md, .markdown or .txt files in it."))
            else:
                yield str(path), Path(path).read_bytes


class Progress:
    """A one-line progress bar, redrawn in place on a terminal."""

    WIDTH = 30

    def __init__(self, stream, total: int):
        self.stream, self.total, self.done, self.started = stream, total, 0, time.monotonic()
        self.last_name = ""

    def advance(self, name: str):
        self.done += 1
        self.last_name = name
        self.draw()

    def draw(self):
        share = self.done / self.total
        filled = int(share * self.WIDTH)
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        name = self.last_name[-40:]
        self.stream.write(f"\r\033[K[{bar}] {self.done}/{self.total} {share:4.0%} {rate:6.1f} files/s  {name}")
        self.stream.flush()

    def clear(self):
        self.stream.write("\r\033[K")

    def finish(self):
        self.clear()
        self.stream.flush()


class _above:
    """Print a line above the progress bar: clear the bar, print, draw the bar again."""

    def __init__(self, progress: Progress | None):
        self.progress = progress

    def __enter__(self):
        if self.progress:
            self.progress.clear()

    def __exit__(self, *exc):
        if self.progress and self.progress.done:
            self.progress.draw()
