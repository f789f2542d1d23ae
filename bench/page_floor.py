"""Where an uncached article page's time goes, measured side by side in one process.

    DATABASE_URL=… ARCHIVE_BENCH_TRIVIAL_VIEW=1 ARCHIVE_PAGE_CACHE_SECONDS=0 python bench/page_floor.py [ARTICLES]

For ARTICLES published articles (default 50), in alternating rounds:

* the trivial view through Django's whole stack (middleware and all; the test client, no HTTP server);
* the layout floor (bench/views.py), the same way: the article's row alone, in the site's layout;
* the article page, the same way;
* the page's queries through the ORM: what the view asks the database for, without the template;
* the same statements replayed as raw SQL on the same connection: what the database alone costs.

Each is also given in trivial views (its time ÷ the trivial view's). The goal for the uncached
page, half the trivial view's throughput, leaves it two trivial views, HTTP included: what the
database alone costs, and what the ORM and the template add, say how far that is; the layout
floor says what no article page on this stack can go below. The last line
is JSON for bench/run.py.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from articles.models import Article  # noqa: E402

ROUNDS = 5


def page_queries(slug: str) -> None:
    """What ArticleDetailView reads for an anonymous reader."""
    Article.objects.published().for_page().get(slug=slug).related_articles()


def statements_of(slug: str) -> list[tuple[str, tuple]]:
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        page_queries(slug)
    return statements


def replay(statements: list[tuple[str, tuple]]) -> None:
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    client = Client(SERVER_NAME="localhost")  # one of bench/run.py's allowed hosts
    articles = list(Article.objects.published().order_by("-published_at").only("slug")[:count])
    statements = {article.slug: statements_of(article.slug) for article in articles}
    loads = {
        "trivial view": lambda article: client.get("/bench/trivial"),
        "the layout floor": lambda article: client.get(f"/bench/layout/{article.slug}/"),
        "article page": lambda article: client.get(article.get_absolute_url()),
        "its queries through the ORM": lambda article: page_queries(article.slug),
        "its statements as raw SQL": lambda article: replay(statements[article.slug]),
    }
    for name, load in loads.items():  # warm: compiled templates, URL resolvers, the database's pages
        for article in articles:
            response = load(article)
            if response is not None and response.status_code != 200:
                raise SystemExit(f"{name}: {article.slug} answered {response.status_code}")
    seconds = dict.fromkeys(loads, 0.0)
    for _ in range(ROUNDS):
        for name, load in loads.items():
            started = time.perf_counter()
            for article in articles:
                load(article)
            seconds[name] += time.perf_counter() - started
    ms = {name: 1000 * total / (ROUNDS * len(articles)) for name, total in seconds.items()}
    per_page = sum(map(len, statements.values())) / len(articles)
    print(f"articles: {len(articles)}, database: {connection.vendor}, {per_page:.1f} statements a page")
    for name, value in ms.items():
        print(f"{name + ':':30} {value:7.2f} ms = {value / ms['trivial view']:5.1f} trivial views")
    print(json.dumps({"ms": ms, "statements": per_page}))


if __name__ == "__main__":
    main()
