"""Every public page and every admin change list costs the same number of queries with 60
articles as with 600 (and ten times the people, tags, links, mentions and candidates).

The 60 come from the synthetic corpus (bench/corpus.py); the 600 are the 60 and nine copies of
every row, each copy with its own people and tags, linking among its own articles.
"""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse
from taggit.models import Tag, TaggedItem

from articles.importer import import_document
from articles.models import Article, ArticleKey, Link, Publication
from articles.search import window_floors
from bench.corpus import CorpusPlan
from bench.load_corpus import load_fast
from people.models import CandidateOccurrence, Mention, NameCandidate, Person

pytestmark = pytest.mark.django_db

COPIES = 10


def _copy_rows(model, rows, **changes) -> dict[int, int]:
    """Clones of ``rows``, each keyword mapping a field to a function of the row that gives its new value;
    returns old pk → new pk."""
    clones = []
    for row in rows:
        clone = model(**{field.attname: getattr(row, field.attname) for field in model._meta.concrete_fields})
        clone.pk = None
        for name, change in changes.items():
            setattr(clone, name, change(row))
        clones.append(clone)
    return {row.pk: clone.pk for row, clone in zip(rows, model.objects.bulk_create(clones), strict=True)}


def grow(copies: int = COPIES) -> None:
    """``copies`` - 1 more copies of every row the corpus made."""
    models = (Person, Article, Tag, NameCandidate, ArticleKey, Link, Mention, TaggedItem, CandidateOccurrence)
    rows = {model: list(model.objects.all()) for model in models}
    for copy in range(1, copies):
        _add_copy(rows, copy)


def _add_copy(rows, copy: int) -> None:
    def suffixed(field):
        return lambda row: f"{getattr(row, field)}-copy{copy}"

    person = _copy_rows(Person, rows[Person], slug=suffixed("slug"))
    article = _copy_rows(Article, rows[Article], slug=suffixed("slug"), source_key=suffixed("source_key"))
    tag = _copy_rows(Tag, rows[Tag], name=suffixed("name"), slug=suffixed("slug"))
    candidate = _copy_rows(NameCandidate, rows[NameCandidate], key=suffixed("key"))
    _copy_rows(ArticleKey, rows[ArticleKey], key=suffixed("key"), article_id=lambda row: article[row.article_id])
    _copy_rows(
        Link, rows[Link],
        article_id=lambda row: article[row.article_id], target_id=lambda row: article.get(row.target_id),
    )  # fmt: skip
    _copy_rows(
        Mention, rows[Mention],
        article_id=lambda row: article[row.article_id], person_id=lambda row: person[row.person_id],
    )  # fmt: skip
    _copy_rows(
        TaggedItem, rows[TaggedItem],
        tag_id=lambda row: tag[row.tag_id],
        object_id=lambda row: (article if row.content_type.model == "article" else person)[row.object_id],
    )  # fmt: skip
    _copy_rows(
        CandidateOccurrence, rows[CandidateOccurrence],
        candidate_id=lambda row: candidate[row.candidate_id], article_id=lambda row: article[row.article_id],
    )  # fmt: skip


def public_pages() -> dict[str, str]:
    """One address of each kind, on the busiest rows (the ones whose pages grow the most)."""
    published = Article.objects.published()
    article = published.annotate(n=Count("links", distinct=True) + Count("backlinks", distinct=True)).latest("n")
    person = Person.objects.annotate(n=Count("mentions")).latest("n")
    tag = Tag.objects.annotate(n=Count("taggit_taggeditem_items")).latest("n")
    publication = Publication.objects.annotate(n=Count("articles")).latest("n")
    pages = {
        "home": "/",
        "home, page 2": "/?page=2",
        "article": article.get_absolute_url(),
        "people": reverse("people:list"),
        "person": person.get_absolute_url(),
        "tags": reverse("articles:tags"),
        "tag": reverse("articles:tag", args=[tag.slug]),
        "publication": publication.get_absolute_url(),
        "feed": reverse("feed"),
        "person feed": reverse("people:feed", args=[person.slug]),
        "tag feed": reverse("articles:tag-feed", args=[tag.slug]),
        "publication feed": reverse("articles:publication-feed", args=[publication.slug]),
        "sitemap index": "/sitemap.xml",
        **{
            f"sitemap of {section}": f"/sitemap-{section}.xml"
            for section in ("articles", "people", "tags", "publications")
        },
    }
    try:
        resolve("/search/")
    except Resolver404:
        pass  # the search branch pins its page here once it lands
    else:
        pages["search"] = "/search/?q=" + person.name.split()[-1]
        pages["search, Chinese"] = "/search/?q=芯片"
    return pages


ADMIN_PAGES = {
    "articles": "/admin/articles/article/",
    "articles, filtered": "/admin/articles/article/?status__exact=published",
    "people": "/admin/people/person/",
    "mentions": "/admin/people/mention/",
    "mentions to review": "/admin/people/mention/?status__exact=suggested",
    "publications": "/admin/articles/publication/",
    "tags": "/admin/taggit/tag/",
}


def count_queries(client, pages: dict[str, str]) -> dict[str, int]:
    window_floors()  # where search's windows start is kept per process for minutes, not read per request
    counts = {}
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counts[name] = len(queries)
    return counts


@pytest.fixture
def corpus():
    load_fast(CorpusPlan(articles=60, people=40, seed=11), jobs=1)
    # Editors' work the corpus does not do: a candidate attached to a person, a rejected mention.
    NameCandidate.objects.filter(pk=NameCandidate.objects.first().pk).update(person=Person.objects.first())
    Mention.objects.filter(pk=Mention.objects.first().pk).update(status=Mention.Status.REJECTED)


def test_public_pages_cost_the_same_with_ten_times_the_data(client, corpus):
    small = count_queries(client, public_pages())
    grow()
    assert Article.objects.count() == 600
    large = count_queries(client, public_pages())
    assert large == small


def test_admin_change_lists_cost_the_same_with_ten_times_the_data(client, corpus):
    client.force_login(User.objects.create_superuser("editor", "editor@example.com", "x"))
    pages = {**ADMIN_PAGES, "name candidates": "/admin/people/namecandidate/"}
    small = count_queries(client, pages)
    grow()
    large = count_queries(client, pages)
    assert large == small


def _document(number: int, *, links=(), names=()) -> bytes:
    body = "".join(f"见[第 {n} 篇](https://mp.weixin.qq.com/s?__biz=UVE=&mid={n}&idx=1&sn=x)。" for n in links)
    body += "".join(f"另一位叫 {name} 的人也说了。" for name in names)
    return (
        f"# 第 {number} 篇\n\n文章作者: 测试号\n发布时间: 2024-01-01 10:00\n"
        f"原文链接: https://mp.weixin.qq.com/s?__biz=UVE=&mid={number}&idx=1\n\n正文。{body}\n"
    ).encode()


def _queries_to_import(targets: int, referrers: int, names: int) -> int:
    for number in range(1, targets + 1):
        import_document(_document(number), filename="target")
    for number in range(1000, 1000 + referrers):
        import_document(_document(number, links=[500]), filename="referrer")
    given, family = ["Evan", "Miles", "Tessa", "Ingrid", "Bojan"], ["Okafor", "Kinsley", "Petrov", "Lindqvist"]
    document = _document(500, links=range(1, targets + 1), names=[f"{g} {f}" for g in given for f in family][:names])
    with CaptureQueriesContext(connection) as queries:
        result = import_document(document, filename="measured")
    assert result.outcome == "created"
    page = result.article.get_absolute_url()
    assert Article.objects.filter(source_key__contains=":1000:").get().body_html.count(f'href="{page}"') == 1
    assert result.article.body_html.count('href="/articles/') == targets
    assert NameCandidate.objects.filter(article_count=1).count() == names
    return len(queries)


def test_an_import_costs_the_same_queries_whatever_its_links_referrers_and_names(db):
    small = _queries_to_import(targets=1, referrers=1, names=1)
    for model in (Link, ArticleKey, Mention, CandidateOccurrence, NameCandidate, Article):
        model.objects.all().delete()
    assert _queries_to_import(targets=20, referrers=20, names=12) == small
