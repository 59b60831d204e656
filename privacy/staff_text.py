"""Text staff write, shown as formatted text: the staff guidelines now; purpose notices and AI system cards may follow.

Staff write Markdown (paragraphs, lists, emphasis, links); a single line
break stays a line break, as typed. markdown-it-py renders it (CommonMark,
with raw HTML switched off: typed tags show as text, images as their
description), and nh3 (the Ammonia sanitiser) then keeps only the tags and attributes below,
so whatever a renderer might let through, no script, event handler, style,
image or javascript: link reaches a page. Pages show the result through one
template filter, `{{ text|staff_markdown }}` (privacy/templatetags/staff_text.py).
"""

from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

# The page has its own title and heading (h1, h2): the text's top headings,
# "#" or "##" alike, become h3 under them, never a second page title.
TOP_HEADING = 3

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
# No images (the portal loads nothing from elsewhere) and no scripts by URL.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _shift_headings(state: StateCore) -> None:
    headings = [token for token in state.tokens if token.type in ("heading_open", "heading_close")]
    if not headings:
        return
    shift = TOP_HEADING - min(int(token.tag[1]) for token in headings)
    for token in headings:
        token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"


def _image_as_text(renderer: Any, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return escapeHtml(tokens[idx].content)


_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False, "typographer": False})
_markdown.enable("table")
_markdown.core.ruler.push("shift_headings", _shift_headings)
_markdown.add_render_rule("image", _image_as_text)
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
)


def sanitise_html(html: str) -> str:
    """Only the tags, attributes and URL schemes above survive: the second line of defence."""
    return _cleaner.clean(html)


def staff_markdown(text: Any) -> SafeString:
    """Staff-written Markdown as safe HTML."""
    return mark_safe(sanitise_html(_markdown.render(str(text or ""))))  # noqa: S308 - sanitised by nh3
