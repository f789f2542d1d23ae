"""Load test: gunicorn on 127.0.0.1 serving a prepared archive to 50 concurrent readers while a
batch import runs; throughput, latency percentiles and status codes.

    .venv/bin/python bench/loadtest.py                           # SQLite: 20,000 requests, 50 clients
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive .venv/bin/python bench/loadtest.py
    REDIS_URL=redis://127.0.0.1:6379/1 .venv/bin/python bench/loadtest.py   # pages cached in Redis
    .venv/bin/python bench/loadtest.py --requests 2000 --articles 100 --import-files 100

The archive is built the way an operator builds one: migrate, collectstatic, the people
registry, the sample article and ``--articles`` synthetic ones through ``import_article``. On
PostgreSQL the test makes (and drops) a database of its own, ``<name>_loadtest``, on the
server DATABASE_URL names; it never touches the database named there.

The load is a fixed list of requests (articles, lists, search, people, tags, feeds, chosen
with a fixed random seed), ``--concurrency`` at a time, each request once; the clients are
asyncio tasks on one aiohttp session (aiohttp: maintained, with a C HTTP parser, so the
client takes little of the CPU the server needs). As it starts, ``import_article`` begins on
a directory of ``--import-files`` new articles, in a process of its own.

Exits 1 on any 5xx answer, any connection error or a failed import.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.import_batch import write_corpus
from tests.live import BASE_DIR, LoadResult, PostgresServer, Site, run_load, seed

# How often each kind of page is asked for (per 100 requests).
MIX = {"article": 35, "list": 20, "search": 15, "person": 15, "tag": 10, "feed": 5}
SEARCHES = ["Ilya", "OpenAI", "伊利亚", "苏茨克维", "Sutskever", "人工智能", "深度学习", "Altman", "离开", "Hinton"]

ADDRESSES = """
import json
from articles.models import Article, Publication
from people.models import Person
from taggit.models import Tag
print(json.dumps({
    "article": [a.get_absolute_url() for a in Article.objects.published()],
    "person": [p.get_absolute_url() for p in Person.objects.filter(mentions__status="confirmed").distinct()],
    "tag": [f"/tags/{slug}/" for slug in Tag.objects.values_list("slug", flat=True)],
    "publication": [p.get_absolute_url() for p in Publication.objects.all()],
    "pages": -(-Article.objects.published().count() // 20),
}))
"""


def requests_to_make(addresses: dict, count: int, rng: random.Random) -> list[tuple[str, str]]:
    lists = ["/people/", "/tags/", *addresses["publication"]]
    lists += [f"/?page={number}" if number > 1 else "/" for number in range(1, addresses["pages"] + 1)]
    candidates = {
        "article": addresses["article"],
        "list": lists,
        "search": [f"/search/?q={quote(term)}" for term in SEARCHES],
        "person": addresses["person"],
        "tag": addresses["tag"],
        "feed": ["/feed/"] + [f"{path}feed/" for path in addresses["person"] + addresses["tag"]],
    }
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=count)
    return [(kind, rng.choice(candidates[kind])) for kind in kinds]


def report(result: LoadResult, *, label: str, import_line: str) -> None:
    print(label)
    print(import_line)
    rate = result.requests / result.elapsed
    print(f"throughput: {rate:,.1f} requests/s ({result.requests:,} in {result.elapsed:.1f} s)")
    print(f"{'latency (ms)':<14}{'p50':>8}{'p95':>8}{'p99':>8}{'requests':>10}")
    for kind in [None, *MIX]:
        count = len(result.latencies.get(kind, [])) if kind else sum(map(len, result.latencies.values()))
        cells = "".join(f"{result.percentile(q, kind) * 1000:8.1f}" for q in (0.5, 0.95, 0.99))
        print(f"  {kind or 'all':<12}{cells}{count:>10,}")
    print("status codes:", ", ".join(f"{status}: {n:,}" for status, n in sorted(result.statuses.items())))
    print("connection errors:", ", ".join(f"{name}: {n}" for name, n in result.errors.items()) or "none")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--articles", type=int, default=300, help="synthetic articles imported beforehand")
    parser.add_argument("--import-files", type=int, default=300, help="new articles imported during the load")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: config/gunicorn.conf.py's)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the request mix")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    postgres = PostgresServer(database_url) if database_url.startswith(("postgres://", "postgresql://")) else None
    overrides = {"CACHE_KEY_PREFIX": f"loadtest-{os.getpid()}"}
    if os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL"):
        overrides["REDIS_URL"] = os.environ.get("REDIS_URL") or os.environ["CACHE_URL"]
    if args.workers:
        overrides["GUNICORN_WORKERS"] = str(args.workers)

    with tempfile.TemporaryDirectory(prefix="loadtest-") as scratch:
        scratch = Path(scratch)
        name = f"{postgres.config['NAME']}_loadtest" if postgres else None
        site = Site(scratch / "var", postgres.create(name) if postgres else None, overrides)
        try:
            return run(site, scratch, args, cache="Redis" if "REDIS_URL" in overrides else "local memory")
        finally:
            if postgres:
                postgres.drop(name)


def run(site: Site, scratch: Path, args, *, cache: str) -> int:
    started = time.perf_counter()
    prepared, incoming = scratch / "prepared", scratch / "incoming"
    prepared.mkdir()
    incoming.mkdir()
    write_corpus(prepared, args.articles)
    write_corpus(incoming, args.import_files, first=args.articles)
    site.prepare(admin_static=False)
    seed(site, prepared)
    addresses = json.loads(site.shell(ADDRESSES))
    requests = requests_to_make(addresses, args.requests, random.Random(args.seed))
    print(f"prepared {len(addresses['article'])} published articles in {time.perf_counter() - started:.0f} s")

    with site.serve(workers=None) as server:
        time.sleep(2)  # every worker up, not only the first to answer
        workers = len(server.worker_pids())
        import_started = time.perf_counter()
        importer = subprocess.Popen(
            [sys.executable, "manage.py", "import_article", "-v", "0", str(incoming)],
            cwd=BASE_DIR,
            env=site.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        import_seconds = None

        def note_import_end(done: int) -> None:
            nonlocal import_seconds
            if import_seconds is None and importer.poll() is not None:
                import_seconds = time.perf_counter() - import_started

        result = run_load(server.base_url, requests, concurrency=args.concurrency, on_progress=note_import_end)
        out, err = importer.communicate(timeout=600)
        import_seconds = import_seconds or time.perf_counter() - import_started

    database = "PostgreSQL" if site.database_url else "SQLite"
    label = (
        f"load: {result.requests:,} requests, {args.concurrency} clients, {workers} gunicorn workers, "
        f"{database}, page cache in {cache}"
    )
    summary = (out.strip().splitlines() or ["no summary"])[-1] if importer.returncode == 0 else err.strip()
    import_line = (
        f"import during the load: {args.import_files} files in {import_seconds:.1f} s "
        f"(exit {importer.returncode}: {summary})"
    )
    report(result, label=label, import_line=import_line)
    failed = result.server_errors or sum(result.errors.values()) or importer.returncode
    if failed:
        print("FAILED: 5xx answers, connection errors or a failed import", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
