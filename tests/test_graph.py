"""The article graph: links land on our copies in either import order, backlinks, related articles."""

import re
from datetime import datetime

import pytest

from articles.importer import import_document
from articles.models import Article, ArticleKey, Link

from .conftest import BEIJING

pytestmark = pytest.mark.django_db

BIZ = "MzIyMDA3MjMwNw=="
# The seed links to this article in the long form with sn, chksm, scene and #wechat_redirect.
TARGET_FORMS = [
    f"https://mp.weixin.qq.com/s?idx=1&mid=2455853860&__biz={BIZ.replace('=', '%3D')}#rd",
    f"http://mp.weixin.qq.com/s?__biz={BIZ}&amp;mid=2455853860&amp;idx=1&amp;sn=other&amp;chksm=1#wechat_redirect",
    f"https://mp.weixin.qq.com/mp/appmsg/show?__biz={BIZ}&appmsgid=2455853860&itemidx=1",
]


def target_document(source_url: str, title: str = "IIya 宣布离职") -> bytes:
    return (
        f"# {title}\n\n文章作者: 投资实习所\n发布时间: 2024-05-15 09:00\n原文链接: {source_url}\n\n"
        "这是被引用的那篇文章。\n"
    ).encode()


@pytest.mark.parametrize("target_url", TARGET_FORMS)
@pytest.mark.parametrize("order", ["seed first", "target first"])
def test_links_resolve_in_either_order_whatever_the_url_form(seed_bytes, target_url, order):
    documents = [("seed", seed_bytes), ("target", target_document(target_url))]
    if order == "target first":
        documents.reverse()
    for name, data in documents:
        assert import_document(data, filename=name).outcome == "created"

    seed = Article.objects.exclude(title="IIya 宣布离职").get()
    target = Article.objects.get(title="IIya 宣布离职")
    assert set(target.backlinks.values_list("article_id", "kind")) == {(seed.pk, "inline"), (seed.pk, "related")}
    # The seed's rendered body now sends readers to our copy.
    assert f'<a href="{target.get_absolute_url()}">IIya Sutskever 宣布离职</a>' in seed.body_html


def test_the_article_page_shows_links_to_linked_from_and_unarchived_links(client, seed_bytes):
    import_document(seed_bytes, filename="seed")
    import_document(target_document(TARGET_FORMS[0]), filename="target")
    seed = Article.objects.exclude(title="IIya 宣布离职").get()
    target = Article.objects.get(title="IIya 宣布离职")

    seed_page = client.get(seed.get_absolute_url()).content.decode()
    assert f'<a href="{target.get_absolute_url()}">IIya 宣布离职</a>' in seed_page
    assert seed_page.count("尚未存档") == len(seed.links_to()) - 1

    target_page = client.get(target.get_absolute_url()).content.decode()
    linked_from = target_page.split('id="backlinks-heading"')[1].split("</section>")[0]
    assert seed.title in linked_from and linked_from.count(seed.get_absolute_url()) == 1


def test_a_re_imported_article_still_leads_to_the_articles_it_links_to(seed_bytes):
    import_document(target_document(TARGET_FORMS[0]), filename="target")
    import_document(seed_bytes, filename="seed")
    revised = seed_bytes.replace(b"Ilya", b"Ilya Sutskever", 1)
    assert import_document(revised, filename="seed, revised").outcome == "updated"

    seed = Article.objects.exclude(title="IIya 宣布离职").get()
    target = Article.objects.get(title="IIya 宣布离职")
    assert f'<a href="{target.get_absolute_url()}">IIya Sutskever 宣布离职</a>' in seed.body_html
    assert set(seed.links.filter(target=target).values_list("kind", flat=True)) == {"inline", "related"}


def test_an_article_linking_to_itself_leads_to_its_own_page(seed_bytes):
    own_url = "https://mp.weixin.qq.com/s?__biz=MzA3MjA0NjI0MQ==&mid=2650000001&idx=1"
    document = (
        f"# 自己链接自己\n\n文章作者: 投资实习所\n发布时间: 2024-05-15 09:00\n原文链接: {own_url}\n\n"
        f"[再读一遍]({own_url}&sn=abc#rd)\n\n·END·\n\n[往期回顾]({own_url}&scene=21#wechat_redirect)\n"
    ).encode()
    assert import_document(document, filename="self").outcome == "created"

    article = Article.objects.get()
    assert f'<a href="{article.get_absolute_url()}">再读一遍</a>' in article.body_html
    assert f'<a href="{article.get_absolute_url()}">往期回顾</a>' in article.footer_html
    assert article.links.get().target == article


def test_an_unpublished_target_is_not_linked_and_a_published_one_is(seed_bytes):
    import_document(target_document(TARGET_FORMS[0]), filename="target")
    target = Article.objects.get()
    target.status = Article.Status.DRAFT
    target.save()
    import_document(seed_bytes, filename="seed")
    seed = Article.objects.exclude(pk=target.pk).get()
    assert target.get_absolute_url() not in seed.body_html

    target.status = Article.Status.PUBLISHED
    target.save()
    seed.refresh_from_db()
    assert target.get_absolute_url() in seed.body_html


def test_an_article_known_under_a_short_link_receives_links_to_it(seed_bytes, make_article):
    clipped = make_article(title="从短链剪藏的文章", source_key="wechat-short:AbCdEf")
    key = ArticleKey(article=clipped, url=TARGET_FORMS[0])
    key.full_clean()
    key.save()
    import_document(seed_bytes, filename="seed")
    assert clipped.backlinks.filter(kind=Link.Kind.INLINE).exists()


def test_related_articles_put_explicit_links_first_then_shared_people_and_tags(seed_bytes, make_article):
    import_document(target_document(TARGET_FORMS[0]), filename="target")
    seed = import_document(seed_bytes, filename="seed").article
    seed.tags.add("人工智能", "OpenAI")
    both = make_article(title="两个标签都有")
    both.tags.add("人工智能", "OpenAI")
    one = make_article(title="只有一个标签")
    one.tags.add("OpenAI")
    make_article(title="毫无关系")

    article = Article.objects.for_page().get(pk=seed.pk)
    titles = [related.title for related in article.related_articles()]
    assert titles == ["IIya 宣布离职", "两个标签都有", "只有一个标签"]


def test_probable_duplicates_are_offered_and_merged(client, seed_bytes):
    from django.contrib.auth.models import User

    from people.models import Mention, Person

    seed = import_document(seed_bytes, filename="seed").article
    short = re.sub("原文链接: .*".encode(), "原文链接: https://mp.weixin.qq.com/s/Sh0rt".encode(), seed_bytes, count=1)
    copy = import_document(short, filename="copy").article
    assert copy.pk != seed.pk
    copy.tags.add("副本标签")
    Mention.objects.create(article=copy, person=Person.objects.create(name="某人"), status=Mention.Status.CONFIRMED)
    client.force_login(User.objects.create_superuser("editor", "e@example.com", "pw"))

    page = client.get("/admin/articles/article/duplicates/").content.decode()
    assert f'value="{copy.pk}"' in page and f'value="{seed.pk}"' in page

    client.post("/admin/articles/article/duplicates/", {"article": [seed.pk, copy.pk], "target": seed.pk})

    assert not Article.objects.filter(pk=copy.pk).exists()
    assert ArticleKey.objects.get(key="wechat-short:Sh0rt").article == seed
    assert "副本标签" in seed.tags.names() and seed.mentions.filter(person__name="某人").exists()
    response = client.get(copy.get_absolute_url())
    assert response.status_code == 301 and response["Location"] == seed.get_absolute_url()


def test_adding_another_address_in_admin_connects_existing_links(client, seed_bytes, make_article):
    from django.contrib.auth.models import User

    seed = import_document(seed_bytes, filename="seed").article
    clipped = make_article(title="从短链剪藏的文章", source_key="wechat-short:AbCdEf")
    client.force_login(User.objects.create_superuser("editor", "e@example.com", "pw"))
    form = {
        "title": clipped.title, "slug": clipped.slug, "status": "published", "publication": clipped.publication_id,
        "published_at_0": "2024-01-01", "published_at_1": "12:00:00", "tags": "", "body": clipped.body,
        "excerpt": "", "cover_url": "", "location": "", "source_url": "", "footer": "",
        "keys-TOTAL_FORMS": "1", "keys-INITIAL_FORMS": "0", "keys-0-url": TARGET_FORMS[0],
        "links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0",
        "mentions-TOTAL_FORMS": "0", "mentions-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(f"/admin/articles/article/{clipped.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    seed.refresh_from_db()
    assert clipped.get_absolute_url() in seed.body_html


def test_deleting_a_target_sends_its_referrers_back_to_the_original(seed_bytes):
    import_document(target_document(TARGET_FORMS[0]), filename="target")
    seed = import_document(seed_bytes, filename="seed").article
    target = Article.objects.get(title="IIya 宣布离职")
    assert target.get_absolute_url() in seed.body_html
    target.delete()
    seed.refresh_from_db()
    assert target.get_absolute_url() not in seed.body_html and "mid=2455853860" in seed.body_html


def test_related_articles_count_confirmed_people_and_tags_and_leave_drafts_out(make_article):
    from people.models import Mention, Person

    ilya = Person.objects.create(name="Ilya Sutskever", slug="ilya")
    hinton = Person.objects.create(name="Geoffrey Hinton", slug="hinton")
    article = make_article(title="主角")
    article.tags.add("人工智能")
    for person in (ilya, hinton):
        Mention.objects.create(article=article, person=person, status=Mention.Status.CONFIRMED, count=2)
    people_and_tag = make_article(title="两个人加一个标签", published_at=datetime(2020, 1, 1, tzinfo=BEIJING))
    people_and_tag.tags.add("人工智能")
    one_person = make_article(title="一个人")
    only_suggested = make_article(title="只是建议")
    draft = make_article(title="草稿", status=Article.Status.DRAFT)
    for other in (people_and_tag, draft):
        for person in (ilya, hinton):
            Mention.objects.create(article=other, person=person, status=Mention.Status.CONFIRMED, count=1)
    Mention.objects.create(article=one_person, person=hinton, status=Mention.Status.CONFIRMED, count=1)
    Mention.objects.create(article=only_suggested, person=ilya, status=Mention.Status.SUGGESTED, count=1)

    page = Article.objects.for_page().get(pk=article.pk)
    assert [related.title for related in page.related_articles()] == ["两个人加一个标签", "一个人"]


def test_articles_with_the_same_title_get_the_next_free_slug_past_the_first_ten(make_article):
    slugs = [make_article(title="同一个标题", slug="").slug for _ in range(13)]
    assert slugs[:3] == ["同一个标题", "同一个标题-2", "同一个标题-3"]
    assert slugs[10:] == ["同一个标题-11", "同一个标题-12", "同一个标题-13"]
    assert len(set(slugs)) == 13


def test_relinked_html_is_stored_on_each_article_batch_by_batch_and_on_no_other(make_article):
    *relinked, untouched = [make_article() for _ in range(4)]
    before = Article.objects.values_list("body_html", "footer_html").get(pk=untouched.pk)
    # Quotes and a %s: the values are parameters, never spliced into the statement.
    html = {pk: (f'<p>正文 {pk}: "it\'s" 100%s</p>', f"<p>页脚 {pk}</p>") for pk in (a.pk for a in relinked)}

    Article.objects.store_html(html, batch_size=2)

    stored = {pk: (body, footer) for pk, body, footer in Article.objects.values_list("pk", "body_html", "footer_html")}
    assert {pk: stored[pk] for pk in html} == html
    assert stored[untouched.pk] == before
