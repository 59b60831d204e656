"""The Spanish and German catalogues: complete, translated, and compiled.

English is the source language; every other language in settings.LANGUAGES has
a catalogue in locale/<code>/ that must translate every string the source marks
(English shows through wherever it does not), and its committed .mo must say
what its .po says (Django reads only the .mo).

Each check is a function that returns what it found wrong; a second test feeds
it a deliberately broken catalogue, so none of them can pass by finding nothing.
"""

import gettext
import io
import os
import shutil
import subprocess
import warnings
from pathlib import Path

import polib  # type: ignore[import-untyped]  # ships no type hints
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

BASE_DIR = Path(settings.BASE_DIR)
TRANSLATED_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# As the README runs makemessages (the same --ignore options).
MAKEMESSAGES_IGNORES = [".venv", "tests", "bench", "var", "docs"]
# What the copy of the project leaves out: environments, data, history and caches
# (makemessages skips hidden folders anyway; copying them would only cost time).
NOT_COPIED = shutil.ignore_patterns(
    ".venv", "var", ".git", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".hypothesis", ".pytest_cache"
)
# A string only this test marks, planted in the copy: the regenerated catalogue must
# list it and the comparison must report it, or the completeness check proves nothing.
PROBE_MSGID = "A probe string only the catalogue test marks for translation"
PROBE_MODULE = f'from django.utils.translation import gettext_lazy\n\nPROBE = gettext_lazy("{PROBE_MSGID}")\n'


def catalogue(lang: str) -> Path:
    return BASE_DIR / "locale" / lang / "LC_MESSAGES" / "django.po"


def compiled_catalogues() -> list[Path]:
    """Every .po the portal ships: its own locale/ and allauth's rewording, when present."""
    roots = [BASE_DIR / "locale", BASE_DIR / "accounts" / "allauth_locale"]
    return sorted(po for root in roots if root.is_dir() for po in root.rglob("*.po"))


def entry_key(entry: polib.POEntry) -> str:
    """How gettext keys a message: "context\\x04msgid" when it has a context."""
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid


def is_translated(entry: polib.POEntry) -> bool:
    """Not fuzzy, and every form (each plural form too) has a translation."""
    if entry.fuzzy:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(form != "" for form in entry.msgstr_plural.values())
    return entry.msgstr != ""


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if entry.msgid and not entry.obsolete]


def where(entry: polib.POEntry) -> str:
    return ", ".join(f"{path}:{line}" if line else path for path, line in entry.occurrences) or "?"


def describe(entry: polib.POEntry) -> str:
    context = f" (context {entry.msgctxt!r})" if entry.msgctxt is not None else ""
    return f"{entry.msgid!r}{context} — #: {where(entry)}"


def untranslated(po: polib.POFile) -> list[str]:
    """Each entry that is fuzzy or lacks a translation (in any plural form)."""
    return [
        ("fuzzy " if entry.fuzzy else "untranslated ") + describe(entry)
        for entry in live_entries(po)
        if not is_translated(entry)
    ]


def missing(committed: polib.POFile, regenerated: polib.POFile) -> list[str]:
    """Each message the source marks (the regenerated catalogue) that the committed one lacks or leaves untranslated."""
    known = {entry_key(entry): entry for entry in live_entries(committed)}
    found = []
    for entry in live_entries(regenerated):
        mine = known.get(entry_key(entry))
        if mine is None:
            found.append("missing " + describe(entry))
        elif not is_translated(mine):
            found.append(("fuzzy " if mine.fuzzy else "untranslated ") + describe(entry))
    return found


def obsolete(committed: polib.POFile, regenerated: polib.POFile) -> list[str]:
    """Messages the committed catalogue translates that the source no longer marks."""
    marked = {entry_key(entry) for entry in live_entries(regenerated)}
    return [describe(entry) for entry in live_entries(committed) if entry_key(entry) not in marked]


def expected_compiled(po: polib.POFile) -> dict[object, str]:
    """What msgfmt puts in the .mo: every translated, non-fuzzy message, keyed as gettext keys it."""
    expected: dict[object, str] = {}
    for entry in live_entries(po):
        if entry.fuzzy:
            continue
        if entry.msgid_plural:
            if any(form != "" for form in entry.msgstr_plural.values()):
                expected.update({(entry_key(entry), n): form for n, form in entry.msgstr_plural.items()})
        elif entry.msgstr != "":
            expected[entry_key(entry)] = entry.msgstr
    return expected


def stale(po_path: Path, mo_path: Path) -> list[str]:
    """How the compiled catalogue beside a .po differs from it (empty when it is up to date)."""
    if not mo_path.exists():
        return [f"{mo_path} does not exist"]
    with mo_path.open("rb") as compiled:
        catalogue_ = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    actual = {key: text for key, text in catalogue_.items() if key != ""}  # "" is the header
    expected = expected_compiled(polib.pofile(str(po_path)))
    differences = [f"not compiled: {key!r}" for key in expected.keys() - actual.keys()]
    differences += [f"compiled but no longer in the .po: {key!r}" for key in actual.keys() - expected.keys()]
    differences += [
        f"{key!r}: the .mo says {actual[key]!r}, the .po {expected[key]!r}"
        for key in expected.keys() & actual.keys()
        if actual[key] != expected[key]
    ]
    return sorted(differences)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    """A copy of the project where makemessages has run on the current source, as the README runs it.

    The working tree is never touched: other people edit it while the tests run.
    """
    # makemessages runs GNU gettext's xgettext and msgmerge: a missing tool is said plainly, not skipped.
    assert shutil.which("xgettext") and shutil.which("msgmerge"), (
        "makemessages needs GNU gettext (apt-get install gettext)"
    )
    copy = tmp_path_factory.mktemp("catalogues") / "project"
    shutil.copytree(BASE_DIR, copy, ignore=NOT_COPIED, symlinks=True)
    (copy / "portal" / "catalogue_probe.py").write_text(PROBE_MODULE)
    # makemessages as `manage.py makemessages --no-obsolete -l es -l de --ignore=...` runs it in the
    # copy, but in this process, where Django is set up already (a new process spent most of its
    # time starting Django), with the settings' locale folders moved to the copy's, so that nothing
    # is written outside it. A failure raises CommandError, which fails the tests that need it.
    locale_paths = [copy / Path(path).relative_to(BASE_DIR) for path in settings.LOCALE_PATHS]
    here = Path.cwd()
    os.chdir(copy)  # makemessages reads the tree below the working directory
    try:
        with override_settings(LOCALE_PATHS=locale_paths):
            call_command(
                "makemessages",
                locale=TRANSLATED_LANGUAGES,
                ignore_patterns=MAKEMESSAGES_IGNORES,
                no_obsolete=True,
                stdout=io.StringIO(),
            )
    finally:
        os.chdir(here)
    return copy


def regenerated_catalogue(project: Path, lang: str) -> polib.POFile:
    return polib.pofile(str(project / "locale" / lang / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_every_message_in_the_catalogue_is_translated_and_none_is_fuzzy(lang):
    problems = untranslated(polib.pofile(str(catalogue(lang))))
    assert not problems, f"locale/{lang}/LC_MESSAGES/django.po: {len(problems)} entries:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_the_catalogue_translates_every_message_the_source_marks(regenerated, lang):
    committed = polib.pofile(str(catalogue(lang)))
    fresh = regenerated_catalogue(regenerated, lang)
    problems = [problem for problem in missing(committed, fresh) if PROBE_MSGID not in problem]
    gone = obsolete(committed, fresh)
    if gone:
        # Harmless for the customer (nothing reads them); worth a clean-up.
        warnings.warn(
            f"locale/{lang}: {len(gone)} entries the source no longer marks:\n" + "\n".join(gone), stacklevel=1
        )
    assert not problems, (
        f"locale/{lang}/LC_MESSAGES/django.po lacks {len(problems)} messages the source marks "
        "(run makemessages as the README says, translate, then compilemessages):\n" + "\n".join(problems)
    )


def test_a_message_marked_in_the_source_but_absent_from_the_catalogue_is_caught(regenerated):
    for lang in TRANSLATED_LANGUAGES:
        fresh = regenerated_catalogue(regenerated, lang)
        assert len(live_entries(fresh)) >= len(live_entries(polib.pofile(str(catalogue(lang))))) // 2
        problems = missing(polib.pofile(str(catalogue(lang))), fresh)
        assert [problem for problem in problems if PROBE_MSGID in problem] == [
            f"missing {PROBE_MSGID!r} — #: portal/catalogue_probe.py:3"
        ]


@pytest.mark.parametrize("po_path", compiled_catalogues(), ids=lambda path: str(path.relative_to(BASE_DIR)))
def test_the_compiled_catalogue_says_exactly_what_its_source_says(po_path):
    mo_path = po_path.with_suffix(".mo")
    differences = stale(po_path, mo_path)
    assert not differences, (
        f"{mo_path.relative_to(BASE_DIR)} is stale: run compilemessages "
        f"(`.venv/bin/python manage.py compilemessages --ignore=.venv`):\n" + "\n".join(differences)
    )


BROKEN_PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#: privacy/views.py:1
msgid "Your data"
msgstr "Ihre Daten"

#: privacy/views.py:2
msgid "Download"
msgstr ""

#: privacy/views.py:3
#, fuzzy
msgid "Delete my account"
msgstr "Konto löschen"

#: privacy/views.py:4
msgid "%(n)s request"
msgid_plural "%(n)s requests"
msgstr[0] "%(n)s Antrag"
msgstr[1] ""

#: privacy/views.py:5
msgctxt "switch"
msgid "On"
msgstr "An"

#~ msgid "Gone"
#~ msgstr ""
"""


def test_a_catalogue_with_an_untranslated_or_fuzzy_entry_is_caught():
    problems = untranslated(polib.pofile(BROKEN_PO))
    assert problems == [
        "untranslated 'Download' — #: privacy/views.py:2",
        "fuzzy 'Delete my account' — #: privacy/views.py:3",
        "untranslated '%(n)s request' — #: privacy/views.py:4",
    ]


def test_a_catalogue_missing_or_not_translating_a_marked_message_is_caught():
    committed = polib.pofile(BROKEN_PO)
    fresh = polib.pofile(
        BROKEN_PO
        + '\n#: privacy/views.py:6\nmsgid "New"\nmsgstr ""\n\n#: privacy/views.py:7\nmsgctxt "menu"\nmsgid "On"\nmsgstr ""\n'
    )
    assert missing(committed, fresh) == [
        "untranslated 'Download' — #: privacy/views.py:2",
        "fuzzy 'Delete my account' — #: privacy/views.py:3",
        "untranslated '%(n)s request' — #: privacy/views.py:4",
        "missing 'New' — #: privacy/views.py:6",
        "missing 'On' (context 'menu') — #: privacy/views.py:7",
    ]


def test_a_stale_compiled_catalogue_is_caught(tmp_path):
    po_path, mo_path = tmp_path / "django.po", tmp_path / "django.mo"
    po_path.write_text(BROKEN_PO, encoding="utf-8")
    # As compilemessages compiles (msgfmt is what it calls).
    subprocess.run(["msgfmt", "--check-format", "-o", str(mo_path), str(po_path)], check=True)
    assert stale(po_path, mo_path) == []  # freshly compiled: the comparison agrees with msgfmt

    po_path.write_text(
        BROKEN_PO.replace('msgstr "Ihre Daten"', 'msgstr "Deine Daten"').replace('msgstr "An"', 'msgstr ""')
        + '\nmsgid "Privacy"\nmsgstr "Datenschutz"\n',
        encoding="utf-8",
    )
    assert stale(po_path, mo_path) == [
        "'Your data': the .mo says 'Ihre Daten', the .po 'Deine Daten'",
        "compiled but no longer in the .po: 'switch\\x04On'",
        "not compiled: 'Privacy'",
    ]
    assert stale(po_path, tmp_path / "absent.mo") == [f"{tmp_path / 'absent.mo'} does not exist"]
