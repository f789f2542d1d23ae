"""Real services for the operations tests and for `make loadtest`: Redis, a database of one's
own, gunicorn serving it with the production settings, and an HTTP load against it.

A ``Site`` is a var/ directory (secret, collected static files, and the SQLite database) plus,
on PostgreSQL, a database of its own on the server ``DATABASE_URL`` names. Nothing here
touches the database the test suite itself uses.
"""

import asyncio
import http.client
import itertools
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urldefrag, urlsplit

import aiohttp
import dj_database_url
import psycopg
import pytest
import redis

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
# Settings the site under test must not inherit from whoever runs the tests.
# Characters a path keeps as they are when it is percent-encoded (so encoding twice is harmless).
URL_SAFE = "/?&=%:@!$'()*+,;~-._"
NOT_INHERITED = {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "ARCHIVE_VAR_DIR", "DJANGO_SETTINGS_MODULE"}


def redis_url() -> str:
    """The test Redis; skipped locally when it is not running, a failure in CI (CI=true)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {REDIS_URL}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """Creates and drops databases next to the one ``url`` names (which is never touched)."""

    def __init__(self, url: str):
        self.config = dj_database_url.parse(url)
        self.prefix = f"{self.config['NAME']}_live"

    def url(self, name: str) -> str:
        user = self.config["USER"] + (f":{self.config['PASSWORD']}" if self.config["PASSWORD"] else "")
        return f"postgres://{user}@{self.config['HOST'] or 'localhost'}:{self.config['PORT'] or 5432}/{name}"

    def _execute(self, *statements: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as admin:
            for statement in statements:
                admin.execute(statement)

    def create(self, name: str, *, template: str | None = None) -> str:
        self.drop(name)
        self._execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def allow_connections(self, name: str, allowed: bool) -> None:
        """Let the database go away (every session ended, no new ones) or come back."""
        statements = [f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}']
        if not allowed:
            statements.append(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        self._execute(*statements)


def suite_postgres() -> PostgresServer | None:
    """The PostgreSQL server the suite runs on, when it runs on one."""
    url = os.environ.get("DATABASE_URL", "")
    return PostgresServer(url) if url.startswith(("postgres://", "postgresql://")) else None


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log: Path

    @property
    def port(self) -> int:
        return urlsplit(self.base_url).port

    def get(self, path: str, headers: dict[str, str] | None = None, timeout: float = 30) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", quote(path, safe=URL_SAFE), headers=headers or {})
            reply = connection.getresponse()
            return Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read())
        finally:
            connection.close()

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return [int(pid) for pid in children.split()]


@dataclass
class Site:
    var_dir: Path
    database_url: str | None = None  # None: SQLite in var_dir
    env_overrides: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_SECRET_KEY="live-tests-not-secret",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_DEBUG="0",
            # Production settings, but plain HTTP on 127.0.0.1, as behind a proxy that terminates TLS.
            DJANGO_HTTPS="0",
            ARCHIVE_VAR_DIR=str(self.var_dir),
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(self.env_overrides)
        return env

    @property
    def sqlite_path(self) -> Path:
        return self.var_dir / "db.sqlite3"

    def manage(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def shell(self, code: str) -> str:
        return self.manage("shell", "--no-imports", "-c", code).stdout

    def prepare(self, *, admin_static: bool = True) -> None:
        """Migrate and collect the static files, as a deployment does (without admin's, when
        no admin page will be served: compressing them takes most of the time)."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--no-input", "-v", "0")
        ignored = [] if admin_static else ["--ignore", "admin", "--ignore", "markdownx"]
        self.manage("collectstatic", "--no-input", "-v", "0", *ignored)

    @contextmanager
    def serve(self, *, workers: int | None = 1, timeout: float = 30) -> Iterator[Server]:
        """gunicorn with config/gunicorn.conf.py on a free port of 127.0.0.1, stopped afterwards
        (``workers=None``: as many workers as the configuration says)."""
        port = free_port()
        log = self.var_dir / f"gunicorn-{port}.log"
        command = [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.conf.py"]
        command += ["--bind", f"127.0.0.1:{port}"]
        if workers:
            command += ["--workers", str(workers)]
        with log.open("wb") as output:
            process = subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=output, stderr=subprocess.STDOUT)
        server = Server(f"http://127.0.0.1:{port}", process, log)
        try:
            _wait_until_listening(server, timeout)
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_listening(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.process.returncode}:\n{server.log.read_text()}")
        try:
            server.get("/healthz", timeout=5)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{server.log.read_text()}")


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy, whatever is still in the write-ahead log."""
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)
    original.close()
    copy.close()


def clone_site(template: Site, var_dir: Path, postgres: PostgresServer | None, name: str) -> Site:
    """A site with its own copy of ``template``'s database, sharing its collected static files."""
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / "static").symlink_to(template.var_dir / "static")
    if postgres is None:
        copy_sqlite(template.sqlite_path, var_dir / "db.sqlite3")
        return Site(var_dir)
    template_name = urlsplit(template.database_url).path.lstrip("/")
    return Site(var_dir, postgres.create(name, template=template_name))


def remove_site(site: Site, postgres: PostgresServer | None) -> None:
    if postgres and site.database_url:
        postgres.drop(urlsplit(site.database_url).path.lstrip("/"))
    shutil.rmtree(site.var_dir, ignore_errors=True)


# What the seeded site holds besides the imports: tags on articles, one draft, an editor.
SEED_EXTRAS = """
from django.contrib.auth.models import User
from articles.models import Article
articles = list(Article.objects.order_by("pk"))
for number, article in enumerate(articles):
    article.tags.add("人工智能", f"专题{number % 3}")
draft = articles[-1]
draft.status = Article.Status.DRAFT
draft.title = "草稿：读者看不到"
draft.save()
User.objects.create_superuser("editor", "editor@example.com", "editor-password")
"""


def seed(site: Site, corpus: Path) -> None:
    """The people registry, the sample article and the files in ``corpus``, imported for real."""
    site.manage("import_people", "samples/people.yaml", "--no-detect")
    site.manage("import_article", "-v", "0", "samples/", str(corpus))
    site.shell(SEED_EXTRAS)


# Following links the way a reader (or a search engine, or a feed reader) would.

LINK = re.compile(r"""<(?:a|link)\b[^>]*?\shref="([^"]+)"|<loc>([^<]+)</loc>""")
NOT_PUBLIC = ("/admin/", "/static/", "/media/", "/markdownx/")
HAS_FEED = re.compile(r"^/(people|tags|publications)/[^/]+/$")
CRAWL_HOST = "localhost"


def crawl(server: Server, start: tuple[str, ...] = ("/", "/feed/"), limit: int = 2000) -> dict[str, Response]:
    """Every public page reachable from ``start`` on ``server``, with the feeds of people, tags
    and publications: path → response.

    Asked for as host ``localhost`` whatever the port, so absolute addresses (feeds, sitemaps)
    compare between servers."""
    pages: dict[str, Response] = {}
    queue = list(start)
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in pages:
            continue
        pages[path] = response = server.get(path, {"Host": CRAWL_HOST})
        if HAS_FEED.match(path):
            queue.append(f"{path}feed/")
        if not re.search(r"html|xml", response.headers.get("content-type", "")):
            continue
        for href in (found for pair in LINK.findall(response.text) for found in pair if found):
            parts = urlsplit(urldefrag(href.replace("&amp;", "&"))[0])
            local = not parts.scheme or (parts.scheme in {"http", "https"} and parts.hostname == CRAWL_HOST)
            if local and parts.path.startswith("/") and not parts.path.startswith(NOT_PUBLIC):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


# Load


@dataclass
class LoadResult:
    elapsed: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)  # kind of page → seconds

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(self.errors.values())

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def percentile(self, fraction: float, kind: str | None = None) -> float:
        values = sorted(self.latencies.get(kind, []) if kind else itertools.chain(*self.latencies.values()))
        if not values:
            return 0.0
        return values[min(len(values) - 1, round(fraction * (len(values) - 1)))]


def run_load(
    base_url: str,
    requests: list[tuple[str, str]],
    *,
    concurrency: int,
    timeout: float = 30,
    on_progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """GET each (kind, path) of ``requests`` once, ``concurrency`` at a time; bounded by their number."""
    # A thread of its own: the caller's thread may run an event loop already (Playwright's does).
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, _load(base_url, requests, concurrency, timeout, on_progress)).result()


async def _load(base_url, requests, concurrency, timeout, on_progress) -> LoadResult:
    result = LoadResult(latencies={kind: [] for kind, _ in requests})
    pending = iter(requests)
    done = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    client_timeout = aiohttp.ClientTimeout(total=timeout)

    async with aiohttp.ClientSession(base_url, connector=connector, timeout=client_timeout) as session:

        async def client():
            nonlocal done
            for kind, path in pending:
                started = time.perf_counter()
                try:
                    async with session.get(path, allow_redirects=False) as response:
                        await response.read()
                        result.statuses[response.status] += 1
                except (aiohttp.ClientError, TimeoutError) as error:
                    result.errors[type(error).__name__] += 1
                else:
                    result.latencies[kind].append(time.perf_counter() - started)
                done += 1
                if on_progress:
                    on_progress(done)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        result.elapsed = time.perf_counter() - started
    return result


# Fixtures (imported by the test modules that use them)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Iterator[Site]:
    """Migrated, static files collected, seeded: built once, cloned for each test."""
    from bench.import_batch import write_corpus

    postgres = suite_postgres()
    var_dir = tmp_path_factory.mktemp("site-template")
    site = Site(var_dir, postgres.create(f"{postgres.prefix}_template") if postgres else None)
    site.prepare(admin_static=False)
    corpus = var_dir / "corpus"
    corpus.mkdir()
    write_corpus(corpus, 3)
    seed(site, corpus)
    yield site
    remove_site(site, postgres)


@pytest.fixture
def live_site(seeded_template, tmp_path) -> Iterator[Site]:
    """A site of the test's own: a copy of the seeded template's database."""
    postgres = suite_postgres()
    name = f"{postgres.prefix}_{os.getpid()}_{tmp_path.name}"[:63].lower() if postgres else ""
    site = clone_site(seeded_template, tmp_path / "site", postgres, re.sub(r"\W", "_", name))
    yield site
    remove_site(site, postgres)
