"""People on the seed with samples/people.yaml: registry, detection, review, pages."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.folding import fold
from articles.importer import import_document
from articles.models import Article
from people.detection import AliasEntry, Matcher, mask_urls
from people.models import Alias, Mention, NameCandidate, Person, PersonRedirect
from people.services import detect_mentions, merge_people, review_mentions

from .conftest import SAMPLES, SEED_PATH

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    call_command("import_people", str(SAMPLES / "people.yaml"), stdout=StringIO())


@pytest.fixture
def seed(registry, seed_bytes):
    return import_document(seed_bytes, filename=SEED_PATH.name).article


def mention_of(article, name):
    return article.mentions.select_related("person").get(person__name=name)


def test_the_registry_loads_idempotently(registry):
    assert Person.objects.count() == 19
    assert Person.objects.get(native_name="吴恩达").name == "Andrew Ng"
    aliases = Alias.objects.count()
    out = StringIO()
    call_command("import_people", str(SAMPLES / "people.yaml"), stdout=out)
    assert "0 created, 0 updated, 19 unchanged, 0 aliases added" in out.getvalue()
    assert Alias.objects.count() == aliases


def test_ilya_is_counted_at_every_spelling_outside_urls(seed):
    body_without_urls = mask_urls(seed.body)
    expected = len(re.findall(r"Ilya|IIya|lIya", body_without_urls))
    mention = mention_of(seed, "Ilya Sutskever")
    assert mention.count == expected == 46
    assert mention.status == Mention.Status.CONFIRMED and mention.origin == Mention.Origin.DETECTED
    assert all(seed.body[start:end].lower().replace("i", "l").startswith("lly") for start, end in mention.spans)
    assert "linkedin" not in seed.body[mention.spans[-1][0] - 30 : mention.spans[-1][1]]


@pytest.mark.parametrize(
    "name",
    ["Sam Altman", "Jan Leike", "Geoffrey Hinton", "Greg Brockman", "Yann LeCun", "Evan Morikawa", "Harrison Kinsley"],
)
def test_unambiguous_names_are_confirmed(seed, name):
    assert mention_of(seed, name).status == Mention.Status.CONFIRMED


def test_chinese_and_latin_names_count_for_the_same_person(seed):
    musk = mention_of(seed, "Elon Musk")
    assert sorted(seed.body[start:end] for start, end in musk.spans) == ["Elon Musk", "马斯克", "马斯克", "马斯克"]
    assert [seed.body[start:end] for start, end in mention_of(seed, "Andrew Ng").spans] == ["吴恩达"]


def test_a_first_name_alone_is_only_a_suggestion(seed):
    for name in ("Satya Nadella", "Demis Hassabis"):
        assert mention_of(seed, name).status == Mention.Status.SUGGESTED


def test_a_typo_of_a_registered_name_is_suggested(seed):
    bengio = mention_of(seed, "Yoshua Bengio")
    assert bengio.status == Mention.Status.SUGGESTED and bengio.is_near_miss
    assert bengio.matched_text == "Yoshua Bengiol"
    assert "Yann LeCun 和 Yoshua Bengiol 在 1995 年" in bengio.context


def test_no_brand_becomes_a_person_or_a_candidate(seed):
    names = set(seed.mentions.values_list("person__name", flat=True))
    candidates = set(NameCandidate.objects.values_list("text", flat=True))
    for brand in ("OpenAI", "ChatGPT", "AGI", "Google", "Sequoia", "Memo", "DeepMind", "XGBoost", "AlexNet"):
        assert not any(brand in name for name in names | candidates), brand


def test_unregistered_names_become_candidates(seed):
    assert NameCandidate.objects.filter(text="Alex K", article_count=1).exists()


def test_editor_decisions_survive_redetection(seed):
    review_mentions(Mention.objects.filter(person__name="Sam Altman"), Mention.Status.REJECTED)
    review_mentions(Mention.objects.filter(person__name="Satya Nadella"), Mention.Status.CONFIRMED)
    call_command("detect_mentions", "--all", stdout=StringIO())
    assert mention_of(seed, "Sam Altman").status == Mention.Status.REJECTED
    assert mention_of(seed, "Satya Nadella").status == Mention.Status.CONFIRMED


def test_stale_suggestions_are_dropped_when_the_text_changes(seed):
    seed.body = seed.body.replace("Satya", "他")
    seed.save()
    detect_mentions(seed)
    assert not seed.mentions.filter(person__name="Satya Nadella").exists()


def test_a_new_alias_is_picked_up_by_detection(seed):
    person = Person.objects.get(name="Alex Krizhevsky")
    Alias.objects.create(person=person, text="Alex K", kind=Alias.Kind.NICKNAME)
    call_command("detect_mentions", "--all", stdout=StringIO())
    assert mention_of(seed, "Alex Krizhevsky").status == Mention.Status.CONFIRMED
    assert not NameCandidate.objects.filter(text="Alex K").exists()


def test_merging_people_keeps_everything_and_redirects(seed, client):
    duplicate = Person.objects.create(name="Ilya S.", headline="")
    Alias.objects.create(person=duplicate, text="Ilya S.")
    duplicate.tags.add("研究员")
    ilya = Person.objects.get(name="Ilya Sutskever")
    old_url = duplicate.get_absolute_url()

    merge_people(target=ilya, others=[duplicate])

    assert set(ilya.aliases.values_list("text", flat=True)) >= {"Ilya S.", "Ilya", "Ilya Sutskever"}
    assert "研究员" in ilya.tags.names()
    assert PersonRedirect.objects.get(slug=duplicate.slug).target == ilya
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == ilya.get_absolute_url()


# Pure detection


def entries(*names):
    return [AliasEntry(fold(text), person, ambiguous, fuzzy) for text, person, ambiguous, fuzzy in names]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("科学家Ilya Sutskever离开", True),
        ("科学家IIya Sutskever离开", True),
        ("ＩＬＹＡ　ＳＵＴＳＫＥＶＥＲ", True),
        ("Ilya Sutskevers", False),
        ("XIlya Sutskever", False),
        ("见 https://example.com/ilya-sutskever/ 一文", False),
        ("[链接](https://example.com/Ilya Sutskever)", False),
    ],
)
def test_latin_names_need_word_boundaries_not_backslash_b(text, found):
    detection = Matcher(entries(("Ilya Sutskever", 1, False, False))).detect(text)  # exact matching only
    assert (1 in detection.people) is found


def test_the_longest_name_wins():
    matcher = Matcher(entries(("Sam", 1, False, False), ("Sam Altman", 2, False, True), ("马斯克", 3, False, False),
                              ("埃隆·马斯克", 4, False, False)))  # fmt: skip
    detection = matcher.detect("Sam Altman 和 埃隆・马斯克")
    assert set(detection.people) == {2, 4}


def test_a_name_shared_by_two_people_goes_to_the_one_already_mentioned():
    matcher = Matcher(entries(("Sam Altman", 1, False, True), ("Sam", 1, True, False), ("Sam", 2, True, False)))
    detection = matcher.detect("Sam Altman 说，Sam 认为")
    assert detection.people[1].count == 2 and 2 not in detection.people


def test_detection_on_the_article_page_costs_a_constant_number_of_queries(seed, client, make_article):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(Person.objects.get(name="Ilya Sutskever").get_absolute_url()).status_code == 200
        return len(queries)

    small = count()
    ilya = Person.objects.get(name="Ilya Sutskever")
    hinton = Person.objects.get(name="Geoffrey Hinton")
    for number in range(20):
        article = make_article(title=f"又一篇 {number}")
        article.tags.add("人工智能")
        Mention.objects.create(article=article, person=ilya, status=Mention.Status.CONFIRMED, count=1)
        Mention.objects.create(article=article, person=hinton, status=Mention.Status.CONFIRMED, count=1)
    assert count() == small


def test_person_pages(seed, client):
    ilya = Person.objects.get(name="Ilya Sutskever")
    page = client.get(ilya.get_absolute_url()).content.decode()
    assert seed.title in page and "Geoffrey Hinton" in page and "苏茨克维" in page
    index = client.get("/people/").content.decode()
    assert "Ilya Sutskever" in index and "Satya Nadella" not in index  # only confirmed mentions count
    article_page = client.get(seed.get_absolute_url()).content.decode()
    assert ilya.get_absolute_url() in article_page and "Satya Nadella" not in article_page
    feed = client.get(f"{ilya.get_absolute_url()}feed/")
    assert feed["Content-Type"].startswith("application/atom+xml") and seed.title in feed.content.decode()


def test_the_people_index_counts_published_articles_only_most_written_about_first(client, make_article, settings):
    settings.ARCHIVE_PAGE_CACHE_SECONDS = 0
    published = [make_article() for _ in range(3)]
    draft = make_article(status=Article.Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    ada, bo, cy, dee = (Person.objects.create(name=name) for name in ("Ada", "Bo", "Cy", "Dee"))

    def confirm(person, articles, status=Mention.Status.CONFIRMED):
        for article in articles:
            Mention.objects.create(article=article, person=person, status=status, count=1)

    confirm(ada, [published[0], draft, scheduled])  # one article readers can see
    confirm(bo, published[:2])
    confirm(bo, [published[2]], status=Mention.Status.SUGGESTED)  # not confirmed: not counted
    confirm(cy, [published[1]])
    confirm(dee, [draft, scheduled])  # nothing readers can see: not listed

    index = client.get("/people/").content.decode()
    listed = re.findall(r'<a href="/people/[^"]+/">(\w+)</a>.*?<span class="count">(\d+)', index, re.S)
    assert listed == [("Bo", "2"), ("Ada", "1"), ("Cy", "1")]


def test_people_in_published_articles_are_those_a_reader_can_reach_through_a_confirmed_mention(make_article):
    published, draft = make_article(), make_article(status=Article.Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    # Dee is in no article at all.
    ada, bo, cy, _ = (Person.objects.create(name=name) for name in ("Ada", "Bo", "Cy", "Dee"))
    for person, article, status in [
        (ada, draft, Mention.Status.CONFIRMED),
        (ada, published, Mention.Status.CONFIRMED),  # found after a mention readers cannot see
        (bo, published, Mention.Status.SUGGESTED),
        (cy, draft, Mention.Status.CONFIRMED),
        (cy, scheduled, Mention.Status.CONFIRMED),
    ]:
        Mention.objects.create(article=article, person=person, status=status, count=1)

    assert list(Person.objects.in_published_articles().order_by("name")) == [ada]
    assert Person.objects.in_published_articles().count() == 1  # as the sitemap's pages count them


def test_the_people_index_is_paginated_in_its_order(client, make_article, settings):
    settings.ARCHIVE_PAGE_CACHE_SECONDS = 0
    article = make_article()
    people = Person.objects.bulk_create(Person(name=f"P{number:02d}", slug=f"p{number:02d}") for number in range(61))
    Mention.objects.bulk_create(
        Mention(article=article, person=person, status=Mention.Status.CONFIRMED, count=1) for person in people
    )
    first, second = (client.get(f"/people/?page={page}").content.decode() for page in (1, 2))
    assert first.count('<span class="count">') == 60 and "P00" in first and "P59" in first
    assert second.count('<span class="count">') == 1 and "P60" in second


def test_a_renamed_slug_redirects(client, registry):
    person = Person.objects.get(name="Andrew Ng")
    old = person.get_absolute_url()
    person.slug = "吴恩达"
    person.save()
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == "/people/%E5%90%B4%E6%81%A9%E8%BE%BE/"


def test_candidate_totals_follow_their_articles(seed, seed_bytes):
    second = seed_bytes.replace(b"mid=2455853887", b"mid=1111111111", 1).replace(b"# OpenAI", b"# Second OpenAI", 1)
    other = import_document(second, filename="second").article
    call_command("detect_mentions", "--all", stdout=StringIO())
    candidate = NameCandidate.objects.get(text="Alex K")
    assert (candidate.count, candidate.article_count) == (2, 2)
    other.body = other.body.replace("Alex K", "他")
    other.save()
    detect_mentions(other)
    candidate.refresh_from_db()
    assert (candidate.count, candidate.article_count) == (1, 1)


def test_imports_after_a_merge_use_the_merged_registry(registry, seed_bytes):
    from people.services import current_matcher

    current_matcher()  # warm
    duplicate = Person.objects.create(name="Sam A.")
    Alias.objects.create(person=duplicate, text="Sam A.")
    current_matcher()
    merge_people(target=Person.objects.get(name="Sam Altman"), others=[duplicate])
    result = import_document(seed_bytes.replace("Sam Altman 不满".encode(), "Sam A. 不满".encode(), 1), filename="s")
    assert result.outcome == "created", result.error


def test_merging_people_from_admin(client, registry):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("editor", "e@example.com", "pw"))
    keep, other = Person.objects.get(name="Andrew Ng"), Person.objects.create(name="Andrew Y. Ng")
    selection = {"action": "merge", "_selected_action": [keep.pk, other.pk]}
    page = client.post("/admin/people/person/", selection)
    assert page.status_code == 200 and "Andrew Y. Ng" in page.content.decode()
    response = client.post("/admin/people/person/", {**selection, "target": keep.pk})
    assert response.status_code == 302 and not Person.objects.filter(pk=other.pk).exists()


def test_a_biography_is_rendered_when_saved_not_when_shown():
    person = Person.objects.create(name="Geoffrey Hinton", slug="hinton", bio="**深度学习**先驱。")
    assert person.bio_html == "<p><strong>深度学习</strong>先驱。</p>\n"
    person.bio = "图灵奖得主。"
    person.save(update_fields=["bio"])
    person.refresh_from_db()
    assert person.bio_html == "<p>图灵奖得主。</p>\n"
