"""Faults, for real: a gunicorn worker killed under load, an import killed in the middle of a
file, the database going away and coming back, and backups restored."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from .live import BASE_DIR, Site, crawl, run_load, suite_postgres

SEED = BASE_DIR / "samples" / "000_5ed6fe22a0f5a53e.txt"
SEED_SLUG = "openai-联创-iiya-是谁为什么要离开-openai"
ARTICLE = f"/articles/{SEED_SLUG}/"


def wait_for(condition, timeout=30.0, every=0.05):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(every)


def test_a_worker_killed_mid_load_costs_at_most_the_request_it_held(live_site):
    pages = [("home", "/"), ("article", ARTICLE), ("people", "/people/"), ("tags", "/tags/")]
    with live_site.serve(workers=2) as server:
        victim = server.worker_pids()[0]

        def kill_once(done):
            if done == 50:
                os.kill(victim, signal.SIGKILL)

        result = run_load(server.base_url, pages * 50, concurrency=8, on_progress=kill_once)

        assert result.requests == 200
        lost = sum(result.errors.values()) + result.server_errors
        assert lost <= 1, (result.errors, result.statuses)
        # The master replaced the worker; the site carries on.
        wait_for(lambda: len(server.worker_pids()) == 2 and victim not in server.worker_pids())
        assert server.get(ARTICLE).status == 200


# Runs the real import command, stalling inside the import's transaction once the article,
# its links and its mentions are written, so that the kill lands in the middle of the file.
STALLING_IMPORT = """
import sys, time
import django
django.setup()
from django.core.management import call_command
from articles.importer import POST_IMPORT_STEPS

def stall(article, **kwargs):
    open(sys.argv[1], "w").close()
    time.sleep(300)

POST_IMPORT_STEPS.append(stall)
call_command("import_article", sys.argv[2])
"""

SNAPSHOT = f"""
import json
from articles.models import Article
article = Article.objects.get(slug="{SEED_SLUG}")
print(json.dumps({{
    "title": article.title, "location": article.location, "body_html": article.body_html,
    "links": sorted(article.links.values_list("url", flat=True)), "sha256": article.source_sha256,
    "mentions": sorted(article.mentions.values_list("person__name", "status")),
    "articles": Article.objects.count(),
}}))
"""


def test_an_import_killed_mid_file_leaves_the_article_as_it_was_and_the_rerun_completes(live_site, tmp_path):
    changed = (
        SEED.read_text(encoding="utf-8").replace("河北", "北京", 1).replace("# OpenAI 联创", "# 改版：OpenAI 联创", 1)
    )
    changed = changed.replace("mid=2455853781", "mid=2455800000")  # one of its links points elsewhere now
    new_version = tmp_path / "seed-v2.md"
    new_version.write_text(changed, encoding="utf-8")
    before = json.loads(live_site.shell(SNAPSHOT))

    marker = tmp_path / "inside-the-transaction"
    importer = subprocess.Popen(
        [sys.executable, "-c", STALLING_IMPORT, str(marker), str(new_version)],
        cwd=BASE_DIR,
        env=live_site.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(marker.exists, timeout=60)
    finally:
        importer.send_signal(signal.SIGKILL)
        importer.wait()

    assert json.loads(live_site.shell(SNAPSHOT)) == before

    rerun = live_site.manage("import_article", str(new_version))
    assert "1 updated" in rerun.stdout
    after = json.loads(live_site.shell(SNAPSHOT))
    assert after["title"].startswith("改版：") and after["location"] == "北京"
    assert after["links"] != before["links"] and after["articles"] == before["articles"]


def test_the_database_going_away_is_a_503_and_its_return_is_served_again(live_site):
    postgres = suite_postgres()
    if postgres is None:
        # The database in a directory of its own, which can be taken away and given back.
        (live_site.var_dir / "data").mkdir()
        live_site.sqlite_path.rename(live_site.var_dir / "data" / "db.sqlite3")
        live_site.database_url = f"sqlite:///{live_site.var_dir / 'data' / 'db.sqlite3'}"
        # A kept SQLite connection holds the file open and goes on working after it is moved:
        # every request opens its own here, so that moving the file takes the database away.
        live_site.env_overrides["DATABASE_CONN_MAX_AGE"] = "0"
    name = live_site.database_url.rsplit("/", 1)[1]

    def go_away():
        if postgres:
            postgres.allow_connections(name, False)
        else:
            (live_site.var_dir / "data").rename(live_site.var_dir / "away")

    def come_back():
        if postgres:
            postgres.allow_connections(name, True)
        else:
            (live_site.var_dir / "away").rename(live_site.var_dir / "data")

    with live_site.serve(workers=1) as server:
        assert server.get(ARTICLE).status == 200
        assert server.get(ARTICLE).status == 200  # the second from the page cache
        go_away()
        try:
            for path in [ARTICLE, "/", "/people/"]:
                response = server.get(path)
                assert response.status == 503 and "网站暂时无法访问" in response.text, path
                assert "Traceback" not in response.text
            assert server.get("/healthz").status == 503
        finally:
            come_back()
        assert server.get(ARTICLE).status == 200 and server.get("/healthz").status == 200


# Backups: the commands the README documents. YAML, because Django's JSON keeps times to the
# millisecond only (feeds show them to the microsecond) and its XML strips the spaces around
# text. Not --natural-primary: taggit gives its tagged items a natural key (the object id
# alone) that is not unique; they would overwrite each other.
DUMPDATA = ["dumpdata", "--format", "yaml", "--natural-foreign", "--exclude", "contenttypes",
            "--exclude", "auth.permission", "--exclude", "sessions"]  # fmt: skip


@pytest.fixture(scope="module")
def template_pages(seeded_template):
    """Every public page of the seeded site, as gunicorn serves it."""
    with seeded_template.serve() as server:
        pages = crawl(server)
    kinds = {path.split("/")[1] for path in pages}
    assert {"articles", "people", "tags", "publications", "feed"} <= kinds, sorted(pages)
    assert all(response.status == 200 for response in pages.values()), {
        path: response.status for path, response in pages.items() if response.status != 200
    }
    assert "草稿" not in "".join(response.text for response in pages.values())
    return pages


@pytest.fixture
def empty_site(seeded_template, tmp_path):
    """A site with an empty database (on PostgreSQL: created, not migrated), to restore into."""
    var_dir = tmp_path / "restored"
    var_dir.mkdir()
    (var_dir / "static").symlink_to(seeded_template.var_dir / "static")
    postgres = suite_postgres()
    site = Site(var_dir, postgres.create(f"{postgres.prefix}_restored") if postgres else None)
    yield site
    if postgres:
        postgres.drop(f"{postgres.prefix}_restored")


def assert_serves(site: Site, pages) -> None:
    with site.serve() as server:
        served = crawl(server)
    assert sorted(served) == sorted(pages)
    for path, response in pages.items():
        assert comparable(served[path].body) == comparable(response.body), path


def comparable(page: bytes) -> bytes:
    """The page, except that a feed without entries is dated now (Django's choice): that date goes."""
    if page.startswith(b"<?xml") and b"<entry>" not in page:
        return re.sub(rb"<updated>[^<]*</updated>", b"", page)
    return page


def test_dumpdata_and_loaddata_reproduce_every_public_page(seeded_template, template_pages, empty_site, tmp_path):
    backup = tmp_path / "backup.yaml.gz"
    seeded_template.manage(*DUMPDATA, "--output", str(backup))

    empty_site.manage("migrate", "--no-input", "-v", "0")
    empty_site.manage("loaddata", str(backup))

    assert_serves(empty_site, template_pages)
    users = "from django.contrib.auth.models import User; print(*User.objects.values_list('username', flat=True))"
    assert empty_site.shell(users).split() == ["editor"]


def test_pg_dump_and_pg_restore_reproduce_every_public_page(seeded_template, template_pages, empty_site, tmp_path):
    if suite_postgres() is None:
        pytest.skip("the suite runs on SQLite (DATABASE_URL=postgres://… runs this test)")
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    backup = tmp_path / "archive.dump"
    dump = ["pg_dump", "--format=custom", "--no-owner", f"--file={backup}", seeded_template.database_url]
    subprocess.run(dump, check=True)

    subprocess.run(["pg_restore", "--no-owner", f"--dbname={empty_site.database_url}", str(backup)], check=True)

    assert_serves(empty_site, template_pages)
