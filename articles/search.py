"""Search over published articles and the people they mention: matching, ranking, facets.

What search looks in is each article's ``SearchDocument`` (see ``articles.search_text`` for
its form). The database indexes it, and keeps the index in step by itself:

* SQLite: an FTS5 table over the search documents with the trigram tokenizer, filled by
  triggers. A term's pattern (" 对 齐 ", " 对 ", " open") is an FTS5 phrase, which the
  trigram tokenizer matches as a substring through its index.
* PostgreSQL: a GIN index over the document's lexemes (every token, and every pair of
  neighbouring CJK characters, as Lucene's CJK analyzer makes them). A term of one lexeme is
  answered by the index alone; a longer one is then checked as a substring of the
  candidates' text.

Readers only ever see ``Article.objects.published()`` and confirmed mentions.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, reduce
from operator import and_

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.models import TaggedItem

from .models import Article, SearchDocument, write_search_documents
from .search_text import MAX_QUERY_LENGTH, Term, parse_query

# How a query term finds people by their names: the people app registers its finder in
# PeopleConfig.ready (articles must not import people). A finder returns a queryset of people.
PEOPLE_FINDERS: list[Callable[[Term], QuerySet]] = []

FACET_SIZE = 10
PEOPLE_PER_TERM = 50
_YEAR = re.compile(r"^[0-9]{4}$")


# The index. Created by migration 0002; ``create_index`` again after a migration rebuilds the
# search document table on SQLite (which drops its triggers).

_FTS = "articles_search"
_SQLITE_INDEX = [
    f"""CREATE VIRTUAL TABLE {_FTS} USING fts5(
        title, body, content='articles_searchdocument', content_rowid='article_id',
        tokenize='trigram case_sensitive 1')""",
    f"""CREATE TRIGGER {_FTS}_insert AFTER INSERT ON articles_searchdocument BEGIN
        INSERT INTO {_FTS}(rowid, title, body) VALUES (new.article_id, new.title, new.body);
    END""",
    f"""CREATE TRIGGER {_FTS}_delete AFTER DELETE ON articles_searchdocument BEGIN
        INSERT INTO {_FTS}({_FTS}, rowid, title, body) VALUES ('delete', old.article_id, old.title, old.body);
    END""",
    f"""CREATE TRIGGER {_FTS}_update AFTER UPDATE ON articles_searchdocument BEGIN
        INSERT INTO {_FTS}({_FTS}, rowid, title, body) VALUES ('delete', old.article_id, old.title, old.body);
        INSERT INTO {_FTS}(rowid, title, body) VALUES (new.article_id, new.title, new.body);
    END""",
    # Documents written before the index existed.
    f"INSERT INTO {_FTS}({_FTS}) VALUES ('rebuild')",
]
_SQLITE_DROP = [f"DROP TABLE IF EXISTS {_FTS}"]  # its triggers go with it

# PostgreSQL indexes the lexemes the search document lists (articles.search_text.document_lexemes).
_LEXEMES = "array_to_tsvector(string_to_array(lexemes, ' '))"
_POSTGRESQL_INDEX = [f"CREATE INDEX articles_search_lexemes ON articles_searchdocument USING gin (({_LEXEMES}))"]
_POSTGRESQL_DROP = ["DROP INDEX IF EXISTS articles_search_lexemes"]


def create_index(schema_editor) -> None:
    for statement in {"sqlite": _SQLITE_INDEX, "postgresql": _POSTGRESQL_INDEX}[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


def drop_index(schema_editor) -> None:
    for statement in {"sqlite": _SQLITE_DROP, "postgresql": _POSTGRESQL_DROP}[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


def rebuild_index(*, batch_size: int = 500) -> int:
    """Write every article's search document again (a statement per batch), then compact the index."""
    rows = Article.objects.order_by("pk").values_list("pk", "title", "body_html").iterator(chunk_size=batch_size)
    written = write_search_documents(SearchDocument, rows, batch_size=batch_size)
    _optimize_index()
    return written


def _optimize_index() -> None:
    """Compact the index after writing many documents (SQLite merges FTS5's segments)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {_FTS}({_FTS}) VALUES ('optimize')")
        else:
            cursor.execute("ANALYZE articles_searchdocument")


def text_matches(terms: list[Term]) -> RawSQL:
    """The ids of the articles whose title or body contains every one of ``terms``."""
    if connection.vendor == "postgresql":
        conditions, params = [f"{_LEXEMES} @@ %s::tsquery"], [" & ".join(_tsquery(term) for term in terms)]
        for term in terms:
            if len(term.tokens) > 1:
                conditions.append("(strpos(title, %s) > 0 OR strpos(body, %s) > 0)")
                params += [term.pattern, term.pattern]
        return RawSQL(f"SELECT article_id FROM articles_searchdocument WHERE {' AND '.join(conditions)}", params)
    phrases = " AND ".join(f'"{term.pattern}"' for term in terms)
    return RawSQL(f"SELECT rowid FROM {_FTS} WHERE {_FTS} MATCH %s", [phrases])


def _tsquery(term: Term) -> str:
    # Lexemes are runs of word characters (search_text._TOKEN): nothing in them needs quoting.
    lexemes = [f"'{lexeme}'" for lexeme in term.lexemes()]
    if term.is_prefix:
        lexemes[-1] += ":*"
    return " & ".join(lexemes)


def _mentions():
    # The people app hangs mentions on articles; reached through the reverse relation only.
    return Article._meta.get_field("mentions").related_model.objects.confirmed()


@dataclass(frozen=True)
class FacetValue:
    label: str
    count: int
    selected: bool
    url: str  # this search with the value chosen, or no longer chosen when it was


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue]


class Search:
    """One search: the query and facet choices of a request, and what they find."""

    FACETS = {"publication": _("Publication"), "person": _("Person"), "tag": _("Tag"), "year": _("Year")}

    def __init__(self, params: QueryDict):
        self.params = params
        self.query = " ".join(params.get("q", "").split())[:MAX_QUERY_LENGTH]
        self.terms = parse_query(self.query)
        self.filters = {name: params[name] for name in self.FACETS if params.get(name)}
        if "year" in self.filters and not _YEAR.match(self.filters["year"]):
            del self.filters["year"]

    @cached_property
    def people_by_term(self) -> list[list]:
        """For each term, the people it names (one query per term)."""
        return [
            [person for finder in PEOPLE_FINDERS for person in finder(term)[:PEOPLE_PER_TERM]] for term in self.terms
        ]

    @cached_property
    def people(self) -> list:
        """The people named by every term, by name."""
        if not self.terms:
            return []
        common = set.intersection(*({person.pk for person in people} for people in self.people_by_term))
        found = {person.pk: person for people in self.people_by_term for person in people if person.pk in common}
        return sorted(found.values(), key=lambda person: person.name)

    def _matching(self) -> Q:
        """Every term is in the title or body, or names a person the article is confirmed to mention."""
        if not any(self.people_by_term):
            return Q(pk__in=text_matches(self.terms))
        conditions = []
        for term, people in zip(self.terms, self.people_by_term, strict=True):
            condition = Q(pk__in=text_matches([term]))
            if people:
                mentioning = _mentions().filter(person__in=[person.pk for person in people]).values("article_id")
                condition |= Q(pk__in=mentioning)
            conditions.append(condition)
        return reduce(and_, conditions)

    def _narrowing(self) -> list[Q]:
        narrowing = {
            "publication": lambda slug: Q(publication__slug=slug),
            "person": lambda slug: Q(pk__in=_mentions().filter(person__slug=slug).values("article_id")),
            "tag": lambda slug: Q(tags__slug=slug),
            "year": lambda year: Q(published_at__year=int(year)),
        }
        return [narrowing[name](value) for name, value in self.filters.items()]

    @cached_property
    def found(self) -> QuerySet:
        """The published articles the search finds, narrowed by the chosen facets, unordered."""
        if not self.terms:
            return Article.objects.none()
        return Article.objects.published().filter(self._matching(), *self._narrowing())

    def articles(self) -> QuerySet:
        """The articles found, with the query in their title first, then the newest first."""
        if not self.terms:
            return self.found
        in_title = reduce(and_, [Q(search_document__title__contains=term.pattern) for term in self.terms])
        return self.found.annotate(in_title=ExpressionWrapper(in_title, output_field=BooleanField())).order_by(
            F("in_title").desc(), "-published_at", "-pk"
        )

    def facets(self) -> list[Facet]:
        """Publication, person, tag and year of the articles found, most frequent first, with counts."""
        if not self.terms:
            return []
        found = self.found.order_by().values("pk")
        publications = (
            self.found.exclude(publication=None)
            .values_list("publication__slug", "publication__name")
            .annotate(count=Count("pk"))
            .order_by("-count", "publication__name")
        )
        people = (
            _mentions()
            .filter(article__in=found)
            .values_list("person__slug", "person__name")
            .annotate(count=Count("pk"))
            .order_by("-count", "person__name")
        )
        tags = (
            TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(Article), object_id__in=found)
            .values_list("tag__slug", "tag__name")
            .annotate(count=Count("pk"))
            .order_by("-count", "tag__name")
        )
        facets = [
            self._facet("publication", publications[:FACET_SIZE]),
            self._facet("person", people[:FACET_SIZE]),
            self._facet("tag", tags[:FACET_SIZE]),
            self._facet("year", self._years()),
        ]
        return [facet for facet in facets if facet.values]

    def _years(self) -> list[tuple[str, str, int]]:
        # Counted with a range per year: extracting a local year row by row would call back
        # into Python on SQLite. The archive's first and last article bound the range.
        published = Article.objects.published().order_by("published_at").values_list("published_at", flat=True)
        first, last = published.first(), published.last()
        if first is None:
            return []
        years = range(timezone.localtime(last).year, timezone.localtime(first).year - 1, -1)
        counts = self.found.aggregate(**{str(year): Count("pk", filter=Q(published_at__year=year)) for year in years})
        return [(year, year, count) for year, count in counts.items() if count]

    def _facet(self, name: str, rows) -> Facet:
        values = []
        for value, label, count in rows:
            selected = str(value) == self.filters.get(name)
            values.append(FacetValue(label, count, selected, self._url(name, None if selected else str(value))))
        return Facet(name, self.FACETS[name], values)

    def _url(self, name: str, value: str | None) -> str:
        """This search's address with facet ``name`` set to ``value`` (or unset), from its first page."""
        params = self.params.copy()
        params.pop("page", None)
        params.pop(name, None)
        if value is not None:
            params[name] = value
        return f"?{params.urlencode()}"
