"""Roles: an editor does the desk's work but cannot manage users or groups; anonymous visitors get nothing."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from .desk import PASSWORD, make_editor

pytestmark = pytest.mark.django_db

EVERYTHING = {"add", "change", "delete", "view"}
EXPECTED_PERMISSIONS = {
    ("articles", "article"): EVERYTHING,
    ("articles", "publication"): EVERYTHING,
    ("articles", "link"): EVERYTHING,
    ("articles", "articlekey"): EVERYTHING,
    ("articles", "mirroredimage"): {"view"},
    ("taggit", "tag"): EVERYTHING,
    ("people", "person"): EVERYTHING,
    ("people", "alias"): EVERYTHING,
    ("people", "mention"): EVERYTHING,
    ("people", "namecandidate"): {"view", "change"},
}


def desk_urls(article) -> list[str]:
    return [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        "/admin/articles/article/import/",
        "/admin/articles/article/wanted/",
        "/admin/articles/article/duplicates/",
        f"/admin/articles/article/{article.pk}/change/",
        f"/admin/articles/article/{article.pk}/history/",
        f"/admin/articles/article/{article.pk}/history/{article.history.latest().history_id}/",
        f"/admin/articles/article/{article.pk}/delete/",
        "/admin/articles/publication/",
        "/admin/articles/mirroredimage/",
        "/admin/people/person/",
        "/admin/people/person/add/",
        "/admin/people/mention/",
        "/admin/people/namecandidate/",
        "/admin/taggit/tag/",
        "/admin/taggit/tag/suggest/?term=AI",
    ]


def test_the_editors_group_has_exactly_the_permissions_the_desk_needs():
    granted: dict[tuple[str, str], set[str]] = {}
    for permission in Group.objects.get(name="Editors").permissions.select_related("content_type"):
        action = permission.codename.removesuffix(f"_{permission.content_type.model}")
        granted.setdefault((permission.content_type.app_label, permission.content_type.model), set()).add(action)
    assert granted == EXPECTED_PERMISSIONS


def test_an_editor_reaches_every_page_of_the_desk(client, seed_article):
    client.force_login(make_editor())
    for url in desk_urls(seed_article):
        assert client.get(url).status_code == 200, url


def test_an_editor_cannot_manage_users_or_groups(client):
    editor = make_editor()
    other = User.objects.create_user("someone")
    client.force_login(editor)
    for url in [
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        f"/admin/auth/user/{editor.pk}/change/",
        f"/admin/auth/user/{other.pk}/password/",
        "/admin/auth/group/",
        "/admin/auth/group/add/",
    ]:
        assert client.get(url).status_code == 403, url
    # Nor make themselves a superuser by posting to their own record.
    response = client.post(f"/admin/auth/user/{editor.pk}/change/", {"username": "editor", "is_superuser": "on"})
    assert response.status_code == 403
    editor.refresh_from_db()
    assert not editor.is_superuser
    assert "/admin/auth/" not in client.get("/admin/").content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client, seed_article):
    for url in desk_urls(seed_article):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    for url in ["/markdownx/markdownify/", "/markdownx/upload/"]:
        response = client.post(url, {"content": "**x**"})
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url


def test_staff_without_the_role_cannot_edit_articles(client, seed_article):
    client.force_login(User.objects.create_user("intern", is_staff=True))
    assert client.get("/admin/articles/article/").status_code == 403
    assert client.get(f"/admin/articles/article/{seed_article.pk}/change/").status_code == 403
    assert client.post("/markdownx/upload/").status_code == 403


def test_create_editor_makes_a_staff_member_of_the_editors_group(monkeypatch, client):
    monkeypatch.setenv("EDITOR_PASSWORD", PASSWORD)
    out = StringIO()
    call_command("create_editor", "wang", "--email", "wang@example.com", "--no-input", stdout=out)
    user = User.objects.get(username="wang")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert "Editor wang created" in out.getvalue()
    login = client.post("/admin/login/?next=/admin/", {"username": "wang", "password": PASSWORD})
    assert login.status_code == 302 and login["Location"] == "/admin/"
    assert client.get("/admin/articles/article/").status_code == 200


def test_create_editor_refuses_weak_passwords_and_existing_names(monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", "123")
    with pytest.raises(CommandError, match="EDITOR_PASSWORD"):
        call_command("create_editor", "wang", "--no-input", stdout=StringIO())
    assert not User.objects.filter(username="wang").exists()
    User.objects.create_user("li")
    monkeypatch.setenv("EDITOR_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_editor", "li", "--no-input", stdout=StringIO())
