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
        from .services import detect_mentions_on_import

        if detect_mentions_on_import not in POST_IMPORT_STEPS:
            POST_IMPORT_STEPS.append(detect_mentions_on_import)
        page_cache.watch(Person, Alias, Mention)
        if people_named not in PEOPLE_FINDERS:
            PEOPLE_FINDERS.append(people_named)
