"""Nothing is lost: every editor's save and every re-import keeps a revision; editors compare and restore."""

import importlib
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.importer import ImportOptions, import_document
from articles.models import Article, ArticleRedirect

from .conftest import SEED_PATH
from .desk import change_form, make_editor
from .test_graph import TARGET_FORMS, target_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    client.force_login(make_editor())
    return client


def edit(client, article, **changes):
    form = change_form(client, article)
    form.update(changes)
    response = client.post(f"/admin/articles/article/{article.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    article.refresh_from_db()
    return article


def revision_url(article, revision) -> str:
    return f"/admin/articles/article/{article.pk}/history/{revision.history_id}/"


def test_an_editors_save_keeps_a_revision_with_who_and_what(editor, seed_article):
    imported_body = seed_article.body
    edit(editor, seed_article, title="新的标题")
    latest = seed_article.history.latest()
    assert latest.history_user.username == "editor" and latest.title == "新的标题"
    # The browser sent the body back with CRLF line ends: it is still the imported text.
    assert seed_article.body == imported_body
    page = editor.get(f"/admin/articles/article/{seed_article.pk}/history/").content.decode()
    [newest] = re.findall(r'<ul class="revision-delta">(.*?)</ul>', page, re.S)
    assert re.findall(r"<strong>(.*?)</strong>", newest) == ["标题"]
    assert f"<del>{seed_article.history.earliest().title}</del> → <ins>新的标题</ins>" in newest
    assert "editor" in page and "从 000_5ed6fe22a0f5a53e.txt 导入" in page


def test_a_reimport_keeps_a_revision_saying_so_and_an_unchanged_one_none(seed_bytes):
    article = import_document(seed_bytes, filename="first.md").article
    assert article.history.count() == 1
    assert import_document(seed_bytes, filename="again.md").outcome == "unchanged"
    assert article.history.count() == 1

    changed = seed_bytes.replace("前天，".encode(), "大前天，".encode())
    assert import_document(changed, filename="exports/changed.md").outcome == "updated"

    latest = article.history.latest()
    assert article.history.count() == 2
    assert latest.history_change_reason == "从 exports/changed.md 导入" and latest.history_user is None
    assert latest.body.startswith("大前天，") and latest.source_filename == "exports/changed.md"


def test_rendering_again_keeps_no_revision(seed_bytes):
    seed = import_document(seed_bytes, filename="seed").article
    before = seed.history.count()
    target = import_document(target_document(TARGET_FORMS[0]), filename="target").article
    seed.refresh_from_db()
    assert target.get_absolute_url() in seed.body_html  # the seed was rendered again …
    assert seed.history.count() == before  # … which is not a revision


def test_a_revision_shows_what_restoring_it_would_change(editor, seed_article):
    first = seed_article.history.latest()
    edit(editor, seed_article, body="## 编辑后的小标题\n\n编辑写的新段落。\n\n" + seed_article.body, status="draft")

    page = editor.get(revision_url(seed_article, first)).content.decode()

    assert '<span class="diff-removed">## 编辑后的小标题</span>' in page
    assert '<span class="diff-removed">编辑写的新段落。</span>' in page
    assert re.search(r"<del>草稿</del></td>\s*<td><ins>已发布</ins>", page)
    assert "从 000_5ed6fe22a0f5a53e.txt 导入" in page
    assert 'value="恢复这个修订"' in page


def test_restoring_brings_back_the_text_renders_it_and_keeps_a_revision(editor, seed_article):
    original = seed_article.history.latest()
    original_html = seed_article.body_html
    edit(editor, seed_article, body="## 编辑后的版本\n\n短文。", title="改过的标题", slug="改过的网址")
    assert "编辑后的版本" in seed_article.body_html

    response = editor.post(revision_url(seed_article, original), follow=True)

    assert response.redirect_chain[-1][0] == f"/admin/articles/article/{seed_article.pk}/change/"
    assert "已恢复" in response.content.decode()
    seed_article.refresh_from_db()
    assert seed_article.body == original.body and seed_article.title == original.title
    assert seed_article.body_html == original_html and "编辑后的版本" not in seed_article.body_html
    restored = seed_article.history.latest()
    assert restored.history_user.username == "editor" and restored.history_change_reason.startswith("已恢复")
    assert seed_article.history.count() == 3
    # The address the article had in between still leads to it.
    assert ArticleRedirect.objects.get(slug="改过的网址").target == seed_article


def test_a_restore_that_no_longer_fits_is_refused_and_changes_nothing(editor, seed_article, make_article):
    original = seed_article.history.latest()
    edit(editor, seed_article, slug="新网址", title="改过的标题")
    make_article(title="另一篇", slug=original.slug)  # the old address belongs to someone else now

    page = editor.post(revision_url(seed_article, original), follow=True).content.decode()

    assert "已存在" in page
    seed_article.refresh_from_db()
    assert seed_article.slug == "新网址" and seed_article.title == "改过的标题"
    assert seed_article.history.count() == 2


def test_readers_of_the_history_cannot_restore(client, seed_article):
    first = seed_article.history.latest()
    seed_article.title = "改过"
    seed_article.save()
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    page = client.get(revision_url(seed_article, first)).content.decode()
    assert "<del>改过</del>" in page and 'value="恢复这个修订"' not in page
    assert client.post(revision_url(seed_article, first)).status_code == 403
    seed_article.refresh_from_db()
    assert seed_article.title == "改过"


def test_hostile_text_in_a_revision_is_shown_as_text(editor, seed_article):
    first = seed_article.history.latest()
    edit(editor, seed_article, body='<script>alert(1)</script>\n<img src=x onerror="alert(2)">\n' + "正文" * 80)
    page = editor.get(revision_url(seed_article, first)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "<img src=x" not in page


def test_the_history_costs_the_same_with_3_and_30_revisions(editor, seed_article):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert editor.get(f"/admin/articles/article/{seed_article.pk}/history/").status_code == 200
        return len(queries)

    for number in range(2):
        seed_article.title = f"标题 {number}"
        seed_article.save()
    few = count()
    for number in range(27):
        seed_article.title = f"标题 {number + 2}"
        seed_article.save()
    assert seed_article.history.count() == 30
    assert count() == few


def test_articles_from_before_revisions_get_a_first_one(seed_bytes):
    from django.apps import apps

    migration = importlib.import_module("articles.migrations.0003_article_history")
    article = import_document(seed_bytes, filename=SEED_PATH.name, options=ImportOptions()).article
    Article.history.all().delete()

    migration.keep_a_first_revision(apps, None)

    [first] = article.history.all()
    assert first.history_type == "+" and first.body == article.body and first.title == article.title


def test_a_form_save_that_leaves_the_body_alone_lets_a_reimport_update_it(editor, seed_bytes):
    seed = import_document(seed_bytes, filename="seed").article
    edit(editor, seed, excerpt="编辑写的摘要")
    result = import_document(seed_bytes.replace("前天，".encode(), "大前天，".encode()), filename="changed")
    assert result.outcome == "updated" and not any("kept the body" in warning for warning in result.warnings)
    seed.refresh_from_db()
    assert seed.body.startswith("大前天，") and seed.excerpt == "编辑写的摘要"
