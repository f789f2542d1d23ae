"""Full import throughput ÷ parse-and-render-only throughput, on the same files (goal ≥ 0.33).

    DATABASE_URL=… .venv/bin/python bench/import_ratio.py [FILES] [PEOPLE]

The database must be migrated and hold no articles (bench/run.py makes a fresh one). The files
are synthetic corpus documents (bench/corpus.py); the registry of PEOPLE people is loaded first,
so mention detection does real work. Both measurements run side by side, alternating chunks of
50 files, so machine noise hits both alike. Also prints the queries per imported file, and the
time the database itself took (its statements and commits): the import's time less that, less
parsing and rendering, is the ORM's and the pipeline's Python.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import DEFAULT_DB_ALIAS, connection, connections  # noqa: E402

from articles import rendering  # noqa: E402
from articles.importer import BATCH_CACHE_RENEWAL_SECONDS, BATCH_SIZE, Outcome, import_batch  # noqa: E402
from articles.models import PageCacheVersion  # noqa: E402
from articles.parsing import parse_document  # noqa: E402
from articles.wechat import canonical_key  # noqa: E402
from bench.corpus import CorpusPlan  # noqa: E402
from people.services import import_registry  # noqa: E402

CHUNK = BATCH_SIZE  # what the import command takes at a time


def forget_caches() -> None:
    rendering._parse_recent.cache_clear()
    canonical_key.cache_clear()


def parse_and_render(documents: list[tuple[str, bytes]]) -> None:
    for name, data in documents:
        rendering.render_markdown(parse_document(data, name).body)


class DatabaseClock:
    """Counts statements and times them and the commits, and does nothing else: Django's
    CaptureQueriesContext would also format each statement for the record, which on SQLite runs
    a query of its own to quote the parameters, charging the import with the measurement's work."""

    def __init__(self):
        self.statements = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started

    def timed_commit(self, commit):
        def timed():
            started = time.perf_counter()
            try:
                return commit()
            finally:
                self.seconds += time.perf_counter() - started

        return timed


def import_all(documents: list[tuple[str, bytes]], clock: DatabaseClock) -> None:
    """Import as ``import_article`` does a batch of files: together, with the page cache renewed at
    most every few seconds."""
    database = connections[DEFAULT_DB_ALIAS]
    database.commit = clock.timed_commit(database.commit)  # on the instance; deleting it restores the method
    try:
        with (
            connection.execute_wrapper(clock),
            PageCacheVersion.renewed_at_most_every(BATCH_CACHE_RENEWAL_SECONDS) as renewals,
        ):
            for result in import_batch(documents):
                if result.outcome != Outcome.CREATED:
                    raise SystemExit(f"{result.filename}: {result.outcome} {result.error}")
            renewals.release_if_due()
    finally:
        del database.commit


def main():
    files = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    people = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    plan = CorpusPlan(articles=files, people=people, seed=1)
    import_registry(plan.registry())
    documents = [(f"{number:06d}.md", plan.document(number)) for number in range(files)]
    parse_seconds = import_seconds = 0.0
    clock = DatabaseClock()
    for start in range(0, files, CHUNK):
        chunk = documents[start : start + CHUNK]
        forget_caches()  # neither side may reuse the other's parse of a body or of a link
        started = time.perf_counter()
        parse_and_render(chunk)
        parse_seconds += time.perf_counter() - started
        forget_caches()
        started = time.perf_counter()
        import_all(chunk, clock)
        import_seconds += time.perf_counter() - started
    print(f"files: {files}, people: {people}, database: {connection.vendor}")
    print(f"parse and render only: {files / parse_seconds:8.1f} files/s")
    queries = clock.statements / files
    print(f"full import:           {files / import_seconds:8.1f} files/s ({queries:.1f} queries per file)")
    print(f"ratio: {parse_seconds / import_seconds:.2f} (goal ≥ 0.33)")
    parse_ms, import_ms, database_ms = (
        1000 * seconds / files for seconds in (parse_seconds, import_seconds, clock.seconds)
    )
    print(
        f"a file: parse and render {parse_ms:.2f} ms, import {import_ms:.2f} ms, "
        f"of which the database's statements and commits {database_ms:.2f} ms"
    )


if __name__ == "__main__":
    main()
