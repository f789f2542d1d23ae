"""Batches, re-imports that keep editorial work, and importers racing each other."""

import threading
import time
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from articles import importer
from articles.importer import ImportOptions, Outcome, import_batch, import_document
from articles.management.commands.import_article import Progress
from articles.models import Article, Link, Publication, SearchDocument, unique_slug, unique_slugs
from bench.corpus import CorpusPlan
from people.services import import_registry
from tests.test_corpus import clear, snapshot

pytestmark = pytest.mark.django_db


def article_file(directory, number, *, title=None):
    path = directory / f"{number:04d}.md"
    path.write_text(
        f"# {title or f'第 {number} 篇'}\n\n文章作者: 批量测试号\n发布时间: 2024-01-01 10:00\n"
        f"原文链接: https://mp.weixin.qq.com/s?__biz=QkFUQ0g=&mid={number}&idx=1\n\n第 {number} 篇的正文。\n",
        encoding="utf-8",
    )
    return path


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_article", *args, stdout=out, stderr=err)
        failure = None
    except CommandError as error:
        failure = str(error)
    return out.getvalue(), err.getvalue(), failure


def test_directories_are_searched_recursively_in_a_stable_order(tmp_path):
    (tmp_path / "b" / "deeper").mkdir(parents=True)
    article_file(tmp_path / "b" / "deeper", 3)
    article_file(tmp_path / "b", 2)
    article_file(tmp_path, 1)
    (tmp_path / "people.yaml").write_text("not: an article\n")
    (tmp_path / ".hidden.md").write_text("# hidden\n")

    out, _, failure = run(str(tmp_path))

    assert failure is None
    names = [line.split()[1] for line in out.splitlines() if line.startswith("created")]
    assert names == [str(tmp_path / "0001.md"), str(tmp_path / "b" / "0002.md"), str(tmp_path / "b/deeper/0003.md")]


def test_globs_are_expanded(tmp_path):
    for number in range(1, 4):
        article_file(tmp_path, number)
    (tmp_path / "notes.txt").write_text("# 不匹配\n\n正文")
    out, _, failure = run(str(tmp_path / "*.md"))
    assert failure is None and "3 created" in out


def test_bad_files_are_skipped_and_the_run_goes_on_unless_told_to_stop(tmp_path):
    article_file(tmp_path, 1)
    (tmp_path / "0002.md").write_bytes(b"")
    article_file(tmp_path, 3)

    _, err, failure = run(str(tmp_path))
    assert failure == "2 created, 0 updated, 0 unchanged, 1 failed"
    assert "0002.md, line 1: the file is empty" in err

    Article.objects.all().delete()
    _, _, failure = run("--fail-fast", str(tmp_path))
    assert failure == "1 created, 0 updated, 0 unchanged, 1 failed"


def test_quiet_runs_print_only_problems_and_the_summary(tmp_path):
    article_file(tmp_path, 1)
    (tmp_path / "0002.md").write_bytes(b"")
    out, err, failure = run("-v", "0", str(tmp_path))
    assert out == "" and "0002.md" in err and failure.endswith("1 failed")


def test_the_progress_bar_draws_in_place():
    stream = StringIO()
    progress = Progress(stream, total=4)
    progress.advance("a.md")
    progress.advance("b.md")
    progress.finish()
    drawn = stream.getvalue()
    assert "\r\033[K[###############---------------] 2/4  50%" in drawn and "b.md" in drawn
    assert drawn.endswith("\r\033[K")


def test_an_editors_body_survives_a_reimport_of_a_changed_source(seed_bytes):
    article = import_document(seed_bytes, filename="seed").article
    article.body = article.body.replace("前天", "两天前")
    article.save()
    changed = seed_bytes.replace("河北".encode(), "北京".encode(), 1).replace("前天".encode(), "大前天".encode(), 1)

    result = import_document(changed, filename="seed")

    article.refresh_from_db()
    assert result.outcome == "updated" and article.location == "北京"
    assert article.body.startswith("两天前") and "两天前" in article.body_html
    assert any("kept the body an editor changed" in warning for warning in result.warnings)

    result = import_document(
        changed.replace(b"\n\n", b"\n\n\n", 1), filename="seed", options=ImportOptions(overwrite=True)
    )
    article.refresh_from_db()
    assert result.outcome == "updated" and article.body.startswith("大前天")


def test_an_unedited_body_follows_the_source(seed_bytes):
    import_document(seed_bytes, filename="seed")
    result = import_document(seed_bytes.replace("前天".encode(), "大前天".encode(), 1), filename="seed")
    assert result.outcome == "updated" and result.warnings == []
    assert Article.objects.get().body.startswith("大前天")


@pytest.mark.django_db(transaction=True)
def test_two_importers_racing_on_the_same_file_make_one_article(seed_bytes):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("in-memory SQLite serialises every connection; the race needs a real server")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def importer():
        try:
            barrier.wait()
            results.append(import_document(seed_bytes, filename="seed"))
        except Exception as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=importer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(result.outcome for result in results) == ["created", "unchanged", "unchanged", "unchanged"]
    assert Article.objects.count() == 1


def batch_documents(plan):
    """The plan's documents after its first ten, and what a real batch also holds: a file given
    twice, a changed version of an earlier file, a file that cannot be read, one that fails
    validation (a title longer than the field) and one kept as a draft (it has no link)."""
    documents = [(f"{number:03d}.md", plan.document(number)) for number in range(10, plan.articles)]
    changed = plan.document(12) + "\n补充的一段。\n".encode()
    too_long = "# " + "长" * 400 + "\n\n文章作者: 批量测试号\n发布时间: 2024-01-01 10:00\n\n正文。\n"
    unlinked = "# 没有原文链接的稿件\n\n文章作者: 批量测试号\n发布时间: 2024-01-01 10:00\n\n一篇待编辑核对的稿件。\n"
    return [
        *documents[:5],
        ("broken.md", b""),
        ("too-long.md", too_long.encode()),
        ("unlinked.md", unlinked.encode()),
        *documents[5:12],
        ("again.md", plan.document(15)),
        ("012-changed.md", changed),
        *documents[12:],
    ]


def imported(import_rest, plan) -> tuple[dict, list, int]:
    """Rows, outcomes and the statements of ``import_rest``, after the registry and the plan's
    first ten files one by one, then the rest by ``import_rest``."""
    import_registry(plan.registry())
    for number in range(10):
        import_document(plan.document(number), filename=f"{number:03d}.md")
    with CaptureQueriesContext(connection) as statements:
        results = import_rest(batch_documents(plan))
    outcomes = [(result.filename, result.outcome, result.error, result.warnings) for result in results]
    rows = snapshot()
    del rows["tagged"]  # the registry's tags, by ids that differ from one load to the next
    rows["revisions"] = sorted(
        Article.history.values_list("slug", "history_type", "history_change_reason", "title", "status")
    )
    first_ten = [f"{number:03d}.md" for number in range(10)]
    rows["the first ten's links to the rest"] = sorted(
        Link.objects.filter(article__source_filename__in=first_ten)
        .exclude(target__source_filename__in=first_ten)
        .exclude(target=None)
        .values_list("article__slug", "target__slug")
    )
    clear()
    for model in (Article.history.model, SearchDocument):  # the deletions' revisions too
        model.objects.all().delete()
    return rows, outcomes, len(statements)


def test_a_batch_makes_the_same_rows_and_outcomes_as_importing_file_by_file():
    plan = CorpusPlan(articles=40, people=30, seed=3)
    one_by_one = imported(lambda documents: [import_document(data, filename=name) for name, data in documents], plan)
    together = imported(import_batch, plan)

    for table, rows in one_by_one[0].items():
        assert together[0][table] == rows, table
    assert together[1] == one_by_one[1]
    outcomes = Counter(outcome for _, outcome, *_ in one_by_one[1])
    assert outcomes == {Outcome.CREATED: 31, Outcome.FAILED: 2, Outcome.UNCHANGED: 1, Outcome.UPDATED: 1}
    # The comparison saw what is hard to get equal: links from the ten imported before to the
    # batch's articles (relinked), mentions, name candidates, drafts.
    rows = one_by_one[0]
    assert rows["the first ten's links to the rest"]
    assert rows["mentions"] and rows["candidates"] and rows["occurrences"]
    assert any(status == "draft" for _, _, status, *_ in rows["articles"])
    # The batch wrote its new articles together: one by one, each costs some twenty statements.
    assert together[2] < one_by_one[2] / 5


def test_a_batch_the_database_refuses_leaves_nothing_and_goes_file_by_file(monkeypatch, caplog):
    """Should writing the batch fail (after its articles' rows are in), none of it stays, and
    each file is imported on its own, with a result of its own."""
    plan = CorpusPlan(articles=6, people=5, seed=3)
    import_registry(plan.registry())
    index, refused = SearchDocument.index.__func__, []

    def refuse_batches(cls, articles):
        if len(articles) > 1:
            refused.append(len(articles))
            raise DatabaseError("could not serialize access due to concurrent update")
        index(cls, articles)

    monkeypatch.setattr(SearchDocument, "index", classmethod(refuse_batches))
    results = import_batch([(f"{number}.md", plan.document(number)) for number in range(6)])

    assert refused == [6]
    assert "6 new files could not be imported together (could not serialize access" in caplog.text
    assert [result.outcome for result in results] == [Outcome.CREATED] * 6
    assert Article.objects.count() == SearchDocument.objects.count() == 6
    assert Article.history.count() == 6  # no revision left over from the refused batch
    assert sorted(Article.objects.values_list("source_filename", flat=True)) == [f"{n}.md" for n in range(6)]


def test_a_batch_holds_so_many_files_and_bytes_at_most_and_a_larger_file_goes_alone(monkeypatch):
    monkeypatch.setattr(importer, "BATCH_BYTES", 10)
    files = ["aaa", "bbb", "ccc", "ddd", "a file of twenty char", "e", "f", "g"]
    assert list(importer.batches(files, size=len, files=3)) == [
        ["aaa", "bbb", "ccc"],
        ["ddd"],
        ["a file of twenty char"],
        ["e", "f", "g"],
    ]


def test_the_command_reports_every_file_of_several_batches_in_order(tmp_path, monkeypatch):
    monkeypatch.setattr("articles.management.commands.import_article.BATCH_SIZE", 2)
    for number in (1, 2, 3, 4, 5):
        article_file(tmp_path, number)
    (tmp_path / "0003.md").write_bytes(b"")

    out, err, failure = run(str(tmp_path))

    assert failure == "4 created, 0 updated, 0 unchanged, 1 failed"
    assert [line.split()[1].rsplit("/", 1)[1] for line in out.splitlines()] == [
        "0001.md", "0002.md", "0004.md", "0005.md"
    ]  # fmt: skip
    assert "0003.md, line 1: the file is empty" in err
    assert sorted(Article.objects.values_list("title", flat=True)) == ["第 1 篇", "第 2 篇", "第 4 篇", "第 5 篇"]


def test_slugs_for_several_titles_are_the_ones_they_would_take_one_after_another():
    taken = ["周报", "周报-2", "周报-3", "周报-4", "周报-5", "周报-11"]
    Publication.objects.bulk_create(Publication(name=slug, slug=slug) for slug in taken)

    together = unique_slugs(Publication, ["周报"] * 7 + ["月报"])
    one_by_one = []
    for name in ["周报"] * 7 + ["月报"]:
        one_by_one.append(unique_slug(Publication, name))
        Publication.objects.create(name=f"{name} {len(one_by_one)}", slug=one_by_one[-1])

    # Past the ten first candidates, the seventh looks further than they: 周报-11 is taken.
    assert together == one_by_one == [*(f"周报-{number}" for number in (6, 7, 8, 9, 10, 12, 13)), "月报"]


def linking_file(number: int, title: str, links_to: int) -> bytes:
    """An article of an account of its own (a publication both created would make them wait for each other)."""

    def address(of: int) -> str:
        return f"https://mp.weixin.qq.com/s?__biz=QkFUQ0g{of}&mid={of}&idx=1"

    return (
        f"# {title}\n\n文章作者: 测试号{number}\n发布时间: 2024-01-01 10:00\n原文链接: {address(number)}\n\n"
        f"正文，见[另一篇]({address(links_to)})。\n"
    ).encode()


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_resolve_the_links_between_their_articles(monkeypatch):
    """Each file links to the other, and the second import begins while the first is still inside
    its transaction: it must wait for the first, or neither would see the other's article."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("in-memory SQLite serialises every connection; the race needs a real server")
    first_inside, second_begins = threading.Event(), threading.Event()

    def hold_the_first(articles, *, created):
        if articles[0].title == "甲" and not first_inside.is_set():
            first_inside.set()
            second_begins.wait(5)
            time.sleep(0.5)  # time for the second to look its links up, unless it waits for this one

    monkeypatch.setattr(importer, "POST_IMPORT_STEPS", [*importer.POST_IMPORT_STEPS, hold_the_first])
    errors = []

    def run_import(data, name):
        try:
            import_document(data, filename=name)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=run_import, args=(linking_file(1, "甲", links_to=2), "1.md"))
    first.start()
    assert first_inside.wait(5)
    second = threading.Thread(target=run_import, args=(linking_file(2, "乙", links_to=1), "2.md"))
    second_begins.set()
    second.start()
    first.join()
    second.join()

    assert errors == []
    links = dict(Link.objects.values_list("article__title", "target__title"))
    assert links == {"甲": "乙", "乙": "甲"}
