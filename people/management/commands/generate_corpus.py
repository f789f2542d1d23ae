"""Fill the archive with a synthetic corpus for benchmarks and scale tests (bench/corpus.py).

    manage.py generate_corpus --articles 1000 --people 200 --seed 1
    manage.py generate_corpus --articles 100000 --people 10000 --fast --jobs 2
    manage.py generate_corpus --articles 1000 --output exports/    # files to import, nothing stored

The same seed gives the same corpus. It lives in people/ because it creates people,
mentions and articles, and the articles app must not depend on people.
"""

import os
import sys
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.corpus import CorpusPlan
from bench.load_corpus import CorpusError, filename, load_fast, load_through_pipeline


class Command(BaseCommand):
    help = "Generate a deterministic synthetic corpus: people, publications, articles, links, tags, mentions."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=1000)
        parser.add_argument("--people", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--fast",
            action="store_true",
            help="Empty archive only: the pipeline's parse, render and detection in worker processes, bulk inserts.",
        )
        parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="Worker processes for --fast.")
        parser.add_argument(
            "--output", type=Path, help="Write the export files and people.yaml to this folder instead of importing."
        )

    def handle(self, *args, articles, people, seed, fast, jobs, output, verbosity, **options):
        try:
            plan = CorpusPlan(articles=articles, people=people, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if output:
            self._write(plan, output)
            return
        progress = self._progress if verbosity >= 1 and articles >= 1000 else None
        try:
            if fast:
                summary = load_fast(plan, jobs=jobs, progress=progress)
            else:
                summary = load_through_pipeline(plan, progress=progress)
        except CorpusError as error:
            raise CommandError(str(error)) from None
        if connection.vendor == "postgresql":
            # What autovacuum leaves on a live database, which a bulk load has not had yet: planner
            # statistics (without them PostgreSQL takes 100,000 published articles for a few dozen),
            # and the visibility map (without it no index answers a query alone: every row is read).
            # VACUUM cannot run inside a transaction, as when the command is called from one.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if connection.get_autocommit() else "ANALYZE")
        if progress:
            sys.stderr.write("\n")
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.articles} articles, {summary.people} people in {summary.seconds:.1f} s "
                f"({summary.articles / max(summary.seconds, 1e-9):.0f} articles/s)"
            )
        )

    def _progress(self, done: int) -> None:
        if done % 1000 == 0:
            sys.stderr.write(f"\r{done} articles")
            sys.stderr.flush()

    def _write(self, plan: CorpusPlan, output: Path) -> None:
        output.mkdir(parents=True, exist_ok=True)
        registry = yaml.safe_dump(plan.registry(), allow_unicode=True, sort_keys=False)
        (output / "people.yaml").write_text(registry, encoding="utf-8")
        for number in range(plan.articles):
            (output / filename(number)).write_bytes(plan.document(number))
        self.stdout.write(self.style.SUCCESS(f"{plan.articles} articles and people.yaml written to {output}"))
