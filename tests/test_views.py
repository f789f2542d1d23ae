"""Public pages: what readers see, what they never see, and how many queries it costs."""

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Link
from people.models import Mention, Person

pytestmark = pytest.mark.django_db


def test_home_lists_published_articles_with_card_details(client, seed_article):
    seed_article.tags.add("人工智能", "OpenAI")
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-Hans">' in page
    assert seed_article.title in page
    assert seed_article.get_absolute_url() in page
    assert "投资实习所" in page
    assert seed_article.cover_url in page
    assert "2024年5月17日" in page
    assert "前天，OpenAI 联合创始人兼首席科学家 IIya Sutskever 宣布离职" in page  # the excerpt
    assert reverse("articles:tag", args=["人工智能"]) in page


def test_article_page_shows_the_article(client, seed_article):
    seed_article.tags.add("人工智能")
    page = client.get(seed_article.get_absolute_url()).content.decode()
    assert f"<h1>{seed_article.title}</h1>" in page
    assert "河北" in page
    assert "<strong>年轻时代的 IIya</strong>" in page
    assert 'href="http://mp.weixin.qq.com/s?__biz=MzIyMDA3MjMwNw==&amp;mid=2455853887' in page  # the original
    assert "技术乐观主义宣言" in page and "尚未存档" in page  # a link to an article we do not have yet
    assert "人工智能" in page
    # The footer is kept out of the article, folded away behind a toggle after it.
    body, footer = page.split('<details class="original-footer">')
    assert "加入 Memo" not in body and "加入 Memo" in footer.split("</details>")[0]


def test_publication_and_tag_pages(client, seed_article):
    seed_article.tags.add("人工智能")
    assert seed_article.title in client.get(seed_article.publication.get_absolute_url()).content.decode()
    assert seed_article.title in client.get(reverse("articles:tag", args=["人工智能"])).content.decode()


@pytest.mark.parametrize(
    "url", ["/articles/no-such-article/", "/publications/nobody/", "/tags/nothing/", "/people/nobody/", "/nowhere/"]
)
def test_unknown_addresses_are_404_with_our_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()


def test_drafts_are_invisible_to_readers_everywhere(client, seed_article):
    seed_article.tags.add("人工智能")
    seed_article.status = Article.Status.DRAFT
    seed_article.save()
    person = Person.objects.create(name="Ilya Sutskever")
    Mention.objects.create(article=seed_article, person=person, status=Mention.Status.CONFIRMED)

    for url in ["/", seed_article.publication.get_absolute_url(), "/tags/人工智能/", person.get_absolute_url()]:
        assert seed_article.title not in client.get(url).content.decode(), url
    assert client.get(seed_article.get_absolute_url()).status_code == 404


def test_articles_dated_in_the_future_are_not_published_yet(client, make_article):
    from django.utils import timezone

    article = make_article(published_at=timezone.now() + timezone.timedelta(days=1))
    assert not article.is_published
    assert client.get(article.get_absolute_url()).status_code == 404


def test_unpublished_is_exactly_what_readers_cannot_see(make_article):
    from django.utils import timezone

    past, future = timezone.now() - timezone.timedelta(days=1), timezone.now() + timezone.timedelta(days=1)
    visible = make_article(published_at=past)
    hidden = [
        make_article(status=Article.Status.DRAFT, published_at=past),
        make_article(status=Article.Status.DRAFT, published_at=None),
        make_article(published_at=future),
    ]
    # "draft" sorts before "published"; a status the code does not know yet may sort after it.
    Article.objects.filter(pk=hidden[0].pk).update(status="withdrawn")

    assert set(Article.objects.published()) == {visible}
    assert set(Article.objects.unpublished()) == set(hidden)


def test_staff_preview_drafts_and_the_preview_is_never_cached(client, seed_article):
    seed_article.status = Article.Status.DRAFT
    seed_article.save()
    client.force_login(User.objects.create_user("editor", is_staff=True))
    response = client.get(seed_article.get_absolute_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_person_page_lists_articles_with_confirmed_mentions_only(client, seed_article, make_article):
    person = Person.objects.create(name="Ilya Sutskever", native_name="伊利亚")
    suggested = make_article(title="只是建议")
    Mention.objects.create(article=seed_article, person=person, status=Mention.Status.CONFIRMED)
    Mention.objects.create(article=suggested, person=person, status=Mention.Status.SUGGESTED)
    page = client.get(person.get_absolute_url()).content.decode()
    assert seed_article.title in page and "只是建议" not in page


def test_healthz_checks_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_pagination_keeps_other_query_parameters(client, make_article):
    for _ in range(25):
        make_article()
    page = client.get("/?ref=feed").content.decode()
    assert 'href="?ref=feed&amp;page=2"' in page
    assert client.get("/?page=2").status_code == 200


def _count_queries(client, url):
    ContentType.objects.get_for_model(Person)  # cached per process, as in production
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(article, make_article, numbers):
    """Give ``article`` a tag, a confirmed person and a link per number; every other link points
    at a new published article, which links back; the person is also in an article of their own,
    which the article does not link to (a related article)."""
    article.tags.add(*[f"标签{n}" for n in numbers])
    for n in numbers:
        person = Person.objects.create(name=f"Person {n}", native_name=f"人物{n}")
        for mentioning in (article, make_article()):
            Mention.objects.create(article=mentioning, person=person, status=Mention.Status.CONFIRMED, count=1)
        target = make_article() if n % 2 else None
        if target:
            Link.objects.create(
                article=target, url="https://back.example/", target_key=article.source_key, target=article
            )
        Link.objects.create(
            article=article, url=f"https://example.com/{n}", target_key=f"https://example.com/{n}", target=target,
            text=f"链接 {n}", kind=Link.Kind.INLINE, position=n,
        )  # fmt: skip


# Lists: count, page, tags (+ the publication or tag first, and its date range or its first people;
# + on the home page the tags of the latest articles, counted, then loaded; the people of the latest
# articles, counted, then loaded).
# Article: itself, tags, links, backlinks, confirmed mentions; the articles sharing people and tags,
# which of them readers may see, and the ones shown.
EXPECTED_QUERIES = {"home": 7, "article": 8, "publication": 5, "tag": 5}


@pytest.mark.parametrize("page", EXPECTED_QUERIES)
def test_query_counts_do_not_grow_with_tags_people_links_or_articles(client, seed_article, make_article, page):
    def url():
        return {
            "home": "/",
            "article": seed_article.get_absolute_url(),
            "publication": seed_article.publication.get_absolute_url(),
            "tag": "/tags/标签0/",
        }[page]

    _grow(seed_article, make_article, range(1))
    small = _count_queries(client, url())
    _grow(seed_article, make_article, range(1, 51))
    for article in Article.objects.exclude(pk=seed_article.pk):
        article.tags.add("标签0", "另一个")
    large = _count_queries(client, url())
    assert (small, large) == (EXPECTED_QUERIES[page],) * 2
