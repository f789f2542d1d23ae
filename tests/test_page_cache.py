"""Cached public pages: served from the cache (local memory, and the real Redis), and never stale
after an edit, a re-import, a confirmed mention or a renamed tag; never for editors."""

import time
import uuid
from datetime import timedelta
from io import StringIO

import pytest
import redis
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone
from taggit.models import Tag

from articles import page_cache
from articles.importer import import_document
from articles.models import Article, PageCacheVersion, PublicQuerySet
from people.models import Mention, Person

from .live import redis_url

pytestmark = pytest.mark.django_db
# The cache is told about writes when they commit: tests of expiry need real commits.
committing = pytest.mark.django_db(transaction=True)
both_caches = pytest.mark.parametrize("page_cache_on", ["local memory", "redis"], indirect=True)


@pytest.fixture
def page_cache_on(request, settings):
    """The page cache on, in local memory or (parametrized) in the real Redis."""
    backend = getattr(request, "param", "local memory")
    if backend == "redis":
        prefix = f"test-{uuid.uuid4().hex}"
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url(),
                "KEY_PREFIX": prefix,
            }
        }
    else:
        cache.clear()
    settings.ARCHIVE_PAGE_CACHE_SECONDS = 600
    yield backend
    if backend == "redis":
        server = redis.Redis.from_url(redis_url())
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)


def fetch(client, url, **headers):
    """The response, and whether it came from the cache: a cached page costs one query, the version."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode(), len(queries) == 1


def cached(client, url):
    """Render ``url`` once, then show that the next request is answered from the cache."""
    fetch(client, url)
    page, from_cache = fetch(client, url)
    assert from_cache, url
    return page


@pytest.fixture
def editor_client():
    editor = Client()
    editor.force_login(User.objects.create_superuser("editor", "editor@example.com", "pw"))
    return editor


@both_caches
def test_a_cached_page_is_shared_and_says_so(client, seed_article, page_cache_on):
    response = client.get(seed_article.get_absolute_url())
    assert response["Cache-Control"] == "public, max-age=60"
    page = cached(client, seed_article.get_absolute_url())
    assert seed_article.title in page
    assert client.get(seed_article.get_absolute_url())["Cache-Control"] == "public, max-age=60"


@committing
@both_caches
def test_a_title_changed_in_admin_shows_on_the_next_request(client, editor_client, make_article, page_cache_on):
    article = make_article(title="旧标题")
    assert "旧标题" in cached(client, "/") and "旧标题" in cached(client, article.get_absolute_url())

    form = {
        "title": "新标题", "slug": article.slug, "status": "published", "publication": article.publication_id,
        "published_at_0": "2024-01-01", "published_at_1": "12:00:00", "tags": "", "body": article.body,
        "excerpt": "", "cover_url": "", "location": "", "source_url": "", "footer": "",
        "keys-TOTAL_FORMS": "0", "keys-INITIAL_FORMS": "0", "links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0",
        "mentions-TOTAL_FORMS": "0", "mentions-INITIAL_FORMS": "0",
    }  # fmt: skip
    assert editor_client.post(f"/admin/articles/article/{article.pk}/change/", form).status_code == 302

    for url in ["/", article.get_absolute_url(), article.publication.get_absolute_url()]:
        page, from_cache = fetch(client, url)
        assert "新标题" in page and "旧标题" not in page and not from_cache, url


@committing
def test_a_reimport_shows_on_the_next_request(client, seed_bytes, seed_article, page_cache_on):
    assert "河北" in cached(client, seed_article.get_absolute_url())
    import_document(seed_bytes.replace("河北".encode(), "北京".encode(), 1), filename="seed")
    page, _ = fetch(client, seed_article.get_absolute_url())
    assert "北京" in page and "河北" not in page


@committing
@both_caches
def test_a_mention_confirmed_in_admin_shows_on_the_next_request(client, editor_client, seed_article, page_cache_on):
    person = Person.objects.create(name="某位科学家")
    mention = Mention.objects.create(article=seed_article, person=person, status=Mention.Status.SUGGESTED)
    assert seed_article.title not in cached(client, person.get_absolute_url())
    assert person.name not in cached(client, seed_article.get_absolute_url())

    editor_client.post("/admin/people/mention/", {"action": "confirm", "_selected_action": [mention.pk]})

    assert seed_article.title in fetch(client, person.get_absolute_url())[0]
    assert person.name in fetch(client, seed_article.get_absolute_url())[0]


@committing
def test_a_tag_renamed_in_admin_shows_on_the_next_request(client, editor_client, seed_article, page_cache_on):
    seed_article.tags.add("旧名字")
    assert "旧名字" in cached(client, "/tags/") and "旧名字" in cached(client, seed_article.get_absolute_url())
    tag = Tag.objects.get(name="旧名字")

    editor_client.post(f"/admin/taggit/tag/{tag.pk}/change/", {"name": "新名字", "slug": "新名字"})

    for url in ["/tags/", seed_article.get_absolute_url(), "/tags/新名字/"]:
        page, _ = fetch(client, url)
        assert "新名字" in page and "旧名字" not in page, url


@committing
def test_bulk_writes_from_admin_actions_show_on_the_next_request(client, editor_client, seed_article, page_cache_on):
    assert seed_article.title in cached(client, "/")
    editor_client.post("/admin/articles/article/", {"action": "unpublish", "_selected_action": [seed_article.pk]})
    assert seed_article.title not in fetch(client, "/")[0]
    assert client.get(seed_article.get_absolute_url()).status_code == 404


@committing
def test_every_kind_of_write_expires_cached_pages(client, seed_article, page_cache_on):
    seed_article.tags.add("老标签")
    Mention.objects.create(article=seed_article, person=Person.objects.create(name="老人"), status="confirmed")
    edits = {
        "tag added": lambda: seed_article.tags.add("新标签"),
        "tags cleared": lambda: seed_article.tags.clear(),
        "links bulk changed": lambda: seed_article.links.update(text="新的链接文字"),
        "person bulk renamed": lambda: Person.objects.filter(name="老人").update(name="新人"),
        "mention deleted": lambda: seed_article.mentions.get().delete(),
        "article deleted": lambda: Article.objects.filter(pk=seed_article.pk).delete(),
    }
    for name, edit in edits.items():
        cached(client, "/")
        before = PageCacheVersion.current()
        edit()
        assert PageCacheVersion.current() != before, name
        assert not fetch(client, "/")[1], name


@committing
def test_a_transaction_renews_the_version_once_after_it_commits(seed_article):
    before = PageCacheVersion.current()
    with transaction.atomic():
        seed_article.title = "改过的标题"
        seed_article.save()
        seed_article.tags.add("一", "二")
        assert len(connection.run_on_commit) == 1
        assert PageCacheVersion.current() == before  # not before the commit
    assert PageCacheVersion.current() != before


@committing
def test_writes_in_a_batch_renew_at_once_then_at_most_every_few_seconds_and_at_its_end(seed_article):
    before, renewals = PageCacheVersion.current(), []
    with PageCacheVersion.renewed_at_most_every(60):
        for title in ("一改", "二改", "三改"):
            seed_article.title = title
            seed_article.save()
            renewals.append(PageCacheVersion.current())
    assert before != renewals[0] == renewals[1] == renewals[2] != PageCacheVersion.current()

    with PageCacheVersion.renewed_at_most_every(0):
        seed_article.tags.add("一")
        first = PageCacheVersion.current()
        seed_article.tags.add("二")
        assert PageCacheVersion.current() != first


@committing
def test_a_renewal_held_back_in_a_batch_is_released_when_due_though_nothing_else_is_written(seed_article):
    with PageCacheVersion.renewed_at_most_every(1) as renewals:
        seed_article.tags.add("一")  # renewed at once
        first = PageCacheVersion.current()
        seed_article.tags.add("二")  # held back
        renewals.release_if_due()
        assert PageCacheVersion.current() == first
        time.sleep(1.1)  # then only unchanged files, say
        renewals.release_if_due()
        released = PageCacheVersion.current()
        assert released != first
    assert PageCacheVersion.current() == released  # nothing left to renew at the end


@committing
@pytest.mark.parametrize(("batch_size", "expected_renewals"), [(1, 2), (50, 1)])
def test_a_batch_import_expires_cached_pages_at_its_start_and_end_not_after_every_file(
    client, seed_article, page_cache_on, monkeypatch, tmp_path, batch_size, expected_renewals
):
    """File by file: at the first file's commit, then once at the end for the two held back.
    In one batch of the import command: once, at the batch's commit."""
    monkeypatch.setattr("articles.management.commands.import_article.BATCH_SIZE", batch_size)
    renewals = []
    renew = PageCacheVersion.renew
    monkeypatch.setattr(PageCacheVersion, "renew", classmethod(lambda cls: renewals.append(1) or renew()))
    # However slowly this machine imports the three files: none of the held renewals comes due.
    monkeypatch.setattr("articles.management.commands.import_article.BATCH_CACHE_RENEWAL_SECONDS", 3600)
    home = cached(client, "/")
    for number in range(3):
        (tmp_path / f"{number}.md").write_text(
            f"# 批量导入的第{number}篇\n\n文章作者: 测试号\n发布时间: 2024-05-1{number} 09:00\n"
            f"原文链接: https://example.com/batch/{number}\n\n正文。\n"
        )
    call_command("import_article", str(tmp_path), stdout=StringIO())

    assert len(renewals) == expected_renewals
    home_after, from_cache = fetch(client, "/")
    assert not from_cache
    assert "批量导入的第0篇" not in home and all(f"批量导入的第{n}篇" in home_after for n in range(3))


def test_a_rolled_back_write_keeps_the_cached_pages(seed_article):
    before = PageCacheVersion.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        seed_article.tags.add("不会留下")
        raise RuntimeError
    assert PageCacheVersion.current() == before


def test_models_readers_see_are_watched_for_bulk_writes_too():
    own = [model for model in page_cache.WATCHED if model._meta.app_label in {"articles", "people"}]
    assert {model.__name__ for model in own} >= {"Article", "Publication", "Link", "Person", "Alias", "Mention"}
    for model in own:
        assert isinstance(model._default_manager.all(), PublicQuerySet), model


@both_caches
def test_editors_get_fresh_private_pages_and_never_fill_the_cache(client, editor_client, seed_article, page_cache_on):
    for _ in range(2):
        response = editor_client.get("/")
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # The editor's requests stored nothing: the first anonymous request renders.
    assert not fetch(client, "/")[1]

    seed_article.status = Article.Status.DRAFT
    seed_article.save()
    preview = editor_client.get(seed_article.get_absolute_url())
    assert preview.status_code == 200 and "no-store" in preview["Cache-Control"]
    assert client.get(seed_article.get_absolute_url()).status_code == 404


def test_each_language_and_address_has_its_own_page(client, seed_article, page_cache_on):
    chinese = cached(client, "/")
    english, _ = fetch(client, "/", **{"Accept-Language": "en"})
    assert english != chinese and '<html lang="en">' in english
    assert fetch(client, "/", **{"Accept-Language": "en"})[1]
    assert not fetch(client, "/?page=1")[1]


def test_a_scheduled_article_appears_on_time(client, make_article, page_cache_on):
    soon = make_article(title="定时发布", published_at=timezone.now() + timedelta(seconds=1.5))
    assert "定时发布" not in cached(client, "/")
    time.sleep((soon.published_at - timezone.now()).total_seconds() + 0.1)
    assert "定时发布" in fetch(client, "/")[0]


def test_pages_are_served_when_redis_is_down(client, seed_article, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    settings.ARCHIVE_PAGE_CACHE_SECONDS = 600
    for _ in range(2):
        response = client.get(seed_article.get_absolute_url())
        assert response.status_code == 200 and seed_article.title in response.content.decode()
    assert "page cache get failed" in caplog.text


# Views standing for what other pages may do; the cache must respect each.


def sets_a_cookie(request):
    response = HttpResponse("cookie")
    response.set_cookie("seen", "1")
    return response


def uses_a_csrf_token(request):
    return HttpResponse(f"<form><input name=csrfmiddlewaretoken value={get_token(request)}></form>")


def with_a_nonce(request):
    response = HttpResponse("nonce")
    response["Content-Security-Policy"] = f"script-src 'nonce-{uuid.uuid4().hex}'"
    return response


def varies_on_user_agent(request):
    response = HttpResponse(request.headers.get("User-Agent", ""))
    response["Vary"] = "User-Agent"
    return response


def with_an_etag(request):
    response = HttpResponse(f"tagged {time.monotonic()}")
    response["ETag"] = '"v1"'
    return response


urlpatterns = [
    path("cookie/", sets_a_cookie),
    path("csrf/", uses_a_csrf_token),
    path("nonce/", with_a_nonce),
    path("user-agent/", varies_on_user_agent),
    path("etag/", with_an_etag),
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/cookie/", "/csrf/", "/nonce/", "/user-agent/"])
def test_responses_that_are_not_the_same_for_everyone_are_never_stored(client, page_cache_on, url):
    first = client.get(url)
    assert "public" not in first.get("Cache-Control", "")
    second = client.get(url, headers={"User-Agent": "other"})
    assert "public" not in second.get("Cache-Control", "")
    assert not cache.get(second.wsgi_request._page_cache_key)


@pytest.mark.urls(__name__)
def test_a_cached_page_answers_conditional_requests(client, page_cache_on):
    first = client.get("/etag/")
    second = client.get("/etag/", headers={"If-None-Match": '"v1"'})
    assert second.status_code == 304
    assert client.get("/etag/").content == first.content


def test_a_cached_page_keeps_the_etag_it_was_stored_with(client, seed_article, page_cache_on):
    url = seed_article.get_absolute_url()
    etag = client.get(url)["ETag"]
    assert fetch(client, url)[1]  # from the cache
    assert client.get(url)["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
