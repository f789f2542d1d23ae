"""The editors' desk: the dashboard, the article list, its bulk actions and the article form."""

import re
from datetime import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.importer import import_document
from articles.models import Article, Link, MirroredImage, Publication
from people.models import Alias, Mention, NameCandidate, Person

from .conftest import BEIJING, SAMPLES, SEED_PATH
from .desk import change_form, make_editor
from .test_images import article_with_images, image_host  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"


@pytest.fixture
def editor(client):
    client.force_login(make_editor())
    return client


@pytest.fixture
def registry():
    call_command("import_people", str(SAMPLES / "people.yaml"), stdout=StringIO())


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def rows(page: str) -> list[str]:
    return re.findall(r'<tr[^>]*>\s*<td class="action-checkbox">.*?</tr>', page, re.S)


# The dashboard


def waiting(page: str) -> dict[str, tuple[str, int]]:
    """Label → (link, count) of the dashboard's waiting work."""
    item = r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th>\s*<td class="waiting-count">(\d+)</td>'
    found = re.findall(item, page)
    return {label: (url.replace("&amp;", "&"), int(count)) for url, label, count in found}


def test_the_dashboard_shows_the_waiting_work_with_links_to_it(editor, registry, seed_bytes, make_article):
    seed = import_document(seed_bytes, filename=SEED_PATH.name).article
    make_article(title="草稿一", status=Article.Status.DRAFT)
    make_article(title="草稿二", status=Article.Status.DRAFT, published_at=None)
    copy = make_article(title=seed.title, publication=seed.publication, published_at=seed.published_at)
    MirroredImage.objects.create(source_url="https://example.com/broken.png", error="HTTP 404")
    suggested = Mention.objects.filter(status=Mention.Status.SUGGESTED).count()
    candidates = NameCandidate.objects.filter(status=NameCandidate.Status.NEW).count()
    wanted = Link.objects.filter(target=None).values("target_key").distinct().count()
    assert suggested and candidates and wanted  # the seed brings all three

    work = waiting(editor.get("/admin/").content.decode())

    assert {label: count for label, (_, count) in work.items()} == {
        "草稿": 2,
        "待审核的提及": suggested,
        "新的候选人名": candidates,
        "疑似重复": 1,
        "待收录文章": wanted,
        "下载失败的图片": 1,
    }
    drafts = editor.get(work["草稿"][0]).content.decode()
    assert "草稿一" in drafts and "草稿二" in drafts and seed.title not in drafts
    mentions = editor.get(work["待审核的提及"][0]).content.decode()
    assert len(rows(mentions)) == suggested
    assert len(rows(editor.get(work["新的候选人名"][0]).content.decode())) == candidates
    assert f'value="{copy.pk}"' in editor.get(work["疑似重复"][0]).content.decode()
    assert editor.get(work["待收录文章"][0]).content.decode().count("<tr><td>") == wanted
    assert "broken.png" in editor.get(work["下载失败的图片"][0]).content.decode()


def test_the_dashboard_costs_the_same_however_much_work_waits(editor, registry, seed_bytes, make_article):
    import_document(seed_bytes, filename=SEED_PATH.name)
    few = queries_for(editor, "/admin/")
    for number in range(30):
        make_article(title=f"草稿 {number}", status=Article.Status.DRAFT)
        MirroredImage.objects.create(source_url=f"https://example.com/{number}.png")
        NameCandidate.objects.create(text=f"Some Name {number}", key=f"some name {number}", count=1)
    assert queries_for(editor, "/admin/") == few


def test_the_dashboard_shows_only_the_work_a_user_may_see(client, make_article):
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    assert set(waiting(client.get("/admin/").content.decode())) == {"草稿", "待收录文章"}


# The article list


def test_the_article_list_shows_what_editors_scan_for(editor, registry, seed_bytes):
    seed = import_document(seed_bytes, filename=SEED_PATH.name).article
    seed.tags.add("人工智能", "OpenAI")
    page = editor.get(CHANGELIST).content.decode()
    [row] = rows(page)
    assert f'src="{seed.cover_url}"' in row and 'referrerpolicy="no-referrer"' in row
    assert seed.title in row and "投资实习所" in row and "已发布" in row
    people = seed.mentions.filter(status=Mention.Status.CONFIRMED).count()
    assert f'<td class="field-people_count">{people}</td>' in row
    assert f'<td class="field-link_count">{seed.links.count()}</td>' in row
    assert "OpenAI, 人工智能" in row
    # Filters and the date drill-down.
    for parameter in ["status__exact=draft", "publication__id__exact=", "tags__id__exact=", "person=", "year=2024"]:
        assert parameter in page.replace("&amp;", "&"), parameter
    assert '<nav class="toplinks">' in page and "published_at__year=2024" in page  # the date drill-down


def test_the_article_list_costs_the_same_for_5_and_50_articles(editor, registry, make_article):
    ilya = Person.objects.get(name="Ilya Sutskever")
    hinton = Person.objects.get(name="Geoffrey Hinton")

    def add(count):
        for number in range(count):
            article = make_article(title=f"文章 {number}", cover_url=f"https://example.com/{number}.jpg")
            article.tags.add("人工智能", f"标签{number}")
            Mention.objects.create(article=article, person=ilya, status=Mention.Status.CONFIRMED, count=1)
            Mention.objects.create(article=article, person=hinton, status=Mention.Status.SUGGESTED, count=1)
            Link.objects.create(article=article, url=f"https://example.com/to/{number}", target_key=f"k{number}")

    add(5)
    few = queries_for(editor, CHANGELIST)
    add(45)
    assert Article.objects.count() == 50
    assert queries_for(editor, CHANGELIST) == few
    assert len(rows(editor.get(CHANGELIST).content.decode())) == 50


def test_the_article_list_filters(editor, registry, seed_bytes, make_article):
    seed = import_document(seed_bytes, filename=SEED_PATH.name).article
    seed.tags.add("人工智能")
    other = Publication.objects.create(name="另一个号")
    old = make_article(title="一篇旧文", publication=other, published_at=datetime(2019, 3, 1, tzinfo=BEIJING))
    draft = make_article(title="一篇草稿", status=Article.Status.DRAFT)
    ilya = Person.objects.get(name="Ilya Sutskever")
    suggested_only = make_article(title="只是建议")
    Mention.objects.create(article=suggested_only, person=ilya, status=Mention.Status.SUGGESTED)

    def titles(query):
        listed = "".join(rows(editor.get(f"{CHANGELIST}?{query}").content.decode()))
        return {title for title in [seed.title, old.title, draft.title, suggested_only.title] if title in listed}

    assert titles("status__exact=draft") == {"一篇草稿"}
    assert titles(f"publication__id__exact={other.pk}") == {"一篇旧文"}
    assert titles(f"tags__id__exact={seed.tags.get().pk}") == {seed.title}
    assert titles(f"person={ilya.pk}") == {seed.title}  # confirmed mentions only
    assert titles("year=2019") == {"一篇旧文"}
    assert titles("published_at__year=2019") == {"一篇旧文"}


def test_the_person_filter_offers_people_and_the_people_list_links_to_their_articles(editor, registry, seed_bytes):
    import_document(seed_bytes, filename=SEED_PATH.name)
    ilya = Person.objects.get(name="Ilya Sutskever")
    assert f"?person={ilya.pk}" in editor.get(CHANGELIST).content.decode()
    assert f"/admin/articles/article/?person={ilya.pk}" in editor.get("/admin/people/person/").content.decode()
    assert editor.get(f"{CHANGELIST}?person=nonsense").status_code == 200


@pytest.mark.parametrize(
    ("query", "found"), [("联创", True), ("为什么要离开", True), ("投资实习所", True), ("量子", False)]
)
def test_searching_articles_in_chinese(editor, seed_article, query, found):
    page = editor.get(CHANGELIST, {"q": query}).content.decode()
    assert (len(rows(page)) == 1) is found


# Bulk actions


def act(client, action: str, articles, **extra):
    data = {"action": action, "_selected_action": [article.pk for article in articles], **extra}
    return client.post(CHANGELIST, data, follow=True)


def test_publishing_and_unpublishing_in_bulk_keeps_a_revision_each(editor, make_article):
    drafts = [make_article(title=f"草稿 {n}", status=Article.Status.DRAFT) for n in range(3)]
    undated = make_article(title="没有日期", status=Article.Status.DRAFT, published_at=None)

    page = act(editor, "publish", [*drafts, undated]).content.decode()

    assert "已发布 3 篇文章" in page and "1 篇文章没有发布时间" in page
    assert all(Article.objects.get(pk=draft.pk).is_published for draft in drafts)
    assert Article.objects.get(pk=undated.pk).status == Article.Status.DRAFT
    for draft in drafts:
        latest = draft.history.latest()
        assert latest.status == "published" and latest.history_user.username == "editor"

    assert "3 篇文章已改为草稿" in act(editor, "unpublish", drafts).content.decode()
    assert not Article.objects.published().filter(pk__in=[draft.pk for draft in drafts]).exists()
    assert drafts[0].history.count() == 3  # created, published, unpublished


def test_publishing_in_bulk_lets_linking_articles_point_at_our_copy(editor, seed_bytes):
    from .test_graph import TARGET_FORMS, target_document

    seed = import_document(seed_bytes, filename="seed").article
    target = import_document(target_document(TARGET_FORMS[0]), filename="target").article
    act(editor, "unpublish", [target])
    seed.refresh_from_db()
    assert target.get_absolute_url() not in seed.body_html
    act(editor, "publish", [target])
    seed.refresh_from_db()
    assert target.get_absolute_url() in seed.body_html


def test_detecting_people_again_in_bulk(editor, registry, seed_bytes):
    seed = import_document(seed_bytes, filename=SEED_PATH.name).article
    # The registry learns a name after the article came in.
    team = Person.objects.create(name="Superalignment team")
    Alias.objects.create(person=team, text="超级对齐团队")
    page = act(editor, "redetect_people", [seed]).content.decode()
    assert "新增 1" in page and "编辑的决定保持不变" in page
    assert seed.mentions.get(person=team).status == Mention.Status.CONFIRMED


def test_mirroring_images_in_bulk(editor, image_host):  # noqa: F811 - the fixture
    article = import_document(article_with_images(image_host, "/a.png", "/evil.svg"), filename="x").article
    page = act(editor, "mirror_images", [article]).content.decode()
    assert "已镜像图片：2" in page and "失败：1" in page and "evil.svg" in page
    article.refresh_from_db()
    assert article.cover_image.is_mirrored
    assert 'src="/media/images/' in rows(editor.get(CHANGELIST).content.decode())[0]


# The article form


def test_the_article_form_in_fieldsets_with_the_markdown_editor_and_autocompletes(editor, registry, seed_bytes):
    seed = import_document(seed_bytes, filename=SEED_PATH.name).article
    page = editor.get(f"/admin/articles/article/{seed.pk}/change/").content.decode()
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", page)
    for heading in ["内容", "元数据", "分享", "来源"]:
        assert heading in headings, heading
    source = page.split(">来源<")[1]
    assert SEED_PATH.name in source and seed.source_sha256 in source  # read-only import facts
    body = re.search(r'<textarea name="body"[^>]*>', page).group(0)
    assert "markdownx-editor" in body and 'data-markdownx-urls-path="/markdownx/markdownify/"' in body
    assert re.search(r'<select name="publication"[^>]*class="admin-autocomplete', page)
    assert re.search(r'<select name="mentions-0-person"[^>]*class="admin-autocomplete', page)
    assert 'data-suggest-url="/admin/taggit/tag/suggest/"' in page and "desk/tag_suggest.js" in page
    inlines = [heading.strip() for heading in re.findall(r'<h2[^>]*class="inline-heading">([^<]+)</h2>', page)]
    assert inlines == ["其他网址", "链接", "提及"]
    assert 'href="/admin/r/' in page  # view on site


def test_tag_suggestions_match_chinese_and_latin_names(editor, seed_article):
    seed_article.tags.add("人工智能", "人工智能安全", "OpenAI", "智能体")
    assert editor.get("/admin/taggit/tag/suggest/", {"term": "智能"}).json() == {
        "results": ["智能体", "人工智能", "人工智能安全"]
    }
    assert editor.get("/admin/taggit/tag/suggest/", {"term": "openai"}).json() == {"results": ["OpenAI"]}
    assert editor.get("/admin/taggit/tag/suggest/", {"term": " "}).json() == {"results": []}


def test_view_on_site_previews_a_draft_for_staff_only_and_never_from_a_cache(client, editor, seed_article):
    seed_article.status = Article.Status.DRAFT
    seed_article.save()
    page = editor.get(f"/admin/articles/article/{seed_article.pk}/change/").content.decode()
    view_on_site = re.search(r'href="(/admin/r/[^"]+)"', page).group(1)
    response = editor.get(view_on_site, follow=True)
    assert response.redirect_chain[-1][0].endswith(seed_article.get_absolute_url())
    assert response.status_code == 200 and seed_article.title in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    client.logout()
    assert client.get(seed_article.get_absolute_url()).status_code == 404


def test_an_edit_through_the_form_is_rendered_and_kept(editor, seed_article):
    form = change_form(editor, seed_article)
    form["body"] = "## 新的小标题\n\n正文"
    form["tags"] = "人工智能, OpenAI"
    response = editor.post(f"/admin/articles/article/{seed_article.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[-2000:]
    seed_article.refresh_from_db()
    assert "<h2>新的小标题</h2>" in seed_article.body_html
    assert set(seed_article.tags.names()) == {"人工智能", "OpenAI"}
    assert seed_article.history.latest().history_user.username == "editor"


def test_deleting_an_article_asks_first_and_shows_what_goes_with_it(editor, registry, seed_bytes):
    seed = import_document(seed_bytes, filename=SEED_PATH.name).article
    page = editor.get(f"/admin/articles/article/{seed.pk}/delete/").content.decode()
    assert "确定" in page and seed.title in page
    summary = page.split("<h2>概览</h2>")[1].split("</ul>")[0]
    assert f"链接: {seed.links.count()}" in summary and f"提及: {seed.mentions.count()}" in summary
    assert Article.objects.filter(pk=seed.pk).exists()  # nothing deleted by looking

    editor.post(f"/admin/articles/article/{seed.pk}/delete/", {"post": "yes"})
    assert not Article.objects.filter(pk=seed.pk).exists()
    # Its history stays: what was deleted can be read again.
    assert Article.history.filter(id=seed.pk, history_type="-").get().body == seed.body


def test_import_is_reachable_from_the_article_list(editor):
    assert 'href="/admin/articles/article/import/"' in editor.get(CHANGELIST).content.decode()


def test_the_other_lists_of_the_desk_cost_the_same_for_5_and_50_rows(editor, make_article):
    lists = [
        "/admin/people/mention/",
        "/admin/people/mention/?status__exact=suggested",
        "/admin/people/person/",
        "/admin/people/namecandidate/",
        "/admin/taggit/tag/",
        "/admin/articles/publication/",
        "/admin/articles/mirroredimage/",
    ]

    def add(start, count):
        for number in range(start, start + count):
            article = make_article(title=f"文章 {number}", publication=Publication.objects.create(name=f"号 {number}"))
            article.tags.add(f"标签{number}")
            person = Person.objects.create(name=f"Person {number}")
            person.tags.add(f"标签{number}")
            Alias.objects.create(person=person, text=f"Person {number}")
            Mention.objects.create(article=article, person=person, status=Mention.Status.SUGGESTED, count=1)
            NameCandidate.objects.create(text=f"Name {number}", key=f"name {number}", count=1, person=person)
            MirroredImage.objects.create(source_url=f"https://example.com/{number}.png")

    add(0, 5)
    few = {url: queries_for(editor, url) for url in lists}
    add(5, 45)
    assert {url: queries_for(editor, url) for url in lists} == few


def test_the_article_form_costs_the_same_for_few_and_many_mentions_and_links(editor, make_article):
    article = make_article(title="很多人物的文章")

    def add(start, count):
        for number in range(start, start + count):
            person = Person.objects.create(name=f"Person {number}")
            Mention.objects.create(article=article, person=person, status=Mention.Status.SUGGESTED, count=1)
            Link.objects.create(article=article, url=f"https://example.com/to/{number}", target_key=f"k{number}")

    add(0, 3)
    few = queries_for(editor, f"/admin/articles/article/{article.pk}/change/")
    add(3, 27)
    assert queries_for(editor, f"/admin/articles/article/{article.pk}/change/") == few
