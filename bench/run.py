"""`make bench`: the benchmark suite, on SQLite and on PostgreSQL; writes bench/RESULTS.md.

    .venv/bin/python bench/run.py                      # 100,000 articles: the real thing
    BENCH_SCALE=0.05 .venv/bin/python bench/run.py     # a quick run: 5,000 articles, shorter loads

Every figure is a ratio of two things measured side by side in the same run (alternating, on
the same server or in the same process), so the noise of a shared machine hits both sides:

* article page ÷ a trivial view (``/bench/trivial``), requests per second on one gunicorn;
  again with the page cache, when ``REDIS_URL`` is set and the app caches pages in it;
* the layout floor (``/bench/layout/<slug>/``: the article's row alone in the site's layout) ÷
  the trivial view, uncached: the bound no article page on this stack can pass;
* whitenoise's static file ÷ the trivial view;
* search p95 ÷ article page p95, and the recall of two-character Chinese queries;
* full import ÷ parse-and-render only (bench/import_ratio.py), and the database's share of the import;
* where an uncached article page's time goes: the ORM, the database, the template (bench/page_floor.py);
* peak memory importing 1,000 and 10,000 files (bench/import_batch.py);
* detection with 10,000 people ÷ 20 (bench/detection.py; no database).

The load generator is wrk (Debian's ``wrk``; `make bench` installs it): the trivial view's
throughput is its own ceiling too, so a ratio near 1 means "as fast as the stack allows".
PostgreSQL: ``BENCH_POSTGRES_URL`` (default postgres://postgres@127.0.0.1:5432/perf), whose
database is dropped and created again. Environment: ``BENCH_SCALE``, ``BENCH_SECONDS`` (per load,
default 10), ``BENCH_ROUNDS`` (of every side-by-side load, default 5), ``REDIS_URL``, ``BENCH_ONLY``
(``sqlite`` or ``postgresql``).
"""

import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import reachable, reset  # noqa: E402

PYTHON = sys.executable
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))  # of every side-by-side load
WARM_UP_SECONDS = 3
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/perf")
ONLY = os.environ.get("BENCH_ONLY", "").lower()  # "sqlite" or "postgresql": one database only
ARTICLES = max(1000, int(100_000 * SCALE))
PEOPLE = max(200, int(10_000 * SCALE))
IMPORT_FILES = max(200, int(1000 * SCALE))
MEMORY_FILES = (max(100, int(1000 * SCALE)), max(1000, int(10_000 * SCALE)))
WRK_SCRIPT = Path(__file__).with_name("wrk_paths.lua")
KEPT_MARKER = "<!-- Profiling notes: kept by bench/run.py -->"
COMMANDS: list[str] = []  # every command that produced a figure, for RESULTS.md


def run(command: list[str], env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    shown = " ".join(command).replace(str(ROOT) + "/", "").replace(PYTHON, "python")
    if env and env.get("DATABASE_URL"):
        shown = f"DATABASE_URL={env['DATABASE_URL']} {shown}"
    COMMANDS.append(shown)
    return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True, **kwargs)


# The suite for one database (a child process, so Django is set up for that database)


def suite(url: str, var_dir: Path) -> dict:
    env = base_env(url, var_dir)
    reset(url, env)
    started = time.perf_counter()
    corpus = run(
        [PYTHON, "manage.py", "generate_corpus", "--fast", "-v", "0",
         "--articles", str(ARTICLES), "--people", str(PEOPLE), "--seed", "1"], env,
    ).stdout.strip()  # fmt: skip
    results = {"corpus": corpus, "corpus_seconds": time.perf_counter() - started}
    run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"], env)
    os.environ.update(env)
    import django

    django.setup()
    results.update(pages(env, var_dir))
    floor = run([PYTHON, "bench/page_floor.py"], {**env, "ARCHIVE_PAGE_CACHE_SECONDS": "0"}).stdout
    results["page_floor"] = json.loads(floor.strip().splitlines()[-1])
    from django.db import connections

    connections.close_all()
    reset(url, env)
    ratio = run([PYTHON, "bench/import_ratio.py", str(IMPORT_FILES), "1000"], env).stdout
    results["import"] = ratio
    results["memory"] = run([PYTHON, "bench/import_batch.py", *map(str, MEMORY_FILES)], env).stdout
    results["commands"] = COMMANDS
    return results


def base_env(url: str, var_dir: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    return {
        **env,
        "DATABASE_URL": url,
        "ARCHIVE_VAR_DIR": str(var_dir),
        "DJANGO_SECRET_KEY": "bench-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",  # gunicorn on 127.0.0.1 speaks plain HTTP; production mode would redirect
        "ARCHIVE_BENCH_TRIVIAL_VIEW": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def pages(env: dict, var_dir: Path) -> dict:
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.urls import reverse

    from articles.models import Article

    chosen = list(Article.objects.published().order_by("?").only("slug")[:1000])
    articles = [article.get_absolute_url() for article in chosen]
    paths_file = var_dir / "article-paths.txt"
    paths_file.write_text("\n".join(articles) + "\n")
    # The same articles, each alone in the layout (bench/views.py): what no article page can beat.
    layout_file = var_dir / "layout-paths.txt"
    layout_file.write_text("".join(reverse("bench-layout", args=[article.slug]) + "\n" for article in chosen))
    static = "/" + staticfiles_storage.url("css/site.css").lstrip("/")
    loads = {"trivial": "/bench/trivial", "article": paths_file, "layout": layout_file, "static": static}
    results = {}
    with gunicorn({**env, "ARCHIVE_PAGE_CACHE_SECONDS": "0"}) as base:  # every page rendered afresh
        results["uncached"] = side_by_side(base, loads)
        search = search_paths(base, var_dir)
        if search:
            results["search"] = side_by_side(base, {"article": paths_file, "search": search})
            results["recall"] = recall(base)
    redis_url = os.environ.get("REDIS_URL")
    results["cache"] = "REDIS_URL not set" if not redis_url else "not available"
    if redis_url:
        with gunicorn({**env, "REDIS_URL": redis_url}) as base:
            if page_cache_works(base, articles[0], redis_url):
                for path in articles:  # every page once, so the load measures hits, not misses
                    urllib.request.urlopen(base + path, timeout=30).read()
                results["cached"] = side_by_side(base, {"trivial": "/bench/trivial", "article": paths_file})
                results["cache"] = "on"
    return results


class gunicorn:
    """The app on gunicorn (config/gunicorn.conf.py, as deployed), without the access log."""

    def __init__(self, env: dict):
        self.env = env

    def __enter__(self) -> str:
        with socket.socket() as probe:  # a port nobody else uses
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [str(Path(PYTHON).with_name("gunicorn")), "--config", "config/gunicorn.conf.py",
                   "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"]  # fmt: skip
        COMMANDS.append(" ".join(command).replace(str(Path(PYTHON).parent) + "/", ""))
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bench/trivial", timeout=2)
                return base
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(base: str, load, seconds: int = SECONDS) -> dict:
    """Requests per second and latency percentiles of one load (a path, or a file of paths)."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "30s", "-s", str(WRK_SCRIPT)]
    target = base + (load if isinstance(load, str) else "/")
    output = run([*command, target, "--", str(load) if isinstance(load, Path) else ""]).stdout
    requests, seconds, p95, p50, errors = re.search(r"BENCH (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", output).groups()
    if int(errors):
        raise RuntimeError(f"{target}: {errors} requests failed\n{output}")
    return {"rps": int(requests) / float(seconds), "p95_ms": float(p95) / 1000, "p50_ms": float(p50) / 1000}


def side_by_side(base: str, loads: dict, rounds: int = ROUNDS) -> dict:
    """Each load ``rounds`` times, alternating: every load's measurements, one a round. Each load
    runs first for a few seconds unmeasured: every gunicorn worker then has what it builds once
    (the directory of names search uses, compiled templates) and the database its pages in memory,
    for both sides. Figures are taken round by round (``paired``): a pause of the machine during
    one round makes one ratio of ``rounds`` an outlier, which moves the median by one rank at most."""
    for load in loads.values():
        wrk(base, load, seconds=WARM_UP_SECONDS)
    measured = {name: [] for name in loads}
    for _ in range(rounds):
        for name, load in loads.items():
            measured[name].append(wrk(base, load))
    return measured


def paired(measured: dict, name: str, reference: str, key: str) -> dict:
    """``name``'s ``key`` ÷ ``reference``'s, round by round: the median ratio and its spread, and
    the median of each side's measurements."""
    pairs = zip(measured[name], measured[reference], strict=True)
    ratios = sorted(ours[key] / reference_run[key] for ours, reference_run in pairs)
    return {
        "ratio": statistics.median(ratios),
        "low": ratios[0],
        "high": ratios[-1],
        "rounds": len(ratios),
        "measured_median": statistics.median(run[key] for run in measured[name]),
        "reference_median": statistics.median(run[key] for run in measured[reference]),
    }


def search_paths(base: str, var_dir: Path) -> Path | None:
    """Queries for the search load: common topic words and the corpus's rare words (None without search)."""
    try:
        urllib.request.urlopen(base + "/search/?q=" + quote("芯片"), timeout=30)
    except OSError:
        return None
    from bench.corpus import TOPICS, CorpusPlan

    plan = CorpusPlan(articles=ARTICLES, people=1, seed=1)
    words = [topic[:2] for topic in TOPICS] + [plan.rare_word(number) for number in range(0, ARTICLES, 97)][:200]
    path = var_dir / "search-paths.txt"
    path.write_text("".join(f"/search/?q={quote(word)}\n" for word in words))
    return path


def recall(base: str) -> dict:
    """Of the published articles containing each of 30 rare two-character words, how many search finds."""
    from django.db.models import Q

    from articles.models import Article
    from bench.corpus import CorpusPlan

    plan = CorpusPlan(articles=ARTICLES, people=1, seed=1)
    expected = found = 0
    for number in range(0, ARTICLES, max(1, ARTICLES // 30)):
        word = plan.rare_word(number)
        truth = {
            article.get_absolute_url()
            for article in Article.objects.published().filter(Q(title__contains=word) | Q(body__contains=word))
        }
        expected += len(truth)
        found += len(truth & search_results(base, word))
    return {"expected": expected, "found": found}


def search_results(base: str, word: str) -> set[str]:
    results, url = set(), f"/search/?q={quote(word)}"
    for _ in range(20):  # pages
        page = urllib.request.urlopen(base + url, timeout=60).read().decode()
        # Both sides percent-encoded: reverse() encodes Chinese slugs as the page's links do.
        results |= set(re.findall(r'href="(/articles/[^"]+/)"', page))
        following = re.search(r'<a rel="next" href="([^"]+)"', page)
        if not following:
            break
        url = "/search/" + following.group(1).replace("&amp;", "&")
    return results


def page_cache_works(base: str, path: str, redis_url: str) -> bool:
    """Whether the app stores pages in Redis: its database fills up after a page view."""
    redis("FLUSHDB", redis_url)
    urllib.request.urlopen(base + path, timeout=30).read()
    return int(redis("DBSIZE", redis_url)) > 0


def redis(command: str, url: str) -> str:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=5) as connection:
        database = parts.path.lstrip("/") or "0"
        connection.sendall(f"SELECT {database}\r\n{command}\r\n".encode())
        time.sleep(0.2)
        return connection.recv(1024).decode().split("\r\n")[1].lstrip(":+")


# The whole run


def main():
    if sys.argv[1:2] == ["--suite"]:
        print(json.dumps(suite(sys.argv[2], Path(sys.argv[3]))))
        return
    if ROUNDS < 1:
        raise SystemExit("BENCH_ROUNDS must be 1 or more")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (make bench does)")
    started = datetime.now(UTC)
    detection = run([PYTHON, "bench/detection.py"]).stdout
    databases = {}
    for name, url in (("SQLite", None), ("PostgreSQL", POSTGRES_URL)):
        if ONLY and name.lower() != ONLY:
            continue
        with tempfile.TemporaryDirectory(prefix="bench-") as var_dir:
            url = url or f"sqlite:///{var_dir}/bench.sqlite3"
            if not reachable(url):
                databases[name] = None
                continue
            print(f"{name}: {ARTICLES:,} articles…", file=sys.stderr, flush=True)
            child = subprocess.run(
                [PYTHON, __file__, "--suite", url, var_dir], cwd=ROOT, capture_output=True, text=True
            )
            if child.returncode:
                raise SystemExit(f"{name}: the suite failed\n{child.stderr[-4000:]}")
            databases[name] = json.loads(child.stdout.strip().splitlines()[-1])
            COMMANDS.extend(databases[name].pop("commands"))
    report = write_results(started, detection, databases)
    print(report)


def figure(pair: dict, unit: str, digits: int = 0) -> str:
    """A paired ratio as RESULTS.md shows it: the median of the rounds' ratios, their spread, and
    each side's median (whose ratio need not be the median ratio)."""
    spread = f"{pair['low']:.2f}–{pair['high']:.2f} over {pair['rounds']} rounds"
    medians = f"medians {pair['measured_median']:.{digits}f} and {pair['reference_median']:.{digits}f} {unit}"
    return f"{pair['ratio']:.2f} ({spread}; {medians})"


def throughput(measured: dict, name: str) -> str:
    """``name``'s requests per second ÷ the trivial view's."""
    return figure(paired(measured, name, "trivial", "rps"), "requests/s")


def write_results(started: datetime, detection: str, databases: dict) -> str:
    minutes = (datetime.now(UTC) - started).total_seconds() / 60
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (bench/run.py) on {started:%Y-%m-%d %H:%M} UTC in {minutes:.0f} minutes, "
        f"BENCH_SCALE={SCALE:g} ({ARTICLES:,} articles, {PEOPLE:,} people), BENCH_SECONDS={SECONDS}.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores ({cpu_model()}), {memory_gb():.0f} GB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}. "
        f"Figures are ratios of two loads measured alternately in the same run, {ROUNDS} rounds of "
        f"{SECONDS} s each (each load warmed up for {WARM_UP_SECONDS} s first, unmeasured): the median "
        "of the rounds' ratios, then the lowest and highest, then the medians of both sides. Absolute "
        "numbers vary with the machine and with whatever else runs on it.",
        "",
    ]
    for name, results in databases.items():
        lines += [f"## {name}", ""]
        if results is None:
            lines += ["not available (no server answered)", ""]
            continue
        uncached = results["uncached"]
        lines += [
            f"Corpus: {results['corpus']} (generate_corpus --fast; {results['corpus_seconds']:.0f} s in all).",
            "",
            "| figure | measured | goal |",
            "|---|---|---|",
            f"| article page ÷ trivial view, uncached | {throughput(uncached, 'article')} | ≥ 0.5 |",
        ]
        if "cached" in results:
            lines.append(
                f"| article page ÷ trivial view, page cache on | {throughput(results['cached'], 'article')} | ≥ 0.9 |"
            )
        else:
            lines.append(f"| article page ÷ trivial view, page cache on | cache: {results['cache']} | ≥ 0.9 |")
        if "layout" in uncached:
            lines.append(
                f"| the layout floor (one article's row in the layout, bench/views.py) ÷ trivial view, uncached "
                f"| {throughput(uncached, 'layout')} | — (no article page can beat it) |"
            )
        lines.append(f"| static file (whitenoise) ÷ trivial view | {throughput(uncached, 'static')} | — |")
        if "search" in results:
            search, found = results["search"], results["recall"]
            p95 = figure(paired(search, "search", "article", "p95_ms"), "ms", digits=1)
            lines.append(f"| search p95 ÷ article page p95 | {p95} | ≤ 2 |")
            lines.append(
                f"| recall, two-character Chinese queries | {found['found']}/{found['expected']} "
                f"({100 * found['found'] / max(found['expected'], 1):.0f} %) | 100 % |"
            )
        else:
            lines.append("| search p95 ÷ article page p95 | search: not available | ≤ 2 |")
        import_ratio = re.search(r"ratio: ([\d.]+)", results["import"]).group(1)
        per_file = re.search(r"\(([\d.]+) queries per file\)", results["import"]).group(1)
        lines.append(f"| full import ÷ parse and render only | {import_ratio} ({per_file} queries per file) | ≥ 0.33 |")
        memory = re.findall(r"^\s*(\d+)\s+[\d.]+\s+[\d.]+\s+([\d.]+)$", results["memory"], re.MULTILINE)
        lines.append(
            "| peak memory importing "
            + " and ".join(f"{int(files):,}" for files, _ in memory)
            + " files | "
            + " and ".join(f"{float(mb):.0f} MB" for _, mb in memory)
            + " | flat |"
        )
        lines += ["", *where_the_time_goes(results)]
        lines += ["", "<details><summary>Raw output</summary>", "", "```", json.dumps(results, indent=1,
                  ensure_ascii=False), "```", "</details>", ""]  # fmt: skip
    lines += ["## Mention detection (no database)", "", "```", detection.strip(), "```", ""]
    lines += ["## Commands", "", "```", "make bench   # = python bench/run.py", *dict.fromkeys(COMMANDS), "```", ""]
    text = "\n".join(lines)
    results_file = Path(__file__).with_name("RESULTS.md")
    # The profiling notes below the marker are written by people and survive each run.
    previous = results_file.read_text(encoding="utf-8") if results_file.exists() else ""
    if KEPT_MARKER in previous:
        text += "\n" + KEPT_MARKER + previous.split(KEPT_MARKER, 1)[1]
    results_file.write_text(text, encoding="utf-8")
    return text


def where_the_time_goes(results: dict) -> list[str]:
    """The two figures furthest from their goals, taken apart (in-process, side by side)."""
    floor = results["page_floor"]
    ms = floor["ms"]
    trivial = ms["trivial view"]
    pieces = ", ".join(
        f"{name} {value:.1f} ms ({value / trivial:.0f} trivial views)"
        for name, value in ms.items()
        if name != "trivial view"
    )
    a_file = re.search(r"^a file: (.*)$", results["import"], re.MULTILINE).group(1)
    return [
        "Where the time goes (in one process, measured side by side):",
        "",
        f"- uncached article page, {floor['statements']:.0f} statements (bench/page_floor.py): trivial view "
        f"{trivial:.2f} ms; {pieces};",
        f"- import (bench/import_ratio.py), {a_file}.",
    ]


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def memory_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            return int(line.split()[1]) / 1024 / 1024
    return 0


if __name__ == "__main__":
    main()
