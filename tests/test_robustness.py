"""Nothing a file contains can crash the importer or leave half an article behind."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.importer import import_document
from articles.models import Article, Link, Publication
from articles.parsing import ImportFormatError, parse_document

from .conftest import SEED_PATH
from .pathological import documents

SEED = SEED_PATH.read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data"), list(documents()), ids=[name for name, _ in documents()])
def test_pathological_documents_import_or_fail_cleanly(name, data):
    result = import_document(data, filename=name)
    if result.outcome == "failed":
        assert result.error.startswith(f"{name}") and not Article.objects.exists()
    else:
        article = Article.objects.get()
        assert "<script" not in article.body_html


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (position, length to delete, bytes to insert) edits."""
    for position, length, inserted in edits:
        position %= len(data) + 1
        data = data[:position] + inserted + data[position + length :]
    return data


interesting_bytes = st.sampled_from(
    [b"\n", b"\r\n", b"#", b"# ", b"---\n", b":", b"\xef\xbb\xbf", b"\x00", b"\xff", b"\xe5", b"[", b"](", b"**",
     b"\xe5\x8f\x91\xe5\xb8\x83\xe6\x97\xb6\xe9\x97\xb4: ", b"http://", b"javascript:", b"<script>", b"END"]
)  # fmt: skip
edits = st.lists(
    st.tuples(st.integers(0, len(SEED)), st.integers(0, 200), st.one_of(interesting_bytes, st.binary(max_size=8))),
    max_size=6,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
def test_mutated_seeds_parse_or_raise_only_our_error(edit_list):
    try:
        parse_document(mutate(SEED, edit_list), "mutant.md")
    except ImportFormatError as error:
        assert error.filename == "mutant.md" and error.problem


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_parse_or_raise_only_our_error(data):
    try:
        parse_document(data, "random.bin")
    except ImportFormatError as error:
        assert error.filename == "random.bin"


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits)
def test_a_failed_import_writes_nothing_and_a_good_one_is_whole(edit_list):
    Article.objects.all().delete()
    Publication.objects.all().delete()
    result = import_document(mutate(SEED, edit_list), filename="mutant.md")
    if result.outcome == "failed":
        assert not Article.objects.exists() and not Link.objects.exists() and not Publication.objects.exists()
        assert result.error.startswith("mutant.md")
    else:
        article = Article.objects.get()
        assert article.body_html and article.source_sha256 == result.parsed.sha256
        assert article.links.count() == len(result.parsed.links)
