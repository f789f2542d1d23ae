from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People")

    def ready(self):
        from articles import page_cache
        from articles.importer import POST_IMPORT_STEPS
        from articles.search import PEOPLE_FINDERS

        from .models import Alias, Mention, Person
        from .search import people_named
        from .services import detect_mentions

        if detect_mentions not in POST_IMPORT_STEPS:
            POST_IMPORT_STEPS.append(detect_mentions)
        page_cache.watch(Person, Alias, Mention)
        if people_named not in PEOPLE_FINDERS:
            PEOPLE_FINDERS.append(people_named)
