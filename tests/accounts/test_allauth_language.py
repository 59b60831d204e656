"""allauth's pages and e-mails address a German customer as "Sie" and a Spanish one as "usted".

allauth's own German catalogue says "du"/"dein"/"gib … ein" in many places and
its Spanish one mixes in "tú" ("tu cuenta", "introduce"); the portal says
"Sie"/"usted" everywhere. accounts/allauth_locale overrides those entries
(settings.LOCALE_PATHS puts it before allauth's catalogue). These tests render
allauth's pages for real in each language, and check allauth's whole catalogue:
if an allauth upgrade brings a new informal string, they fail until it is
overridden.
"""

import ast
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import allauth
import django
import pytest
import rest_framework
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.accounts.test_allauth_wording import customer_pages as allauth_walk
from tests.conftest import make_customer

LANGUAGES = ("de", "es")
ALLAUTH_CATALOGUE = Path(str(allauth.__file__)).parent / "locale"
OUR_CATALOGUE = Path(settings.BASE_DIR) / "accounts" / "allauth_locale"
DJANGO_CATALOGUE = Path(str(django.__file__)).parent / "conf" / "locale"
REST_FRAMEWORK_CATALOGUE = Path(str(rest_framework.__file__)).parent / "locale"

# Words that address the reader informally, and only those: the tests also read the
# portal's own formal text. German: the du-pronouns (a capital "Dir"/"Dein" is still
# du; a capital "Sie"/"Ihr" is not), du-forms of verbs and du-imperatives ("gib … ein",
# "bestätige"); "versuche"/"klick" only in lower case ("Zu viele Versuche", "einen
# Klick" are nouns). Spanish: the tú-pronouns, tú verb forms and imperatives; an
# imperative that is also usted's present ("revisa", "utiliza") only where it
# opens a sentence or follows "por favor". Latin American usted ("Ingrese") is formal,
# though the portal writes Spain's "Introduzca".
_ES_IMPERATIVES = (
    "introduce|inicia|verifica|confirma|comprueba|selecciona|utiliza|elige|escribe|añade|intenta|pulsa|revisa"
)
INFORMAL = {
    "de": re.compile(
        r"\b(?:du|dich|dir|dein|deine|deinem|deinen|deiner|deines"
        r"|Du|Dich|Dir|Dein|Deine|Deinem|Deinen|Deiner|Deines"
        r"|bist|hast|kannst|musst|möchtest|erhältst|sendest|solltest|willst|versuche|klick|klicke|prüfe"
        r"|(?i:gib|wähle|kontaktiere|überprüfe|lass|rufe|melde|erstelle|verwende|bestätige|verknüpfe|habe\s+Geduld))\b"
    ),
    "es": re.compile(
        r"\b(?:(?i:tú|tu|tus|te|ti|contigo|tuy[oa]s?"
        r"|has|puedes|estás|eres|tienes|debes|quieres|deseas|decides|inicies|ves|recibes|confíes"
        r"|introdúcelo|haz|vete|guárdalos|regístrate|regítrate|envíame|ten)"
        rf"|(?:{_ES_IMPERATIVES.title()}|Descarga(?!\s+de\b))"
        rf"|(?i:por\s+favor),?\s+(?i:{_ES_IMPERATIVES}))\b"
    ),
}

ENTRY_LINE = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(\".*\")$")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete "#~" ones and the header left out)."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    current = ""

    def keep() -> None:
        if fields.get("msgid"):
            entries.append(
                Entry(
                    msgid=fields["msgid"],
                    msgctxt=fields.get("msgctxt"),
                    msgid_plural=fields.get("msgid_plural"),
                    msgstrs=[value for name, value in sorted(fields.items()) if name.startswith("msgstr")],
                )
            )

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        match = ENTRY_LINE.match(line)
        if match:
            name = match.group(1)
            if name == "msgctxt" or (name == "msgid" and "msgctxt" not in fields) or name in fields:
                keep()
                fields = {}
            current = name
            fields[name] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and current:
            fields[current] += ast.literal_eval(line)
        elif not line:
            current = ""
    keep()
    return entries


def effective(entry: Entry) -> list[str]:
    """What the portal shows for this msgid in the active language (every plural form)."""
    if entry.msgid_plural is None:
        if entry.msgctxt is None:
            return [translation.gettext(entry.msgid)]
        return [translation.pgettext(entry.msgctxt, entry.msgid)]
    counts = (1, 2, 1_000_000)  # one of each form of German's and Spanish's plural rules
    if entry.msgctxt is None:
        return [translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in counts]
    return [translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n) for n in counts]


def allauth_entries(language: str) -> list[Entry]:
    return read_po(ALLAUTH_CATALOGUE / language / "LC_MESSAGES" / "django.po")


def our_entries(language: str) -> list[Entry]:
    return read_po(OUR_CATALOGUE / language / "LC_MESSAGES" / "django.po")


# --- The catalogue ---------------------------------------------------------------


def test_the_word_lists_recognise_allauths_informal_address():
    # Guards the guard: if the lists stopped matching, every test below would pass.
    assert INFORMAL["de"].search("Bitte gib dein aktuelles Passwort ein.")
    assert INFORMAL["de"].search("Bitte versuche es später erneut.")
    assert not INFORMAL["de"].search("Bitte geben Sie Ihr aktuelles Passwort ein. Ich habe meine Codes gespeichert.")
    assert INFORMAL["es"].search("Has añadido %(count)s clave.")
    assert INFORMAL["es"].search("Introduce el código de verificación")
    assert INFORMAL["es"].search("Por favor selecciona solo uno.")
    assert INFORMAL["es"].search("Descarga los códigos")
    assert not INFORMAL["es"].search("Introduzca el código. Su dirección sigue pendiente de verificación.")
    assert not INFORMAL["es"].search("Nuestro equipo revisa la solicitud. Datos que utiliza. Descarga de datos.")
    assert not INFORMAL["de"].search("Zu viele Versuche. Nur einen Klick entfernt.")
    for language in LANGUAGES:
        informal = [
            entry for entry in allauth_entries(language) if any(INFORMAL[language].search(s) for s in entry.msgstrs)
        ]
        assert len(informal) > 30, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_allauth_string_addresses_the_customer_informally(language):
    offenders = []
    with translation.override(language):
        for entry in allauth_entries(language):
            if not any(INFORMAL[language].search(msgstr) for msgstr in entry.msgstrs):
                continue
            for shown in effective(entry):
                if INFORMAL[language].search(shown):
                    offenders.append((entry.msgctxt, entry.msgid, shown))
    assert offenders == [], f"override these in accounts/allauth_locale/{language}/LC_MESSAGES/django.po"


@pytest.mark.parametrize("language", LANGUAGES)
def test_our_overrides_are_formal_and_are_what_the_portal_shows(language):
    with translation.override(language):
        for entry in our_entries(language):
            for msgstr in entry.msgstrs:
                assert msgstr and not INFORMAL[language].search(msgstr), (entry.msgid, msgstr)
            shown = effective(entry)
            # The portal's own catalogue (locale/) may say it differently; otherwise ours wins over allauth's.
            assert set(shown) <= {*entry.msgstrs, *_portal_translations(language, entry)}, (entry.msgid, shown)


def _portal_translations(language: str, entry: Entry) -> list[str]:
    portal = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
    return [s for other in read_po(portal) if other.key == entry.key for s in other.msgstrs]


def compiled(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .mo file (Django REST framework ships no .po)."""
    with path.open("rb") as mo:
        catalogue: dict[str, str] = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    return catalogue


def djangos_messages_that_rest_framework_rewords(language: str) -> dict[str, str]:
    """Django's own messages (form validation) that REST framework's catalogue says its own way.

    rest_framework comes after Django in the translation chain, so its wording
    is the one every form of the portal shows, unless accounts/allauth_locale says otherwise.
    """
    djangos = compiled(DJANGO_CATALOGUE / language / "LC_MESSAGES" / "django.mo")
    rest_frameworks = compiled(REST_FRAMEWORK_CATALOGUE / language / "LC_MESSAGES" / "django.mo")
    return {
        msgid: msgstr
        for msgid, msgstr in rest_frameworks.items()
        if msgid and isinstance(msgid, str) and msgid in djangos and msgstr != djangos[msgid]
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_djangos_form_messages_are_formal_although_rest_framework_rewords_them(language):
    informal = {
        msgid
        for msgid, msgstr in djangos_messages_that_rest_framework_rewords(language).items()
        if INFORMAL[language].search(msgstr)
    }
    with translation.override(language):
        assert {
            msgid: translation.gettext(msgid)
            for msgid in informal
            if INFORMAL[language].search(translation.gettext(msgid))
        } == {}
    if language == "de":
        assert "Enter a valid email address." in informal  # REST framework's "Gib eine gültige E-Mail Adresse an."
    if language == "es":
        with translation.override(language):
            assert translation.gettext("This field is required.") == "Este campo es obligatorio."  # not "es requerido"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_override_is_a_msgid_allauth_or_django_still_uses(language):
    # Copied exactly (context and plural included), or gettext would never find it.
    allauths = {entry.key for entry in allauth_entries(language)}
    djangos = set(djangos_messages_that_rest_framework_rewords(language))
    ours = [entry.key for entry in our_entries(language)]
    assert len(ours) == len(set(ours))
    assert [key for key in ours if key not in allauths and not (key[0] is None and key[1] in djangos)] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_compiled_overrides_say_what_their_source_says(language):
    folder = OUR_CATALOGUE / language / "LC_MESSAGES"
    source: dict[str | tuple[str, int], str] = {}
    for entry in our_entries(language):
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            source[msgid] = entry.msgstrs[0]
        else:
            source.update({(msgid, n): msgstr for n, msgstr in enumerate(entry.msgstrs)})
    catalogue = compiled(folder / "django.mo")
    assert {msgid: msgstr for msgid, msgstr in catalogue.items() if msgid} == source, (
        f"accounts/allauth_locale/{language}/LC_MESSAGES/django.mo is out of date: run "
        f"`.venv/bin/python manage.py compilemessages -l {language} --ignore=.venv` and commit it"
    )


# --- The pages -------------------------------------------------------------------


class VisibleText(HTMLParser):
    """What a person reads on a page: its text (scripts included: confirm() dialogs) and
    the placeholders, labels and titles of its controls; not the markup."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._in_style = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if name in ("placeholder", "aria-label", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def _page(client: Client, url: str, data: dict[str, str] | None = None) -> str:
    response = client.post(url, data, follow=True) if data is not None else client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    assert f'<html lang="{client.language}"' in response.content.decode(), url  # type: ignore[attr-defined]
    return VisibleText(response.content.decode()).text


def _browser(language: str) -> Client:
    client = Client(headers={"Accept-Language": language})
    client.language = language  # type: ignore[attr-defined]
    return client


# A phrase each of these pages says in the formal voice (several of them only
# accounts/allauth_locale says; the rest are allauth's own formal wording).
FORMAL_PHRASES = {
    "sign in": {"de": "Sie haben noch kein Konto?", "es": "Si aún no ha creado una cuenta"},
    "sign up": {"de": "Sie haben bereits ein Konto?", "es": "¿Ya tiene una cuenta?"},
    "password reset": {"de": "Geben Sie unten Ihre E-Mail-Adresse ein", "es": "Introduzca su dirección"},
    "password reset sent": {"de": "Wir haben Ihnen eine E-Mail gesendet", "es": "Le hemos enviado"},
    "password reset, bad link": {"de": "fordern Sie einen neuen Link an", "es": "Por favor solicite"},
    "sign-in code sent": {"de": "bitte geben Sie ihn bald ein", "es": "introdúzcalo pronto"},
    "verify your address": {"de": "Folgen Sie dem Link darin", "es": "Siga el enlace que contiene"},
    "reauthenticate": {"de": "Geben Sie Ihr Passwort ein", "es": "Introduzca su contraseña"},
    "sign out": {"de": "Möchten Sie sich wirklich abmelden?", "es": "¿Seguro que desea cerrar sesión?"},
    "authenticator app set-up": {"de": "scannen Sie", "es": "escanee el siguiente código QR"},
    "authenticator app removal": {"de": "Sie sind dabei, die Anmeldung per Authenticator-App", "es": "¿Está seguro?"},
    "new recovery codes": {"de": "Sie sind dabei, einen neuen Satz", "es": "Está a punto de generar"},
}


def customer_pages(language: str) -> Iterator[tuple[str, str]]:
    """(what, visible text) for the allauth pages a customer reaches, in `language` (test_allauth_wording's walk)."""
    for what, html in allauth_walk(language):
        assert f'<html lang="{language}"' in html, what
        yield what, VisibleText(html).text


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_allauth_pages_address_the_customer_formally(language):
    pages = dict(customer_pages(language))
    informal = {what: INFORMAL[language].findall(text) for what, text in pages.items()}
    assert {what: words for what, words in informal.items() if words} == {}
    missing = {
        what: phrases[language] for what, phrases in FORMAL_PHRASES.items() if phrases[language] not in pages[what]
    }
    assert missing == {}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_allauth_e_mails_address_the_customer_formally(
    language, client_factory, mailoutbox, django_capture_on_commit_callbacks
):
    alice = make_customer("alice@example.com", "Alice Archer", preferred_language=language)
    browser = client_factory(headers={"Accept-Language": language})
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(
            "/accounts/signup/",
            {"email": "dana@example.com", "password1": "plum-orchard-77", "password2": "plum-orchard-77"},
        )
        client_factory(headers={"Accept-Language": language}).post(
            "/accounts/signup/",  # an address that already has an account
            {"email": alice.email, "password1": "plum-orchard-77", "password2": "plum-orchard-77"},
        )
        client_factory(headers={"Accept-Language": language}).post("/accounts/password/reset/", {"email": alice.email})
        client_factory(headers={"Accept-Language": language}).post("/accounts/login/code/", {"email": alice.email})
    assert len(mailoutbox) == 4
    offenders = [
        (message.subject, INFORMAL[language].findall(f"{message.subject}\n{message.body}"))
        for message in mailoutbox
        if INFORMAL[language].search(f"{message.subject}\n{message.body}")
    ]
    assert offenders == []
    subjects = " ".join(message.subject for message in mailoutbox)
    assert {"de": "Bitte bestätigen Sie Ihre E-Mail-Adresse", "es": "confirme su dirección"}[language] in subjects
