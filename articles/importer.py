"""Import pipeline: parse → persist → link.

``import_batch`` serves the ``import_article`` command and the desk's upload: new articles
from consecutive files are written together in one transaction, anything else one document
to a transaction (``import_document``, which the upload's preview uses too). Neither raises
for a bad document: the result says what happened, and a failed document leaves the
database as it was.
"""

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from .images import MirrorReport, mirror_article_images
from .models import Article, ArticleKey, Link, Publication, SearchDocument, unique_slugs
from .parsing import ImportFormatError, ParsedArticle, parse_document
from .rendering import parses_kept, relink


class PostImportStep(Protocol):
    """A further step for created or updated articles, run inside their import transaction: one
    article, or the articles a batch created together. ``created``: the articles are new, so the
    step has nothing of theirs (mentions, say) to read back."""

    def __call__(self, articles: list[Article], *, created: bool) -> object: ...


logger = logging.getLogger(__name__)

# Other apps register their steps (people's mention detection does, in PeopleConfig.ready):
# the articles app must not import them.
POST_IMPORT_STEPS: list[PostImportStep] = []

# In a batch (the import command, the desk's upload), cached public pages expire when its first
# file is in, then at most this often, and once more at its end: not after every file.
BATCH_CACHE_RENEWAL_SECONDS = 10
# The import command reads and imports this many files at a time (see import_batch), and no more
# than this many bytes of them (a larger file goes alone): enough that a batch's statements cost
# little per file, few enough that memory and the write lock stay small. A batch keeps its
# files' parses, about twenty times their text.
BATCH_SIZE = 100
BATCH_BYTES = 2 * 1024 * 1024
# Any number no other advisory lock of the project's uses.
IMPORT_LOCK = 0x696D706F7274

Item = TypeVar("Item")


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class ImportOptions:
    publish: bool = True
    dry_run: bool = False
    # Take the source's body even where an editor changed the article's body since the last import.
    overwrite: bool = False
    format_name: str | None = None
    encoding: str | None = None
    mirror_images: bool = False


@dataclass
class ImportResult:
    filename: str
    outcome: Outcome
    article: Article | None = None
    parsed: ParsedArticle | None = None
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    images: MirrorReport | None = None


class _DryRunRollback(Exception):
    pass


def import_document(data: bytes, *, filename: str, options: ImportOptions = ImportOptions()) -> ImportResult:
    """Import one exported article. Writes nothing when it fails or when ``options.dry_run`` is set."""
    try:
        parsed = _parse(data, filename, options)
    except ImportFormatError as error:
        return ImportResult(filename, Outcome.FAILED, error=str(error))
    return _import_parsed(parsed, filename, options)


def import_batch(documents: list[tuple[str, bytes]], *, options: ImportOptions = ImportOptions()) -> list[ImportResult]:
    """Import several exported articles (filename, data): a result for each, in order, as
    ``import_document`` one after another would give them.

    Consecutive files of articles new to the archive are written together, in one transaction
    and a few statements for the lot, instead of some twenty statements and a commit each: the
    import's database work then costs less than its parsing. The rest (a changed file, a second
    file of one article, a dry run, mirrored images) goes file by file, in its place. Should the
    database refuse new files together (a concurrent edit took a slug, say), nothing of them
    stays, and they go file by file too, so that each result says what happened to that file.
    """
    results: list[ImportResult | None] = [None] * len(documents)
    parsed_documents: dict[int, tuple[str, ParsedArticle]] = {}
    with parses_kept():  # the new files are rendered after all are parsed
        for index, (filename, data) in enumerate(documents):
            try:
                parsed_documents[index] = (filename, _parse(data, filename, options))
            except ImportFormatError as error:
                results[index] = ImportResult(filename, Outcome.FAILED, error=str(error))
        together = not (options.dry_run or options.mirror_images) and len(parsed_documents) > 1
        new = _new_to_the_archive(parsed_documents) if together else {}
        run: dict[int, tuple[str, ParsedArticle]] = {}  # new files in a row
        for index, (filename, parsed) in parsed_documents.items():
            if index in new:
                run[index] = new[index]
                continue
            _import_together(run, results, options)
            run = {}
            results[index] = _import_parsed(parsed, filename, options)
        _import_together(run, results, options)
    return results


def _import_together(
    documents: dict[int, tuple[str, ParsedArticle]], results: list[ImportResult | None], options: ImportOptions
) -> None:
    """Create the articles of ``documents`` (new, each its own identity) together, and set their results."""
    if len(documents) > 1:
        try:
            with transaction.atomic():
                _one_import_at_a_time()
                created = _create_together(documents, options)
        except DatabaseError as error:
            logger.warning(
                "%d new files could not be imported together (%s): one by one instead.", len(documents), error
            )
        else:
            for index, result in created.items():
                results[index] = result
            return
    for index, (filename, parsed) in documents.items():
        results[index] = _import_parsed(parsed, filename, options)


def _one_import_at_a_time() -> None:
    """On PostgreSQL, wait for any other import's transaction to end first, as SQLite's immediate
    transactions do. Two at once would not see the articles the other is creating, and the links
    between them would stay unresolved."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


def batches(items: Iterable[Item], *, size: Callable[[Item], int], files: int = BATCH_SIZE) -> Iterator[list[Item]]:
    """``items`` (files to import, in whatever form) in lists of at most ``files`` items and
    ``BATCH_BYTES`` by their ``size``, taken as they come."""
    batch, batch_bytes = [], 0
    for item in items:
        if batch and (len(batch) == files or batch_bytes + size(item) > BATCH_BYTES):
            yield batch
            batch, batch_bytes = [], 0
        batch.append(item)
        batch_bytes += size(item)
    if batch:
        yield batch


def _parse(data: bytes, filename: str, options: ImportOptions) -> ParsedArticle:
    return parse_document(
        data,
        filename,
        max_bytes=settings.ARCHIVE_IMPORT_MAX_BYTES,
        format_name=options.format_name,
        encoding=options.encoding,
    )


def _import_parsed(parsed: ParsedArticle, filename: str, options: ImportOptions) -> ImportResult:
    # A second attempt covers a race: another importer created the same article (same
    # source_key or slug) between our look-up and our insert. The retry finds it.
    for attempt in (1, 2):
        result = ImportResult(filename, Outcome.FAILED, parsed=parsed, warnings=_warnings(parsed, filename))
        try:
            with transaction.atomic():
                _one_import_at_a_time()
                _persist(parsed, options, result)
                if result.outcome != Outcome.UNCHANGED:
                    created = result.outcome == Outcome.CREATED
                    _link(result.article, parsed, created=created)
                    for step in POST_IMPORT_STEPS:
                        step([result.article], created=created)
                if options.dry_run:
                    raise _DryRunRollback
        except _DryRunRollback:
            pass
        except ValidationError as error:
            result.outcome, result.article = Outcome.FAILED, None
            result.error = f"{filename}: {_describe(error)}"
        except IntegrityError as error:
            if attempt == 1:
                continue
            result.outcome, result.article = Outcome.FAILED, None
            result.error = f"{filename}: the database refused the article ({error}); try the import again."
        except DatabaseError as error:
            result.outcome, result.article = Outcome.FAILED, None
            result.error = f"{filename}: the database refused the article ({str(error).strip()})."
        if options.mirror_images and result.article and not options.dry_run:
            # After the commit: downloads must not hold the import's transaction open.
            result.images = mirror_article_images(result.article)
            result.warnings += [f"{filename}: image not mirrored, {url}: {why}" for url, why in result.images.failed]
        return result
    raise AssertionError("unreachable")


def _warnings(parsed: ParsedArticle, filename: str) -> list[str]:
    return [f"{filename}: {warning}" for warning in parsed.warnings]


def _new_to_the_archive(parsed_documents: dict[int, tuple[str, ParsedArticle]]) -> dict[int, tuple[str, ParsedArticle]]:
    """The documents of articles not archived yet, under any identity: the first of each."""
    keys = {parsed.source_key for _, parsed in parsed_documents.values()}
    archived = {
        *Article.objects.filter(source_key__in=keys).values_list("source_key", flat=True),
        *ArticleKey.objects.filter(key__in=keys).values_list("key", flat=True),
    }
    new = {}
    for index, (filename, parsed) in parsed_documents.items():
        if parsed.source_key not in archived:
            archived.add(parsed.source_key)
            new[index] = (filename, parsed)
    return new


def _create_together(
    documents: dict[int, tuple[str, ParsedArticle]], options: ImportOptions
) -> dict[int, ImportResult]:
    """Create the articles of ``documents`` (all new, each its own identity) as ``_persist`` and
    ``_link`` would one by one, with bulk inserts. Each is rendered once: the pages of the archive's
    articles and of the batch's own that it links to are known before any is written."""
    results, publications = {}, {}
    articles: list[Article] = []
    links: list[list[Link]] = []  # each article's, unsaved
    for index, (filename, parsed) in documents.items():
        result = results[index] = ImportResult(
            filename, Outcome.CREATED, parsed=parsed, warnings=_warnings(parsed, filename)
        )
        article = _new_article(parsed, options)
        article.body = parsed.body
        try:
            _take_source(article, parsed, filename, publications)
        except ValidationError as error:
            result.outcome, result.error = Outcome.FAILED, f"{filename}: {_describe(error)}"
            continue
        result.article = article
        articles.append(article)
        links.append(source_links(parsed))
    slugs = unique_slugs(Article, [article.title for article in articles], fallback="article")
    for article, slug in zip(articles, slugs, strict=True):
        article.slug = slug
    targets = ArticleKey.articles_known_under({link.target_key for found in links for link in found})
    targets.update({article.source_key: article for article in articles})
    local_links = {key: target.get_absolute_url() for key, target in targets.items() if target.is_published}
    for article in articles:
        article.render(local_links=local_links)
    Article.objects.bulk_create(articles)
    Article.history.bulk_history_create(articles)
    SearchDocument.index(articles)
    ArticleKey.objects.bulk_create(
        [ArticleKey(key=article.source_key, article=article, url=article.source_url) for article in articles],
        ignore_conflicts=True,
    )
    for article, found in zip(articles, links, strict=True):
        for link in found:
            link.article, link.target = article, targets.get(link.target_key)
    Link.objects.bulk_create([link for found in links for link in found])
    # Links from articles archived before point here now (a new article has only its own identity).
    Article.claim_links_of({article: {article.source_key} for article in articles})
    for step in POST_IMPORT_STEPS:
        step(articles, created=True)
    return results


def _describe(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return "; ".join(error.messages)
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def _persist(parsed: ParsedArticle, options: ImportOptions, result: ImportResult) -> None:
    # Known under this identity as its own source, or as another of its addresses.
    known_as = ArticleKey.objects.filter(key=parsed.source_key).values("article_id")
    article_id = (
        Article.objects.filter(Q(source_key=parsed.source_key) | Q(pk__in=known_as))
        .order_by()
        .values_list("pk", flat=True)
        .first()
    )
    article = Article.objects.select_for_update().filter(pk=article_id).first() if article_id else None
    if article and article.source_sha256 == parsed.sha256:
        result.article, result.outcome = article, Outcome.UNCHANGED
        return

    if article is None:
        result.outcome = Outcome.CREATED
        article = _new_article(parsed, options)
    else:
        result.outcome = Outcome.UPDATED

    editor_changed_body = bool(article.pk) and body_sha256(article.body) != article.imported_body_sha256
    if editor_changed_body and not options.overwrite:
        result.warnings.append(
            f"{result.filename}: kept the body an editor changed since the last import "
            "(--overwrite takes the source's)."
        )
    else:
        article.body = parsed.body
    _take_source(article, parsed, result.filename)
    # The links' targets are looked up before the save, so that the body is rendered once, already
    # leading to the linked articles we have (with the editors' links an article had, if any).
    links = source_links(parsed)
    targets = ArticleKey.articles_known_under({link.target_key for link in links})
    local_links = {key: target.get_absolute_url() for key, target in targets.items() if target.is_published}
    article.save(local_links={**article.local_link_targets(), **local_links})
    # Unless the identity is already known (as this article's, or as another address of one).
    ArticleKey.objects.bulk_create(
        [ArticleKey(key=article.source_key, article=article, url=article.source_url)], ignore_conflicts=True
    )

    if result.outcome == Outcome.UPDATED:
        article.links.filter(kind__in=Link.SOURCE_KINDS).delete()
    for link in links:
        link.article, link.target = article, targets.get(link.target_key)
    Link.objects.bulk_create(links)
    result.article = article


def _new_article(parsed: ParsedArticle, options: ImportOptions) -> Article:
    publish = options.publish and not parsed.needs_review
    return Article(source_key=parsed.source_key, status=Article.Status.PUBLISHED if publish else Article.Status.DRAFT)


def _take_source(
    article: Article,
    parsed: ParsedArticle,
    filename: str,
    publications: dict[tuple[str, str], Publication] | None = None,
) -> None:
    """Set what the source says on ``article`` and validate it; ``publications`` keeps the ones
    a batch has looked up already."""
    for name, value in source_fields(parsed).items():
        setattr(article, name, value)
    article.source_filename = filename[-Article._meta.get_field("source_filename").max_length :]
    article.full_clean(exclude=["slug", "publication"], validate_unique=False, validate_constraints=False)
    # Once the article is valid (a batch creates none for an invalid one); read or created here,
    # the publication needs no validation.
    article.publication = _publication(parsed, {} if publications is None else publications)
    # The revision this save keeps says where it came from.
    article._change_reason = gettext("Imported from %(file)s") % {"file": article.source_filename}


def source_fields(parsed: ParsedArticle) -> dict:
    """What an import takes from the source document (the body apart: an editor's edit may stand)."""
    return {
        "imported_body_sha256": body_sha256(parsed.body),
        "title": parsed.title,
        "published_at": parsed.published_at,
        "location": parsed.location,
        "source_url": parsed.source_url,
        "cover_url": parsed.cover_url,
        "footer": parsed.footer,
        "source_sha256": parsed.sha256,
        "imported_at": timezone.now(),
    }


def source_links(parsed: ParsedArticle) -> list[Link]:
    """The source's links, unsaved, without their article yet."""
    text_length = Link._meta.get_field("text").max_length
    return [
        Link(
            url=link.url,
            target_key=link.target_key,
            text=link.text[:text_length],
            image_url=link.image_url,
            kind=link.kind,
            position=position,
        )
        for position, link in enumerate(parsed.links)
    ]


def _publication(parsed: ParsedArticle, known: dict[tuple[str, str], Publication]) -> Publication | None:
    if not parsed.account:
        return None
    if (parsed.account, parsed.wechat_biz) not in known:
        known[parsed.account, parsed.wechat_biz] = _look_up_publication(parsed)
    return known[parsed.account, parsed.wechat_biz]


def _look_up_publication(parsed: ParsedArticle) -> Publication:
    if parsed.wechat_biz:
        publication = Publication.objects.filter(wechat_biz=parsed.wechat_biz).first()
        if publication:
            return publication
    publication, _ = Publication.objects.get_or_create(name=parsed.account)
    if parsed.wechat_biz and not publication.wechat_biz:
        publication.wechat_biz = parsed.wechat_biz
        publication.save(update_fields=["wechat_biz"])
    return publication


def _link(article: Article, parsed: ParsedArticle, *, created: bool) -> None:
    """Other articles' links to this one (under any of its identities) now lead here: backlinks
    appear whichever of the two arrived first. Its own links found their targets before it was saved."""
    article.claim_links(identities={article.source_key} if created else None)
    # A new article linking to itself: its page did not exist yet when it was rendered.
    if created and article.is_published and any(link.target_key == article.source_key for link in parsed.links):
        local_links = article.local_link_targets()
        article.body_html = relink(article.body_html, local_links)
        article.footer_html = relink(article.footer_html, local_links)
        Article.objects.filter(pk=article.pk).update(body_html=article.body_html, footer_html=article.footer_html)
