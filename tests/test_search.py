"""Search: what a reader finds, in what order, how it is narrowed and shown, and what it costs."""

import re
from datetime import datetime
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Publication, SearchDocument, write_search_documents
from articles.search import newest_matches, window_floors
from articles.search_text import (
    ID_MASK,
    document_lexemes,
    document_text,
    highlighter,
    parse_query,
    search_rank,
    snippet,
)
from people.models import Alias, Mention, Person
from people.search import name_directory, people_named

from .conftest import BEIJING

pytestmark = pytest.mark.django_db

SEED_TITLE = "OpenAI 联创 IIya 是谁，为什么要离开 OpenAI？"
CJK = re.compile(r"[\u4e00-\u9fff]")


def search(client, query="", **params):
    """The search page for ``query``: its HTML, and the titles of the articles found, in order."""
    response = client.get(reverse("articles:search"), {"q": query, **params})
    assert response.status_code == 200
    page = response.content.decode()
    return page, [html_title(title) for title in re.findall(r'<h2 class="card-title"><a [^>]*>(.*?)</a>', page)]


def html_title(title: str) -> str:
    return title.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#x27;", "'")


def found(client, query, **params) -> list[str]:
    return search(client, query, **params)[1]


def newest_titles(query: str, **kwargs) -> tuple[list[str], list[str]]:
    """The titles of the four newest matches of ``query``, and the functions asked for them."""
    with CaptureQueriesContext(connection) as queries:
        newest = newest_matches(parse_query(query), limit=4, **kwargs)
    titles = dict(Article.objects.filter(pk__in=[pk for _, pk in newest]).values_list("pk", "title"))
    return [titles[pk] for _, pk in newest], [q["sql"].split("(")[0].split()[-1] for q in queries.captured_queries]


# The text search looks in, and the terms of a query (no database).


def test_documents_are_folded_and_cut_into_characters_and_words():
    assert document_text("OpenAI 联创 IIya 是谁？ＧＰＴ-4") == " openal 联 创 llya 是 谁 gpt 4 "
    assert document_text("…！") == ""


def test_query_terms_are_folded_and_every_pattern_is_at_least_a_trigram():
    terms = parse_query("  对齐  OpenAI  a  对  gpt-4o ！！ 对齐 ")
    assert [term.pattern for term in terms] == ["对 齐", " openal", " a ", " 对 ", " gpt 4o"]
    assert all(len(term.pattern) >= 3 for term in terms)
    assert [term.lexemes() for term in parse_query("人工智能 对 gpt4模型")] == [
        ["人工", "工智", "智能"],
        ["对"],
        ["gpt4", "模型"],
    ]


def test_postgresql_lexemes_hold_every_token_and_every_pair_of_neighbouring_cjk_characters():
    title, body = document_text("对齐 OpenAI"), document_text("人工智能，a 对")
    assert document_lexemes(title, body).split() == sorted(
        ["对", "齐", "对齐", "openal", "人", "工", "智", "能", "人工", "工智", "智能", "a"]
    )
    # A word that long is no word: it stays out of the index (PostgreSQL refuses lexemes over 2 KB).
    assert document_text("x" * 65) == ""


def test_the_search_rank_orders_newest_first_and_keeps_the_id():
    older, newer = datetime(2024, 1, 1, tzinfo=BEIJING), datetime(2024, 1, 1, 0, 1, tzinfo=BEIJING)
    assert search_rank(999, older) < search_rank(2, newer) < search_rank(3, newer)
    assert search_rank(1, None) < search_rank(1, datetime(1970, 1, 2, tzinfo=BEIJING))
    assert search_rank(12345, newer) & ID_MASK == 12345


def test_snippets_escape_the_text_and_mark_every_spelling_of_the_terms():
    text = "<script>alert(1)</script> 前面很长的一段话。科学家 IIya 和 ｉｌｙａ 都是 Ilya，而 Bilya 不是。"
    html = snippet(text, highlighter(parse_query("ilya")))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert re.findall(r"<mark>(.*?)</mark>", html) == ["IIya", "ｉｌｙａ", "Ilya"]


def test_a_snippet_starts_near_the_first_match_at_a_break():
    text = "开头。" + "无关的文字" * 40 + "。超级对齐团队的负责人离开了。" + "后面" * 100
    html = snippet(text, highlighter(parse_query("对齐")))
    assert html.startswith("…超级<mark>对齐</mark>团队") and html.endswith("…")


# What readers find.


def test_chinese_words_of_one_and_two_characters_find_the_seed(client, seed_article):
    for query in ["对齐", "离职", "超级对齐", "职", "辞职离开"]:
        assert found(client, query) == [SEED_TITLE], query


def test_every_two_character_chinese_substring_of_the_title_finds_the_seed(client, seed_article, make_article):
    make_article(title="另一篇文章", body="说的是别的事情。")
    pairs = {SEED_TITLE[i : i + 2] for i in range(len(SEED_TITLE) - 1)}
    pairs = {pair for pair in pairs if CJK.match(pair[0]) and CJK.match(pair[1])}
    assert len(pairs) == 7
    for pair in sorted(pairs):
        assert found(client, pair) == [SEED_TITLE], pair


@pytest.mark.parametrize(
    "query", ["openai", "OPENAI", "OpenAI", "ｏｐｅｎａｉ", "ilya", "IIYA", "Sutskever", "sutsk", "open"]
)
def test_latin_words_match_in_any_case_and_by_their_beginning(client, seed_article, query):
    assert found(client, query) == [SEED_TITLE]


@pytest.mark.parametrize("query", ["penai", "xgboostt", "ilyana"])
def test_latin_words_do_not_match_inside_other_words(client, seed_article, query):
    assert found(client, query) == []


def test_every_word_of_a_query_must_match(client, seed_article, make_article):
    make_article(title="对齐的另一种说法", body="这里没有那个词。")
    assert found(client, "对齐 离职") == [SEED_TITLE]
    assert found(client, "对齐 Altman") == [SEED_TITLE]
    assert found(client, "对齐 火星") == []


def test_a_name_finds_the_person_and_the_articles_confirmed_to_mention_them(client, make_article):
    musk = Person.objects.create(name="Elon Musk", native_name="埃隆·马斯克")
    for text in ["Elon Musk", "Musk", "马斯克"]:
        Alias.objects.create(person=musk, text=text)
    confirmed = make_article(title="特斯拉的新闻", body="这位企业家又发了一条推文。")
    suggested = make_article(title="只是猜测", body="可能是他。")
    Mention.objects.create(article=confirmed, person=musk, status=Mention.Status.CONFIRMED)
    Mention.objects.create(article=suggested, person=musk, status=Mention.Status.SUGGESTED)
    make_article(title="马斯克说", body="原话。", published_at=datetime(2023, 1, 1, tzinfo=BEIJING))

    page, titles = search(client, "马斯克")
    assert f'href="{musk.get_absolute_url()}"' in page
    assert titles == ["马斯克说", "特斯拉的新闻"]  # in the title first
    assert found(client, "musk") == found(client, "ELON MUSK") == found(client, "埃隆·马斯克") == ["特斯拉的新闻"]
    # A word that only begins a name shows the person, but finds only the articles containing it.
    page, titles = search(client, "马斯")
    assert f'href="{musk.get_absolute_url()}"' in page and titles == ["马斯克说"]
    assert found(client, "马斯克 推文") == []  # every word in the text, unless the query is a name
    assert found(client, "马斯克", year="2024") == ["特斯拉的新闻"]  # ranked by the database


def test_people_without_a_confirmed_published_mention_are_not_shown(client, seed_article):
    hidden = Person.objects.create(name="Nobody Known")
    Alias.objects.create(person=hidden, text="Nobody Known")
    Mention.objects.create(article=seed_article, person=hidden, status=Mention.Status.SUGGESTED)
    assert hidden.get_absolute_url() not in search(client, "nobody")[0]


def test_drafts_and_future_articles_are_never_found(client, seed_article, make_article):
    make_article(title="草稿里的对齐", status=Article.Status.DRAFT, published_at=None)
    make_article(title="明天的对齐", published_at=datetime(2999, 1, 1, tzinfo=BEIJING))
    seed_article.status = Article.Status.DRAFT
    seed_article.save()
    page, titles = search(client, "对齐")
    assert titles == [] and "草稿" not in page and "明天" not in page


def test_titles_first_then_the_newest(client, make_article):
    def on(day):
        return datetime(2024, 1, day, tzinfo=BEIJING)

    make_article(title="旧的标题里有对齐", published_at=on(1))
    make_article(title="正文一", body="正文里有对齐。", published_at=on(2))
    make_article(title="正文二", body="正文里也有对齐。", published_at=on(3))
    make_article(title="新的标题里有对齐", published_at=on(4))
    draft = make_article(title="草稿标题里有对齐", published_at=on(5), status=Article.Status.DRAFT)
    ranked = ["新的标题里有对齐", "旧的标题里有对齐", "正文二", "正文一"]
    assert found(client, "对齐") == ranked  # straight from the index
    assert found(client, "对齐", year="2024") == ranked  # ranked by the database
    assert draft.title not in found(client, "草稿")


def test_the_index_follows_edits_and_deletions(client, make_article):
    article = make_article(title="原来的标题", body="原来的正文")
    article.title, article.body = "改过的标题", "改过的正文"
    article.save()
    assert found(client, "原来") == []
    assert found(client, "改过") == ["改过的标题"]
    Article.objects.filter(pk=article.pk).delete()
    assert found(client, "改过") == []
    assert not SearchDocument.objects.exists()


def test_rebuild_indexes_articles_written_around_the_orm(client, make_article):
    make_article(title="保存过的文章")
    Article.objects.bulk_create(
        Article(title=f"批量文章 {n}", slug=f"bulk-{n}", body="批量写入", body_html="<p>批量写入的正文</p>",
                status=Article.Status.PUBLISHED, published_at=datetime(2024, 1, 1, tzinfo=BEIJING),
                source_key=f"https://bulk.example/{n}")
        for n in range(3)
    )  # fmt: skip
    SearchDocument.objects.update(title="", body="", lexemes="", title_lexemes="")
    assert found(client, "批量") == found(client, "保存") == []

    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "4" in out.getvalue()
    assert len(found(client, "批量")) == 3
    assert found(client, "保存") == ["保存过的文章"]


def test_migration_0005_can_still_index_the_articles_it_finds(make_article):
    """0005 indexes the articles already there with its own SearchDocument, which has fewer
    fields than today's: writing the documents must take only the fields it has."""
    article = make_article(title="迁移之前的文章")
    SearchDocument.objects.all().delete()
    state = MigrationLoader(connection).project_state(("articles", "0005_search_index"))
    historical = state.apps.get_model("articles", "SearchDocument")
    assert "title_lexemes" not in {field.name for field in historical._meta.concrete_fields}

    write_search_documents(historical, [(article.pk, article.title, article.body_html, article.published_at)])
    assert SearchDocument.objects.get().title == document_text("迁移之前的文章")


# The page.


def test_an_empty_query_gets_a_friendly_page_with_a_labelled_search_box(client, db):
    page, titles = search(client, "")
    assert titles == [] and 'role="search"' in page
    assert re.search(r'<label for="search-query">[^<]+</label>\s*<input type="search" id="search-query" name="q"', page)
    assert "对齐" in page  # an example to try
    assert search(client, "！？…")[1] == []


def test_no_results_says_what_to_do(client, seed_article):
    page, titles = search(client, "火星殖民")
    assert titles == []
    assert "没有" in page and reverse("people:list") in page


def test_hostile_queries_are_harmless(client, seed_article):
    hostile = ["<script>alert(1)</script>", '"', 'a" OR "b', "NEAR(对 齐)", "{title}: 对", "*", "对*", "' OR 1=1", "\\"]
    for query in hostile:
        response = client.get(reverse("articles:search"), {"q": query})
        assert response.status_code == 200, query
        assert "<script>alert" not in response.content.decode()


def test_hostile_bodies_stay_harmless_in_snippets(client, make_article):
    make_article(title="恶意", body="对齐 `<img src=x onerror=alert(1)>` &lt;script&gt;alert(1)&lt;/script&gt; 对齐")
    page = search(client, "对齐")[0]
    summary = re.search(r'<p class="card-summary">(.*?)</p>', page, re.S).group(1)
    assert "<img" not in summary and "<script" not in summary
    assert "&lt;img src=x onerror=alert(1)&gt;" in summary and summary.count("<mark>对齐</mark>") == 2


def test_facets_count_and_narrow_and_links_keep_the_query(client, seed_article, make_article):
    other = Publication.objects.create(name="另一个号")
    old = make_article(title="2023 年的对齐", publication=other, published_at=datetime(2023, 6, 1, tzinfo=BEIJING))
    old.tags.add("安全")
    seed_article.tags.add("安全", "人物")
    ilya = Person.objects.create(name="Ilya Sutskever")
    Mention.objects.create(article=seed_article, person=ilya, status=Mention.Status.CONFIRMED)
    Mention.objects.create(article=old, person=ilya, status=Mention.Status.REJECTED)

    page = search(client, "对齐")[0]
    facets = re.search(r'<nav class="facets".*?</nav>', page, re.S).group()
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*>([^<]+?) <span class="count">', facets))
    counts = dict(re.findall(r'>([^<>]+?) <span class="count">(\d+)</span>', facets))
    assert counts == {
        **{"投资实习所": "1", "另一个号": "1", "Ilya Sutskever": "1"},
        **{"安全": "2", "人物": "1", "2024": "1", "2023": "1"},
    }
    assert all("q=%E5%AF%B9%E9%BD%90" in link for link in links)

    by_label = {label: link.replace("&amp;", "&") for link, label in links.items()}
    assert found(client, "对齐", year="2023") == ["2023 年的对齐"]
    assert client.get(reverse("articles:search") + by_label["2023"]).content.decode().count("card-title") == 1
    assert found(client, "对齐", person=ilya.slug) == [SEED_TITLE]
    assert found(client, "对齐", tag="人物") == [SEED_TITLE]
    assert found(client, "对齐", publication=other.slug) == ["2023 年的对齐"]
    assert found(client, "对齐", tag="安全", year="2024") == [SEED_TITLE]
    assert found(client, "对齐", year="20x4") == ["2023 年的对齐", SEED_TITLE]  # not a year: ignored

    narrowed = search(client, "对齐", year="2023")[0]
    assert 'aria-current="true"' in narrowed
    assert 'href="?q=%E5%AF%B9%E9%BD%90"' in narrowed  # the chosen year, removed


def test_the_person_facet_lists_the_most_mentioned_first_then_by_name(client, make_article):
    first, second = make_article(title="对齐之一"), make_article(title="对齐之二")
    zoe, bo, al = (Person.objects.create(name=name) for name in ("Zoe", "Bo", "Al"))
    for article, person, status in [
        (first, zoe, Mention.Status.CONFIRMED),
        (second, zoe, Mention.Status.CONFIRMED),
        (first, bo, Mention.Status.CONFIRMED),
        (second, al, Mention.Status.CONFIRMED),
        (first, al, Mention.Status.SUGGESTED),  # not counted: readers are not shown it
    ]:
        Mention.objects.create(article=article, person=person, status=status)

    page = search(client, "对齐")[0]
    facet = re.findall(r'href="[^"]*person=[^"]*"[^>]*>([^<>]+?) <span class="count">(\d+)</span>', page)
    assert facet == [("Zoe", "2"), ("Al", "1"), ("Bo", "1")]


def test_pagination_keeps_the_query_and_the_facets(client, make_article):
    for n in range(25):
        make_article(title=f"对齐 {n}")
    page = search(client, "对齐", year="2024")[0]
    assert 'href="?q=%E5%AF%B9%E9%BD%90&amp;year=2024&amp;page=2"' in page
    assert len(found(client, "对齐", year="2024", page="2")) == 5


def test_very_common_words_rank_everything_but_count_and_facet_the_best(client, make_article, monkeypatch):
    monkeypatch.setattr("articles.search.MAX_RESULTS", 3)
    for day in range(1, 6):
        make_article(title=f"对齐 {day}", published_at=datetime(2024, 1, day, tzinfo=BEIJING))
    page, titles = search(client, "对齐")
    assert titles == ["对齐 5", "对齐 4", "对齐 3"]
    assert "超过 3 篇" in page
    assert re.search(r'>测试公众号 <span class="count">3</span>', page)


def test_when_title_matches_alone_fill_the_results_no_body_is_searched(client, make_article, monkeypatch):
    monkeypatch.setattr("articles.search.MAX_RESULTS", 3)
    for day in range(1, 6):
        make_article(title=f"对齐 {day}", body="正文。", published_at=datetime(2024, 1, day, tzinfo=BEIJING))
    make_article(title="最新的一篇", body="正文谈对齐。", published_at=datetime(2024, 2, 1, tzinfo=BEIJING))

    with CaptureQueriesContext(connection) as queries:
        page, titles = search(client, "对齐")

    assert titles == ["对齐 5", "对齐 4", "对齐 3"]
    assert "超过 3 篇" in page
    matching = [query["sql"] for query in queries.captured_queries if re.search("MATCH|_matches", query["sql"])]
    assert matching and all("title" in sql for sql in matching)


def test_title_matches_hidden_from_readers_leave_their_place_to_older_title_matches(client, make_article, monkeypatch):
    monkeypatch.setattr("articles.search.MAX_RESULTS", 10)
    for day in range(1, 13):
        status = Article.Status.DRAFT if day > 10 else Article.Status.PUBLISHED
        published_at = datetime(2024, 1, day, tzinfo=BEIJING)
        make_article(title=f"对齐 {day}", body="正文。", status=status, published_at=published_at)
    make_article(title="最新的一篇", body="正文谈对齐。", published_at=datetime(2024, 2, 1, tzinfo=BEIJING))

    # The two newest title matches are drafts: the ten others still rank before the body match.
    assert found(client, "对齐") == [f"对齐 {day}" for day in range(10, 0, -1)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's index returns matches newest first: no windows")
def test_postgresql_finds_the_newest_matches_in_the_smallest_window_holding_them(make_article, monkeypatch):
    monkeypatch.setattr("articles.search.POSTGRESQL_WINDOWS", (4, 8))
    make_article(title="最早的一篇", body="只有这里有罕见词。", published_at=datetime(2020, 1, 1, tzinfo=BEIJING))
    for day in range(1, 13):
        body = "谈对齐的一篇。" if day % 2 else "谈别的。"
        make_article(title=f"第 {day} 篇", body=body, published_at=datetime(2024, 1, day, tzinfo=BEIJING))
    floors = window_floors()
    assert len(floors) == 2  # thirteen documents: both windows exist

    # Two matches among the newest four documents (too few, but enough to try eight): four there.
    assert newest_titles("对齐", floors=floors) == (
        ["第 11 篇", "第 9 篇", "第 7 篇", "第 5 篇"],
        ["articles_search_matches_since", "articles_search_matches_since"],
    )
    assert newest_titles("对齐")[0] == ["第 11 篇", "第 9 篇", "第 7 篇", "第 5 篇"]  # as among all
    # None among the newest four: the eight are skipped, and all are searched.
    assert newest_titles("罕见词", floors=floors) == (
        ["最早的一篇"],
        ["articles_search_matches_since", "articles_search_matches"],
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's index returns matches newest first: no windows")
def test_postgresql_reads_title_matches_through_the_same_windows(make_article, monkeypatch):
    monkeypatch.setattr("articles.search.POSTGRESQL_WINDOWS", (4, 8))
    make_article(title="罕见词的旧文", body="正文。", published_at=datetime(2020, 1, 1, tzinfo=BEIJING))
    for day in range(1, 13):
        title = f"对齐 第 {day} 篇" if day % 2 else f"别的 第 {day} 篇"
        make_article(title=title, body="对齐也在正文里。", published_at=datetime(2024, 1, day, tzinfo=BEIJING))
    floors = window_floors()

    # Only titles count (every body says 对齐): two among the newest four, then the four among eight.
    assert newest_titles("对齐", in_title=True, floors=floors) == (
        ["对齐 第 11 篇", "对齐 第 9 篇", "对齐 第 7 篇", "对齐 第 5 篇"],
        ["articles_search_title_matches_since", "articles_search_title_matches_since"],
    )
    assert newest_titles("罕见词", in_title=True, floors=floors) == (
        ["罕见词的旧文"],
        ["articles_search_title_matches_since", "articles_search_title_matches"],
    )


# Cost.


def _grow(make_article, count: int, person: Person) -> None:
    publications = [Publication.objects.get_or_create(name=f"号 {n}")[0] for n in range(3)]
    for n in range(count):
        article = make_article(
            title=f"对齐的文章 {n}", body=f"关于对齐的正文 {n}", publication=publications[n % 3],
            published_at=datetime(2020 + n % 5, 1, 1, tzinfo=BEIJING),
        )  # fmt: skip
        article.tags.add(f"标签{n}", "对齐")
        Mention.objects.create(article=article, person=person, status=Mention.Status.CONFIRMED)


def _count_queries(client, **params) -> int:
    ContentType.objects.get_for_model(Article)  # cached per process, as in production
    name_directory()  # so is the directory of names, until the registry changes
    window_floors()  # and where PostgreSQL's windows start, for a while
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("articles:search"), params).status_code == 200
    return len(queries)


# The registry's fingerprint (whether the directory of names is still current) and the people
# when a name matches, the ranked ids (the newest title matches, the newest matches, the newest
# articles about the person the query names, the visible ones; or, with a facet chosen, one query),
# the page and its tags, facets (the archive's first and last year, publication and year, person, tag).
EXPECTED_QUERIES = {"words": 11, "a name": 13, "a facet": 9}


@pytest.mark.parametrize("kind", EXPECTED_QUERIES)
def test_the_query_count_does_not_grow_with_the_results(client, make_article, kind):
    person = Person.objects.create(name="Jan Leike")
    Alias.objects.create(person=person, text="对齐" if kind == "a name" else "Jan Leike")
    params = {"q": "对齐", **({"tag": "对齐"} if kind == "a facet" else {})}
    _grow(make_article, 1, person)
    small = _count_queries(client, **params)
    _grow(make_article, 40, person)
    large = _count_queries(client, **params)
    paged = _count_queries(client, **params, page="2")
    assert (small, large, paged) == (EXPECTED_QUERIES[kind],) * 3
    assert _count_queries(client, q="") == 0


def test_names_added_changed_and_removed_are_searched_at_once(make_article):
    person = Person.objects.create(name="Elon Musk", slug="elon-musk")
    Mention.objects.create(article=make_article(), person=person, status=Mention.Status.CONFIRMED)
    assert list(people_named(parse_query("musk"))) == [person]
    assert not people_named(parse_query("钢铁侠")).exists()
    nickname = Alias.objects.create(person=person, text="钢铁侠", kind=Alias.Kind.NICKNAME)
    assert list(people_named(parse_query("钢铁侠"))) == [person]
    nickname.delete()
    assert not people_named(parse_query("钢铁侠")).exists()
    person.name = "Elon Reeve Musk"
    person.save()
    assert list(people_named(parse_query("reeve"))) == [person]
