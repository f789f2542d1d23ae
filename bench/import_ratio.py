"""Full import throughput ÷ parse-and-render-only throughput, on the same files (goal ≥ 0.33).

    DATABASE_URL=… .venv/bin/python bench/import_ratio.py [FILES] [PEOPLE]

The database must be migrated and hold no articles (bench/run.py makes a fresh one). The files
are synthetic corpus documents (bench/corpus.py); the registry of PEOPLE people is loaded first,
so mention detection does real work. Both measurements run side by side, alternating chunks of
50 files, so machine noise hits both alike. Also prints the queries per imported file.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from articles import rendering  # noqa: E402
from articles.importer import Outcome, import_document  # noqa: E402
from articles.parsing import parse_document  # noqa: E402
from articles.wechat import canonical_key  # noqa: E402
from bench.corpus import CorpusPlan  # noqa: E402
from people.services import import_registry  # noqa: E402

CHUNK = 50


def forget_caches() -> None:
    rendering._parse.cache_clear()
    canonical_key.cache_clear()


def parse_and_render(documents: list[tuple[str, bytes]]) -> None:
    for name, data in documents:
        rendering.render_markdown(parse_document(data, name).body)


class QueryCounter:
    """Counts statements, and does nothing else: Django's CaptureQueriesContext would also format
    each one for the record, which on SQLite runs a query of its own to quote the parameters,
    and would charge the import side with work that is only the measurement's."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def import_all(documents: list[tuple[str, bytes]]) -> int:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        for name, data in documents:
            result = import_document(data, filename=name)
            if result.outcome != Outcome.CREATED:
                raise SystemExit(f"{name}: {result.outcome} {result.error}")
    return counter.count


def main():
    files = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    people = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    plan = CorpusPlan(articles=files, people=people, seed=1)
    import_registry(plan.registry())
    documents = [(f"{number:06d}.md", plan.document(number)) for number in range(files)]
    parse_seconds = import_seconds = 0.0
    queries = 0
    for start in range(0, files, CHUNK):
        chunk = documents[start : start + CHUNK]
        forget_caches()  # neither side may reuse the other's parse of a body or of a link
        started = time.perf_counter()
        parse_and_render(chunk)
        parse_seconds += time.perf_counter() - started
        forget_caches()
        started = time.perf_counter()
        queries += import_all(chunk)
        import_seconds += time.perf_counter() - started
    print(f"files: {files}, people: {people}, database: {connection.vendor}")
    print(f"parse and render only: {files / parse_seconds:8.1f} files/s")
    print(f"full import:           {files / import_seconds:8.1f} files/s ({queries / files:.1f} queries per file)")
    print(f"ratio: {parse_seconds / import_seconds:.2f} (goal ≥ 0.33)")


if __name__ == "__main__":
    main()
