"""The import_article command and the pipeline under it, on the real database."""

import io
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.importer import import_document
from articles.models import Article, Link, Publication
from people.models import Mention, Person

from .conftest import SAMPLES, SEED_PATH

pytestmark = pytest.mark.django_db

BIZ = "MzIyMDA3MjMwNw=="


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_article", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), str(error)
    return out.getvalue(), err.getvalue(), None


def database_snapshot():
    return (
        list(Article.objects.values()),
        list(Link.objects.values()),
        list(Publication.objects.values()),
    )


def test_importing_the_seed_creates_a_published_article_with_everything():
    out, err, failure = run(str(SEED_PATH))
    assert failure is None and err == ""
    assert "created    " in out and "1 created, 0 updated, 0 unchanged, 0 failed" in out

    article = Article.objects.get()
    assert article.is_published
    assert article.title == "OpenAI 联创 IIya 是谁，为什么要离开 OpenAI？"
    assert article.publication.name == "投资实习所"
    assert article.publication.wechat_biz == BIZ
    assert article.source_key == f"wechat:{BIZ}:2455853887:1"
    assert article.location == "河北"
    assert article.footer.startswith("**·END****·******")
    assert article.body_html.startswith("<p>前天，OpenAI 联合创始人兼首席科学家 <a href=")
    assert article.source_sha256 and article.imported_at
    assert article.slug == "openai-联创-iiya-是谁为什么要离开-openai"
    assert article.get_absolute_url() in out.replace("%", "") or article.slug in out

    links = list(article.links.order_by("position").values_list("kind", "target_key"))
    assert links == [
        ("inline", f"wechat:{BIZ}:2455853860:1"),
        ("inline", "https://www.linkedin.com/pulse/story-ilya-sutskever-before-during-after-co-founding-openai-joshi-xhc9f/"),
        ("inline", "https://github.com/clint-kristopher-morris/Tutorials/blob/main/mixture-of-experts/MoE-Paper-Review.ipynb"),
        ("inline", f"wechat:{BIZ}:2455852256:1"),
        ("inline", "http://vcsmemo.com/"),
        ("inline", f"wechat:{BIZ}:2455853781:1"),
        ("related", f"wechat:{BIZ}:2455853860:1"),
        ("related", f"wechat:{BIZ}:2455852256:1"),
        ("related", f"wechat:{BIZ}:2455853839:1"),
    ]  # fmt: skip
    assert not article.links.filter(target__isnull=False).exists()


def test_reimporting_the_same_file_changes_nothing():
    run(str(SEED_PATH))
    before = database_snapshot()
    out, _, failure = run(str(SEED_PATH))
    assert failure is None
    assert "unchanged  " in out and "0 created, 0 updated, 1 unchanged, 0 failed" in out
    assert database_snapshot() == before


def test_a_changed_source_updates_the_article_and_keeps_editorial_work(seed_bytes):
    article = import_document(seed_bytes, filename="seed").article
    article.tags.add("人工智能")
    article.slug = "ilya"
    article.status = Article.Status.DRAFT
    article.save()
    person = Person.objects.create(name="Ilya Sutskever")
    Mention.objects.create(article=article, person=person, status=Mention.Status.REJECTED)
    manual = Link.objects.create(article=article, url="https://example.com/x", target_key="https://example.com/x")

    changed = seed_bytes.replace(b"# OpenAI ", b"# Updated OpenAI ", 1).replace("河北".encode(), "北京".encode(), 1)
    result = import_document(changed, filename="seed")

    assert result.outcome == "updated"
    article.refresh_from_db()
    assert article.title.startswith("Updated OpenAI") and article.location == "北京"
    assert article.slug == "ilya" and article.status == Article.Status.DRAFT
    assert list(article.tags.names()) == ["人工智能"]
    assert article.mentions.get().status == Mention.Status.REJECTED
    assert article.links.filter(pk=manual.pk).exists()
    assert article.links.filter(kind=Link.Kind.INLINE).count() == 6
    assert Article.objects.count() == 1


def test_dry_run_writes_nothing():
    out, _, failure = run("--dry-run", str(SEED_PATH))
    assert failure is None
    assert "created    " in out and "dry run: nothing was written" in out
    assert database_snapshot() == ([], [], [])


def test_draft_option_keeps_new_articles_as_drafts():
    run("--draft", str(SEED_PATH))
    assert Article.objects.get().status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


def test_a_directory_imports_every_article_in_it():
    _out, _, failure = run(str(SAMPLES))
    assert failure is None and Article.objects.count() == 1


def test_standard_input(monkeypatch, seed_bytes):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(seed_bytes)))
    out, _, failure = run("-")
    assert failure is None and "<stdin>" in out and Article.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty.md, line 1: the file is empty"),
        (b"   \n\n", "empty.md, line 1: the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "empty.md, line 3: the file contains binary data"),
        (b"# t\n\xff\xfe bad", "empty.md, line 2: invalid UTF-8"),
        ("正文，没有标题\n".encode(), "empty.md, line 1: expected the title"),
        ("# 标题\n\n文章作者: 号\n发布时间: 2024-02-30 10:00\n原文链接: https://a.example/\n\n正文".encode(),
         "empty.md, line 4: 发布时间 '2024-02-30 10:00' is not a date"),
        ("# 标题\n\n文章作者: 号\n发布时间: 2024-02-03 10:00\n原文链接: 见下文\n\n正文".encode(),
         "empty.md, line 5: 原文链接 '见下文' is not an http(s) URL"),
    ],
)  # fmt: skip
def test_bad_input_fails_that_file_with_one_clear_line_and_writes_nothing(tmp_path, content, message):
    run(str(SEED_PATH))
    before = database_snapshot()
    bad = tmp_path / "empty.md"
    bad.write_bytes(content)

    _out, err, failure = run(str(bad))

    assert failure == "0 created, 0 updated, 0 unchanged, 1 failed"
    error_lines = err.strip().splitlines()
    assert len(error_lines) == 1 and "Traceback" not in err
    assert error_lines[0].startswith(f"failed     {bad.parent}/{message}")
    assert database_snapshot() == before


def test_a_bad_file_does_not_stop_the_others(tmp_path):
    (tmp_path / "a-bad.md").write_bytes(b"")
    (tmp_path / "b-seed.md").write_bytes(SEED_PATH.read_bytes())
    _out, _err, failure = run(str(tmp_path))
    assert failure == "1 created, 0 updated, 0 unchanged, 1 failed"
    assert Article.objects.count() == 1


def test_a_missing_file_is_reported():
    _out, err, failure = run("no/such/file.md")
    assert "no/such/file.md: cannot read the file" in err and failure.endswith("1 failed")


def test_the_import_is_atomic_when_saving_fails(seed_bytes, monkeypatch):
    """A failure after the article row was written (here: while storing links) rolls everything back."""

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Link.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        import_document(seed_bytes, filename="seed")
    assert database_snapshot() == ([], [], [])


def test_backlinks_resolve_in_either_import_order(seed_bytes):
    target_url = f"https://mp.weixin.qq.com/s?__biz={BIZ}&mid=2455853860&idx=1&sn=zzz#rd"
    target = f"# 被引用的文章\n\n文章作者: 投资实习所\n发布时间: 2024-05-15 09:00\n原文链接: {target_url}\n\n正文。\n"

    import_document(seed_bytes, filename="seed")
    import_document(target.encode(), filename="target")

    referenced = Article.objects.get(title="被引用的文章")
    assert referenced.backlinks.count() == 2  # the inline link and the related card
    assert set(referenced.backlinks.values_list("kind", flat=True)) == {"inline", "related"}
