"""What other programs read: sitemaps, robots.txt, link previews (OpenGraph), JSON-LD, canonical links, 304s."""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.importer import import_document
from articles.models import Article
from tests.conftest import SAMPLES, SEED_PATH

pytestmark = pytest.mark.django_db
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def seed(seed_bytes):
    call_command("import_people", str(SAMPLES / "people.yaml"), stdout=StringIO())
    article = import_document(seed_bytes, filename=SEED_PATH.name).article
    article.tags.add("人工智能")
    return article


class HeadReader(HTMLParser):
    """The <meta>, <link> and JSON-LD a crawler reads from a page's head."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, str] = {}
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            self.meta.setdefault(attrs.get("property") or attrs["name"], []).append(attrs.get("content"))
        elif tag == "link" and attrs.get("rel"):
            self.links.setdefault(attrs["rel"], attrs["href"])
        self._in_json_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(data)


def read_head(client, url, **headers) -> HeadReader:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    reader = HeadReader()
    reader.feed(response.content.decode())
    return reader


def sitemap_locations(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    return [element.text for element in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]


def test_the_sitemap_lists_every_public_page_and_no_draft(client, seed, make_article):
    draft = make_article(title="草稿", status=Article.Status.DRAFT)
    sections = sitemap_locations(client, "/sitemap.xml")
    assert sorted(sections) == sorted(
        f"http://testserver/sitemap-{name}.xml" for name in ("articles", "people", "tags", "publications")
    )
    addresses = [loc for section in sections for loc in sitemap_locations(client, section)]
    ilya = seed.mentions.get(person__name="Ilya Sutskever").person
    for page in (seed, ilya, seed.publication):
        assert f"http://testserver{page.get_absolute_url()}" in addresses
    assert "http://testserver" + reverse("articles:tag", args=["人工智能"]) in addresses
    assert f"http://testserver{draft.get_absolute_url()}" not in addresses
    assert len(addresses) == len(set(addresses))


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_admin(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Disallow: /admin/" in text and "Sitemap: http://testserver/sitemap.xml" in text.splitlines()


def test_an_article_page_has_a_link_preview_and_json_ld(client, seed):
    head = read_head(client, seed.get_absolute_url())
    url = f"http://testserver{seed.get_absolute_url()}"
    assert head.links["canonical"] == url and head.meta["og:url"] == [url]
    assert head.meta["og:type"] == ["article"] and head.meta["og:title"] == [seed.title]
    assert head.meta["og:image"] == [seed.cover_url] and head.meta["twitter:card"] == ["summary_large_image"]
    assert head.meta["article:published_time"] == ["2024-05-17T12:58:00+08:00"]
    assert head.meta["article:tag"] == ["人工智能"]
    assert head.meta["og:description"][0].startswith("前天，OpenAI 联合创始人")

    [data] = [json.loads(text) for text in head.json_ld]
    assert data["@type"] == "Article" and data["headline"] == seed.title and data["url"] == url
    assert data["datePublished"] == "2024-05-17T12:58:00+08:00"
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "投资实习所",
        "url": f"http://testserver{seed.publication.get_absolute_url()}",
    }
    people = {person["name"] for person in data["about"]}
    assert {"Ilya Sutskever", "Sam Altman"} <= people and "Satya Nadella" not in people  # confirmed only
    assert data["isBasedOn"] == seed.source_url and data["keywords"] == ["人工智能"]


HOSTILE_TITLE = """</script><script>alert("x")</script><!-- & "quotes" 'too' <b>"""


def test_hostile_titles_cannot_break_out_of_the_head(client, seed):
    seed.title = HOSTILE_TITLE
    seed.save()
    page = client.get(seed.get_absolute_url()).content.decode()
    head = page.split("</head>")[0]
    assert "<script>alert" not in page and "<b>" not in head
    [json_ld] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert "<" not in json_ld and json.loads(json_ld)["headline"] == HOSTILE_TITLE
    reader = HeadReader()
    reader.feed(page)
    assert reader.meta["og:title"] == [HOSTILE_TITLE] and reader.meta["twitter:title"] == [HOSTILE_TITLE]


def test_person_tag_and_publication_pages_have_previews_and_feeds(client, seed):
    ilya = seed.mentions.get(person__name="Ilya Sutskever").person
    pages = {
        ilya.get_absolute_url(): ("profile", ilya.name, reverse("people:feed", args=[ilya.slug])),
        reverse("articles:tag", args=["人工智能"]): (
            "website",
            "人工智能",
            reverse("articles:tag-feed", args=["人工智能"]),
        ),
        seed.publication.get_absolute_url(): (
            "website",
            "投资实习所",
            reverse("articles:publication-feed", args=[seed.publication.slug]),
        ),
    }
    for url, (kind, title, feed) in pages.items():
        head = read_head(client, url)
        assert head.meta["og:type"] == [kind] and head.meta["og:title"] == [title]
        assert head.links["canonical"] == f"http://testserver{url}"
        feeds = re.findall(
            r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', client.get(url).content.decode()
        )
        assert feeds == [feed, "/feed/"]


def test_canonical_addresses_drop_tracking_parameters_but_keep_the_page(client, seed, make_article):
    for number in range(25):
        make_article(title=f"文章 {number}")
    assert read_head(client, "/?utm_source=wechat&from=timeline").links["canonical"] == "http://testserver/"
    assert read_head(client, "/?page=1").links["canonical"] == "http://testserver/"
    assert read_head(client, "/?page=2&utm_medium=x").links["canonical"] == "http://testserver/?page=2"


def test_a_repeat_visit_to_an_unchanged_article_is_answered_with_304(client, seed):
    first = client.get(seed.get_absolute_url())
    assert first.status_code == 200 and first["ETag"]
    assert client.get(seed.get_absolute_url(), headers={"if-none-match": first["ETag"]}).status_code == 304

    seed.mentions.filter(person__name="Satya Nadella").update(status="confirmed")  # the page changes
    changed = client.get(seed.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
