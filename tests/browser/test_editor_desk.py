"""An editor's day at the desk, in Chromium: import, review people, tag and publish, edit with the
live preview (hostile Markdown included), and undo through a revision."""

import re

import pytest
import yaml
from playwright.sync_api import expect

from articles.models import Article
from people.models import Mention
from people.services import import_registry

from ..conftest import SAMPLES, SEED_PATH
from ..desk import PASSWORD, make_editor
from .conftest import ARTIFACTS, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SEED_TITLE = "OpenAI 联创 IIya 是谁，为什么要离开 OpenAI？"
HOSTILE = (
    "\n\n## 编辑补充\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n多伦多大学\n师从 **Geoff Hinton**"
)


@pytest.fixture
def desk(page, live_server, transactional_db, settings, tmp_path):
    settings.ARCHIVE_IMPORT_STAGING_DIR = tmp_path / "staging"
    import_registry(yaml.safe_load((SAMPLES / "people.yaml").read_text(encoding="utf-8")))
    make_editor("wang")
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server.url + "/admin/")
    page.get_by_label("用户名").fill("wang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    return page


def test_an_editor_imports_reviews_publishes_edits_and_restores(desk, live_server):
    page = desk
    expect(page.locator(".waiting-work")).to_contain_text("待处理")
    assert page.locator("#content-main").get_by_text("用户", exact=True).count() == 0  # no user management
    screenshot(page, "desk-dashboard-empty")

    # Import the sample as a draft, through the upload and its preview.
    page.locator("#content-main").get_by_role("link", name="文章", exact=True).last.click()
    page.get_by_role("link", name="导入文章").click()
    page.locator("input[type=file]").set_input_files(str(SEED_PATH))
    page.get_by_label("新文章保存为草稿").check()
    page.get_by_role("button", name="预览").click()
    expect(page.locator(".import-preview")).to_contain_text(SEED_TITLE)
    page.get_by_role("button", name="导入这些文件").click()
    expect(page.locator(".messagelist")).to_contain_text(SEED_PATH.name)
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT

    # The dashboard now has work: confirm the near miss "Yoshua Bengiol" from the review queue.
    page.goto(live_server.url + "/admin/")
    expect(page.locator(".waiting-work")).to_contain_text("待审核的提及")
    screenshot(page, "desk-dashboard")
    page.get_by_role("link", name="待审核的提及").click()
    row = page.locator("#result_list tr", has_text="Yoshua Bengio")
    expect(row.locator("mark")).to_have_text("Yoshua Bengiol")
    row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("confirm")
    page.get_by_role("button", name="执行").click()
    expect(page.locator(".messagelist")).to_contain_text("已确认 1 条提及")
    screenshot(page, "desk-mention-review")
    assert article.mentions.get(person__name="Yoshua Bengio").status == Mention.Status.CONFIRMED

    # Tag (existing tags are offered while typing) and publish.
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    tags = page.locator("#id_tags")
    tags.press_sequentially("人工")
    expect(page.locator("#id_tags-suggestions option").first).to_have_attribute("value", re.compile("人工智能"))
    tags.fill("人工智能, OpenAI")
    page.locator("#id_status").select_option("published")
    page.get_by_role("button", name="保存并继续编辑").click()
    expect(page.locator(".messagelist")).to_contain_text("成功")
    article.refresh_from_db()
    assert article.is_published and set(article.tags.names()) == {"人工智能", "OpenAI"}

    # Edit the body: the preview follows the typing, and hostile Markdown stays inert.
    body = page.locator("textarea#id_body")
    body.press("Control+End")
    body.press_sequentially(HOSTILE, delay=5)
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("h2", has_text="编辑补充")).to_be_visible()
    expect(preview).to_contain_text("多伦多大学师从")
    expect(preview.locator("strong", has_text="Geoff Hinton")).to_be_visible()
    assert preview.locator("img[onerror], script, [href^='javascript' i], [src^='javascript' i]").count() == 0
    if preview.get_by_role("link", name="x", exact=True).count():
        preview.get_by_role("link", name="x", exact=True).click()
    # Typing at the end of a long article: the preview has followed down to what is typed.
    expect(preview.locator("h2", has_text="编辑补充")).to_be_in_viewport()
    # The editor and its preview only: the whole form is a very long page.
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator(".field-body").screenshot(path=ARTIFACTS / f"desk-article-preview-{width}.png")
    page.get_by_role("button", name="保存并继续编辑").click()
    expect(page.locator(".messagelist")).to_contain_text("成功")
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(".prose h2", has_text="编辑补充")).to_be_visible()

    # Undo the edit: the revision saved when publishing, its difference, and restore.
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/history/")
    screenshot(page, "desk-history")
    page.locator("#change-history tbody tr").nth(1).get_by_role("link").first.click()
    expect(page.locator(".line-diff .diff-removed", has_text="## 编辑补充")).to_be_visible()
    screenshot(page, "desk-revision")
    page.get_by_role("button", name="恢复这个修订").click()
    expect(page.locator(".messagelist")).to_contain_text("已恢复")
    article.refresh_from_db()
    assert "编辑补充" not in article.body and article.is_published
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("article h1")).to_have_text(SEED_TITLE)
    assert page.locator(".prose h2", has_text="编辑补充").count() == 0

    assert page.dialogs == []
    assert page.console_errors == []
