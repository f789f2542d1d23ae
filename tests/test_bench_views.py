"""The benchmark's yardsticks (bench/views.py) show what they claim to: the layout floor is one
published article's row in the site's layout, and nothing a reader may not see."""

import importlib

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import clear_url_caches

from bench import views


@pytest.fixture
def request_for():
    def build(path: str):
        request = RequestFactory().get(path)
        request.resolver_match = None
        return request

    return build


def test_the_layout_floor_is_the_article_alone_in_the_site_layout(seed_article, request_for, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = views.layout_floor(request_for(f"/bench/layout/{seed_article.slug}/"), seed_article.slug)

    page = response.content.decode()
    assert f"<h1>{seed_article.title}</h1>" in page
    assert seed_article.body_html in page
    assert 'class="site-header"' in page  # base.html, as every page has it
    assert "article-people" not in page and "article-links" not in page


def test_the_layout_floor_shows_no_draft(make_article, request_for):
    draft = make_article(status="draft")

    with pytest.raises(Http404):
        views.layout_floor(request_for(f"/bench/layout/{draft.slug}/"), draft.slug)


@pytest.fixture
def bench_urls(settings):
    """The site's addresses as bench/run.py's server has them: the yardsticks are only there then."""
    import config.urls

    settings.ARCHIVE_BENCH_TRIVIAL_VIEW = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.ARCHIVE_BENCH_TRIVIAL_VIEW = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_the_yardsticks_answer_at_their_addresses_only_for_the_benchmark(client, seed_article, bench_urls):
    assert client.get("/bench/trivial").content == b"ok\n"
    page = client.get(f"/bench/layout/{seed_article.slug}/")
    assert page.status_code == 200 and f"<h1>{seed_article.title}</h1>" in page.content.decode()


def test_production_has_no_yardsticks(client, seed_article):
    assert client.get("/bench/trivial").status_code == 404
    assert client.get(f"/bench/layout/{seed_article.slug}/").status_code == 404
