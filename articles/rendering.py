"""Markdown → sanitised HTML, and the links and images a Markdown text contains.

One parser serves the public page, the admin preview (MARKDOWNX_MARKDOWNIFY_FUNCTION)
and the importer's link extraction, so all three read a document the same way.

The exports were hard-wrapped at about 78 columns by html2text, which breaks lines at
spaces and after hyphens. A soft line break is therefore joined back: with nothing
between two CJK characters (a space there would show in the browser), with nothing
after a hyphen inside a word or URL (``story-`` / ``ilya-sutskever``), and with a space
elsewhere. Bare URLs broken after a hyphen are rejoined in the source before parsing, so
a wrapped URL becomes one link.
"""

import copy
import html as html_entities
import re
from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .wechat import canonical_key

_CJK_RANGES = (
    "\u2e80-\u2fff"  # radicals
    "\u3000-\u303f"  # CJK punctuation
    "\u3040-\u30ff"  # kana
    "\u3100-\u31ff"  # bopomofo, strokes
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # unified ideographs
    "\uac00-\ud7af"  # hangul
    "\uf900-\ufaff"  # compatibility ideographs
    "\ufe30-\ufe4f"  # vertical forms
    "\uff00-\uffef"  # full-width forms and punctuation
)
_CJK = re.compile(f"[{_CJK_RANGES}]")
# Full-width punctuation ends a bare URL: 原文（https://example.com/a）：
_CJK_PUNCTUATION = re.compile("[\u3000-\u303f\uff00-\uffef]")
_SPACE_BY_CJK_PUNCTUATION = re.compile("(?<=[\u3000-\u303f\uff00-\uffef]) | (?=[\u3000-\u303f\uff00-\uffef])")
_WORD_CHAR = re.compile(r"[A-Za-z0-9]")
# html2text only breaks a URL after a hyphen; the rest of the URL starts the next line.
_URL_ENDING_IN_HYPHEN = re.compile(r"https?://[^\s<>()（）]*-$")
# Other exporters wrap anywhere, even inside a link's or image's (URL); Markdown would
# then not see a link at all, so a destination with no closing ")" on its line continues.
MAX_DESTINATION = 2000
_OPEN_DESTINATION = re.compile(r"\]\(\s*https?://[^\s()]*$")
# <strong>A</strong><strong>B</strong> becomes **A****B**, and an empty <strong> ****:
# runs of four asterisks inside a line close and reopen nothing.
_ADJACENT_BOLD = re.compile(r"\*{4,}")
_RULE_LINE = re.compile(r"^[ \t]*(?:\*[ \t]*){3,}$", re.MULTILINE)
# Link labels that never close make markdown-it's link parsing quadratic. A paragraph
# with hundreds of unclosed "[" is never a real article's: its brackets are escaped,
# which renders them exactly as written.
_MAX_UNCLOSED_BRACKETS = 32

# An <a> as render_markdown writes it: href, then title and rel when present.
_ANCHOR = re.compile(r'<a href="(?P<href>[^"]*)"(?P<title>(?: title="[^"]*")?)(?: rel="nofollow noopener")?>')

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title", "loading", "referrerpolicy", "decoding"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# A table column's alignment is a class, not a style="" attribute: the Content-Security-Policy
# refuses inline styles, on the public page and in the admin preview alike.
ALIGNMENT_CLASSES = {f"text-align:{side}": f"align-{side}" for side in ("left", "center", "right")}
ALLOWED_CLASSES = {"td": set(ALIGNMENT_CLASSES.values()), "th": set(ALIGNMENT_CLASSES.values())}


@dataclass(frozen=True)
class FoundLink:
    url: str
    text: str
    image_url: str = ""


@dataclass(frozen=True)
class FoundContent:
    links: list[FoundLink]
    images: list[str]


def render_markdown(
    text: str, *, image_urls: Mapping[str, str] | None = None, local_links: Mapping[str, str] | None = None
) -> str:
    """Render Markdown to HTML that is safe to show on our origin.

    ``image_urls`` maps original image URLs to our mirrored copies; ``local_links`` maps
    the canonical identity of a linked article to its page here.
    """
    markdown = _markdown()
    env = {"image_urls": image_urls or {}, "local_links": local_links or {}}
    html = markdown.renderer.render(_parse(text or ""), markdown.options, env)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        allowed_classes=ALLOWED_CLASSES,
        link_rel=None,
    )


def relink(html: str, local_links: Mapping[str, str]) -> str:
    """``html`` from ``render_markdown`` with its links to the identities in ``local_links`` leading to
    our pages: the same HTML as rendering the Markdown again with those local links, at a fraction
    of the cost. Used when an article arrives and the articles linking to it must point at it."""

    def local(anchor: re.Match) -> str:
        try:
            target = local_links.get(canonical_key(html_entities.unescape(anchor["href"])))
        except ValueError:  # our own pages and mailto: links have no identity
            return anchor.group()
        if target is None:
            return anchor.group()
        # Serialised as nh3 serialises attributes; our addresses are percent-encoded already.
        return f'<a href="{target.replace("&", "&amp;").replace(chr(34), "&quot;")}"{anchor["title"]}>'

    return _ANCHOR.sub(local, html)


def plain_text(html: str) -> str:
    """The text of rendered HTML on one line, for excerpts: no space is left next to CJK punctuation."""
    text = " ".join(html_entities.unescape(nh3.clean(html, tags=set())).split())
    return _SPACE_BY_CJK_PUNCTUATION.sub("", text)


def find_links_and_images(text: str) -> FoundContent:
    """The links (with their anchor text and, for cards, their image) and the images of ``text``."""
    links: list[FoundLink] = []
    images: list[str] = []
    for block in _parse(text or ""):
        if block.type != "inline" or not block.children:
            continue
        open_link: dict | None = None
        for token in block.children:
            if token.type == "link_open":
                open_link = {"url": token.attrGet("href") or "", "text": [], "image": ""}
            elif token.type == "link_close" and open_link is not None:
                anchor = " ".join("".join(open_link["text"]).split())
                links.append(FoundLink(open_link["url"], anchor, open_link["image"]))
                open_link = None
            elif token.type == "image":
                src = token.attrGet("src") or ""
                images.append(src)
                if open_link is not None and not open_link["image"]:
                    open_link["image"] = src
            elif open_link is not None and token.type in {"text", "code_inline"}:
                open_link["text"].append(token.content)
    return FoundContent(links=links, images=images)


# The importer finds a body's links and then renders it on save: one parse serves both.
# Rendering only sets attributes it would set again, so sharing the tokens is safe.
def _parse(text: str) -> list[Token]:
    kept = _kept_parses.get()
    if kept is None:
        return _parse_recent(text)
    if text not in kept:
        kept[text] = _markdown().parse(text)
    return kept[text]


@lru_cache(maxsize=2)  # a body and its footer
def _parse_recent(text: str) -> list[Token]:
    return _markdown().parse(text)


_kept_parses: ContextVar[dict[str, list[Token]] | None] = ContextVar("kept_parses", default=None)


@contextmanager
def parses_kept():
    """Within the block every parse is kept, not only the last two: a batch import parses all of
    its files before it renders the new ones. They take about twenty times the text's memory."""
    reset = _kept_parses.set({})
    try:
        yield
    finally:
        _kept_parses.reset(reset)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    markdown = MarkdownIt("gfm-like", {"html": False, "linkify": True, "typographer": False})
    markdown.core.ruler.after("normalize", "repair_exporter_damage", _repair_exporter_damage)
    markdown.core.ruler.after("inline", "drop_empty_links", _drop_empty_links)
    markdown.core.ruler.after("inline", "join_wrapped_lines", _join_wrapped_lines)
    markdown.core.ruler.after("linkify", "end_urls_at_cjk_punctuation", _end_urls_at_cjk_punctuation)
    markdown.core.ruler.push("align_table_cells_by_class", _align_table_cells_by_class)
    markdown.add_render_rule("link_open", _render_link_open)
    markdown.add_render_rule("image", _render_image)
    return markdown


def _repair_exporter_damage(state: StateCore) -> None:
    src = _rejoin_wrapped_urls(state.src)
    src = _escape_unclosed_brackets(src)
    state.src = _merge_adjacent_bold(src)


def _rejoin_wrapped_urls(src: str) -> str:
    """Join a line to the next when it ends inside a URL. Line by line, looking only at each
    line's last word, so the cost stays linear however long a hostile line is."""
    lines = src.split("\n")
    joined = [lines[0]]
    for line in lines[1:]:
        previous = joined[-1]
        last_word = previous.rsplit(None, 1)[-1] if previous.strip() else ""
        continues = line.lstrip()
        if continues and (
            (_URL_ENDING_IN_HYPHEN.search(last_word) and continues[0].isascii() and continues[0].isalnum())
            or (_OPEN_DESTINATION.search(last_word[-MAX_DESTINATION:]) and ")" in continues.split(None, 1)[0])
        ):
            joined[-1] = previous + continues
        else:
            joined.append(line)
    return "\n".join(joined)


def _escape_unclosed_brackets(src: str) -> str:
    if src.count("[") <= _MAX_UNCLOSED_BRACKETS:
        return src
    paragraphs = src.split("\n\n")
    for index, paragraph in enumerate(paragraphs):
        opened = paragraph.count("[")
        if opened > _MAX_UNCLOSED_BRACKETS and opened > 2 * paragraph.count("](") + _MAX_UNCLOSED_BRACKETS:
            paragraphs[index] = paragraph.replace("[", "\\[")
    return "\n\n".join(paragraphs)


def _merge_adjacent_bold(src: str) -> str:
    if "****" not in src:
        return src
    rules = {match.start() for match in _RULE_LINE.finditer(src)}
    lines, offset, merged = src.split("\n"), 0, []
    for line in lines:
        if offset in rules:
            merged.append(line)
        else:
            merged.append(_ADJACENT_BOLD.sub(lambda run: "*" * (len(run.group()) % 4), line))
        offset += len(line) + 1
    return "\n".join(merged)


def _align_table_cells_by_class(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in {"th_open", "td_open"} and "style" in token.attrs:
            alignment = ALIGNMENT_CLASSES.get(str(token.attrs.pop("style")))
            if alignment:
                token.attrSet("class", alignment)


def _drop_empty_links(state: StateCore) -> None:
    """`[text]()` links nowhere: keep the text, drop the link."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept, dropped_levels = [], []
        for token in block.children:
            if token.type == "link_open" and not (token.attrGet("href") or "").strip():
                dropped_levels.append(len(kept))
                continue
            if token.type == "link_close" and dropped_levels and _is_dropped_close(kept, dropped_levels):
                dropped_levels.pop()
                continue
            kept.append(token)
        block.children = kept


def _is_dropped_close(kept: list[Token], dropped_levels: list[int]) -> bool:
    """Whether this link_close belongs to the innermost dropped link_open (links do not nest)."""
    return not any(token.type == "link_open" for token in kept[dropped_levels[-1] :])


def _join_wrapped_lines(state: StateCore) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        joined: list[Token] = []
        # Adjacent text tokens are merged; their pieces are joined once at the end, since
        # repeated += on a long paragraph of short lines would be quadratic.
        pieces: dict[int, list[str]] = {}
        children = block.children
        for index, token in enumerate(children):
            if token.type == "softbreak":
                before = pieces[id(joined[-1])][-1] if joined and id(joined[-1]) in pieces else _text_before(joined)
                token = Token("text", "", 0, content=_joiner(before, _text_after(children, index)))
            if token.type == "text" and joined and joined[-1].type == "text":
                pieces.setdefault(id(joined[-1]), [joined[-1].content]).append(token.content)
                continue
            joined.append(token)
        for token in joined:
            if id(token) in pieces:
                token.content = "".join(pieces[id(token)])
        block.children = joined


def _end_urls_at_cjk_punctuation(state: StateCore) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        for index in range(len(children) - 2, 0, -1):
            link_open, text, link_close = children[index - 1], children[index], children[index + 1]
            if link_open.type != "link_open" or link_open.markup != "linkify" or link_close.type != "link_close":
                continue
            cut = _CJK_PUNCTUATION.search(text.content)
            if not cut or cut.start() == 0:
                continue
            url, rest = text.content[: cut.start()], text.content[cut.start() :]
            text.content = url
            link_open.attrSet("href", state.md.normalizeLink(url))
            children.insert(index + 2, Token("text", "", 0, content=rest))


def _text_before(tokens: list[Token]) -> str:
    for token in reversed(tokens):
        if token.content:
            return token.content
    return ""


def _text_after(tokens: list[Token], index: int) -> str:
    for position in range(index + 1, len(tokens)):
        if tokens[position].content:
            return tokens[position].content
    return ""


def _joiner(before: str, after: str) -> str:
    if not before or not after:
        return " "
    last, first = before[-1], after[0]
    if _CJK.match(last) and _CJK.match(first):
        return ""
    if _CJK.match(last) and not _CJK.match(first) and last in "（【《「『“‘：，、":
        return ""
    if _CJK.match(first) and first in "）】》」』”’：，。、；！？":
        return ""
    if last == "-" and len(before) > 1 and _WORD_CHAR.match(before[-2]) and _WORD_CHAR.match(first):
        return ""
    return " "


def _render_link_open(self, tokens, index, options, env):
    # A copy: the parsed tokens are cached and shared between renders.
    token = copy.copy(tokens[index])
    token.attrs = {key: value for key, value in token.attrs.items() if key != "rel"}
    href = str(token.attrs.get("href") or "")
    local = None
    if env.get("local_links"):
        try:
            local = env["local_links"].get(canonical_key(href))
        except ValueError:
            local = None
    if local:
        token.attrs["href"] = local
    elif href.startswith("//") or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE):
        token.attrs["rel"] = "nofollow noopener"
    return self.renderToken([token], 0, options, env)


def _render_image(self, tokens, index, options, env):
    # A copy: the parsed tokens are cached and shared, so the mirrored src must not stick.
    token = copy.copy(tokens[index])
    token.attrs = dict(token.attrs)
    mirrored = env.get("image_urls", {}).get(token.attrGet("src"))
    if mirrored:
        token.attrSet("src", mirrored)
    token.attrSet("loading", "lazy")
    token.attrSet("decoding", "async")
    # mmbiz.qpic.cn refuses images to pages that send a foreign Referer.
    token.attrSet("referrerpolicy", "no-referrer")
    return self.image([token], 0, options, env)
