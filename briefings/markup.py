"""What editors write as prose (summaries, descriptions, notes, rationales) is
Markdown, shown to readers as sanitized HTML or as plain text.

Markdown is parsed with markdown-it-py's CommonMark preset with raw HTML off, so
whatever looks like a tag is shown as the text it is; the result then goes
through nh3's allow-list, which is what actually guarantees that no element,
attribute or URL scheme a reader's browser would act on survives. Source text
(an article's body, a quote) is never Markdown: it is shown escaped, as written.

Nothing is cached: a summary renders in well under a millisecond, and a
per-process cache keyed by text would grow with every record ever shown.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

# The fields an editor writes in Markdown, by model label (app_label.model).
MARKDOWN_FIELDS: dict[str, frozenset[str]] = {
    "briefings.meeting": frozenset({"summary"}),
    "briefings.article": frozenset({"summary"}),
    "briefings.commitment": frozenset({"summary"}),
    "briefings.actor": frozenset({"description"}),
    "briefings.topic": frozenset({"description"}),
    "briefings.participation": frozenset({"note"}),
    "briefings.annotation": frozenset({"note"}),
    "briefings.complianceassessment": frozenset({"rationale"}),
}

HINT = _(
    "Markdown: *emphasis*, **strong**, [a link](https://example.org), lists "
    "starting with “- ” or “1. ”, a blank line between paragraphs. HTML is "
    "shown as text."
)

ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener noreferrer"

# "breaks": a single newline is a line break, as the `linebreaks` filter these
# fields were shown with made it, so summaries written before keep their look.
# Headings are off: a summary sits under the page's own headings, and a line an
# editor starts with "# " stays as written. Images are off: pages load nothing
# from outside the site, and "![alt](url)" then shows as "!" and a link.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
    ["heading", "lheading", "image"]
)


def is_markdown(model_label: str, field_name: str) -> bool:
    return field_name in MARKDOWN_FIELDS.get(model_label, frozenset())


def render(text: str | None) -> SafeString:
    """The Markdown `text` as HTML that may be put in a page as it is."""
    if not text:
        return SafeString("")
    html = nh3.clean(
        _markdown.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )
    # nh3 has just made it safe, whatever the editor wrote.
    return mark_safe(html)


def plain(text: str | None) -> str:
    """The words of the Markdown `text` on one line, without any markup.

    Not escaped: it is text, for a template, a feed or JSON to escape once.
    """
    if not text:
        return ""
    parts: list[str] = []
    for token in _markdown.parse(text):
        if token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
        elif token.type in ("code_block", "fence"):
            parts.append(token.content)
        # Blocks (paragraphs, list items) end between words, not inside one.
        parts.append(" ")
    return " ".join("".join(parts).split())


def web_url(url: str | None) -> str | None:
    """`url` if it is an http(s) address a reader may follow, else None.

    Source and evidence URLs are validated on every form, but a row imported or
    loaded another way is not; a link must never carry a javascript: or data:
    address, whatever is stored.
    """
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url
    return None
