"""Writes that span models: detecting mentions, loading the registry, merging people,
and the editors' decisions on mentions and name candidates."""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from articles.folding import fold
from articles.models import Article

from .detection import AliasEntry, Matcher, PersonHits, context_around
from .models import Alias, CandidateOccurrence, Mention, NameCandidate, Person, PersonRedirect, registry_fingerprint

_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z .'’-]+$")
_matcher_cache: dict = {"fingerprint": None, "matcher": None}


def current_matcher() -> Matcher:
    """The matcher for the registry as it is now; rebuilt only when the registry changed."""
    fingerprint = registry_fingerprint()
    if _matcher_cache["fingerprint"] != fingerprint:
        entries = [
            AliasEntry(
                key=key,
                person_id=person_id,
                is_ambiguous=is_ambiguous,
                is_fuzzy=kind in {Alias.Kind.FULL, Alias.Kind.FAMILY} and bool(_LATIN_NAME.match(text)),
            )
            for key, person_id, is_ambiguous, kind, text in Alias.objects.values_list(
                "key", "person_id", "is_ambiguous", "kind", "text"
            )
        ]
        _matcher_cache.update(fingerprint=fingerprint, matcher=Matcher(entries))
    return _matcher_cache["matcher"]


@dataclass
class MentionChanges:
    added: int = 0
    updated: int = 0
    removed: int = 0


def detect_mentions_on_import(articles: list[Article], *, created: bool) -> None:
    """The import's step (``articles.importer.POST_IMPORT_STEPS``) for the articles it created or updated."""
    if created:
        detect_mentions_in_new(articles)
    else:
        for article in articles:
            detect_mentions(article)


# Inside an import no savepoint is needed: a failure fails the whole document.
@transaction.atomic(savepoint=False)
def detect_mentions(article: Article, *, matcher: Matcher | None = None) -> MentionChanges:
    """Bring ``article``'s mentions and name candidates up to date with its body.

    Decisions an editor made (confirmed or rejected) are never changed; unreviewed
    detections are recomputed, and ones no longer found are dropped.
    """
    detection = (matcher or current_matcher()).detect(article.body)
    changes = MentionChanges()
    existing = {mention.person_id: mention for mention in article.mentions.all()}
    to_create, to_update = [], []
    now = timezone.now()
    for person_id, hits in detection.people.items():
        mention = existing.pop(person_id, None)
        if mention is None:
            mention = Mention(article=article, person_id=person_id, origin=Mention.Origin.DETECTED)
            to_create.append(mention)
        else:
            to_update.append(mention)
        apply_hits(mention, article.body, hits, now=now)
    stale = [m.pk for m in existing.values() if m.reviewed_at is None and m.origin == Mention.Origin.DETECTED]
    for mention in existing.values():
        if mention.pk not in stale and mention.count:
            mention.count, mention.spans = 0, []
            to_update.append(mention)
    Mention.objects.bulk_create(to_create)
    Mention.objects.bulk_update(
        to_update, ["count", "spans", "context", "matched_text", "is_near_miss", "status", "updated_at"]
    )
    if stale:
        Mention.objects.filter(pk__in=stale).delete()
    _record_candidates({article: detection.candidates}, created=False)
    changes.added, changes.updated, changes.removed = len(to_create), len(to_update), len(stale)
    return changes


@transaction.atomic(savepoint=False)
def detect_mentions_in_new(articles: list[Article], *, matcher: Matcher | None = None) -> None:
    """``detect_mentions`` for articles created in this transaction: they have no mentions and no
    name candidates yet, so nothing is read back, and a batch's are written in a few statements."""
    matcher = matcher or current_matcher()
    now = timezone.now()
    mentions, candidates = [], {}
    for article in articles:
        detection = matcher.detect(article.body)
        for person_id, hits in detection.people.items():
            mention = Mention(article=article, person_id=person_id, origin=Mention.Origin.DETECTED)
            apply_hits(mention, article.body, hits, now=now)
            mentions.append(mention)
        candidates[article] = detection.candidates
    Mention.objects.bulk_create(mentions)
    _record_candidates(candidates, created=True)


def apply_hits(mention: Mention, body: str, hits: PersonHits, *, now) -> None:
    """Set what detection found on ``mention``; an editor's decision on its status stands."""
    mention.count = hits.count
    mention.spans = [list(span) for span in hits.spans]
    mention.context = context_around(body, hits.spans[0])
    mention.matched_text = body[hits.spans[0][0] : hits.spans[0][1]][:200]
    mention.is_near_miss = hits.near_miss
    mention.updated_at = now
    if mention.reviewed_at is None:
        mention.status = Mention.Status.CONFIRMED if hits.unambiguous else Mention.Status.SUGGESTED


def _record_candidates(found: dict[Article, dict[str, tuple[str, int]]], *, created: bool) -> None:
    """Replace the articles' name-candidate occurrences (``found``: key → (text, count) by article)
    and adjust the candidates' totals by the difference: the cost stays the same however many
    articles a candidate appears in. ``created``: the articles are new and have none yet."""
    articles = list(found)
    previous = CandidateOccurrence.objects.filter(article__in=articles)
    rows = [] if created else previous.values_list("article_id", "candidate_id", "count")
    before = {(article_id, candidate_id): count for article_id, candidate_id, count in rows}
    if before:
        previous.delete()
    after: dict[tuple[int, int], int] = {}
    keys = {}  # key → the text it was first found as
    for article_found in found.values():
        for key, (text, _) in article_found.items():
            keys.setdefault(key, text)
    if keys:
        known = {candidate.key: candidate for candidate in NameCandidate.objects.filter(key__in=keys)}
        new = [NameCandidate(key=key, text=text) for key, text in keys.items() if key not in known]
        for candidate in NameCandidate.objects.bulk_create(new):
            known[candidate.key] = candidate
        after = {
            (article.pk, known[key].pk): count
            for article, article_found in found.items()
            for key, (_, count) in article_found.items()
        }
        CandidateOccurrence.objects.bulk_create(
            CandidateOccurrence(article_id=article_id, candidate_id=candidate_id, count=count)
            for (article_id, candidate_id), count in after.items()
        )
    # One update per distinct change (most are "one more article, one more occurrence"), not per candidate.
    changes = defaultdict(lambda: [0, 0])
    for pair in before.keys() | after.keys():
        change = changes[pair[1]]
        change[0] += after.get(pair, 0) - before.get(pair, 0)
        change[1] += (pair in after) - (pair in before)
    by_change = defaultdict(list)
    for candidate_id, change in changes.items():
        if any(change):
            by_change[tuple(change)].append(candidate_id)
    for (occurrences, articles_more), candidate_ids in by_change.items():
        NameCandidate.objects.filter(pk__in=candidate_ids).update(
            count=F("count") + occurrences, article_count=F("article_count") + articles_more
        )
    gone = {candidate_id for _, candidate_id in before} - {candidate_id for _, candidate_id in after}
    if gone:
        NameCandidate.objects.filter(pk__in=gone, status=NameCandidate.Status.NEW, article_count=0).delete()


# Editors' decisions


def review_mentions(mentions, status: str) -> int:
    """Confirm or reject: the decision is the editor's from now on."""
    return mentions.update(status=status, reviewed_at=timezone.now(), updated_at=timezone.now())


@transaction.atomic
def add_spelling_as_alias(mention: Mention) -> Alias | None:
    """Register the spelling a near miss was found under, so it matches exactly from now on."""
    if not mention.matched_text:
        return None
    alias, _ = Alias.objects.get_or_create(
        person=mention.person,
        key=fold(mention.matched_text.strip()),
        defaults={"text": " ".join(mention.matched_text.split()), "kind": Alias.Kind.FULL},
    )
    detect_mentions(mention.article)
    return alias


@transaction.atomic
def promote_candidate(candidate: NameCandidate) -> Person:
    person = Person.objects.create(name=candidate.text)
    Alias.objects.create(person=person, text=candidate.text, kind=Alias.Kind.FULL)
    candidate.status, candidate.person = NameCandidate.Status.PROMOTED, person
    candidate.save(update_fields=["status", "person"])
    _redetect(candidate)
    return person


@transaction.atomic
def attach_candidate(candidate: NameCandidate, person: Person) -> Alias:
    alias, _ = Alias.objects.get_or_create(
        person=person, key=fold(candidate.text), defaults={"text": candidate.text, "kind": Alias.Kind.FULL}
    )
    candidate.status, candidate.person = NameCandidate.Status.ATTACHED, person
    candidate.save(update_fields=["status", "person"])
    _redetect(candidate)
    return alias


def _redetect(candidate: NameCandidate) -> None:
    matcher = current_matcher()
    for article in Article.objects.filter(name_candidates=candidate):
        detect_mentions(article, matcher=matcher)


@transaction.atomic
def merge_people(*, target: Person, others: list[Person]) -> Person:
    """Fold ``others`` into ``target``: aliases, mentions and tags move; old addresses redirect."""
    for other in others:
        if other.pk == target.pk:
            continue
        target_keys = set(target.aliases.values_list("key", flat=True))
        for alias in other.aliases.all():
            if alias.key in target_keys:
                alias.delete()
            else:
                alias.person = target
                # updated_at too: it is part of the registry fingerprint that rebuilds the matcher.
                alias.save(update_fields=["person", "updated_at"])
        for mention in other.mentions.all():
            kept = target.mentions.filter(article=mention.article).first()
            if kept is None:
                mention.person = target
                mention.save(update_fields=["person"])
                continue
            kept.count += mention.count
            kept.spans = sorted(kept.spans + mention.spans)
            # A confirmation outranks a suggestion; an editor's decision outranks detection.
            if mention.status == Mention.Status.CONFIRMED or (mention.reviewed_at and not kept.reviewed_at):
                kept.status, kept.reviewed_at = mention.status, mention.reviewed_at
            kept.save()
            mention.delete()
        target.tags.add(*other.tags.all())
        for field_name in ("native_name", "headline", "bio"):
            if not getattr(target, field_name) and getattr(other, field_name):
                setattr(target, field_name, getattr(other, field_name))
        PersonRedirect.merged(old=other, into=target)
        other.delete()
    target.save()
    return target


# The registry


@dataclass
class RegistryChanges:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases_added: int = 0


@transaction.atomic
def import_registry(entries: list[dict]) -> RegistryChanges:
    """Load people and their aliases; running it again with the same data changes nothing.

    People are matched by slug (given, or made from the name); fields present in the data
    are set; aliases are added, never removed (editors may have added their own).
    """
    changes = RegistryChanges()
    for entry in entries:
        name = str(entry["name"]).strip()
        slug = entry.get("slug") or slugify(name, allow_unicode=True)
        person = Person.objects.filter(slug=slug).first()
        fields = {key: str(entry.get(key) or "").strip() for key in ("native_name", "headline", "bio")}
        if person is None:
            person = Person.objects.create(name=name, slug=slug, **fields)
            changes.created += 1
        elif (person.name, *(getattr(person, key) for key in fields)) != (name, *fields.values()):
            person.name = name
            for key, value in fields.items():
                setattr(person, key, value)
            person.save()
            changes.updated += 1
        else:
            changes.unchanged += 1
        if entry.get("tags"):
            person.tags.add(*entry["tags"])
        known = set(person.aliases.values_list("key", flat=True))
        for alias in entry.get("aliases") or [{"text": name}]:
            alias = {"text": alias} if isinstance(alias, str) else alias
            key = fold(str(alias["text"]).strip())
            if key in known:
                continue
            Alias.objects.create(
                person=person,
                text=str(alias["text"]).strip(),
                kind=alias.get("kind", Alias.Kind.FULL),
                language=alias.get("language", ""),
                is_ambiguous=bool(alias.get("ambiguous", False)),
            )
            known.add(key)
            changes.aliases_added += 1
    return changes
