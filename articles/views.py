"""Public pages for articles, publications and tags. Readers only ever see ``published()``."""

from django.db import DatabaseError, connection
from django.db.models import F, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from .models import Article, Link, Publication

ARTICLES_PER_PAGE = 20


class ArticleListView(ListView):
    """The home page: the latest published articles."""

    template_name = "articles/article_list.html"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().for_cards()


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"

    def get_queryset(self):
        articles = Article.objects.all() if self.request.user.is_staff else Article.objects.published()
        # The people app hangs its mentions on articles; we reach them through the reverse relation only.
        mentions = Article._meta.get_field("mentions").related_model.objects
        return articles.select_related("publication", "cover_image").prefetch_related(
            "tags",
            Prefetch("links", queryset=Link.objects.select_related("target__publication")),
            Prefetch(
                "backlinks",
                queryset=Link.objects.filter(article__in=Article.objects.published())
                .exclude(article_id=F("target_id"))
                .select_related("article__publication"),
                to_attr="published_backlinks",
            ),
            Prefetch(
                "mentions",
                queryset=mentions.confirmed().select_related("person").order_by("-count"),
                to_attr="confirmed_mentions",
            ),
        )

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
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
        return super().get_context_data(publication=self.publication, **kwargs)


class TagDetailView(ListView):
    template_name = "articles/tag_detail.html"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Article.objects.published().filter(tags=self.tag).for_cards()

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


@never_cache
def healthz(request):
    """For load balancers and monitors: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
