"""locale/en: the portal's English wording for allauth's and Django's strings.

The compiled .mo is committed (a fresh clone needs no gettext tools), so these
tests keep it honest: it says what the .po says, and every string it rewords is
one that allauth or Django still uses.
"""

import ast
import gettext
import re
from pathlib import Path

import allauth
import django
from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
ENTRY_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(".*")$')


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (with a context, "context\\x04msgid", as gettext keys it)."""
    entries: dict[str, str] = {}
    entry: dict[str, str] = {}
    field = ""

    def keep() -> None:
        if "msgid" in entry:
            msgid = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
            entries[msgid] = entry.get("msgstr", entry.get("msgstr[0]", ""))

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        match = ENTRY_LINE.match(line)
        if match:
            if match.group(1) == "msgctxt" or (match.group(1) == "msgid" and "msgid" in entry):
                keep()
                entry = {}
            field = match.group(1)
            entry[field] = ast.literal_eval(match.group(2))
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
    keep()
    return entries


def test_the_committed_compiled_catalogue_says_what_its_source_says():
    source = {msgid: msgstr for msgid, msgstr in read_po(CATALOGUE / "django.po").items() if msgid and msgstr}
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    assert {msgid: msgstr for msgid, msgstr in catalogue.items() if msgid} == source, (
        "locale/en/LC_MESSAGES/django.mo is out of date: run "
        "`.venv/bin/python manage.py compilemessages -l en --ignore=.venv` and commit it"
    )


def test_every_reworded_string_is_one_allauth_or_django_still_uses():
    used: set[str] = set()
    for package in (allauth, django):
        package_dir = Path(str(package.__file__)).parent
        for po in [
            *package_dir.glob("locale/en/LC_MESSAGES/django.po"),
            *package_dir.glob("conf/locale/en/LC_MESSAGES/django.po"),
        ]:
            used |= set(read_po(po))
    reworded = {msgid for msgid in read_po(CATALOGUE / "django.po") if msgid}
    assert sorted(reworded - used) == []


def test_the_portal_catalogue_comes_before_allauths_and_djangos():
    with translation.override("en"):
        assert translation.gettext("Sign In") == "Sign in"  # allauth's
        assert translation.gettext("Enter a valid email address.") == "Enter a valid e-mail address."  # Django's
