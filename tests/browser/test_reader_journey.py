"""A reader's way through the site in Chromium: every page type looked at, checked for accessibility and errors."""

import re
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.importer import import_document

from ..conftest import SAMPLES, SEED_PATH
from .conftest import accessibility_violations, csp_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SEED_TITLE = "OpenAI 联创 IIya 是谁，为什么要离开 OpenAI？"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def seed(transactional_db):
    call_command("import_people", str(SAMPLES / "people.yaml"), stdout=StringIO())
    article = import_document(SEED_PATH.read_bytes(), filename=SEED_PATH.name).article
    article.tags.add("人工智能", "OpenAI")
    return article


def test_a_reader_goes_home_article_person_tag_publication_and_feed(page, live_server, seed, axe_source):
    findings: dict[str, list[str]] = {}

    def look(name: str) -> None:
        """Screenshots at phone and desktop width, and what axe and the CSP found on this page."""
        screenshot(page, name)
        findings[name] = accessibility_violations(page, axe_source) + csp_violations(page)

    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("最新文章")
    expect(page.get_by_role("complementary")).to_contain_text("Ilya Sutskever")
    look("home")

    page.get_by_role("link", name=SEED_TITLE).click()
    expect(page.locator("article h1")).to_have_text(SEED_TITLE)
    expect(page.get_by_role("link", name="阅读原文")).to_have_attribute("href", re.compile(r"^http://mp\.weixin"))
    expect(page.locator(".article-body img").first).to_have_attribute("referrerpolicy", "no-referrer")
    # Hard-wrapped lines were joined: no stray space inside the Chinese sentence.
    expect(page.locator(".article-body")).to_contain_text("没有人能跟 Sam Altman 说上话。")
    footer = page.locator(".original-footer .prose")
    expect(footer).to_be_hidden()
    page.get_by_text("原文结尾").click()
    expect(footer).to_contain_text("Memo")
    look("article")

    page.locator(".article-people").get_by_role("link", name="Ilya Sutskever").click()
    expect(page.locator("h1")).to_contain_text("Ilya Sutskever")
    expect(page.get_by_role("link", name=SEED_TITLE)).to_be_visible()
    look("person")

    page.get_by_role("navigation", name="栏目").get_by_role("link", name="人物").click()
    expect(page.locator("h1")).to_have_text("人物")
    look("people")

    page.get_by_role("navigation", name="栏目").get_by_role("link", name="标签").click()
    expect(page.locator("h1")).to_have_text("标签")
    look("tags")

    page.locator(".tag-cloud").get_by_role("link", name="人工智能", exact=True).click()
    expect(page.locator("h1")).to_contain_text("人工智能")
    look("tag")

    page.get_by_role("link", name=SEED_TITLE).click()
    page.locator("article .meta").get_by_role("link", name="投资实习所").click()
    expect(page.locator("h1")).to_have_text("投资实习所")
    look("publication")

    page.get_by_role("search").get_by_role("searchbox").fill("对齐")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("对齐")
    expect(page.get_by_role("link", name=SEED_TITLE)).to_be_visible()
    expect(page.locator(".card-summary mark").first).to_have_text("对齐")
    look("search")

    page.get_by_role("searchbox").fill("马斯克")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("region", name="人物").get_by_role("link", name="Elon Musk")).to_be_visible()
    expect(page.get_by_role("link", name=SEED_TITLE)).to_be_visible()

    feed = page.goto(live_server.url + "/feed/")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    entries = ET.fromstring(feed.body()).findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [SEED_TITLE]

    page.goto(live_server.url + "/articles/no-such-article/")
    expect(page.locator("h1")).to_have_text("找不到这个页面")
    look("not-found")

    assert findings == {name: [] for name in findings}
    assert page.console_errors == []
    assert page.failed_requests == [f"404 {live_server.url}/articles/no-such-article/"]


def test_the_accessibility_check_finds_what_it_should(page, axe_source):
    page.set_content('<html><body><img src="x.png"><input type="text"><a href="/"></a></body></html>')
    found = {finding.split(" ")[0] for finding in accessibility_violations(page, axe_source)}
    assert {"image-alt", "label", "link-name"} <= found


def test_each_count_of_articles_keeps_to_its_persons_row_beside_the_home_page(page, live_server, seed):
    """However long a name (and its native spelling), its count stays on the row's first line:
    floated after the name, it dropped below a name that filled the line, beside the next person."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/")
        rows = page.locator(".ranking li").all()
        assert len(rows) >= 5
        for row in rows:
            row_box, count_box = row.bounding_box(), row.locator(".count").bounding_box()
            assert count_box["y"] < row_box["y"] + count_box["height"] / 2, (width, row.inner_text())
