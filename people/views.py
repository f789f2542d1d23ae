"""Public pages for people. Readers only see confirmed mentions in published articles."""

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import ListView
from taggit.models import Tag

from articles.feeds import ArticleFeed
from articles.models import RECENT_ARTICLES, Article, TagRedirect
from articles.views import ARTICLES_PER_PAGE

from .models import Person, PersonRedirect

CO_MENTIONED = 8


class PersonListView(ListView):
    """Everyone with a confirmed mention in a published article, most written about first; with
    ``?tag=``, everyone carrying that tag (the tag's page shows the first few), the same way."""

    template_name = "people/person_list.html"
    paginate_by = 60

    def get(self, request, *args, **kwargs):
        self.tag = None
        if slug := request.GET.get("tag"):
            self.tag = Tag.objects.filter(slug=slug).first()
            if self.tag is None:
                query = request.GET.copy()
                query["tag"] = TagRedirect.target_or_404(slug).slug
                return redirect(f"{reverse('people:list')}?{query.urlencode()}", permanent=True)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if self.tag is None:
            return Person.objects.ranked_by_published_articles()
        # Someone tagged but in no published article yet is listed too, last: the tag's page counts them.
        return Person.objects.filter(tags=self.tag).ranked_by_published_articles(everyone=True)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, canonical_parameters=("page", "tag"), **kwargs)


class PersonDetailView(ListView):
    """A person, and every published article confirmed to mention them, newest first."""

    template_name = "people/person_detail.html"
    paginate_by = ARTICLES_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.person = Person.objects.prefetch_related("tags", "aliases").filter(slug=kwargs["slug"]).first()
        if self.person is None:
            return redirect(PersonRedirect.target_or_404(kwargs["slug"]), permanent=True)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Article.objects.published_among(self.person.confirmed_article_ids()).for_cards()

    def get_context_data(self, **kwargs):
        # Among their latest articles: the page costs the same for someone in ten articles or in ten thousand.
        latest = self.object_list.order_by("-published_at", "-pk").values("pk")[:RECENT_ARTICLES]
        co_mentioned = Person.objects.most_written_about(latest, limit=CO_MENTIONED, excluding=self.person)
        return super().get_context_data(person=self.person, co_mentioned=co_mentioned, **kwargs)


class PersonFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Person, slug=slug)

    def articles(self, person):
        return Article.objects.published_among(person.confirmed_article_ids())

    def title(self, person):
        return _("Articles about %(name)s") % {"name": person.name}

    def subtitle(self, person):
        return person.headline

    def link(self, person):
        return person.get_absolute_url()

    def feed_url(self, person):
        return reverse("people:feed", kwargs={"slug": person.slug})
