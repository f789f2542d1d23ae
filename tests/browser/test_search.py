"""A reader searches, in Chromium: the labelled box, highlighted results, a person, a facet."""

import pytest
from playwright.sync_api import expect

from articles.importer import import_document
from people.models import Alias, Mention, Person

from ..conftest import SEED_PATH
from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SEED_TITLE = "OpenAI 联创 IIya 是谁，为什么要离开 OpenAI？"


def test_a_reader_searches_by_word_and_by_name_and_narrows_by_year(page, live_server, transactional_db):
    seed = import_document(SEED_PATH.read_bytes(), filename=SEED_PATH.name).article
    musk = Person.objects.create(name="Elon Musk", native_name="埃隆·马斯克")
    Alias.objects.create(person=musk, text="马斯克")
    Mention.objects.create(article=seed, person=musk, status=Mention.Status.CONFIRMED)

    page.goto(live_server.url + "/search/")
    box = page.get_by_label("搜索标题、正文和人物")
    expect(box).to_be_focused()
    box.fill("对齐")
    box.press("Enter")
    expect(page.locator("h1")).to_have_text("“对齐”的搜索结果")
    expect(page.get_by_role("status")).to_have_text("找到 1 篇文章")
    expect(page.get_by_role("link", name=SEED_TITLE)).to_be_visible()
    expect(page.locator(".card-summary mark").first).to_have_text("对齐")
    screenshot(page, "search")

    page.get_by_role("navigation", name="筛选结果").get_by_role("link", name="2024").click()
    expect(page).to_have_url(f"{live_server.url}/search/?q=%E5%AF%B9%E9%BD%90&year=2024")
    expect(page.get_by_role("link", name=SEED_TITLE)).to_be_visible()

    page.get_by_label("搜索标题、正文和人物").fill("马斯克")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("region", name="人物").get_by_role("link", name="Elon Musk 埃隆·马斯克")).to_be_visible()

    page.get_by_label("搜索标题、正文和人物").fill("火星殖民")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".empty")).to_contain_text("没有已发布的文章同时包含这些词")
    screenshot(page, "search-nothing-found")
    assert page.console_errors == []
    assert page.failed_requests == []
