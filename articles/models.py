"""Publications, the articles they published, and the links between articles."""

import heapq
import math
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, connections, models, transaction
from django.db.models import Case, Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import TaggedItem

from .parsing.document import MAX_URL_LENGTH
from .rendering import plain_text, relink, render_markdown
from .search_text import document_fields, search_rank
from .wechat import canonical_key

EXCERPT_LENGTH = 140
SLUG_CANDIDATES = 10
# The home page ranks people and tags by the latest this many articles: its cost stays the same
# however large the archive grows, and a newsroom's front page is about what is current.
RECENT_ARTICLES = 1000
RELATED_ARTICLES = 5
# Related articles are ranked among the latest this many articles of each shared person and tag,
# starting from the first this many people (most mentioned first) and tags.
RELATED_CANDIDATES = 100
RELATED_SHARED_MAX = 12


def unique_slug(model: type[models.Model], text: str, *, exclude_pk=None, fallback: str = "item") -> str:
    """A readable unicode slug for ``text`` that no other row of ``model`` uses yet."""
    return unique_slugs(model, [text], exclude_pk=exclude_pk, fallback=fallback)[0]


def unique_slugs(model: type[models.Model], texts: list[str], *, exclude_pk=None, fallback: str = "item") -> list[str]:
    """A slug for each of ``texts``, as ``unique_slug`` would give them saved one after another."""
    bases = [slug_base(model, text, fallback) for text in texts]
    uses = Counter(bases)
    rows = model._default_manager.exclude(pk=exclude_pk)
    # The first few candidates by the unique index; a prefix search would read every slug.
    candidates = {
        base: [base, *(f"{base}-{number}" for number in range(2, SLUG_CANDIDATES + count))]
        for base, count in uses.items()
    }
    taken = set(
        rows.filter(slug__in=[slug for slugs in candidates.values() for slug in slugs]).values_list("slug", flat=True)
    )
    for base, slugs in candidates.items():
        if len(set(slugs) - taken) < uses[base]:  # the texts would run past the candidates checked
            taken |= set(rows.filter(slug__startswith=base).values_list("slug", flat=True))
    free = []
    for base in bases:
        free.append(first_free_slug(base, taken))
        taken.add(free[-1])
    return free


def slug_base(model: type[models.Model], text: str, fallback: str) -> str:
    max_length = model._meta.get_field("slug").max_length
    return slugify(text, allow_unicode=True)[: max_length - 8].strip("-") or fallback


def first_free_slug(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever is not ``taken`` first."""
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def summary_of(body_html: str) -> str:
    """The opening of a rendered body as plain text, for lists and link previews."""
    return Truncator(plain_text(body_html)).chars(EXCERPT_LENGTH)


def count_of(related: models.QuerySet, *, via: str = "article") -> Coalesce:
    """How many rows of ``related`` point at each outer row through ``via``.

    A scalar subquery rather than a join and GROUP BY: a paginated list counts for its
    own rows only, and several counts side by side do not multiply each other.
    """
    counted = related.filter(**{via: OuterRef("pk")}).order_by().values(via).annotate(total=Count("*"))
    return Coalesce(Subquery(counted.values("total")), 0)


class PageCacheVersion(models.Model):
    """The version of everything readers can see; cached public pages are stored under it.

    One row, given a new random token after every committed write that readers could
    notice, so a page cached before the write is never served again. Random rather than
    counted: a database restored from a backup cannot bring back a token still in the cache.
    """

    ROW = 1

    token = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.token:x}"

    @classmethod
    def current(cls) -> int:
        # Read for every page the cache answers, so a plain statement: building it through the
        # ORM took 0.18 ms, the statement itself 0.01 ms (SQLite, measured in one process).
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT token FROM {table} WHERE id = %s", [cls.ROW])
            row = cursor.fetchone()
        return row[0] if row else 0

    @classmethod
    def renew(cls) -> None:
        token = secrets.randbits(62)
        # One UPDATE: the row exists from the first migrate on, but a flushed database has none.
        if not cls.objects.filter(pk=cls.ROW).update(token=token):
            cls.objects.update_or_create(pk=cls.ROW, defaults={"token": token})

    @classmethod
    @contextmanager
    def renewed_at_most_every(cls, seconds: float):
        """Within the block, writes renew the token at once, then at most every ``seconds``, and
        once more at its end if one was held back. For a batch import: renewing after every file
        would leave readers an empty cache for as long as the batch runs; this way its articles
        appear within ``seconds``, and pages stay cached in between. Yields the held renewals:
        a batch calls ``release_if_due()`` after each item or group of items it writes (the import,
        after each batch of files), so that one held back is not kept waiting by items that write
        nothing (unchanged files)."""
        held = _HeldRenewals(every=seconds)
        reset = _held_renewals.set(held)
        try:
            yield held
        finally:
            _held_renewals.reset(reset)
            if held.pending:
                cls.renew()

    @classmethod
    def renew_after_commit(cls) -> None:
        """Call after any write readers could see (model saves and deletes are watched already)."""
        connection = transaction.get_connection()
        if not connection.in_atomic_block:
            _renew_page_cache_version()
        # After the commit, never before: a reader between the two would cache the old data under
        # the new token. Once per transaction is enough (Django keeps the callbacks it will run).
        elif not any(callback is _renew_page_cache_version for _, callback, _ in connection.run_on_commit):
            # robust: the write is committed whatever happens here; at worst pages expire on their own.
            transaction.on_commit(_renew_page_cache_version, robust=True)


@dataclass
class _HeldRenewals:
    every: float
    last: float = -math.inf
    pending: bool = False

    def due(self) -> bool:
        return time.monotonic() - self.last >= self.every

    def renew(self) -> None:
        PageCacheVersion.renew()
        self.last, self.pending = time.monotonic(), False

    def release_if_due(self) -> None:
        """Renew now if a renewal was held back and its time has come."""
        if self.pending and self.due():
            self.renew()


_held_renewals: ContextVar[_HeldRenewals | None] = ContextVar("held_page_cache_renewals", default=None)


def _renew_page_cache_version() -> None:
    held = _held_renewals.get()
    if held is None:
        PageCacheVersion.renew()
    elif held.due():
        held.renew()
    else:
        held.pending = True


class PublicQuerySet(models.QuerySet):
    """For models readers see: bulk writes, which send no signals, also expire cached pages."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            PageCacheVersion.renew_after_commit()
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            PageCacheVersion.renew_after_commit()
        return created

    def bulk_update(self, objs, *args, **kwargs):
        rows = super().bulk_update(objs, *args, **kwargs)
        if rows:
            PageCacheVersion.renew_after_commit()
        return rows


class Publication(models.Model):
    """A WeChat official account (公众号) or another source that publishes articles."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    wechat_biz = models.CharField(
        _("WeChat __biz"),
        max_length=64,
        blank=True,
        help_text=_("The account's id in WeChat article links (the __biz parameter), when known."),
    )
    description = models.TextField(_("description"), blank=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(
                fields=["wechat_biz"], condition=~Q(wechat_biz=""), name="publication_unique_wechat_biz"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Publication, self.name, exclude_pk=self.pk, fallback="publication")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:publication", kwargs={"slug": self.slug})


def heading_of(relation: str = "") -> list[str]:
    """What a link to an article shows (its title, its publication) and what its address and its
    visibility need; ``relation`` reaches the article. Loading its other columns costs a page more
    than reading them: each date is parsed, each field set, for every linked article."""
    prefix = f"{relation}__" if relation else ""
    fields = ("title", "slug", "status", "published_at", "publication__name", "publication__slug")
    return [prefix + field for field in fields]


class ArticleQuerySet(PublicQuerySet):
    def published(self):
        """The one definition of what readers may see."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def unpublished(self):
        """Exactly what ``published()`` leaves out: drafts, and articles dated in the future or undated.

        Spelled so that indexes find them (status, then date): the negation of ``published()``
        would read every article. A status other than "published" is one sorting before or after
        it, which stays exact whatever statuses there are.
        """
        published = Article.Status.PUBLISHED
        return self.filter(
            Q(status__lt=published)
            | Q(status__gt=published)
            | Q(published_at__gt=timezone.now())
            | Q(published_at=None)
        )

    def published_among(self, ids: models.QuerySet | list[int]):
        """The published articles among ``ids`` (a subquery or a list), each checked by its primary key.

        Filtering ``published()`` by ``pk__in`` lets the database walk every published article and
        look each one up in the list; this starts from the list instead, so a person's or a tag's
        page costs what their articles cost, not what the archive does.
        """
        return self.filter(pk__in=ids).filter(Exists(Article.objects.published().filter(pk=OuterRef("pk"))))

    def store_html(self, html_by_pk: dict[int, tuple[str, str]], *, batch_size: int = 500) -> None:
        """Store each article's relinked ``(body_html, footer_html)``, up to ``batch_size`` a statement.

        ``bulk_update`` would build a CASE with a WHEN per article and field, and resolving those
        expressions costs the ORM about a millisecond an article, several times the UPDATE itself.
        The rows' values are joined in instead (UPDATE … FROM: PostgreSQL, and SQLite from 3.33;
        search's trigram index needs 3.34 anyway). Writes the articles named, whatever the queryset's
        filters: it stands on the queryset for its database only.
        """
        database = connections[self.db]
        table = database.ops.quote_name(Article._meta.db_table)
        rows = list(html_by_pk.items())
        with database.cursor() as cursor:
            for start in range(0, len(rows), batch_size):
                batch = rows[start : start + batch_size]
                cursor.execute(
                    f"UPDATE {table} SET body_html = new.column2, footer_html = new.column3"
                    f" FROM (VALUES {', '.join(['(%s, %s, %s)'] * len(batch))}) AS new"
                    f" WHERE {table}.id = new.column1",
                    [value for pk, (body_html, footer_html) in batch for value in (pk, body_html, footer_html)],
                )
        if rows:
            PageCacheVersion.renew_after_commit()

    def tagged(self, tag):
        """The articles carrying ``tag``, from the tag's side (see ``published_among``)."""
        article_type = ContentType.objects.get_for_model(Article)
        return self.published_among(TaggedItem.objects.filter(tag=tag, content_type=article_type).values("object_id"))

    def latest_ids(self, count: int = RECENT_ARTICLES):
        """The ids of the ``count`` latest published articles, as a subquery: what "lately" means on the home page."""
        return self.published().order_by("-published_at", "-pk").values("pk")[:count]

    def years(self) -> list[int]:
        """The years from the newest article's to the oldest's (local time), newest first.

        From the first and the last date, two index look-ups: listing the distinct years would
        truncate every row's date (on SQLite, in Python).
        """
        dated = self.exclude(published_at=None).order_by("published_at").values_list("published_at", flat=True)
        first, last = dated.first(), dated.last()
        if first is None:
            return []
        return list(range(timezone.localtime(last).year, timezone.localtime(first).year - 1, -1))

    def next_to_appear(self):
        """When the earliest article published with a future date becomes visible (or None)."""
        scheduled = self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        return scheduled.aggregate(at=Min("published_at"))["at"]

    def for_cards(self):
        """What an article card shows: its publication, its cover and its tags (as ``listed_tags``)."""
        # A card shows none of the Markdown sources, nor the footer: left in the database.
        return self.defer("body", "footer", "footer_html").select_related("publication", "cover_image").with_tags()

    def with_tags(self):
        """Each article's tags as a list, ``listed_tags``, in one query for them all.

        Prefetched into ``tags`` instead, taggit would build a queryset for every article
        (a third of a millisecond each, more than the query itself: measured, 20 cards).
        """
        return self.prefetch_related(Prefetch("tags", to_attr="listed_tags"))

    def for_page(self):
        """What the article page shows besides the article: tags, links both ways, confirmed people."""
        # The people app hangs its mentions on articles; we reach them through the reverse relation only.
        mentions = Article._meta.get_field("mentions").related_model.objects
        published_source = Exists(Article.objects.published().filter(pk=OuterRef("article_id")))
        # The Markdown sources are for editors; readers get the HTML rendered from them.
        return (
            self.defer("body", "footer")
            .select_related("publication", "cover_image")
            .prefetch_related(
                "tags",
                Prefetch(
                    "links",
                    # In the order of the text: Link's own ordering starts with the article's, a join for nothing here.
                    queryset=Link.objects.select_related("target__publication")
                    .only("article", "url", "target_key", "text", *heading_of("target"))
                    .order_by("position", "id"),
                ),
                Prefetch(
                    "backlinks",
                    # The referrer as a link shows it: related_articles() lists it with its publication.
                    queryset=Link.objects.filter(published_source)
                    .exclude(article_id=F("target_id"))
                    .select_related("article__publication")
                    .only("target", *heading_of("article")),
                    to_attr="published_backlinks",
                ),
                Prefetch(
                    "mentions",
                    queryset=mentions.confirmed()
                    .select_related("person")
                    .only("article", "person__name", "person__slug", "person__native_name")
                    .order_by("-count"),
                    to_attr="confirmed_mentions",
                ),
            )
        )

    def sharing_people_and_tags_with(
        self,
        article: "Article",
        *,
        people: Iterable[int],
        tags: Iterable[int],
        exclude: Iterable[int] = (),
        limit: int = RELATED_ARTICLES,
    ) -> list["Article"]:
        """The ``limit`` published articles sharing the most of ``people`` and ``tags`` (ids), then the newest.

        The candidates are the latest ``RELATED_CANDIDATES`` articles archived for each person and
        tag, read off an index in one query: a popular tag is on a third of the archive, and
        ranking all of those would make every article page cost as much as the archive is large.
        """
        mention = Article._meta.get_field("mentions").related_model
        article_type = ContentType.objects.get_for_model(Article)
        branches, params = [], []
        for person in list(people)[:RELATED_SHARED_MAX]:
            branches.append(
                f"SELECT article_id AS id FROM {mention._meta.db_table}"
                " WHERE person_id = %s AND status = %s ORDER BY article_id DESC LIMIT %s"
            )
            params += [person, mention.Status.CONFIRMED, RELATED_CANDIDATES]
        for tag in list(tags)[:RELATED_SHARED_MAX]:
            branches.append(
                f"SELECT object_id AS id FROM {TaggedItem._meta.db_table}"
                " WHERE tag_id = %s AND content_type_id = %s ORDER BY object_id DESC LIMIT %s"
            )
            params += [tag, article_type.pk, RELATED_CANDIDATES]
        if not branches:
            return []
        # Each branch in a subquery of its own: a compound SELECT takes LIMIT only at its end.
        union = " UNION ALL ".join(f"SELECT id FROM ({branch}) AS shared_{n}" for n, branch in enumerate(branches))
        with connections[self.db].cursor() as cursor:
            cursor.execute(union, params)
            shared = Counter(row[0] for row in cursor.fetchall())
        for pk in [article.pk, *exclude]:
            shared.pop(pk, None)
        best = heapq.nlargest(RELATED_CANDIDATES, shared, key=lambda pk: (shared[pk], pk))
        # Ranked on bare ids, newest first from the database (a date read into Python is parsed, a
        # hundred times a page), then by shares: a stable sort keeps the newest first among equals.
        # Only the articles shown are loaded as models.
        newest_first = self.published_among(best).order_by("-published_at", "-pk").values_list("pk", flat=True)
        ranked = sorted(newest_first, key=lambda pk: -shared[pk])[:limit]
        chosen = self.filter(pk__in=ranked).select_related("publication").only(*heading_of()).in_bulk()
        return [chosen[pk] for pk in ranked if pk in chosen]


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        related_name="articles",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text=_("The last part of the article's address. Chinese characters are fine."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("published at"), null=True, blank=True, help_text=_("When the original was published.")
    )
    location = models.CharField(_("location"), max_length=100, blank=True, help_text=_("发布地, when known."))
    source_url = models.URLField(_("original link"), max_length=MAX_URL_LENGTH, blank=True)
    source_key = models.CharField(
        _("source identity"),
        max_length=MAX_URL_LENGTH,
        blank=True,
        editable=False,
        help_text=_("Canonical identity of the original link; re-imports of the same article match on it."),
    )
    cover_url = models.URLField(_("cover image"), max_length=MAX_URL_LENGTH, blank=True)
    cover_image = models.ForeignKey(
        "MirroredImage",
        verbose_name=_("mirrored cover"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
    )
    body = MarkdownxField(_("body"), help_text=_("Markdown."))
    body_html = models.TextField(editable=False, blank=True)
    # What lists, feeds and link previews show; derived on save, like body_html.
    summary = models.TextField(editable=False, blank=True)
    excerpt = models.TextField(
        _("excerpt"),
        blank=True,
        help_text=_("A sentence or two for lists and sharing. Left empty, the body's opening is used."),
    )
    footer = models.TextField(
        _("footer"),
        blank=True,
        help_text=_(
            "The original's closing boilerplate (promotion, subscription pitch, related cards), kept as Markdown."
        ),
    )
    footer_html = models.TextField(editable=False, blank=True)
    source_filename = models.CharField(
        _("source file"), max_length=255, blank=True, editable=False, help_text=_("The file last imported.")
    )
    source_sha256 = models.CharField(_("source file SHA-256"), max_length=64, blank=True, editable=False)
    # Tells a re-import whether an editor has changed the body since: their edits are kept.
    imported_body_sha256 = models.CharField(_("imported body SHA-256"), max_length=64, blank=True, editable=False)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    tags = TaggableManager(verbose_name=_("tags"), blank=True)

    objects = ArticleQuerySet.as_manager()
    # A revision per save (editors' and re-imports'); body_html is derived, so not kept.
    history = HistoricalRecords(
        excluded_fields=["body_html", "footer_html", "summary"], history_change_reason_field=models.TextField(null=True)
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            # The unique constraint's index is partial (source_key <> ''), which a query with the key
            # as a parameter cannot use: every import would read the whole table to find its article.
            models.Index(fields=["source_key"], name="article_source_key"),
            # A publication's page: its published articles, counted and listed newest first, off the index.
            models.Index(fields=["publication", "status", "-published_at"], name="article_publication_published"),
            # The desk's list of every article, newest first, read off an index rather than sorted.
            models.Index(fields=["-published_at", "-id"], name="article_newest"),
            # Probable duplicates (articles.merging) are grouped off an index rather than sorted.
            models.Index(fields=["publication", "title", "published_at"], name="article_duplicates"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"], condition=~Q(source_key=""), name="article_unique_source_key"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_date",
                violation_error_message=_("A published article needs a publication date."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, local_links: dict[str, str] | None = None, **kwargs):
        """Render, save, index. ``local_links`` (identity → our page) stands in for the saved links'
        targets when the caller knows better: an import replacing the links renders once, with the new."""
        if not self.slug:
            self.slug = unique_slug(Article, self.title, exclude_pk=self.pk, fallback="article")
        self.render(local_links=self.local_link_targets() if local_links is None else local_links)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "body_html", "footer_html", "summary"}
        before = (
            Article.objects.filter(pk=self.pk).values_list("status", "published_at", "slug").first()
            if self.pk
            else None
        )
        # Rendering again (a link target arrived, an image was mirrored) changes nothing an
        # editor could restore: no revision for it.
        rerender_only = update_fields is not None and set(update_fields) <= {"body_html", "footer_html", "summary"}
        if rerender_only:
            self.skip_history_when_saving = True
        try:
            super().save(*args, **kwargs)
        finally:
            if rerender_only:
                del self.skip_history_when_saving
        if update_fields is None or {"title", "body", "published_at"} & set(update_fields):
            SearchDocument.index([self])
        if before and before[2] != self.slug:
            # Links to the old address keep working.
            ArticleRedirect.renamed(old_slug=before[2], target=self)
        if before and before != (self.status, self.published_at, self.slug):
            # Whether (and where) readers can reach this article changed: so did the links to it.
            self.refresh_referrers()

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def render(self, *, local_links: dict[str, str]) -> None:
        """Render the body and the footer (leading to ``local_links``, identity → our page) and take the summary."""
        image_urls = self.mirrored_image_urls()
        self.body_html = render_markdown(self.body, image_urls=image_urls, local_links=local_links)
        # Readers can unfold the original's footer under the article; it is rendered with the same rules.
        self.footer_html = render_markdown(self.footer, image_urls=image_urls, local_links=local_links)
        self.summary = self.excerpt or summary_of(self.body_html)

    def local_link_targets(self) -> dict[str, str]:
        """Canonical identity → our page, for every published article this one links to."""
        if not self.pk:
            return {}
        published = Exists(Article.objects.published().filter(pk=OuterRef("target_id")))
        return {
            key: reverse("articles:detail", kwargs={"slug": slug})
            for key, slug in self.links.filter(published).values_list("target_key", "target__slug")
        }

    def claim_links(self, *, identities: set[str] | None = None) -> None:
        """Point every link to one of this article's identities at it; the referrers then link to its page.

        ``identities``: all of the article's, when the caller knows them (a new article has only its own).
        """
        if identities is None:
            identities = {self.source_key, *self.keys.values_list("key", flat=True)}
        Article.claim_links_of({self: identities})

    @staticmethod
    def claim_links_of(identities: dict["Article", set[str]]) -> None:
        """``claim_links`` for several articles at once (a batch import's): one statement points
        the links at them, one reads the referrers of those published, and one stores their HTML.
        The articles' own HTML is left as it is: it was rendered knowing each other's pages."""
        claimant_by_key = {key: article for article, keys in identities.items() for key in keys if key}
        if not claimant_by_key:
            return
        claimant = Case(
            *(When(target_key=key, then=Value(article.pk)) for key, article in claimant_by_key.items()),
            output_field=models.BigIntegerField(),
        )
        unclaimed = Link.objects.filter(target_key__in=claimant_by_key).exclude(target_id=claimant)
        claimed = unclaimed.update(target_id=claimant)
        published = {key: article for key, article in claimant_by_key.items() if article.is_published}
        if not (claimed and published):
            return
        # Their stored HTML is relinked, not rendered again: an import may make hundreds of referrers.
        new_addresses = {key: article.get_absolute_url() for key, article in published.items()}
        referrers = (
            Article.objects.filter(links__target__in={article.pk for article in published.values()})
            .exclude(pk__in={article.pk for article in identities})
            .distinct()
            .only("pk", "body_html", "footer_html")
        )
        relinked = {}
        for referrer in referrers:
            html = (relink(referrer.body_html, new_addresses), relink(referrer.footer_html, new_addresses))
            if html != (referrer.body_html, referrer.footer_html):
                relinked[referrer.pk] = html
        Article.objects.store_html(relinked)

    def delete(self, *args, **kwargs):
        referrers = list(Article.objects.filter(links__target=self).exclude(pk=self.pk).distinct())
        result = super().delete(*args, **kwargs)
        for referrer in referrers:
            # Their links to this page lead nowhere now: back to the original URL.
            referrer.save(update_fields=["body_html"])
        return result

    def refresh_referrers(self) -> None:
        """Re-render the articles that link here, so their links point at our page (or stop to)."""
        for referrer in Article.objects.filter(links__target=self).exclude(pk=self.pk).distinct():
            referrer.save(update_fields=["body_html"])

    def links_to(self) -> list["Link"]:
        """One link per target, in order (a target both in the text and as a card shows once)."""
        unique: dict[str, Link] = {}
        for link in self.links.all():
            unique.setdefault(link.target_key, link)
        return list(unique.values())

    def linked_from(self) -> list["Article"]:
        """The published articles linking here, once each (needs ``published_backlinks`` prefetched)."""
        return list({link.article_id: link.article for link in self.published_backlinks}.values())

    def related_articles(self, limit: int = RELATED_ARTICLES) -> list["Article"]:
        """Articles this one links to or is linked from, then ones sharing people and tags.

        Expects what ``for_page()`` prefetches: then this costs three queries whatever the
        number of links, people and tags.
        """
        related: dict[int, Article] = {}
        for link in self.links.all():
            if link.target_id and link.target_id != self.pk and link.target.is_published:
                related.setdefault(link.target_id, link.target)
        for link in self.published_backlinks:
            related.setdefault(link.article_id, link.article)
        # Always asked, even when links fill the list: the page's cost must not depend on the data.
        similar = Article.objects.sharing_people_and_tags_with(
            self,
            people=[mention.person_id for mention in self.confirmed_mentions],
            tags=[tag.pk for tag in self.tags.all()],
            exclude=related,
            limit=limit,
        )
        for article in similar:
            related.setdefault(article.pk, article)
        return list(related.values())[:limit]

    @property
    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def cover_src(self) -> str:
        """Where readers load the cover from: our copy when we have one."""
        if self.cover_image_id and self.cover_image.is_mirrored and self.cover_image.source_url == self.cover_url:
            return self.cover_image.file.url
        return self.cover_url

    def mirrored_image_urls(self) -> dict[str, str]:
        """Original image URL → our copy's URL, for the images of this article we mirrored."""
        if not self.pk:
            return {}
        return {image.source_url: image.file.url for image in self.images.filter(status=MirroredImage.Status.OK)}

    def structured_data(self, absolute_uri: Callable[[str], str], *, people=(), tags=()) -> dict:
        """schema.org ``Article`` for search engines and link previews (JSON-LD); ``absolute_uri`` completes paths."""
        data = {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": self.title,
            "description": self.summary,
            "url": absolute_uri(self.get_absolute_url()),
            "inLanguage": "zh-Hans",
            "datePublished": timezone.localtime(self.published_at) if self.published_at else None,
            "dateModified": timezone.localtime(self.updated_at),
        }
        if self.cover_url:
            data["image"] = absolute_uri(self.cover_src)
        if self.source_url:
            data["isBasedOn"] = self.source_url
        if self.publication:
            organisation = {
                "@type": "Organization",
                "name": self.publication.name,
                "url": absolute_uri(self.publication.get_absolute_url()),
            }
            data["publisher"] = data["author"] = organisation
        if people:
            data["about"] = [
                {"@type": "Person", "name": person.name, "url": absolute_uri(person.get_absolute_url())}
                for person in people
            ]
        if tags:
            data["keywords"] = [tag.name for tag in tags]
        return data


class LinkQuerySet(PublicQuerySet):
    def wanted(self):
        """Targets nobody archived yet, most linked first, with the likely title (the anchor text)."""
        return (
            self.filter(target=None)
            .values("target_key")
            .annotate(referrers=Count("article", distinct=True), likely_title=Max("text"), url=Min("url"))
            .order_by("-referrers", "target_key")
        )


class LexemesField(models.TextField):
    """A document's lexemes, space-separated (``search_text.document_lexemes``): a tsvector on
    PostgreSQL, stored so that neither its GIN index nor a row-by-row check parses it again;
    plain text (left empty) elsewhere."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_placeholder(self, value, compiler, connection):
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"


class SearchDocument(models.Model):
    """What search looks in for one article, derived from it on every save: the title and the
    plain text of the body, folded and tokenised (``articles.search_text.document_text``).

    The index over it belongs to the database, made by migration 0005: on SQLite an FTS5
    table (trigram tokenizer, ``rank`` as its rowid) kept in step by triggers on this table,
    on PostgreSQL GIN indexes over ``lexemes`` and ``title_lexemes`` (and functions reading them). A migration that
    alters this table on SQLite rebuilds it, which drops the triggers: such a migration must
    run ``drop_index`` and ``create_index`` (articles.search) after.
    """

    article = models.OneToOneField(Article, primary_key=True, related_name="search_document", on_delete=models.CASCADE)
    title = models.TextField()
    body = models.TextField()
    # Newest first when read from the largest down (search_text.search_rank); unique, since the
    # article id is part of it.
    rank = models.BigIntegerField()
    # Only PostgreSQL's indexes read these (the title's alone, so that title matches are found
    # without checking every match); on SQLite the FTS5 index reads title and body.
    lexemes = LexemesField(blank=True)
    title_lexemes = LexemesField(blank=True, default="")

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self):
        return str(self.article_id)

    @classmethod
    def index(cls, articles: Iterable[Article]) -> None:
        """Write the search documents of saved ``articles``."""
        write_search_documents(
            cls, ((article.pk, article.title, article.body_html, article.published_at) for article in articles)
        )


def write_search_documents(document_model: type[models.Model], rows: Iterable[tuple]) -> None:
    """Write or rewrite the search documents of (article id, title, body_html, published_at)
    rows in one statement. Takes the model so that a migration can pass its historical one
    (which may have fewer fields: migration 0005's has no ``title_lexemes``)."""
    lexemes = connection.vendor == "postgresql"
    known = {field.name for field in document_model._meta.concrete_fields}
    document_model.objects.bulk_create(
        [
            document_model(
                article_id=pk,
                rank=search_rank(pk, published_at),
                **{
                    name: value
                    for name, value in document_fields(title=title, body_html=body_html, with_lexemes=lexemes).items()
                    if name in known
                },
            )
            for pk, title, body_html, published_at in rows
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=[name for name in ("title", "body", "rank", "lexemes", "title_lexemes") if name in known],
    )


def index_all_articles(
    article_model: type[models.Model], document_model: type[models.Model], *, batch_size: int = 500
) -> int:
    """Write every article's search document, a batch per statement; returns how many.

    Batches are read by id, one query each: a cursor held open across the writes would keep
    SQLite's write-ahead log from being checkpointed, and it would grow by the whole index.
    """
    written, after = 0, 0
    articles = article_model.objects.order_by("pk").values_list("pk", "title", "body_html", "published_at")
    while batch := list(articles.filter(pk__gt=after)[:batch_size]):
        write_search_documents(document_model, batch)
        written, after = written + len(batch), batch[-1][0]
    return written


class Link(models.Model):
    """A link from an article to a URL, resolved to our copy of the target when we have one."""

    class Kind(models.TextChoices):
        INLINE = "inline", _("In the text")
        RELATED = "related", _("Related article card")
        MANUAL = "manual", _("Added by an editor")

    SOURCE_KINDS = (Kind.INLINE, Kind.RELATED)

    article = models.ForeignKey(Article, verbose_name=_("article"), related_name="links", on_delete=models.CASCADE)
    url = models.CharField(_("URL"), max_length=MAX_URL_LENGTH, help_text=_("As written in the article."))
    target_key = models.CharField(_("target identity"), max_length=MAX_URL_LENGTH, db_index=True, editable=False)
    target = models.ForeignKey(
        Article,
        verbose_name=_("archived target"),
        related_name="backlinks",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    text = models.CharField(_("text"), max_length=500, blank=True, help_text=_("Anchor text or card title."))
    image_url = models.URLField(_("card image"), max_length=MAX_URL_LENGTH, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.MANUAL)
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["article", "position", "id"]
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints = [
            models.UniqueConstraint(fields=["article", "target_key", "kind"], name="link_unique_target_per_kind"),
        ]
        indexes = [
            # Wanted articles (links to what nobody archived yet), grouped off an index of those links alone.
            models.Index(fields=["target_key"], condition=Q(target=None), name="link_wanted"),
        ]

    def __str__(self):
        return f"{self.article} → {self.text or self.url}"

    def clean(self):
        try:
            self.target_key = canonical_key(self.url)
        except ValueError:
            raise ValidationError({"url": _("Enter an absolute http(s) address.")}) from None
        self.target = Article.objects.filter(Q(source_key=self.target_key) | Q(keys__key=self.target_key)).first()

    @property
    def is_archived(self) -> bool:
        return self.target_id is not None


class MirroredImage(models.Model):
    """Our copy of an image an article shows, stored under its content hash.

    WeChat's image host refuses foreign referrers and its links expire; a mirrored copy
    keeps the article readable. The Markdown keeps the original URL; the rendered HTML
    points at the copy.
    """

    class Status(models.TextChoices):
        OK = "ok", _("Mirrored")
        FAILED = "failed", _("Failed")

    source_url = models.URLField(_("original URL"), max_length=MAX_URL_LENGTH, unique=True)
    file = models.FileField(_("file"), upload_to="images/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    content_type = models.CharField(_("content type"), max_length=40, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.FAILED)
    error = models.TextField(_("error"), blank=True)
    fetched_at = models.DateTimeField(_("fetched at"), auto_now=True)
    articles = models.ManyToManyField(Article, verbose_name=_("articles"), related_name="images", blank=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["-fetched_at"]
        verbose_name = _("mirrored image")
        verbose_name_plural = _("mirrored images")

    def __str__(self):
        return self.source_url

    @property
    def is_mirrored(self) -> bool:
        return self.status == self.Status.OK and bool(self.file)


class ArticleKey(models.Model):
    """One identity an article is known under: its export's link, a short link seen elsewhere…

    Links resolve to an article through any of its keys.
    """

    article = models.ForeignKey(Article, verbose_name=_("article"), related_name="keys", on_delete=models.CASCADE)
    key = models.CharField(_("identity"), max_length=MAX_URL_LENGTH, unique=True, editable=False)
    url = models.URLField(_("URL"), max_length=MAX_URL_LENGTH, help_text=_("Another address of this article."))

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = _("other address")
        verbose_name_plural = _("other addresses")

    def __str__(self):
        return self.url or self.key

    @classmethod
    def articles_known_under(cls, keys: Iterable[str]) -> dict[str, Article]:
        """The archived article known under each of ``keys``, by key (keys nobody is known under
        are left out), loaded with what a link to it needs: its page, and whether readers may follow it."""
        known = (
            cls.objects.filter(key__in=keys)
            .select_related("article")
            .only("key", "article__slug", "article__status", "article__published_at")
        )
        return {row.key: row.article for row in known}

    def clean(self):
        try:
            self.key = canonical_key(self.url)
        except ValueError:
            raise ValidationError({"url": _("Enter an absolute http(s) address.")}) from None
        taken = ArticleKey.objects.filter(key=self.key).exclude(pk=self.pk).select_related("article").first()
        if taken:
            raise ValidationError({"url": _("This address already belongs to “%(title)s”.") % {"title": taken.article}})


class SlugRedirect(models.Model):
    """An old address (renamed, or merged away) that now leads to its ``target``.

    Articles, people and tags each have one; subclasses only declare what ``target`` is.
    """

    slug = models.SlugField(_("old slug"), max_length=200, unique=True, allow_unicode=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.slug} → {self.target}"

    @classmethod
    def target_or_404(cls, slug: str):
        """What the old ``slug`` leads to now; Http404 when it never led anywhere."""
        return get_object_or_404(cls.objects.select_related("target"), slug=slug).target

    @classmethod
    def renamed(cls, *, old_slug: str, target) -> None:
        """``target`` moved from ``old_slug`` to its current slug."""
        if old_slug != target.slug:
            cls.objects.update_or_create(slug=old_slug, defaults={"target": target})
        cls.objects.filter(slug=target.slug).delete()

    @classmethod
    def merged(cls, *, old, into) -> None:
        """``old`` is about to be merged into ``into``: its address, and the ones it had, lead there."""
        cls.objects.filter(target=old).update(target=into)
        cls.objects.update_or_create(slug=old.slug, defaults={"target": into})


class TagRedirect(SlugRedirect):
    target = models.ForeignKey("taggit.Tag", verbose_name=_("tag"), related_name="redirects", on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("tag redirect")
        verbose_name_plural = _("tag redirects")


class ArticleRedirect(SlugRedirect):
    target = models.ForeignKey(Article, verbose_name=_("article"), related_name="redirects", on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("article redirect")
        verbose_name_plural = _("article redirects")
