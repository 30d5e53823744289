"""HTML descriptions -> clean text (for embedding) and sanitised HTML (safe to render).

Offers:
- :func:`unescape_entities` undoes entity escaping (``&lt;p&gt;``, also double-escaped) of HTML stored as text;
- :func:`html_to_text` keeps paragraphs, ``<br>`` and list items (prefixed ``"- "``) as line breaks and
  collapses other whitespace; script/style content never reaches the text;
- :func:`sanitize_html` keeps only basic formatting tags (nh3), drops scripts, ``on*`` attributes and
  non-http(s)/mailto links;
- :func:`clean_description` does all three with size caps and returns a :class:`Description`.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import nh3
from selectolax.lexbor import LexborHTMLParser

MAX_TEXT_CHARS = 100_000
"""Clean text longer than this is cut (with a warning): an embedding model reads far less anyway."""
MAX_HTML_CHARS = 2_000_000
"""Raw HTML longer than this is cut before parsing, to bound time and memory per posting."""
MAX_SANITISED_INPUT_CHARS = 300_000
"""Only this much raw HTML is sanitised for display."""

ALLOWED_TAGS = {
    "p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "code", "a", "hr", "div", "span", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

_DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "math", "head", "title")
_BLOCKS = ("p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
           "article", "blockquote", "pre", "header", "footer", "hr", "dl", "dt", "dd")
_DROPPABLE = re.compile(r"<(?:" + "|".join(_DROP_TAGS) + r")\b", re.I)
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_TAG = re.compile(r"<[a-zA-Z/!]")
_STRUCTURE = re.compile(r"<(?:(br)|(li)|/?(?:" + "|".join(_BLOCKS) + r"))\b[^>]*>", re.I)
_ESCAPED = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"), ("&apos;", "'"), ("&amp;", "&"))


@dataclass(frozen=True)
class Description:
    text: str
    html: str
    warnings: tuple[str, ...] = field(default=())


def _mark_structure(m: re.Match[str]) -> str:
    if m.group(1):  # <br>
        return "\n"
    return ("\n- " if m.group(2) else "\n\n") + m.group(0)


def _unescape_markup(s: str) -> str:
    """One round of unescaping for the five entities that escape markup (C-speed ``str.replace``)."""
    for entity, char in _ESCAPED:
        s = s.replace(entity, char)
    return s


def unescape_entities(s: str, *, max_rounds: int = 3) -> str:
    """Undo entity escaping until the string holds real markup (or no entities are left).

    ``&lt;p&gt;Hi&lt;/p&gt;`` -> ``<p>Hi</p>``; ``&amp;lt;p&amp;gt;`` (double-escaped) -> ``<p>``.
    Once real tags appear, remaining entities are left for the HTML parser, so ``AT&amp;amp;T``
    inside escaped markup still ends as ``AT&T`` in the text.
    """
    for _ in range(max_rounds):
        if _TAG.search(s) or not _ENTITY.search(s):
            break
        # escaped markup: undo only the markup entities; the HTML parser decodes the rest later
        s = _unescape_markup(s) if "&lt;" in s or "&gt;" in s else html.unescape(s)
    return s


def _collapse(text: str) -> str:
    """Whitespace runs inside a line -> one space; at most one blank line in a row; no edge blanks."""
    out: list[str] = []
    blank = True
    for line in text.replace("\r", "\n").split("\n"):
        line = " ".join(line.split())  # str.split is much faster than a regex here
        if line:
            out.append(line)
            blank = False
        elif not blank:
            out.append("")
            blank = True
    if out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def html_to_text(markup: str) -> str:
    """Readable text of an HTML fragment: blocks and ``<br>`` become line breaks, list items ``"- "``.

    Line structure is marked on the markup with regular expressions (source whitespace is
    insignificant in HTML, so it is collapsed first), then selectolax decodes entities, drops
    script/style content and extracts the text: about 10x faster than editing the parsed tree.
    """
    if not _TAG.search(markup):
        return _collapse(html.unescape(markup))
    if "\n" in markup or "\r" in markup or "\t" in markup:
        markup = " ".join(markup.split())  # source line breaks are insignificant in HTML
    markup = _STRUCTURE.sub(_mark_structure, markup)
    tree = LexborHTMLParser(markup)
    root = tree.body or tree.root
    if root is None:
        return ""
    if _DROPPABLE.search(markup):
        for node in root.css(", ".join(_DROP_TAGS)):
            node.decompose()
    return _collapse(root.text(deep=True, separator=""))


def sanitize_html(markup: str) -> str:
    """HTML safe to render: basic formatting tags only; no script/style, ``on*`` or ``javascript:``."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def clean_description(raw: str) -> Description:
    """Clean text + sanitised HTML of a (possibly entity-escaped) HTML description, with size caps."""
    warnings: list[str] = []
    if len(raw) > MAX_HTML_CHARS:
        warnings.append(f"description HTML of {len(raw):,} characters cut to {MAX_HTML_CHARS:,} before parsing")
        raw = raw[:MAX_HTML_CHARS]
    markup = unescape_entities(raw)
    text = html_to_text(markup)
    if len(text) > MAX_TEXT_CHARS:
        warnings.append(f"description text of {len(text):,} characters capped at {MAX_TEXT_CHARS:,}")
        text = text[:MAX_TEXT_CHARS].rstrip()
    safe = sanitize_html(markup[:MAX_SANITISED_INPUT_CHARS])
    if len(markup) > MAX_SANITISED_INPUT_CHARS:
        warnings.append(f"sanitised HTML holds only the first {MAX_SANITISED_INPUT_CHARS:,} characters")
    return Description(text=text, html=safe, warnings=tuple(warnings))
