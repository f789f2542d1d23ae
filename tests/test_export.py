"""Exports re-import into the same article: the round trip loses nothing."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.importer import import_document
from articles.models import Article, Link, Publication

from .test_formats import FIXTURES

pytestmark = pytest.mark.django_db

COMPARED = ("title", "published_at", "location", "source_url", "source_key", "cover_url", "body", "footer")


def snapshot(article):
    fields = {name: getattr(article, name) for name in COMPARED}
    fields["publication"] = article.publication.name if article.publication else None
    links = list(article.links.order_by("position").values_list("url", "target_key", "text", "image_url", "kind"))
    return fields, links


def export(*args):
    out = StringIO()
    call_command("export_article", *args, stdout=out)
    return out.getvalue()


def wipe():
    Link.objects.all().delete()
    Article.objects.all().delete()
    Publication.objects.all().delete()


@pytest.mark.parametrize("source", ["seed", "clipper-english-keys.md", "plain-note.md"])
def test_an_export_reimports_into_the_same_article(seed_bytes, source):
    data = seed_bytes if source == "seed" else (FIXTURES / source).read_bytes()
    original = import_document(data, filename=source).article
    before = snapshot(original)

    exported = export(original.slug)
    wipe()
    result = import_document(exported.encode(), filename="exported.md")

    assert result.outcome == "created", result.error
    assert snapshot(result.article) == before


def test_the_export_is_in_the_seed_format(seed_article):
    exported = export(str(seed_article.pk))
    assert exported.startswith(
        f"# {seed_article.title}\n\n文章作者: 投资实习所\n发布时间: 2024-05-17 12:58\n发布地: 河北\n"
    )
    assert "\n<!-- footer -->\n\n**·END****·******" in exported


def test_json_export(seed_article):
    seed_article.tags.add("人工智能")
    [data] = json.loads(export(seed_article.slug, "--format", "json"))
    assert data["title"] == seed_article.title
    assert data["published_at"] == "2024-05-17T04:58:00+00:00"
    assert data["tags"] == ["人工智能"]
    assert len(data["links"]) == 9 and data["links"][6]["kind"] == "related"


def test_everything_to_a_directory(seed_article, make_article, tmp_path):
    make_article(title="第二篇")
    out = StringIO()
    call_command("export_article", "--all", "--output", str(tmp_path), stdout=out)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(f"{a.slug}.md" for a in Article.objects.all())
    assert "2 exported" in out.getvalue()


def test_unknown_articles_are_named():
    with pytest.raises(CommandError, match="No article with id or slug: nope, 999"):
        export("nope", "999")
