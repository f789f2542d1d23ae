"""Import pipeline: parse → persist → link, one transaction per document.

``import_document`` is what the ``import_article`` command (and later the admin upload)
calls. It never raises for a bad document: the result says what happened.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Article, Link, Publication
from .parsing import ImportFormatError, ParsedArticle, parse_document

# Fields that come from the source file and are refreshed when the file changes.
SOURCE_FIELDS = (
    "title", "published_at", "location", "source_url", "cover_url", "body", "footer", "source_sha256",
)  # fmt: skip


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass
class ImportResult:
    filename: str
    outcome: Outcome
    article: Article | None = None
    error: str = ""
    warnings: list[str] = field(default_factory=list)


class _DryRunRollback(Exception):
    pass


def import_document(data: bytes, *, filename: str, publish: bool = True, dry_run: bool = False) -> ImportResult:
    """Import one exported article. Writes nothing when it fails or when ``dry_run`` is set."""
    try:
        parsed = parse_document(data, filename, max_bytes=settings.ARCHIVE_IMPORT_MAX_BYTES)
    except ImportFormatError as error:
        return ImportResult(filename, Outcome.FAILED, error=str(error))
    result = ImportResult(filename, Outcome.FAILED, warnings=[f"{filename}: {w}" for w in parsed.warnings])
    try:
        with transaction.atomic():
            result.article, result.outcome = _persist(parsed, publish=publish)
            if result.outcome != Outcome.UNCHANGED:
                _link(result.article)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except ValidationError as error:
        result.outcome = Outcome.FAILED
        result.error = f"{filename}: {'; '.join(error.messages)}"
    return result


def _persist(parsed: ParsedArticle, *, publish: bool) -> tuple[Article, Outcome]:
    article = Article.objects.select_for_update().filter(source_key=parsed.source_key).first()
    if article and article.source_sha256 == parsed.sha256:
        return article, Outcome.UNCHANGED

    outcome = Outcome.UPDATED if article else Outcome.CREATED
    if article is None:
        status = Article.Status.PUBLISHED if publish else Article.Status.DRAFT
        article = Article(source_key=parsed.source_key, status=status)
    article.publication = _publication(parsed)
    article.title = parsed.title
    article.published_at = parsed.published_at
    article.location = parsed.location
    article.source_url = parsed.source_url
    article.cover_url = parsed.cover_url
    article.body = parsed.body
    article.footer = parsed.footer
    article.source_sha256 = parsed.sha256
    article.imported_at = timezone.now()
    article.full_clean(exclude=["slug"])
    article.save()

    article.links.filter(kind__in=Link.SOURCE_KINDS).delete()
    Link.objects.bulk_create(
        Link(
            article=article,
            url=link.url,
            target_key=link.target_key,
            text=link.text[: Link._meta.get_field("text").max_length],
            image_url=link.image_url,
            kind=link.kind,
            position=position,
        )
        for position, link in enumerate(parsed.links)
    )
    return article, outcome


def _publication(parsed: ParsedArticle) -> Publication | None:
    if not parsed.account:
        return None
    if parsed.wechat_biz:
        publication = Publication.objects.filter(wechat_biz=parsed.wechat_biz).first()
        if publication:
            return publication
    publication, _created = Publication.objects.get_or_create(name=parsed.account)
    if parsed.wechat_biz and not publication.wechat_biz:
        publication.wechat_biz = parsed.wechat_biz
        publication.save(update_fields=["wechat_biz"])
    return publication


def _link(article: Article) -> None:
    """Resolve this article's links to archived articles, and other articles' links to this one."""
    target_keys = set(article.links.values_list("target_key", flat=True))
    for source_key, target_id in Article.objects.filter(source_key__in=target_keys).values_list("source_key", "pk"):
        article.links.filter(target_key=source_key).update(target_id=target_id)
    Link.objects.filter(target_key=article.source_key).exclude(target=article).update(target=article)
