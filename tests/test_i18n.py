"""zh-Hans is the default language and its catalogue is complete; English is served on request."""

import gettext

import polib
import pytest
from django.conf import settings

CATALOGUE = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_chinese_translation_and_the_compiled_catalogue_is_current():
    entries = [entry for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete]
    untranslated = [entry.msgid for entry in entries if not entry.translated()]
    assert untranslated == []
    with CATALOGUE.with_suffix(".mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    stale = [
        entry.msgid for entry in entries if not entry.msgid_plural and translations.gettext(entry.msgid) != entry.msgstr
    ]
    assert stale == []


@pytest.mark.django_db
def test_chinese_by_default_and_english_on_request(client):
    assert "最新文章" in client.get("/").content.decode()
    english = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert "Latest articles" in english and '<html lang="en">' in english
