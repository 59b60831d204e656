"""The portal in Spanish and in German, end to end, as a new customer meets it.

A browser that asks for Spanish (or German) signs up, verifies its address from
the e-mail, reads My data, switches an AI use, asks for an export, gets the
"ready" e-mail, downloads the archive and reads it. Every page it loads, every
e-mail and every file of the archive a person reads is searched for common
English words that no Spanish or German sentence contains: English there means
a string that was never marked for translation, or never translated.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.utils import translation

from accounts.models import User
from privacy.exporting import build_archive
from privacy.models import OutboundEmail, PrivacyRequest
from privacy.selectors import ai_permissions
from tests.conftest import age_every_proof
from tests.e2e.conftest import portal_page
from tests.factories import give_history

pytestmark = pytest.mark.e2e

# Common English words, none of which is a Spanish or German word: one in a page
# means an English phrase around it. Matched as whole words, ignoring case.
ENGLISH_WORDS = {
    "the", "and", "your", "you", "with", "data", "request", "please", "sign", "download", "export",
    "choose", "settings", "privacy", "account", "delete", "password", "email", "here", "what", "when",
    "this", "will", "have", "our", "are", "can", "for", "from", "been", "which",
    # Single words that labels and statuses are made of.
    "completed", "submitted", "queued", "failed", "cancelled", "expired", "denied", "sent", "delivered",
    "confirmed", "contents", "customer", "since", "yes", "history", "choices", "requests", "human",
    "reviews", "language", "profile", "security", "decisions",
}  # fmt: skip
# Words that are also the language's own: German borrowed "Export" and "Download" as
# nouns ("Datenexport", "der Download"), and "will" is a German verb ("er will").
# The English sentences they would come from still have "your", "the", "data"...
NATIVE_WORDS = {"es": set(), "de": {"export", "download", "will"}}

# What may stand in any language: each pattern with the reason it is not a sentence.
ALLOWED = [
    # Addresses: the customer's own e-mail address and links are not prose.
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "an e-mail address"),
    (re.compile(r"\b(?:https?|file)://\S+"), "a URL"),
    # The files inside the archive have fixed names the page points at ("data.json").
    (re.compile(r"\b[\w.-]+\.(?:json|csv|txt|html|zip)\b", re.IGNORECASE), "a file name in the archive"),
    # The business names its portal (PORTAL_NAME); a brand is not translated.
    (re.compile(re.escape(settings.PORTAL_NAME), re.IGNORECASE), "the portal's name (PORTAL_NAME)"),
]

# How many stretches of English a finding quotes from one place.
SHOWN_STRETCHES = 6

# Text a person reads that innerText leaves out: the title, buttons drawn from a value,
# placeholders, labels for screen readers, alternative texts and tooltips.
READABLE_TEXT = """() => {
    const texts = [["title", document.title], ["page", document.body ? document.body.innerText : ""]];
    for (const element of document.querySelectorAll(
        "input[type=submit], input[type=button], input[type=reset], [placeholder], [aria-label], [alt], [title]"
    )) {
        for (const name of ["value", "placeholder", "aria-label", "alt", "title"]) {
            if (name === "value" && element.tagName !== "INPUT") continue;
            const text = name === "value" ? element.value : element.getAttribute(name);
            if (text) texts.push([`${element.tagName.toLowerCase()} ${name}`, text]);
        }
    }
    return texts;
}"""


@dataclass
class EnglishFinder:
    """Collects every English word found, with where it was, so one run reports them all."""

    lang: str
    findings: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def pattern(self) -> re.Pattern[str]:
        words = sorted(ENGLISH_WORDS - NATIVE_WORDS[self.lang])
        return re.compile(r"\b(" + "|".join(words) + r")\b", re.IGNORECASE)

    def text(self, where: str, text: str) -> None:
        self.checked.append(where)
        for allowed, _reason in ALLOWED:
            text = allowed.sub(" ", text)
        text = " ".join(text.split())
        matches = list(self.pattern.finditer(text))
        if not matches:
            return
        # One finding per place: the words, and the English around them (overlapping stretches once).
        words = sorted({match.group(0).lower() for match in matches})
        stretches: list[tuple[int, int]] = []
        for match in matches:
            start, end = max(0, match.start() - 60), match.end() + 60
            if stretches and start <= stretches[-1][1]:
                stretches[-1] = (stretches[-1][0], end)
            else:
                stretches.append((start, end))
        quoted = " ".join(f"“…{text[start:end]}…”" for start, end in stretches[:SHOWN_STRETCHES])
        more = f" (+{len(stretches) - SHOWN_STRETCHES} more)" if len(stretches) > SHOWN_STRETCHES else ""
        self.findings.append(f"{where}: {', '.join(words)} in {quoted}{more}")

    def page(self, page, what: str = "") -> None:
        """The page as it is now: its language, and everything on it a person reads."""
        where = f"{what} {page.url}".strip()
        declared = page.evaluate("document.documentElement.lang")
        if declared != self.lang:
            self.findings.append(f"{where}: <html lang={declared!r}>, not {self.lang!r}")
        for part, text in page.evaluate(READABLE_TEXT):
            self.text(f"{where} [{part}]", text)

    def email(self, message, what: str) -> None:
        self.text(f"e-mail {what!r} [subject]", message.subject)
        self.text(f"e-mail {what!r} [text]", message.body)
        htmls = [content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"]
        for html in htmls:
            declared = re.search(r'<html[^>]*\blang="([^"]*)"', html)
            if declared and declared.group(1) != self.lang:
                self.findings.append(f"e-mail {what!r} [html]: <html lang={declared.group(1)!r}>, not {self.lang!r}")
            self.text(f"e-mail {what!r} [html]", html_text(html))

    def report(self) -> str:
        return f"English found in the {self.lang} portal ({len(self.findings)}):\n" + "\n".join(
            f"  - {finding}" for finding in self.findings
        )


def html_text(html: str) -> str:
    """What a mail reader shows of an HTML e-mail: its text, alt texts and titles, without tags, styles or links."""
    html = re.sub(r"(?is)<(style|script|head)\b.*?</\1>", " ", html)
    attributes = " ".join(re.findall(r'(?i)\b(?:alt|title|aria-label)="([^"]*)"', html))
    text = re.sub(r"(?s)<[^>]+>", " ", html)
    return f"{text} {attributes}".replace("&nbsp;", " ")


@pytest.fixture(params=["es", "de"])
def lang(request) -> str:
    return request.param


@pytest.fixture
def page(browser, live_server, settings, lang):
    """As tests/e2e/conftest.py's page (axe checks every page), in a browser that asks for `lang`."""
    with portal_page(
        browser,
        live_server,
        settings,
        locale=lang,
        extra_http_headers={"Accept-Language": f"{lang},{lang}-{lang.upper()};q=0.9"},
    ) as page:
        yield page


def submit(page) -> None:
    """Press the page's own form's button (not the language switcher's), whatever it is called."""
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()


def age_the_browsers_proofs(page, seconds: int) -> None:
    """Make the browser's sign-in older than the re-authentication window, as time would."""
    session_key = next(
        cookie["value"] for cookie in page.context.cookies() if cookie["name"] == settings.SESSION_COOKIE_NAME
    )

    class _Session:  # age_every_proof's client, for a session the browser holds
        session = SessionStore(session_key=session_key)

    age_every_proof(_Session, seconds)


def test_a_new_customer_uses_the_portal_in_their_language_and_meets_no_english(page, lang, bob, settings, tmp_path):
    english = EnglishFinder(lang)
    give_history(bob, marker="Bob-history")  # the other customer, who must not show anywhere
    try:
        walk_through_the_portal(page, english, settings, tmp_path)
    except Exception as broken:
        # A step that breaks still reports the English met before it.
        broken.add_note(english.report())
        raise
    assert len(english.checked) > 40  # every page and e-mail was read, not skipped
    assert not english.findings, english.report()


def walk_through_the_portal(page, english: EnglishFinder, settings, tmp_path) -> None:
    mail.outbox.clear()

    # Home page, then sign up from its navigation.
    page.goto("/")
    english.page(page, "home")
    page.locator('nav a[href="/accounts/signup/"]').first.click()
    page.wait_for_url("**/accounts/signup/")
    english.page(page, "sign-up")
    page.locator("#id_email").fill("dana@example.com")
    page.locator("#id_full_name").fill("Dana Durán")
    page.locator("#id_password1").fill("plum-orchard-77")
    page.locator("#id_password2").fill("plum-orchard-77")
    submit(page)
    page.wait_for_url("**/accounts/confirm-email/")
    english.page(page, "verification sent")

    # The verification e-mail, in the language, and its link.
    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    verification = mail.outbox[-1]
    english.email(verification, "verify your address")
    link = re.search(r"https?://\S+/accounts/confirm-email/[^/\s]+/", str(verification.body))
    assert link is not None, verification.body
    page.goto(link.group(0))
    english.page(page, "confirm address")
    submit(page)
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        english.page(page, "sign-in")
        page.locator("#id_login").fill("dana@example.com")
        page.locator("#id_password").fill("plum-orchard-77")
        submit(page)
    page.wait_for_url("**/dashboard/")
    english.page(page, "dashboard")
    dana = User.objects.get(email="dana@example.com")
    if dana.preferred_language != english.lang:
        # Signed in, the portal speaks the profile's language: a new customer's must be
        # the one they signed up in. The walk goes on in the language, as the customer
        # would make it, through the switcher every page has.
        english.findings.append(
            f"signed up in {english.lang!r}, the new customer's preferred language is "
            f"{dana.preferred_language!r}: every page after sign-in is in that language"
        )
        page.locator("#language-switcher-language").select_option(english.lang)
        page.locator("form.language-switcher button[type=submit]").click()
        page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=english.lang)
        english.page(page, "dashboard, after the language switcher")

    # My data.
    page.locator('nav a[href="/my-data/"]').first.click()
    page.wait_for_url("**/my-data/")
    english.page(page, "My data")

    # AI choices: switch the chat assistant (htmx swaps the card in place).
    page.locator('nav a[href="/preferences/"]').first.click()
    page.wait_for_url("**/preferences/")
    english.page(page, "AI choices")
    before = chat_assistant_allowed(dana)
    page.locator("#switch-ai-chat-assistant").click()
    page.wait_for_function(
        "(before) => document.querySelector('#switch-ai-chat-assistant')?.classList.contains('outline') !== before",
        arg=before,
    )
    assert chat_assistant_allowed(dana) is not before
    english.page(page, "AI choices after a switch")

    # An export: the portal asks for the password again once the sign-in is not recent.
    age_the_browsers_proofs(page, settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)
    page.goto("/requests/export/")
    page.wait_for_url("**/accounts/reauthenticate/**")
    english.page(page, "re-authenticate")
    page.locator("#id_password").fill("plum-orchard-77")
    submit(page)
    page.wait_for_url("**/requests/export/")
    english.page(page, "export")
    mail.outbox.clear()
    submit(page)
    page.wait_for_url("**/requests/*/")
    # Celery runs eagerly here: the archive is built and the e-mail sent as the request commits.
    export = PrivacyRequest.objects.get(user=dana, kind=PrivacyRequest.Kind.EXPORT)
    if export.status != PrivacyRequest.Status.COMPLETED:
        # The job names an error by its class at most; building the archive here raises the error itself.
        with translation.override(english.lang):
            build_archive(user=dana, portal_name=settings.PORTAL_NAME, target=tmp_path / "diagnosis.zip")
        pytest.fail(f"the export ended {export.status!r} ({export.failure_detail}), yet builds here")
    download = page.locator('a[href$="/download/"]')
    download.wait_for()
    english.page(page, "export request")
    sent = set(OutboundEmail.objects.filter(user=dana).values_list("template", flat=True))
    assert {"privacy/email/request_received", "privacy/email/export_ready"} <= sent, sent
    # To the customer only: staff notices are in English by design.
    to_dana = [message for message in mail.outbox if "dana@example.com" in message.to]
    assert len(to_dana) == 2, [(message.to, message.subject) for message in mail.outbox]
    for message in to_dana:  # "request received" and "export ready"
        english.email(message, str(message.subject))

    with page.expect_download() as download_info:
        download.click()
    archive = zipfile.ZipFile(io.BytesIO(download_info.value.path().read_bytes()))
    names = archive.namelist()
    assert "index.html" in names and "README.txt" in names, names
    everything = b"".join(archive.read(name) for name in names)
    assert b"dana@example.com" in everything and b"Bob-history" not in everything
    assert b"bob@example.com" not in everything
    english.text("archive README.txt", archive.read("README.txt").decode())
    archive.extractall(tmp_path / "archive")
    report = page.context.new_page()
    report.goto((tmp_path / "archive" / "index.html").as_uri())
    english.page(report, "archive index.html")
    report.close()

    # The pages again, and the list of requests: in the language, and nothing of the other customer's.
    for path in ["/", "/dashboard/", "/my-data/", "/preferences/", "/requests/"]:
        page.goto(path)
        english.page(page, "again")
        html = page.content()
        assert "Bob-history" not in html and "bob@example.com" not in html


def chat_assistant_allowed(user) -> bool:
    return next(p for p in ai_permissions(user=user) if p.purpose.slug == "ai-chat-assistant").allowed


def test_the_english_finder_catches_an_english_sentence_and_lets_names_and_addresses_through():
    finder = EnglishFinder("de")
    finder.text(
        "a",
        "Ihre Daten: Sie können sie herunterladen. dana@example.com https://example.com/the/data data.schema.json my-data-2026.zip",
    )
    finder.text("b", f"{settings.PORTAL_NAME}: Datenexport (Download) — er will")
    assert finder.findings == []
    finder.text("c", "Laden Sie your data herunter")
    assert finder.findings == ["c: data, your in “…Laden Sie your data herunter…”"]
    spanish = EnglishFinder("es")
    spanish.text("d", "Download")
    assert spanish.findings == ["d: download in “…Download…”"]
    html = '<html><head><title>x</title></head><p>Please <b>sign</b></p><img alt="Logo" src="x"></html>'
    assert " ".join(html_text(html).split()) == "Please sign Logo"
