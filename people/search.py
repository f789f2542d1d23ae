"""How search finds people by the names they go by. Registered with ``articles.search`` in PeopleConfig.ready."""

from functools import reduce
from operator import and_

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace

from articles.models import Article
from articles.search_text import Term, is_cjk

from .models import Alias, Mention, Person


def _search_folded(field):
    # Alias keys are folded already; search also takes i for l (articles.search_text.search_fold).
    return Replace(field, Value("i"), Value("l"))


def _matching(field: str, term: Term) -> Q:
    """Names matching ``term`` as search matches text: Chinese anywhere, a Latin word by its
    beginning, a single letter or character only as the whole name."""
    if len(term.text) == 1:
        return Q(**{field: term.text})
    if is_cjk(term.tokens[0]):
        return Q(**{f"{field}__contains": term.text})
    return Q(**{f"{field}__startswith": term.text}) | Q(**{f"{field}__contains": f" {term.text}"})


def _named(terms: list[Term], name: Q) -> Q:
    """``name(lookup)`` for each term, so that a person may match one word by one name and the next by another."""
    return reduce(and_, [name(term) for term in terms])


def people_named(terms: list[Term]) -> QuerySet[Person]:
    """People with a name or alias matching every one of ``terms``, confirmed in a published
    article; the ones the whole query names exactly (``is_named``) first, then by name."""
    aliases = Alias.objects.alias(search_key=_search_folded("key"))
    people = Person.objects.alias(search_name=_search_folded(Lower("name")))
    matching = _named(
        terms,
        lambda term: (
            Q(pk__in=aliases.filter(_matching("search_key", term)).values("person"))
            | _matching("search_name", term)
            | _matching("native_name", term)
        ),
    )
    whole = " ".join(term.text for term in terms)
    exactly = Q(pk__in=aliases.filter(search_key=whole).values("person")) | Q(search_name=whole) | Q(native_name=whole)
    # Correlated on the primary key, so that the database checks only these people's mentions.
    visible = Article.objects.published().filter(pk=OuterRef("article_id"))
    in_published = Mention.objects.confirmed().filter(person=OuterRef("pk")).filter(Exists(visible))
    return (
        people.filter(matching)
        .filter(Exists(in_published))
        .annotate(is_named=ExpressionWrapper(exactly, output_field=BooleanField()))
        .order_by("-is_named", "name")
    )
