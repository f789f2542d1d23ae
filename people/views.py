"""Public pages for people. Readers only see confirmed mentions in published articles."""

from django.views.generic import DetailView

from articles.models import Article

from .models import Mention, Person


class PersonDetailView(DetailView):
    template_name = "people/person_detail.html"

    def get_queryset(self):
        return Person.objects.prefetch_related("tags", "aliases")

    def get_context_data(self, **kwargs):
        articles = (
            Article.objects.published()
            .filter(mentions__person=self.object, mentions__status=Mention.Status.CONFIRMED)
            .for_cards()
        )
        return super().get_context_data(articles=articles, **kwargs)
