from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from taggit.models import Tag, TaggedItem

        from . import page_cache
        from .models import Article, ArticleKey, Link, MirroredImage, Publication

        page_cache.watch(Publication, Article, Link, ArticleKey, MirroredImage, Tag, TaggedItem)
        post_migrate.connect(page_cache.renew_after_migrate, sender=self)
