"""Public pages for articles, publications and tags. Readers only ever see ``published()``."""

from django.db import DatabaseError, connection
from django.db.models import Max, Min
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView
from taggit.models import Tag

from .models import Article, ArticleRedirect, Publication, TagRedirect
from .rendering import plain_text
from .search import Search
from .search_text import highlighter, snippet
from .tagging import tags_in_use, tags_of

ARTICLES_PER_PAGE = 20
POPULAR_TAGS = 24


class ArticleListView(ListView):
    """The home page: the latest published articles."""

    template_name = "articles/article_list.html"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().for_cards()

    def get_context_data(self, **kwargs):
        popular_tags = tags_of(Article.objects.latest_ids(), limit=POPULAR_TAGS)
        return super().get_context_data(popular_tags=popular_tags, **kwargs)


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"

    def get_queryset(self):
        articles = Article.objects.all() if self.request.user.is_staff else Article.objects.published()
        return articles.for_page()

    def get_context_data(self, **kwargs):
        article = self.object
        structured_data = article.structured_data(
            self.request.build_absolute_uri,
            people=[mention.person for mention in article.confirmed_mentions],
            tags=article.tags.all(),
        )
        return super().get_context_data(structured_data=structured_data, **kwargs)

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            # A merged-away article's address leads to the article it was merged into.
            moved = ArticleRedirect.objects.filter(slug=kwargs["slug"]).select_related("target").first()
            if moved and (moved.target.is_published or request.user.is_staff):
                return redirect(moved.target, permanent=True)
            raise
        response = self.render_to_response(self.get_context_data(object=self.object))
        if not self.object.is_published:
            # A staff preview of a draft must never be stored by a cache on the way.
            add_never_cache_headers(response)
        return response


class PublicationDetailView(ListView):
    template_name = "articles/publication_detail.html"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        self.publication = get_object_or_404(Publication, slug=self.kwargs["slug"])
        return Article.objects.published().filter(publication=self.publication).for_cards()

    def get_context_data(self, **kwargs):
        span = self.object_list.aggregate(first=Min("published_at"), last=Max("published_at"))
        return super().get_context_data(publication=self.publication, span=span, **kwargs)


class TagListView(ListView):
    """Every tag with published articles or people, most used first."""

    template_name = "articles/tag_list.html"

    def get_queryset(self):
        return tags_in_use()


class TagDetailView(ListView):
    """A tag's published articles, and the first few people carrying it."""

    template_name = "articles/tag_detail.html"
    paginate_by = ARTICLES_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.tag = Tag.objects.filter(slug=kwargs["slug"]).first()
        if self.tag is None:
            return redirect("articles:tag", slug=TagRedirect.target_or_404(kwargs["slug"]).slug, permanent=True)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Article.objects.tagged(self.tag).for_cards()

    def get_context_data(self, **kwargs):
        # The people carrying the tag come from the people app's {% people_tagged %}: a few, and a link to them all.
        return super().get_context_data(tag=self.tag, **kwargs)


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"


class SearchView(ListView):
    """Articles and people matching every word of the query, narrowed by facets."""

    template_name = "articles/search.html"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        self.search = Search(self.request.GET)
        return self.search.ranked_ids

    def get_context_data(self, **kwargs):
        context = super().get_context_data(search=self.search, **kwargs)
        if self.search.terms:
            articles = self.search.page_articles(context["object_list"])
            # Snippets only for the page shown: they read each article's text.
            matches = highlighter(self.search.terms)
            for article in articles:
                article.snippet = snippet(plain_text(article.body_html), matches)
            context.update(object_list=articles, people=self.search.people, facets=self.search.facets())
        return context


@never_cache
def healthz(request):
    """For load balancers and monitors: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
