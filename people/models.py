"""The people articles talk about, the names they go by, and where they are mentioned."""

from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from articles.folding import fold
from articles.models import Article, PublicQuerySet, SlugRedirect, unique_slug
from articles.ranking import Ranking, counted
from articles.rendering import render_markdown


class PersonQuerySet(PublicQuerySet):
    def in_published_articles(self):
        """People confirmed in at least one published article, each checked on their own mentions.

        Asked as "their first such mention" rather than with EXISTS: PostgreSQL turns an EXISTS into
        a join, planned as hashes of every confirmed mention and every published article (0.3–0.5 s
        at 100,000 articles); a subquery with LIMIT 1 stops at each person's first mention found.
        """
        visible = Article.objects.published().filter(pk=OuterRef("article_id"))
        in_published = Mention.objects.confirmed().filter(person=OuterRef("pk")).filter(Exists(visible))
        first = Subquery(in_published.order_by().values("pk")[:1])
        return self.alias(first_published_mention=first).filter(first_published_mention__isnull=False)

    def most_written_about(self, articles: models.QuerySet, *, limit: int, excluding=None) -> list["Person"]:
        """The people confirmed in the most of ``articles`` (a subquery of ids), each with ``article_count``."""
        counts = dict(
            Mention.objects.confirmed()
            .filter(article__in=articles)
            .exclude(person=excluding)
            .values_list("person")
            .annotate(total=Count("pk"))
            .order_by("-total", "person__name")[:limit]
        )
        people = self.in_bulk(counts)
        for pk, person in people.items():
            person.article_count = counts[pk]
        return [people[pk] for pk in counts if pk in people]

    def ranked_by_published_articles(self, *, everyone: bool = False) -> Ranking:
        """People in at least one published article (``article_count`` of them), most written about
        first, then by name; only the people of the page a paginator shows are loaded. ``everyone``:
        the others too, last, with a count of 0."""
        confirmed = Mention.objects.confirmed().values_list("person")
        counts = counted(confirmed, less=confirmed.filter(article__in=Article.objects.unpublished()))
        # In the database's order of names (its collation), then by count: a stable sort keeps the names' order.
        by_name = [
            (pk, counts[pk])
            for pk in self.order_by("name", "pk").values_list("pk", flat=True)
            if everyone or pk in counts
        ]
        return Ranking(self, sorted(by_name, key=lambda item: -item[1]))


class Person(models.Model):
    name = models.CharField(_("name"), max_length=200, help_text=_("The name readers know, e.g. Ilya Sutskever."))
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    native_name = models.CharField(
        _("native name"), max_length=200, blank=True, help_text=_("The name in its own script, e.g. 吴恩达.")
    )
    headline = models.CharField(
        _("headline"), max_length=300, blank=True, help_text=_("One line: who they are, e.g. OpenAI co-founder.")
    )
    bio = models.TextField(_("biography"), blank=True, help_text=_("Markdown."))
    bio_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Indexed: part of the registry's fingerprint (``registry_fingerprint``), read on every search.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    tags = TaggableManager(verbose_name=_("tags"), blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Person, self.name, exclude_pk=self.pk, fallback="person")
        old_slug = Person.objects.filter(pk=self.pk).values_list("slug", flat=True).first() if self.pk else None
        # Rendered once, here, like an article's body: pages never render Markdown.
        self.bio_html = render_markdown(self.bio)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "bio" in update_fields:
            kwargs["update_fields"] = {*update_fields, "bio_html"}
        super().save(*args, **kwargs)
        # Links to an old address keep working; a slug in use again stops redirecting.
        PersonRedirect.renamed(old_slug=old_slug or self.slug, target=self)

    def get_absolute_url(self):
        return reverse("people:detail", kwargs={"slug": self.slug})

    def confirmed_article_ids(self) -> models.QuerySet:
        """The ids of the articles confirmed to mention this person, as a subquery (read off the mention index)."""
        return self.mentions.confirmed().values("article_id")


class Alias(models.Model):
    """A name a person goes by, as written, with its folded form for matching."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full name")
        GIVEN = "given", _("Given name")
        FAMILY = "family", _("Family name")
        NICKNAME = "nickname", _("Nickname")
        TRANSLITERATION = "transliteration", _("Transliteration")

    person = models.ForeignKey(Person, verbose_name=_("person"), related_name="aliases", on_delete=models.CASCADE)
    text = models.CharField(_("text"), max_length=200, help_text=_("As written, e.g. 马斯克 or Ilya."))
    key = models.CharField(_("match key"), max_length=200, db_index=True, editable=False)
    language = models.CharField(_("language"), max_length=16, blank=True, help_text=_("e.g. en, zh."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.FULL)
    is_ambiguous = models.BooleanField(
        _("ambiguous on its own"),
        default=False,
        help_text=_("A first name like Satya or Demis: counts only next to an unambiguous mention or once confirmed."),
    )
    # Part of the registry's fingerprint: the mention matcher is rebuilt when an alias changes.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["person", "text"]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="alias_unique_key_per_person")]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        self.key = fold(self.text.strip())
        super().save(*args, **kwargs)


class MentionQuerySet(PublicQuerySet):
    def confirmed(self):
        """What readers see: confirmed mentions only."""
        return self.filter(status=Mention.Status.CONFIRMED)


class Mention(models.Model):
    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    class Origin(models.TextChoices):
        DETECTED = "detected", _("Detected")
        EDITOR = "editor", _("Added by an editor")

    # No index of their own: each leads one of the indexes below, which serves every look-up by
    # article or by person; two more would be written with every mention and read by nothing.
    article = models.ForeignKey(
        Article, verbose_name=_("article"), related_name="mentions", on_delete=models.CASCADE, db_index=False
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), related_name="mentions", on_delete=models.CASCADE, db_index=False
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.SUGGESTED)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin, default=Origin.EDITOR)
    count = models.PositiveIntegerField(_("count"), default=0)
    spans = models.JSONField(
        _("spans"), default=list, blank=True, help_text=_("[start, end] offsets into the body, for highlighting.")
    )
    context = models.TextField(_("context"), blank=True, help_text=_("A short excerpt around the first match."))
    matched_text = models.CharField(
        _("matched text"), max_length=200, blank=True, help_text=_("The first match as written in the article.")
    )
    is_near_miss = models.BooleanField(
        _("near miss"), default=False, help_text=_("Found only as a spelling close to a registered name.")
    )
    reviewed_at = models.DateTimeField(
        _("reviewed at"),
        null=True,
        blank=True,
        help_text=_("Set when an editor confirms or rejects: detection never changes a reviewed decision."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MentionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "-count"]
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [models.UniqueConstraint(fields=["article", "person"], name="mention_unique_person_per_article")]
        indexes = [
            # A person's latest articles straight off the index (the related articles of an article page).
            models.Index(fields=["person", "status", "article"], name="mention_person_status_article"),
            # Who is confirmed in a set of articles, off the index alone: the people beside the home
            # page (the latest 1,000 articles), a person's co-mentioned, search's person facet.
            models.Index(fields=["article", "status", "person"], name="mention_article_status_person"),
        ]

    def __str__(self):
        return f"{self.person} in {self.article}"


class PersonRedirect(SlugRedirect):
    target = models.ForeignKey(Person, verbose_name=_("person"), related_name="redirects", on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("person redirect")
        verbose_name_plural = _("person redirects")


class NameCandidate(models.Model):
    """A name found in articles that matches nobody in the registry yet."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IGNORED = "ignored", _("Ignored")
        PROMOTED = "promoted", _("Promoted to a person")
        ATTACHED = "attached", _("Added as an alias")

    text = models.CharField(_("name"), max_length=200, help_text=_("As most often written."))
    key = models.CharField(_("match key"), max_length=200, unique=True, editable=False)
    count = models.PositiveIntegerField(_("occurrences"), default=0)
    article_count = models.PositiveIntegerField(_("articles"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.NEW)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("To add this name as an alias: choose the person, then use the action."),
    )
    articles = models.ManyToManyField(Article, through="CandidateOccurrence", related_name="name_candidates")

    class Meta:
        ordering = ["-article_count", "-count", "text"]
        verbose_name = _("name candidate")
        verbose_name_plural = _("name candidates")

    def __str__(self):
        return self.text


class CandidateOccurrence(models.Model):
    candidate = models.ForeignKey(NameCandidate, on_delete=models.CASCADE, related_name="occurrences")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("occurrence of a name candidate")
        verbose_name_plural = _("occurrences of name candidates")
        constraints = [
            models.UniqueConstraint(fields=["candidate", "article"], name="candidate_occurrence_unique_article")
        ]

    def __str__(self):
        return f"{self.candidate} ×{self.count}"


def registry_fingerprint() -> tuple:
    """Changes when a person or an alias is added, saved or deleted: what is built from the registry is built again."""
    # One round trip, each figure straight off an index: this is read on every search and every import.
    figures = ", ".join(
        f"(SELECT COUNT(*) FROM {table}), (SELECT MAX(updated_at) FROM {table})"
        for table in (Person._meta.db_table, Alias._meta.db_table)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {figures}")
        return cursor.fetchone()
