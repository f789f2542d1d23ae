"""How search finds people by the names they go by. Registered with ``articles.search`` in PeopleConfig.ready."""

from bisect import bisect_right
from collections.abc import Iterable
from functools import reduce
from operator import and_

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from articles.search_text import Term, is_cjk, search_fold

from .models import Alias, Person, registry_fingerprint


class NameDirectory:
    """Every name, native name and alias of the registry in one string, for substring search.

    Search matches names the way it matches text (a Chinese term anywhere, a Latin word by its
    beginning), which no index serves: asked of the database, every search would scan every
    alias. Held per process instead and built again when the registry changes, as the
    detection matcher is (``people.services.current_matcher``).
    """

    def __init__(self, names: Iterable[tuple[str, int]]):
        # "\n" before and after every name: one str.find serves equality, prefixes and infixes.
        self.starts, self.owners, parts = [], [], []
        offset = 0
        for text, person_id in names:
            if not text or "\n" in text:
                continue
            self.starts.append(offset)
            self.owners.append(person_id)
            parts.append(text)
            offset += len(text) + 1
        self.text = "\n" + "\n".join(parts) + "\n"

    @classmethod
    def of_registry(cls) -> "NameDirectory":
        names = [(search_fold(name.lower()), pk) for pk, name in Person.objects.values_list("pk", "name")]
        names += [
            (native, pk) for pk, native in Person.objects.exclude(native_name="").values_list("pk", "native_name")
        ]
        names += [(key.replace("i", "l"), pk) for pk, key in Alias.objects.values_list("person_id", "key")]
        return cls(names)

    def owners_of(self, needle: str) -> set[int]:
        """The people one of whose names contains ``needle`` (which may include the separators)."""
        found, start = set(), self.text.find(needle)
        while start != -1:
            # The name the match begins in (a leading "\n" belongs to the name after it).
            found.add(self.owners[bisect_right(self.starts, start + (needle[0] == "\n")) - 1])
            start = self.text.find(needle, start + 1)
        return found

    def matching(self, term: Term) -> set[int]:
        """People with a name matching ``term``: a single letter or character only as the whole name."""
        if len(term.text) == 1:
            return self.owners_of(f"\n{term.text}\n")
        if is_cjk(term.tokens[0]):
            return self.owners_of(term.text)
        return self.owners_of(f"\n{term.text}") | self.owners_of(f" {term.text}")


_directory: dict = {"fingerprint": None, "directory": None}


def name_directory() -> NameDirectory:
    fingerprint = registry_fingerprint()
    if _directory["fingerprint"] != fingerprint:
        _directory.update(fingerprint=fingerprint, directory=NameDirectory.of_registry())
    return _directory["directory"]


def people_named(terms: list[Term]) -> QuerySet[Person]:
    """People with a name or alias matching every one of ``terms``, confirmed in a published
    article; the ones the whole query names exactly (``is_named``) first, then by name."""
    directory = name_directory()
    # Each term may match another of the person's names: 马斯克 Elon finds Elon Musk.
    matching = reduce(and_, [directory.matching(term) for term in terms])
    if not matching:  # most searches name nobody: no query to build
        return Person.objects.none()
    exactly = directory.owners_of("\n" + " ".join(term.text for term in terms) + "\n")
    return (
        Person.objects.filter(pk__in=sorted(matching))
        .in_published_articles()
        .annotate(is_named=ExpressionWrapper(Q(pk__in=sorted(exactly & matching)), output_field=BooleanField()))
        .order_by("-is_named", "name")
    )
