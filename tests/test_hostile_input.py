"""Hostile input (tests/fixtures/xss/payloads.txt) through every way in — import, the admin's
Markdown preview, the admin pages — renders harmless: the HTML and feeds our server sends carry
nothing a browser would run. tests/browser/test_hostile_input.py loads the same pages in Chromium.
"""

import html
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from .hostile import (
    CONTEXT_BREAKERS,
    PAYLOADS,
    build_hostile_archive,
    executable_parts,
    export,
    feed_problems,
    import_anthology,
)

BY_ID = {payload.id: payload for payload in PAYLOADS}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def hostile_archive(django_db_setup, django_db_blocker):
    """Built once for the module (a hundred imports take seconds), rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield dict(zip(BY_ID, build_hostile_archive(), strict=True))
        transaction.set_rollback(True)


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("editor", "editor@example.com", "unused"))
    return client


def fetch(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_harmless(client, urls):
    found = {url: executable_parts(fetch(client, url)) for url in urls}
    assert {url: problems for url, problems in found.items() if problems} == {}


def test_the_corpus_covers_the_usual_attacks():
    assert len(PAYLOADS) >= 40
    assert len({payload.id for payload in PAYLOADS}) == len(PAYLOADS)
    corpus = "\n".join(payload.text for payload in PAYLOADS).lower()
    for attack in [
        "javascript:", "&#106;avascript", "java\tscript", "java&#9;script", "vbscript:", "data:text/html",
        "]: javascript:", "<javascript:", "![x](javascript:", "<script>", "onerror=", "<svg", "<math",
        "expression(", "formaction", "<iframe", "<object", "<embed", 'http-equiv="refresh"', "<base",
        "<!--", "<div>\n\n[", "\\u0061",
    ]:  # fmt: skip
        assert attack in corpus, attack
    assert all(BY_ID[name] for name in CONTEXT_BREAKERS)


@pytest.mark.parametrize(
    ("html_text", "problem"),
    [
        ("<script>alert(1)</script>", "inline <script>"),
        ('<script src="https://evil.example/x.js"></script>', "from another site"),
        ('<img src="x" onerror="alert(1)">', "event handler"),
        ('<a href="jav&#x09;ascript:alert(1)">x</a>', "<a href="),
        ('<a href=" JAVASCRIPT:alert(1)">x</a>', "<a href="),
        ('<form><button formaction="javascript:alert(1)">x</button></form>', "formaction"),
        ('<img srcset="data:image/svg+xml,x 1x">', "srcset"),
        ('<svg><use xlink:href="data:image/svg+xml;base64,PHN2Zz4="/></svg>', "xlink:href"),
        ('<meta http-equiv="refresh" content="0;url=/">', "http-equiv"),
        ('<base href="/">', "<base>"),
        ("<iframe></iframe>", "<iframe>"),
        ('<p style="color:red">x</p>', "style"),
        ('<script type="application/ld+json">{"name": "</script><script>alert(1)</script>"}</script>', "not JSON"),
    ],
)
def test_the_check_finds_what_a_browser_would_run(html_text, problem):
    assert any(problem in found for found in executable_parts(html_text))


def test_the_check_passes_what_we_mean_to_send():
    assert (
        executable_parts(
            '<p><a href="https://example.com/" rel="nofollow noopener">x</a> <a href="/tags/x/">t</a>'
            '<img src="https://mmbiz.qpic.cn/a.png" referrerpolicy="no-referrer">'
            "&lt;script&gt;alert(1)&lt;/script&gt;</p>"
            '<script src="/static/admin/js/core.js"></script>'
            '<script type="application/ld+json">{"a": "\\u003c/script"}</script>'
        )
        == []
    )


def test_imported_payloads_render_harmless_on_every_article_page(client, hostile_archive):
    assert_harmless(client, [article.get_absolute_url() for article in hostile_archive.values()])


def test_the_whole_corpus_on_one_page_renders_harmless(client):
    assert_harmless(client, [import_anthology().get_absolute_url()])


def test_titles_and_names_are_shown_as_text_not_dropped(client, hostile_archive):
    payload = BY_ID["html-textarea-title-breakout"]
    article = hostile_archive[payload.id]
    page = fetch(client, article.get_absolute_url())
    assert html.unescape(re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)) == payload.one_line
    assert html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1)).startswith(payload.one_line)
    # The script in the body is shown as the text it is.
    assert "&lt;script&gt;window.__xss=1;alert(1)&lt;/script&gt;" in page


def test_lists_people_tags_and_publications_render_harmless(client, hostile_archive):
    pages = -(-len(hostile_archive) // 20)
    lists = [f"/?page={number}" for number in range(1, pages + 1)] + ["/people/", "/people/?page=2", "/tags/"]
    breakers = [hostile_archive[name] for name in CONTEXT_BREAKERS]
    people = {mention.person.get_absolute_url() for article in breakers for mention in article.mentions.all()}
    tags = {f"/tags/{tag.slug}/" for article in breakers for tag in article.tags.all()}
    publications = {article.publication.get_absolute_url() for article in breakers}
    assert len(people) >= len(CONTEXT_BREAKERS) and len(tags) == len(publications) == len(CONTEXT_BREAKERS)
    assert_harmless(client, [*lists, *people, *tags, *publications])


def test_feeds_escape_what_they_mark_as_html(client, hostile_archive):
    feeds = ["/feed/"] + [f"{article.publication.get_absolute_url()}feed/" for article in hostile_archive.values()]
    for name in CONTEXT_BREAKERS:
        feeds += [f"/tags/{tag.slug}/feed/" for tag in hostile_archive[name].tags.all()]
        feeds += [f"{mention.person.get_absolute_url()}feed/" for mention in hostile_archive[name].mentions.all()]
    problems = {}
    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        problems[url] = feed_problems(response.content)
    assert {url: found for url, found in problems.items() if found} == {}


def test_the_markdown_preview_renders_every_payload_harmless(staff_client):
    found = {}
    for payload in PAYLOADS:
        response = staff_client.post("/markdownx/markdownify/", {"content": payload.text})
        assert response.status_code == 200
        found[payload.id] = executable_parts(response.content.decode())
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_admin_pages_show_payloads_harmless(staff_client, hostile_archive):
    polyglot = hostile_archive["md-polyglot"]
    mention = polyglot.mentions.get()
    assert_harmless(
        staff_client,
        [
            "/admin/articles/article/",
            f"/admin/articles/article/?tags__id__exact={polyglot.tags.get().pk}",
            "/admin/articles/article/wanted/",
            "/admin/articles/publication/",
            "/admin/people/mention/",
            "/admin/people/mention/?status__exact=confirmed",
            f"/admin/people/mention/{mention.pk}/change/",
            "/admin/people/person/",
            f"/admin/people/person/{mention.person_id}/change/",
            "/admin/people/namecandidate/",
            "/admin/taggit/tag/",
            *[f"/admin/articles/article/{hostile_archive[name].pk}/change/" for name in CONTEXT_BREAKERS],
        ],
    )


def test_the_import_preview_shows_payloads_harmless(staff_client, settings, tmp_path):
    """A dry run of new files (numbered apart from the module's archive, which may be loaded)."""
    settings.ARCHIVE_IMPORT_STAGING_DIR = tmp_path / "staging"
    files = [
        SimpleUploadedFile(f"{name}.md", export(BY_ID[name], 1000 + number), content_type="text/markdown")
        for number, name in enumerate(CONTEXT_BREAKERS)
    ]
    files.append(SimpleUploadedFile('"><img src=x onerror=alert(1)>.md', b"# <script>alert(1)</script>\n\nx"))
    response = staff_client.post("/admin/articles/article/import/", {"files": files})
    page = response.content.decode()
    assert response.status_code == 200 and page.count("outcome-created") == len(files)
    assert executable_parts(page) == []


@pytest.mark.parametrize(
    "url",
    [
        "/?page=1&%22%3E%3Cscript%3Ealert(1)%3C/script%3E=1",
        "/people/?page=1&x=%22%20onmouseover%3D%22alert(1)",
        "/admin/articles/article/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/admin/people/mention/?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    ],
)
def test_query_strings_are_not_reflected_as_markup(staff_client, hostile_archive, url):
    response = staff_client.get(url)
    assert response.status_code in {200, 302}
    assert executable_parts(response.content.decode()) == []
