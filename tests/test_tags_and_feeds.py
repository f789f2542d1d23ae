"""Tags (index, page, rename, merge, bulk), publications, feeds, and the wanted-articles report."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from taggit.models import Tag

from articles.importer import import_document
from articles.models import Article
from articles.tagging import merge_tags, rename_tag
from people.models import Mention, Person
from people.templatetags.people import TAGGED_PEOPLE_SHOWN

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_tags_index_and_page_list_articles_and_people(client, seed_article, make_article):
    seed_article.tags.add("人工智能")
    make_article(title="另一篇").tags.add("人工智能", "OpenAI")
    Person.objects.create(name="Ilya Sutskever").tags.add("人工智能")
    draft = make_article(title="草稿", status=Article.Status.DRAFT)
    draft.tags.add("只在草稿里")

    index = client.get("/tags/").content.decode()
    assert "/tags/%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD/" in index and "只在草稿里" not in index
    page = client.get("/tags/人工智能/").content.decode()
    assert seed_article.title in page and "另一篇" in page and "Ilya Sutskever" in page


def _investors(count: int, tag_name: str = "投资人") -> list[Person]:
    people = [Person.objects.create(name=f"投资人 {number:02d}") for number in range(count, 0, -1)]
    for person in people:
        person.tags.add(tag_name)
    return people


def test_a_tag_page_shows_the_first_people_by_name_and_links_to_everyone_carrying_it(client, make_article):
    _investors(TAGGED_PEOPLE_SHOWN + 1)
    Person.objects.create(name="没有标签的人")
    tag = Tag.objects.get(name="投资人")

    page = client.get(f"/tags/{tag.slug}/").content.decode()
    shown = re.findall(r'class="person-chip" href="[^"]+">([^<]+)</a>', page)
    assert shown == [f"投资人 {number:02d}" for number in range(1, TAGGED_PEOPLE_SHOWN + 1)]
    everyone = f'href="/people/?tag={quote(tag.slug)}"'
    assert everyone in page and f"全部 {TAGGED_PEOPLE_SHOWN + 1} 位人物" in page

    # Everyone carrying it, the people in published articles first (as the people index ranks them).
    written_about = Person.objects.get(name=f"投资人 {TAGGED_PEOPLE_SHOWN + 1}")
    article = make_article(title="一篇报道")
    Mention.objects.create(article=article, person=written_about, status=Mention.Status.CONFIRMED)
    listed = client.get(f"/people/?tag={quote(tag.slug)}").content.decode()
    names = re.findall(r'<a href="/people/[^"]+/">([^<]+)</a>', listed)
    assert names[0] == written_about.name and len(names) == TAGGED_PEOPLE_SHOWN + 1
    assert "没有标签的人" not in listed and "标签“投资人”的人物" in listed
    assert f'<link rel="canonical" href="http://testserver/people/?tag={quote(tag.slug)}">' in listed


def test_a_tag_with_few_people_shows_them_all_without_a_link(client):
    _investors(3)
    page = client.get("/tags/投资人/").content.decode()
    assert len(re.findall('class="person-chip"', page)) == 3 and "/people/?tag=" not in page


def test_the_people_of_a_tag_keep_it_from_page_to_page_and_only_there_in_the_canonical_link(client, monkeypatch):
    monkeypatch.setattr("people.views.PersonListView.paginate_by", 2)
    _investors(3)
    slug = quote("投资人")
    first = client.get(f"/people/?tag={slug}").content.decode()
    assert f'rel="next" href="?tag={slug}&amp;page=2"' in first
    second = client.get(f"/people/?tag={slug}&page=2").content.decode()
    assert len(re.findall(r'<a href="/people/[^"]+/">', second)) == 1
    assert f'<link rel="canonical" href="http://testserver/people/?tag={slug}&amp;page=2">' in second
    # Elsewhere ?tag= chooses nothing: not part of the page's address.
    assert '<link rel="canonical" href="http://testserver/">' in client.get("/?tag=x").content.decode()


def test_the_people_of_an_unknown_tag_are_not_found_and_of_a_renamed_one_redirected(client):
    _investors(2, tag_name="old name")
    tag = Tag.objects.get(name="old name")
    rename_tag(tag, "new name")
    response = client.get("/people/?tag=old-name&page=2")
    assert response.status_code == 301 and response["Location"] == "/people/?tag=new-name&page=2"
    assert client.get("/people/?tag=no-such-tag").status_code == 404


def test_the_tags_index_counts_published_articles_only_most_used_first(client, make_article):
    for status, tags in [("published", ["AI", "芯片"]), ("published", ["AI"]), ("draft", ["AI", "芯片", "草稿"])]:
        make_article(status=status).tags.add(*tags)
    make_article(published_at=timezone.now() + timedelta(days=1)).tags.add("芯片", "将来")
    Person.objects.create(name="Ilya Sutskever").tags.add("研究者")

    index = client.get("/tags/").content.decode()
    listed = re.findall(r'<a href="/tags/[^"]+/">([^<]+)</a> <span class="count">(\d+)', index)
    assert listed == [("AI", "2"), ("芯片", "1"), ("研究者", "0")]


def test_renaming_a_tag_redirects_the_old_address(client, seed_article):
    seed_article.tags.add("AI")
    tag = Tag.objects.get(name="AI")
    rename_tag(tag, "人工智能")
    response = client.get("/tags/ai/")
    assert response.status_code == 301 and response["Location"] == "/tags/%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD/"
    assert list(seed_article.tags.names()) == ["人工智能"]


def test_merging_tags_moves_everything_and_redirects(client, seed_article, make_article):
    other = make_article(title="另一篇")
    seed_article.tags.add("AI", "人工智能")
    other.tags.add("AI")
    person = Person.objects.create(name="Ilya Sutskever")
    person.tags.add("AI")
    target = Tag.objects.get(name="人工智能")

    merge_tags(target=target, others=[Tag.objects.get(name="AI")])

    assert list(seed_article.tags.names()) == ["人工智能"]
    assert list(other.tags.names()) == ["人工智能"] and list(person.tags.names()) == ["人工智能"]
    assert client.get("/tags/ai/").status_code == 301


def test_tags_are_case_insensitive_and_keep_unicode_slugs(seed_article):
    seed_article.tags.add("OpenAI")
    seed_article.tags.add("openai", "深度学习")
    assert sorted(seed_article.tags.names()) == ["OpenAI", "深度学习"]
    assert Tag.objects.get(name="深度学习").slug == "深度学习"


def test_bulk_tagging_from_the_change_list(client, seed_article, make_article):
    other = make_article(title="另一篇")
    client.force_login(User.objects.create_superuser("editor", "e@example.com", "pw"))
    ids = [seed_article.pk, other.pk]
    client.post("/admin/articles/article/", {"action": "change_tags", "_selected_action": ids, "apply": "1",
                                              "add": "人工智能, 离职潮", "remove": ""})  # fmt: skip
    assert sorted(other.tags.names()) == ["人工智能", "离职潮"] and sorted(seed_article.tags.names()) == [
        "人工智能",
        "离职潮",
    ]


def test_publication_page_has_counts_date_range_and_feed(client, seed_article):
    page = client.get(seed_article.publication.get_absolute_url()).content.decode()
    assert "已存档 1 篇文章" in page and "2024年5月17日" in page
    feed = client.get(f"{seed_article.publication.get_absolute_url()}feed/")
    entries = ET.fromstring(feed.content).findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == [seed_article.title]


@pytest.mark.parametrize("url", ["/feed/", "/tags/人工智能/feed/"])
def test_feeds_parse_and_leave_drafts_out(client, seed_article, make_article, url):
    seed_article.tags.add("人工智能")
    make_article(title="草稿 <script>", status=Article.Status.DRAFT).tags.add("人工智能")
    response = client.get(url)
    assert response["Content-Type"].startswith("application/atom+xml")
    titles = [entry.find(f"{ATOM}title").text for entry in ET.fromstring(response.content).findall(f"{ATOM}entry")]
    assert titles == [seed_article.title]


def test_wanted_articles_are_ranked_by_how_many_articles_link_to_them(client, seed_bytes):
    import_document(seed_bytes, filename="seed")
    second = seed_bytes.replace(b"mid=2455853887", b"mid=1111111111", 1).replace(b"# OpenAI", b"# Second OpenAI", 1)
    import_document(second, filename="second")
    client.force_login(User.objects.create_superuser("editor", "e@example.com", "pw"))
    page = client.get("/admin/articles/article/wanted/").content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert "<td>2</td>" in rows[0]
    assert any("这个给 VC 用的 AI" in row for row in rows)


def test_renaming_in_admin_keeps_the_old_address(client, seed_article):
    seed_article.tags.add("old name")
    tag = Tag.objects.get(name="old name")
    client.force_login(User.objects.create_superuser("editor", "e@example.com", "pw"))
    client.post(f"/admin/taggit/tag/{tag.pk}/change/", {"name": "new name", "slug": "new-name"})
    response = client.get("/tags/old-name/")
    assert response.status_code == 301 and response["Location"] == "/tags/new-name/"
