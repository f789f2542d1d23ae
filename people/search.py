"""How search finds people: by any name they go by. Registered with ``articles.search`` in PeopleConfig.ready."""

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace

from articles.models import Article
from articles.search_text import Term, is_cjk

from .models import Alias, Mention, Person


def _search_folded(field: str):
    # Alias keys are folded already; search also takes i for l (articles.search_text.search_fold).
    return Replace(field, Value("i"), Value("l"))


def _named(field: str, term: Term) -> Q:
    """Names matching ``term`` as search matches text: Chinese anywhere, a Latin word by its
    beginning, a single letter or character only as the whole name."""
    if len(term.text) == 1:
        return Q(**{field: term.text})
    if is_cjk(term.tokens[0]):
        return Q(**{f"{field}__contains": term.text})
    return Q(**{f"{field}__startswith": term.text}) | Q(**{f"{field}__contains": f" {term.text}"})


def people_named(term: Term) -> QuerySet[Person]:
    """People with a name or alias matching ``term``, confirmed in a published article, by name."""
    aliases = Alias.objects.alias(search_key=_search_folded("key")).filter(_named("search_key", term))
    in_published = Mention.objects.confirmed().filter(person=OuterRef("pk"), article__in=Article.objects.published())
    return (
        Person.objects.alias(search_name=_search_folded(Lower("name")))
        .filter(Q(pk__in=aliases.values("person")) | _named("search_name", term) | _named("native_name", term))
        .filter(Exists(in_published))
        .order_by("name")
    )
