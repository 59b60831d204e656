"""Staff-written text (the guidelines, later notices and AI system cards) shown as formatted, sanitised text."""

from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from privacy.staff_text import sanitise_html, staff_markdown


class Elements(HTMLParser):
    """Every element of an HTML fragment, with its attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))

    def tags(self) -> list[str]:
        return [tag for tag, _ in self.found]


def dangerous(html: str) -> list[str]:
    """What in rendered HTML could run script, restyle the page or load something."""
    problems = []
    for tag, attrs in Elements(html).found:
        if tag in ("script", "style", "iframe", "object", "embed", "img", "svg", "form", "input", "link", "meta"):
            problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                problems.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction") and not value.startswith(("https:", "http:", "mailto:")):
                problems.append(f"{tag} {name}={value}")
    return problems


GUIDELINES = """We decide privacy requests on their merits.
A refusal always states its reason.

What we never do:

- use a customer's data for an AI purpose they switched off;
- copy personal data out of the admin.

Questions go to **the privacy team**."""

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<p style="background:url(https://evil.example/x)">styled</p>',
    '<div onmouseover="alert(1)">hover</div>',
    "<style>body { display: none }</style>",
    '<iframe src="https://evil.example"></iframe>',
    "![tracker](https://evil.example/pixel.png)",
    '<svg onload="alert(1)"></svg>',
]


def test_paragraphs_stay_paragraphs_and_line_breaks_stay_line_breaks():
    html = str(staff_markdown(GUIDELINES))
    assert Elements(html).tags().count("p") == 3
    assert "<br" in html  # the reason was typed on a line of its own
    assert "<strong>the privacy team</strong>" in html


def test_lists_become_lists():
    assert Elements(str(staff_markdown(GUIDELINES))).tags().count("li") == 2
    numbered = Elements(str(staff_markdown("1. A person reviews.\n2. We give reasons.")))
    assert numbered.tags() == ["ol", "li", "li"]


def test_a_heading_sits_under_the_pages_own_headings():
    assert Elements(str(staff_markdown("# Our rules\n\nText."))).tags() == ["h3", "p"]
    assert Elements(str(staff_markdown("## Rules\n\n### Detail\n\n## More"))).tags() == ["h3", "h4", "h3"]


def test_links_open_safely():
    html = str(staff_markdown("See [the policy](https://example.com/policy)."))
    assert '<a href="https://example.com/policy" rel="noopener noreferrer">the policy</a>' in html


@pytest.mark.parametrize("payload", XSS)
def test_raw_html_and_script_links_do_not_survive(payload):
    html = str(staff_markdown(f"Before.\n\n{payload}\n\nAfter."))
    assert not dangerous(html), html
    assert "Before." in html and "After." in html  # the text around it is kept


@pytest.mark.parametrize("payload", XSS)
def test_the_sanitiser_alone_removes_what_a_renderer_might_let_through(payload):
    # The second line of defence: even HTML that never went through Markdown.
    assert not dangerous(sanitise_html(payload))
    assert dangerous(payload) or payload.startswith(("[", "!["))  # the payloads are dangerous HTML


def test_pages_show_staff_text_through_one_filter():
    rendered = Template("{% load staff_text %}{{ text|staff_markdown }}").render(
        Context({"text": "One.\n\nTwo <script>x</script>."})
    )
    assert Elements(rendered).tags() == ["p", "p"]
    assert not dangerous(rendered)


def test_no_text_renders_as_nothing():
    assert str(staff_markdown("")) == ""
    assert str(staff_markdown(None)) == ""


# --- Where staff read it ------------------------------------------------------


@pytest.fixture
def officer(db, settings):
    from django.contrib.auth.models import Group

    from privacy.roles import PRIVACY_OFFICER
    from tests.conftest import make_customer

    settings.PORTAL_STAFF_REQUIRE_MFA = False
    officer = make_customer("officer@example.com", "Olivia Okafor", is_staff=True)
    officer.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    return officer


def guidelines_module(page: str) -> str:
    start = page.index('<div class="module staff-text">')
    return page[start : page.index("</div>", start)]


def test_the_guidelines_page_shows_paragraphs_and_lists_without_inline_style(client, officer):
    from privacy import services

    services.guidelines_publish(text=GUIDELINES + "\n\n<script>alert(1)</script>", staff_user=officer)
    client.force_login(officer)
    page = client.get("/admin/privacy/privacyrequest/guidelines/acknowledge/").content.decode()
    shown = guidelines_module(page)
    assert Elements(shown).tags().count("p") >= 3 and Elements(shown).tags().count("li") == 2
    assert not dangerous(shown)
    assert " style=" not in page


def test_the_guidelines_admin_previews_a_published_version_and_says_markdown_is_accepted(client, officer):
    from privacy import services

    published = services.guidelines_publish(text=GUIDELINES, staff_user=officer)
    client.force_login(officer)
    add_page = client.get("/admin/privacy/staffguidelines/add/").content.decode()
    assert "Markdown" in add_page
    page = client.get(f"/admin/privacy/staffguidelines/{published.pk}/change/").content.decode()
    preview = page[page.index("As staff read it") :]
    assert "<li>use a customer" in preview and "<strong>the privacy team</strong>" in preview
