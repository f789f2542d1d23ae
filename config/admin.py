"""The editors' desk: Django's admin site, whose index shows the work waiting for editors."""

from dataclasses import dataclass

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.merging import duplicate_groups
from articles.models import Article, Link, MirroredImage
from people.models import Mention, NameCandidate


@dataclass(frozen=True)
class WaitingWork:
    label: str
    count: int
    url: str


class ArchiveAdminSite(admin.AdminSite):
    site_header = _("Article archive")
    site_title = _("Article archive")
    index_title = _("Editors' desk")

    def index(self, request, extra_context=None):
        return super().index(request, {"waiting_work": waiting_work(request.user), **(extra_context or {})})


def waiting_work(user) -> list[WaitingWork]:
    """What waits for editors, each with the list that shows it: one count query per item the user may see."""
    changelist = "admin:{}_{}_changelist".format
    queues = [
        (
            "articles.view_article",
            _("Drafts"),
            Article.objects.filter(status=Article.Status.DRAFT),
            reverse(changelist("articles", "article")) + "?status__exact=draft",
        ),
        (
            "people.view_mention",
            _("Suggested mentions to review"),
            Mention.objects.filter(status=Mention.Status.SUGGESTED),
            reverse(changelist("people", "mention")) + "?status__exact=suggested",
        ),
        (
            "people.view_namecandidate",
            _("New name candidates"),
            NameCandidate.objects.filter(status=NameCandidate.Status.NEW),
            reverse(changelist("people", "namecandidate")) + "?status__exact=new",
        ),
        (
            "articles.change_article",
            _("Probable duplicates"),
            duplicate_groups(),
            reverse("admin:articles_article_duplicates"),
        ),
        (
            "articles.view_article",
            _("Wanted articles"),
            Link.objects.wanted(),
            reverse("admin:articles_article_wanted"),
        ),
        (
            "articles.view_mirroredimage",
            _("Failed image downloads"),
            MirroredImage.objects.filter(status=MirroredImage.Status.FAILED),
            reverse(changelist("articles", "mirroredimage")) + "?status__exact=failed",
        ),
    ]
    return [
        WaitingWork(label=label, count=queryset.count(), url=url)
        for permission, label, queryset, url in queues
        if user.has_perm(permission)
    ]
