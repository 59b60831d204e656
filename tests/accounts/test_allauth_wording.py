"""allauth's pages speak like the rest of the portal: sentence case, "e-mail", and a
"Remember me" checkbox beside its label.

Every allauth page a customer can reach is rendered for real (signed out, signed in,
with and without a second factor) and its headings, labels, buttons, links and title
are read the way a person reads them.
"""

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from accounts.demo import DEMO_OFFICER_TOTP_SECRET, current_demo_totp_code
from tests.conftest import PASSWORD, make_customer, sign_in

# Text a customer reads as a heading, a label, a button, a link or the page's title.
READ_AS_NAMES = {"title", "h1", "h2", "h3", "label", "button", "a", "th", "summary", "legend"}
# Two capitalised words in a row ("Sign In", "Verify Your"); acronyms (AI, IP) are not such words.
TITLE_CASE = re.compile(r"\b[A-Z][a-z]+[\s-]+[A-Z][a-z]+")
PROPER_NAMES = re.compile(r"Privacy portal|Alice Archer|Carol Cole")
# "email" as a word, not inside an address (alice@example.com).
EMAIL_WORD = re.compile(r"(?<![\w@.-])emails?(?![\w@-])", re.IGNORECASE)


class PageText(HTMLParser):
    """The names a page gives its parts (per element), and the prose of its <main>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.names: list[tuple[str, str]] = []
        self.prose: list[str] = []
        self._open: list[tuple[str, list[str]]] = []
        self._main_depth = 0
        self._badges: list[str] = []  # a status badge ("Verified", "Primary") is a word of its own
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self._main_depth += 1
        if "badge" in (dict(attrs).get("class") or "").split():
            self._badges.append(tag)
            return
        if self._badges:
            return
        if tag in READ_AS_NAMES:
            self._open.append((tag, []))
        for name, value in attrs:
            if name in ("placeholder", "aria-label") and value:
                self.names.append((f"{tag}[{name}]", value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._main_depth -= 1
        if self._badges:
            if tag == self._badges[-1]:
                self._badges.pop()
            return
        if self._open and self._open[-1][0] == tag:
            _, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            if text:
                self.names.append((tag, text))

    def handle_data(self, data: str) -> None:
        if self._badges:
            return
        for _, parts in self._open:
            parts.append(data)
        if self._main_depth or any(tag == "title" for tag, _ in self._open):
            self.prose.append(data)


def _page(client: Client, url: str, data: dict[str, str] | None = None) -> str:
    response = client.post(url, data, follow=True) if data is not None else client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def customer_pages(language: str = "en") -> Iterator[tuple[str, str]]:
    """(what, html) for every allauth page a customer can reach, in the states they see it in.

    Every browser asks for `language`, and Carol's profile prefers it (the
    formal-address tests walk the same pages in Spanish and German).
    """

    def browser() -> Client:
        return Client(headers={"Accept-Language": language})

    carol = make_customer("carol@example.com", "Carol Cole", preferred_language=language)
    stranger = browser()
    yield "sign in", _page(stranger, "/accounts/login/")
    yield "sign in, wrong password", _page(stranger, "/accounts/login/", {"login": carol.email, "password": "nope"})
    yield "sign up", _page(stranger, "/accounts/signup/")
    yield "sign up, errors", _page(stranger, "/accounts/signup/", {"email": "x", "password1": "a", "password2": "b"})
    yield "password reset", _page(stranger, "/accounts/password/reset/")
    yield "password reset sent", _page(stranger, "/accounts/password/reset/", {"email": carol.email})
    yield "password reset, bad link", _page(stranger, "/accounts/password/reset/key/zz-bad-key/")
    key = f"{user_pk_to_url_str(carol)}-{default_token_generator.make_token(carol)}"
    yield "password reset, new password", _page(stranger, f"/accounts/password/reset/key/{key}/")
    yield "password reset done", _page(stranger, "/accounts/password/reset/key/done/")
    yield "sign-in code", _page(stranger, "/accounts/login/code/")
    yield "sign-in code sent", _page(stranger, "/accounts/login/code/", {"email": carol.email})
    yield "account inactive", _page(browser(), "/accounts/inactive/")

    newcomer = browser()
    signup = {"email": "dana@example.com", "password1": "plum-orchard-77", "password2": "plum-orchard-77"}
    yield "verify your address", _page(newcomer, "/accounts/signup/", signup)
    address = EmailAddress.objects.get(email="dana@example.com")
    yield "confirm address", _page(newcomer, f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/")
    yield "confirm address, bad link", _page(newcomer, "/accounts/confirm-email/bad-key/")

    # Carol, signed in with a password and nothing more.
    signed_in = browser()
    sign_in(signed_in, carol.email)
    for what, url in [
        ("e-mail addresses", "/accounts/email/"),
        ("password change", "/accounts/password/change/"),
        ("reauthenticate", "/accounts/reauthenticate/"),
        ("two-factor", "/accounts/2fa/"),
        ("authenticator app set-up", "/accounts/2fa/totp/activate/"),
        ("security key set-up", "/accounts/2fa/webauthn/add/"),
        ("sessions", "/accounts/sessions/"),
        ("sign out", "/accounts/logout/"),
    ]:
        yield what, _page(signed_in, url)

    # Carol with an authenticator app and recovery codes: the sign-in asks for a code.
    TOTP.activate(carol, DEMO_OFFICER_TOTP_SECRET)
    RecoveryCodes.activate(carol)
    two_factor = browser()
    yield "second factor", _page(two_factor, "/accounts/login/", {"login": carol.email, "password": PASSWORD})
    yield "second factor, wrong code", _page(two_factor, "/accounts/2fa/authenticate/", {"code": "000000"})
    _page(two_factor, "/accounts/2fa/authenticate/", {"code": current_demo_totp_code()})
    for what, url in [
        ("two-factor, set up", "/accounts/2fa/"),
        ("authenticator app removal", "/accounts/2fa/totp/deactivate/"),
        ("recovery codes", "/accounts/2fa/recovery-codes/"),
        ("new recovery codes", "/accounts/2fa/recovery-codes/generate/"),
        ("security keys", "/accounts/2fa/webauthn/"),
        ("reauthenticate with a code", "/accounts/2fa/reauthenticate/"),
    ]:
        yield what, _page(two_factor, url)


@pytest.fixture
def pages(db):
    return list(customer_pages())


def test_no_allauth_page_names_its_parts_in_title_case(pages):
    offenders = [
        (what, tag, text)
        for what, html in pages
        for tag, text in PageText(html).names
        if TITLE_CASE.search(PROPER_NAMES.sub("", text))
    ]
    assert offenders == []


def test_allauth_pages_say_e_mail_like_the_rest_of_the_portal(pages):
    offenders = [
        (what, text.strip())
        for what, html in pages
        for text in [*PageText(html).prose, *(name for _, name in PageText(html).names)]
        if EMAIL_WORD.search(text)
    ]
    assert offenders == []


def test_remember_me_is_a_checkbox_beside_its_label(client, db):
    page = client.get("/accounts/login/").content.decode()
    label = re.search(r'<label for="id_remember">(.*?)</label>', page, re.DOTALL)
    assert label is not None, "the checkbox has no label of its own"
    inside = " ".join(label.group(1).split())
    assert re.fullmatch(r'<input type="checkbox" name="remember" id="id_remember"> Remember me', inside), inside


def test_allauth_e_mails_are_worded_like_the_pages(
    client_factory, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_factory().post(
            "/accounts/signup/",
            {"email": "dana@example.com", "password1": "plum-orchard-77", "password2": "plum-orchard-77"},
        )
        client_factory().post("/accounts/password/reset/", {"email": alice.email})
        client_factory().post("/accounts/password/reset/", {"email": "nobody@example.com"})
        client_factory().post("/accounts/login/code/", {"email": alice.email})
    assert len(mailoutbox) == 4
    for message in mailoutbox:
        subject = message.subject.removeprefix("[Privacy portal] ")
        assert not TITLE_CASE.search(subject), subject
        assert not EMAIL_WORD.search(f"{subject}\n{message.body}"), (subject, message.body)
