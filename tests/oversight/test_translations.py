from pathlib import Path

import polib
from django.conf import settings


def _catalogs():
    for root in settings.LOCALE_PATHS:
        yield from Path(root).glob("*/LC_MESSAGES/django.po")


def test_every_language_has_a_complete_catalog():
    languages = {code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE}
    found = {po.parts[-3] for po in _catalogs()}
    assert languages <= found
    for path in _catalogs():
        catalog = polib.pofile(str(path))
        untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
        fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
        assert untranslated == [], f"{path}: untranslated {untranslated[:5]}"
        assert fuzzy == [], f"{path}: fuzzy {fuzzy[:5]}"
        assert catalog.percent_translated() == 100
