"""Search latency at scale, side by side with the article page, on whatever DATABASE_URL says.

    .venv/bin/python bench/search.py                    # 10,000 articles, a fresh SQLite file in a temp dir
    .venv/bin/python bench/search.py --articles 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/search.py

The database must be a throwaway one: it is migrated and filled. With ``--reuse`` an already
filled one is measured again without building anything.

Articles are inserted in bulk (not through the importer, which would take hours at 100,000):
Chinese text drawn from a Zipf-distributed vocabulary (so some words are in most articles,
most words in few), Latin names of people with confirmed mentions, publications and tags;
then ``rebuild_index`` writes the search documents. Each search is the whole page through
Django's test client (query, ranking, count, facets, people, snippets, template), as is each
article page; the report gives p50 and p95 of both and the ratio of the p95s. Every
two-character query is a piece of some article's title, and that article must be found.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = (ROOT / "samples" / "000_5ed6fe22a0f5a53e.txt").read_text(encoding="utf-8")
# Common characters first, as they are in the seed; then rarer ones from the CJK block.
COMMON = list(dict.fromkeys(char for char in SEED if "\u4e00" <= char <= "\u9fff"))
RARE = [chr(code) for code in range(0x4E00, 0x4E00 + 3000) if chr(code) not in set(COMMON)]
GIVEN = "Sam Ilya Jan Evan Elon Greg Mira Andrej Dario Demis Satya Sundar Yann Geoffrey Yoshua Fei".split()
FAMILY = "Altman Sutskever Leike Morikawa Musk Brockman Murati Karpathy Amodei Hassabis Nadella Pichai".split()
BEIJING = ZoneInfo("Asia/Shanghai")


def vocabulary(rng: random.Random, size: int) -> list[str]:
    chars = COMMON + RARE
    words = set()
    while len(words) < size:
        # Low indices (common characters) are likelier, as in real text.
        length = rng.choice((1, 2, 2, 2, 3, 4))
        words.add("".join(chars[min(int(rng.expovariate(1 / 400)), len(chars) - 1)] for _ in range(length)))
    return list(words)


class Corpus:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng, 20_000)
        self.cumulative = list(accumulate(1 / rank for rank in range(1, len(self.words) + 1)))  # Zipf

    def sentence(self, names: list[str]) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=self.rng.randint(6, 18))
        if names and self.rng.random() < 0.2:
            words.insert(self.rng.randrange(len(words)), f" {self.rng.choice(names)} ")
        return "".join(words) + self.rng.choice("，。。。！？")

    def body(self, names: list[str]) -> tuple[str, str]:
        paragraphs = ["".join(self.sentence(names) for _ in range(self.rng.randint(3, 8))) for _ in range(8)]
        return "\n\n".join(paragraphs), "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)

    def title(self) -> str:
        return "".join(self.rng.choices(self.words, cum_weights=self.cumulative, k=self.rng.randint(4, 8)))


def build(count: int, people_count: int, seed: int) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from taggit.models import Tag, TaggedItem

    from articles.folding import fold
    from articles.models import Article, Publication, summary_of
    from articles.search import rebuild_index
    from people.models import Alias, Mention, Person

    corpus = Corpus(seed)
    rng = corpus.rng
    started = time.perf_counter()
    publications = Publication.objects.bulk_create(Publication(name=f"公众号 {n}", slug=f"pub-{n}") for n in range(20))
    tags = Tag.objects.bulk_create(Tag(name=f"标签{n}", slug=f"tag-{n}") for n in range(100))
    people = Person.objects.bulk_create(
        Person(name=f"{GIVEN[n % len(GIVEN)]} {FAMILY[n % len(FAMILY)]}{n // len(FAMILY) or ''}", slug=f"person-{n}")
        for n in range(people_count)
    )
    Alias.objects.bulk_create(
        Alias(person=person, text=text, key=fold(text))
        for person in people
        for text in (person.name, person.name.split()[1])
    )
    names = [person.name for person in people]
    article_type = ContentType.objects.get_for_model(Article)
    first_day = datetime(2015, 1, 1, tzinfo=BEIJING)
    by_name = {person.name: person for person in people}
    for start in range(0, count, 2000):
        batch, mentioned_names = [], []
        for number in range(start, min(start + 2000, count)):
            mentioned_names.append(rng.sample(names, 3))
            body, body_html = corpus.body(mentioned_names[-1])
            batch.append(
                Article(
                    title=corpus.title(),
                    slug=f"article-{number}",
                    status=Article.Status.PUBLISHED,
                    published_at=first_day + timedelta(minutes=number * 50),
                    source_key=f"https://bench.example/{number}",
                    publication=publications[number % len(publications)],
                    body=body,
                    body_html=body_html,
                    summary=summary_of(body_html),
                )
            )
        articles = Article.objects.bulk_create(batch)
        Mention.objects.bulk_create(
            Mention(article=article, person=by_name[name], status=Mention.Status.CONFIRMED, count=1)
            for article, mentioned in zip(articles, mentioned_names, strict=True)
            for name in mentioned
            if name in article.body
        )
        TaggedItem.objects.bulk_create(
            TaggedItem(tag=tag, content_type=article_type, object_id=article.pk)
            for article in articles
            for tag in rng.sample(tags, 2)
        )
        print(f"  {start + len(batch):>7} articles inserted ({time.perf_counter() - started:.0f} s)", flush=True)
    started_index = time.perf_counter()
    rebuild_index()
    built = time.perf_counter() - started_index
    print(f"search index of {count} articles built in {built:.0f} s ({built / count * 1000:.2f} ms per article)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load; SQLite has no such thing


def timed(client, url: str, params: dict | None = None) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(url, params)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, params, response.status_code)
    return elapsed * 1000, response


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(int(len(ordered) * 0.95), len(ordered) - 1)]


def measure(samples: int, seed: int) -> None:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from articles.models import Article
    from articles.search import Search
    from people.models import Person

    setup_test_environment()  # responses carry their context: the number of results found
    rng = random.Random(seed + 1)
    client = Client()
    published = list(Article.objects.published().values_list("pk", "slug", "title"))
    picked = rng.sample(published, min(samples, len(published)))

    def pieces(length: int) -> list[tuple[int, str]]:
        found = []
        for pk, _, title in picked:
            start = rng.randrange(max(len(title) - length + 1, 1))
            found.append((pk, title[start : start + length]))
        return found

    names = list(Person.objects.values_list("name", flat=True))
    queries = {
        "1 Chinese character": [(None, piece) for _, piece in pieces(1)],
        "2 Chinese characters": pieces(2),
        "4 Chinese characters": [(None, piece) for _, piece in pieces(4)],
        "Latin name": [(None, rng.choice(names).split()[rng.randrange(2)].lower()) for _ in picked],
    }
    article_times = []
    for _, slug, _ in picked[:5]:
        timed(client, f"/articles/{slug}/")  # warm up
    for _, slug, _ in picked:
        article_times.append(timed(client, f"/articles/{slug}/")[0])
    article_p50, article_p95 = percentiles(article_times)
    print(f"{'':<24}{'p50 ms':>9}{'p95 ms':>9}{'p95 ÷ article p95':>20}{'results (median)':>18}")
    print(f"{'article page':<24}{article_p50:9.1f}{article_p95:9.1f}")
    missed = 0
    for kind, cases in queries.items():
        timed(client, "/search/", {"q": cases[0][1]})  # warm up
        times, totals = [], []
        for expected, query in cases:
            elapsed, response = timed(client, "/search/", {"q": query})
            times.append(elapsed)
            totals.append(response.context["paginator"].count)
            if expected is not None and not Search({"q": query}).found.filter(pk=expected).exists():
                missed += 1
        p50, p95 = percentiles(times)
        print(f"{kind:<24}{p50:9.1f}{p95:9.1f}{p95 / article_p95:20.2f}{statistics.median(totals):18.0f}")
    recall = 1 - missed / len(queries["2 Chinese characters"])
    print(f"recall of two-character pieces of titles: {recall:.0%}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=200, help="Queries of each kind, and article pages.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="Measure the articles already in the database.")
    options = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-search-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.update(
        DJANGO_SECRET_KEY="bench",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_HTTPS="0",
        ARCHIVE_VAR_DIR=workdir,
        # What is measured is the search itself, not the page cache.
        ARCHIVE_PAGE_CACHE_SECONDS="0",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from articles.models import Article

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages link the hashed stylesheet
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    if not options.reuse:
        if Article.objects.exists():
            raise SystemExit("The database has articles already: use a throwaway one, or --reuse to measure them.")
        build(options.articles, options.people, options.seed)
    print(f"{Article.objects.count()} articles; {options.samples} queries of each kind")
    measure(options.samples, options.seed)


if __name__ == "__main__":
    main()
