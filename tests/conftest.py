from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from articles.importer import import_document
from articles.models import Article, Publication
from articles.search import window_floors

from .live import live_site, seeded_template  # noqa: F401 (fixtures: gunicorn serving a site of its own)

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SEED_PATH = SAMPLES / "000_5ed6fe22a0f5a53e.txt"
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def fresh_search_windows():
    """Where PostgreSQL's search windows start is kept for minutes in a process: each test's
    archive is a different one, so each starts without it (how many queries a search makes
    depends on it)."""
    window_floors.forget()


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED_PATH.read_bytes()


@pytest.fixture
def seed_text(seed_bytes) -> str:
    return seed_bytes.decode("utf-8")


@pytest.fixture
def seed_article(db, seed_bytes) -> Article:
    result = import_document(seed_bytes, filename=SEED_PATH.name)
    assert result.outcome == "created", result.error
    return result.article


@pytest.fixture
def make_article(db):
    """Small factory for articles that are not the seed."""
    counter = iter(range(1, 10_000))

    def make(**fields) -> Article:
        number = next(counter)
        defaults = {
            "title": f"Article {number}",
            "body": f"正文 {number}",
            "status": Article.Status.PUBLISHED,
            "published_at": datetime(2024, 1, 1, 12, 0, tzinfo=BEIJING),
            "source_key": f"https://example.com/{number}",
        }
        if "publication" not in fields:
            defaults["publication"] = Publication.objects.get_or_create(name="测试公众号")[0]
        return Article.objects.create(**{**defaults, **fields})

    return make
