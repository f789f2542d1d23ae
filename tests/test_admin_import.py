"""Importing from admin: upload, preview (nothing written), confirm (the same pipeline)."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.models import Article

from .conftest import SEED_PATH

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/articles/article/import/"


@pytest.fixture
def editor(client, settings, tmp_path):
    settings.ARCHIVE_IMPORT_STAGING_DIR = tmp_path / "staging"
    user = User.objects.create_user("editor", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_article", "change_article", "view_article"])
    )
    client.force_login(user)
    return client


def upload(*files):
    return [SimpleUploadedFile(name, data, content_type="text/markdown") for name, data in files]


def test_the_change_list_offers_the_import(editor):
    assert IMPORT_URL in editor.get("/admin/articles/article/").content.decode()


def test_preview_shows_what_would_happen_and_writes_nothing(editor):
    response = editor.post(IMPORT_URL, {"files": upload((SEED_PATH.name, SEED_PATH.read_bytes()), ("empty.md", b""))})
    page = response.content.decode()
    assert response.status_code == 200
    assert "OpenAI 联创 IIya 是谁，为什么要离开 OpenAI？" in page
    assert "wechat:MzIyMDA3MjMwNw==:2455853887:1" in page
    assert "**·END****·******" in page  # the footer split
    assert "related: 这个给 VC 用的 AI，可能要取代投资经理了" in page
    assert "empty.md, line 1: the file is empty" in page
    assert not Article.objects.exists()


def test_confirming_imports_the_staged_files(editor):
    page = editor.post(IMPORT_URL, {"files": upload((SEED_PATH.name, SEED_PATH.read_bytes()))}).content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]

    response = editor.post(IMPORT_URL, {"token": token, "publish": "1", "overwrite": "0"}, follow=True)

    article = Article.objects.get()
    assert article.is_published
    assert f"Created: {SEED_PATH.name}" in response.content.decode()
    again = editor.post(IMPORT_URL, {"token": token, "publish": "1"}, follow=True).content.decode()
    assert "请重新上传" in again


def test_duplicates_are_shown_in_the_preview(editor, seed_article):
    page = editor.post(IMPORT_URL, {"files": upload(("again.md", SEED_PATH.read_bytes()))}).content.decode()
    assert "unchanged" in page and seed_article.title in page


def test_only_editors_who_may_add_articles_can_import(client, settings):
    assert client.get(IMPORT_URL).status_code == 302  # to the login page
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    assert client.get(IMPORT_URL).status_code == 403
