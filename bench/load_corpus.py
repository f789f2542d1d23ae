"""Put a ``CorpusPlan`` in the database: through the import pipeline, or fast.

``load_through_pipeline`` is what an operator's import does, document by document:
``people.services.import_registry`` for the people, ``articles.importer.import_document``
for each article, then the article's tags. About 50 articles a second.

``load_fast`` gives the same rows (tests/test_corpus.py compares them) for an empty
archive, at thousands of articles a second: worker processes run the same pure functions
(``parse_document``, ``render_markdown``, the mention ``Matcher`` and ``apply_hits``) and the
parent writes with bulk inserts. What the pipeline learns one import at a time is known up
front here: every article's slug and identity, so bodies are rendered once with their local
links, and links are resolved to their targets in one statement at the end.
"""

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from articles.folding import fold
from articles.importer import ImportOptions, Outcome, import_document, source_fields, source_links
from articles.models import Article, ArticleKey, Link, Publication, first_free_slug, slug_base, summary_of
from articles.parsing import parse_document
from articles.rendering import render_markdown
from articles.search import rebuild_index as rebuild_search_index
from people.models import Alias, CandidateOccurrence, Mention, NameCandidate, Person
from people.services import apply_hits, current_matcher, import_registry

from .corpus import CorpusPlan

CHUNK = 500


class CorpusError(Exception):
    pass


@dataclass
class LoadSummary:
    articles: int
    people: int
    seconds: float


def filename(number: int) -> str:
    return f"{number:06d}.md"


def load_through_pipeline(plan: CorpusPlan, *, progress: Callable[[int], None] | None = None) -> LoadSummary:
    started = time.perf_counter()
    import_registry(plan.registry())
    for number in range(plan.articles):
        result = import_document(
            plan.document(number), filename=filename(number), options=ImportOptions(publish=not plan.is_draft(number))
        )
        if result.outcome == Outcome.FAILED:
            raise CorpusError(result.error)
        result.article.tags.add(*plan.tags(number))
        if progress:
            progress(number + 1)
    return LoadSummary(plan.articles, len(plan.people), time.perf_counter() - started)


# What the worker processes read: set by load_fast before it forks them.
_shared: dict = {}


def load_fast(plan: CorpusPlan, *, jobs: int = 1, progress: Callable[[int], None] | None = None) -> LoadSummary:
    """Fill an empty archive with ``plan``; ``jobs`` worker processes parse, render and detect."""
    if Article.objects.exists():
        raise CorpusError("the fast path fills an empty archive; add to an existing one through the pipeline")
    started = time.perf_counter()
    _bulk_people(plan)
    heads = [plan.head(number) for number in range(plan.articles)]
    publications = _publications(plan, heads)
    slugs, taken = [], set(Article.objects.values_list("slug", flat=True))
    for head in heads:
        slugs.append(first_free_slug(slug_base(Article, head.title, "article"), taken))
        taken.add(slugs[-1])
    _shared.update(
        plan=plan,
        matcher=current_matcher(),
        # Where a link to a published article of the corpus leads once it is archived: our page.
        local_links={
            head.key: reverse("articles:detail", kwargs={"slug": slug})
            for head, slug in zip(heads, slugs, strict=True)
            if not plan.is_draft(head.number)
        },
    )
    candidates: dict[str, list] = {}  # folded key → [text as first found, occurrences, articles]
    occurrences: list[tuple[str, int, int]] = []
    tags = {name: Tag.objects.get_or_create(name=name)[0] for n in range(plan.articles) for name in plan.tags(n)}
    article_type = ContentType.objects.get_for_model(Article)
    with _processed(plan.articles, jobs) as results:
        done = 0
        while done < plan.articles:
            chunk = [next(results) for _ in range(min(CHUNK, plan.articles - done))]
            with transaction.atomic():
                articles = Article.objects.bulk_create(
                    _article(parsed, body_html, slugs[number], publications, draft=plan.is_draft(number))
                    for number, parsed, body_html, _ in chunk
                )
                ArticleKey.objects.bulk_create(
                    ArticleKey(article=article, key=article.source_key, url=article.source_url) for article in articles
                )
                now = timezone.now()
                links, mentions, tagged = [], [], []
                for article, (number, parsed, _, detection) in zip(articles, chunk, strict=True):
                    for link in source_links(parsed):
                        link.article = article
                        links.append(link)
                    for person_id, hits in detection.people.items():
                        mention = Mention(article=article, person_id=person_id, origin=Mention.Origin.DETECTED)
                        apply_hits(mention, article.body, hits, now=now)
                        mentions.append(mention)
                    for key, (text, count) in detection.candidates.items():
                        totals = candidates.setdefault(key, [text, 0, 0])
                        totals[1] += count
                        totals[2] += 1
                        occurrences.append((key, article.pk, count))
                    tagged += [
                        TaggedItem(tag=tags[name], content_type=article_type, object_id=article.pk)
                        for name in plan.tags(number)
                    ]
                Link.objects.bulk_create(links)
                Mention.objects.bulk_create(mentions)
                TaggedItem.objects.bulk_create(tagged)
            done += len(chunk)
            if progress:
                progress(done)
    with transaction.atomic():
        _resolve_links()
        _bulk_candidates(candidates, occurrences)
    # Bulk inserts bypass Article.save, which keeps each article's search document.
    rebuild_search_index()
    return LoadSummary(plan.articles, len(plan.people), time.perf_counter() - started)


class _processed:
    """Parsed, rendered and detected articles in order: from a pool of forked workers, or in-process."""

    def __init__(self, count: int, jobs: int):
        self.count, self.jobs, self.pool = count, jobs, None

    def __enter__(self):
        if self.jobs <= 1:
            return map(_process, range(self.count))
        # Forked: the workers inherit the plan, the matcher and the link map without pickling them.
        self.pool = multiprocessing.get_context("fork").Pool(self.jobs)
        return self.pool.imap(_process, range(self.count), chunksize=32)

    def __exit__(self, *exc):
        if self.pool:
            self.pool.terminate()


def _process(number: int):
    plan: CorpusPlan = _shared["plan"]
    parsed = parse_document(plan.document(number), filename(number), max_bytes=settings.ARCHIVE_IMPORT_MAX_BYTES)
    local_links = {
        link.target_key: _shared["local_links"][link.target_key]
        for link in parsed.links
        if link.target_key in _shared["local_links"]
    }
    body_html = render_markdown(parsed.body, local_links=local_links)
    return number, parsed, body_html, _shared["matcher"].detect(parsed.body)


def _bulk_people(plan: CorpusPlan) -> None:
    """The registry as ``import_registry`` stores it, in three bulk inserts."""
    people = Person.objects.bulk_create(
        Person(
            name=spec.name,
            slug=slugify(spec.name, allow_unicode=True),
            native_name=spec.native_name,
            headline=spec.headline,
        )
        for spec in plan.people
    )
    Alias.objects.bulk_create(
        Alias(
            person=person,
            text=alias["text"],
            key=fold(alias["text"]),
            kind=alias["kind"],
            language=alias["language"],
            is_ambiguous=alias.get("ambiguous", False),
        )
        for person, spec in zip(people, plan.people, strict=True)
        for alias in spec.aliases
    )
    tags = {name: Tag.objects.get_or_create(name=name)[0] for spec in plan.people for name in spec.tags}
    person_type = ContentType.objects.get_for_model(Person)
    TaggedItem.objects.bulk_create(
        TaggedItem(tag=tags[name], content_type=person_type, object_id=person.pk)
        for person, spec in zip(people, plan.people, strict=True)
        for name in spec.tags
    )


def _publications(plan: CorpusPlan, heads) -> dict[str, Publication]:
    """The publications the articles use, by name, created in order of first use as imports would."""
    used = dict.fromkeys(head.publication for head in heads)
    return {
        plan.publications[number][0]: Publication.objects.create(
            name=plan.publications[number][0], wechat_biz=plan.publications[number][1]
        )
        for number in used
    }


def _article(parsed, body_html: str, slug: str, publications: dict[str, Publication], *, draft: bool) -> Article:
    return Article(
        **source_fields(parsed),
        source_key=parsed.source_key,
        body=parsed.body,
        body_html=body_html,
        summary=summary_of(body_html),
        slug=slug,
        publication=publications[parsed.account],
        status=Article.Status.DRAFT if draft or parsed.needs_review else Article.Status.PUBLISHED,
    )


def _resolve_links() -> None:
    """Every link to an archived article leads to it: one statement for the whole corpus."""
    Link.objects.filter(target=None).update(
        target=Subquery(ArticleKey.objects.filter(key=OuterRef("target_key")).values("article_id")[:1])
    )


def _bulk_candidates(candidates: dict[str, list], occurrences: list[tuple[str, int, int]]) -> None:
    created = NameCandidate.objects.bulk_create(
        NameCandidate(key=key, text=text, count=count, article_count=articles)
        for key, (text, count, articles) in candidates.items()
    )
    pks = {candidate.key: candidate.pk for candidate in created}
    CandidateOccurrence.objects.bulk_create(
        (CandidateOccurrence(candidate_id=pks[key], article_id=article_id, count=count)
         for key, article_id, count in occurrences),
        batch_size=2000,
    )  # fmt: skip
