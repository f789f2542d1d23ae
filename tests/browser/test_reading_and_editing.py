"""An editor, end to end, in Chromium."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from articles.importer import import_document
from articles.models import Article

from ..conftest import SEED_PATH
from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SEED_TITLE = "OpenAI 联创 IIya 是谁，为什么要离开 OpenAI？"


@pytest.fixture
def seed(transactional_db):
    return import_document(SEED_PATH.read_bytes(), filename=SEED_PATH.name).article


def test_an_editor_logs_in_edits_in_the_markdown_editor_and_publishes(page, live_server, seed):
    User.objects.create_superuser("editor", "editor@example.com", "a-long-test-password")
    Article.objects.filter(pk=seed.pk).update(status=Article.Status.DRAFT)

    page.goto(live_server.url + "/admin/")
    page.get_by_label("用户名").fill("editor")
    page.get_by_label("密码").fill("a-long-test-password")
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/admin/articles/article/{seed.pk}/change/")
    expect(page.locator("#id_title")).to_have_value(SEED_TITLE)

    body = page.locator("textarea#id_body")
    body.fill("## 新的小标题\n\n<script>alert(1)</script>多伦多大学\n师从 **Geoff Hinton**")
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("h2")).to_have_text("新的小标题")
    expect(preview.locator("strong")).to_have_text("Geoff Hinton")
    expect(preview).to_contain_text("多伦多大学师从")
    assert preview.locator("script").count() == 0
    screenshot(page, "admin-article-change")

    page.locator("#id_status").select_option("published")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("成功")

    page.goto(live_server.url + seed.get_absolute_url())
    expect(page.locator(".prose h2")).to_have_text("新的小标题")
    assert page.console_errors == []


def test_an_editor_imports_a_file_through_admin(page, live_server, transactional_db, settings, tmp_path):
    settings.ARCHIVE_IMPORT_STAGING_DIR = tmp_path / "staging"
    User.objects.create_superuser("editor", "editor@example.com", "a-long-test-password")
    page.goto(live_server.url + "/admin/login/?next=/admin/articles/article/")
    page.get_by_label("用户名").fill("editor")
    page.get_by_label("密码").fill("a-long-test-password")
    page.get_by_role("button", name="登录").click()

    page.get_by_role("link", name="导入文章").click()
    page.locator("input[type=file]").set_input_files(str(SEED_PATH))
    page.get_by_role("button", name="预览").click()
    expect(page.locator(".import-preview")).to_contain_text(SEED_TITLE)
    expect(page.locator(".import-preview")).to_contain_text("created")
    screenshot(page, "admin-import-preview")
    assert not Article.objects.exists()

    page.get_by_role("button", name="导入这些文件").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Created: {SEED_PATH.name}")
    expect(page.locator("#result_list")).to_contain_text(SEED_TITLE)
    assert Article.objects.get().is_published
    assert page.console_errors == []
