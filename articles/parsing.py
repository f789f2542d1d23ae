"""Parse an exported article (bytes) into a ``ParsedArticle``. Pure: no database.

The seed's format, written by a WeChat exporter::

    # <title>

    文章作者: <account name>
    发布时间: YYYY-MM-DD HH:MM          (Beijing time)
    发布地: <region>                    (optional; 未知地区 means unknown)
    原文链接: <URL>

    封面图链接: <URL>                   (optional, or the literal None)

    <Markdown body, then the account's boilerplate footer>

Anything wrong with a document raises ``ImportFormatError`` naming the file, the line
and what to do about it.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from .rendering import FoundLink, find_links_and_images
from .wechat import canonical_key, is_http_url, wechat_biz

BEIJING = ZoneInfo("Asia/Shanghai")

HEADER_FIELDS = {
    "文章作者": "account",
    "发布时间": "published_at",
    "发布地": "location",
    "原文链接": "source_url",
    "封面图链接": "cover_url",
}
UNKNOWN_LOCATION = "未知地区"

_HEADER_LINE = re.compile(r"^(?P<key>[^:：\s]+)\s*[:：]\s*(?P<value>.*?)\s*$")
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
# A footer marker once Markdown emphasis and escapes are removed: ·END·, -END-, — 完 —, THE END …
_DECORATION = r"[\s·•・\-—–~=_*#©]*"
_FOOTER_MARKER = re.compile(rf"^{_DECORATION}(?:THE\s*)?(?:END|完){_DECORATION}$", re.IGNORECASE)
_MARKDOWN_NOISE = re.compile(r"[*_\\`]")


class ImportFormatError(Exception):
    """A document that cannot be imported, with where and why in words an editor can act on."""

    def __init__(self, filename: str, line: int | None, problem: str):
        self.filename = filename
        self.line = line
        self.problem = problem
        where = f"{filename}, line {line}" if line else filename
        super().__init__(f"{where}: {problem}")


@dataclass
class ParsedLink:
    url: str
    target_key: str
    text: str
    image_url: str
    kind: str  # "inline" or "related", as Link.Kind


@dataclass
class ParsedArticle:
    title: str
    account: str
    published_at: datetime
    location: str
    source_url: str
    source_key: str
    wechat_biz: str
    cover_url: str
    body: str
    footer: str
    sha256: str
    links: list[ParsedLink] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_document(data: bytes, filename: str, *, max_bytes: int | None = None) -> ParsedArticle:
    """Decode and parse one exported article."""
    if max_bytes is not None and len(data) > max_bytes:
        raise ImportFormatError(
            filename,
            None,
            f"the file is {len(data):,} bytes, over the limit of {max_bytes:,}; is it really an article?",
        )
    text = _decode(data, filename)
    return _parse_wechat_export(text, filename, hashlib.sha256(data).hexdigest())


def _decode(data: bytes, filename: str) -> str:
    if not data.strip():
        raise ImportFormatError(filename, 1, "the file is empty; export the article again.")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ImportFormatError(filename, line, "the file contains binary data (a NUL byte), not Markdown text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFormatError(
            filename,
            line,
            f"invalid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8 and import it again.",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _parse_wechat_export(text: str, filename: str, sha256: str) -> ParsedArticle:
    lines = text.split("\n")
    first = next((number for number, line in enumerate(lines) if line.strip()), 0)
    title_line = lines[first].strip()
    if not title_line.startswith("# ") or not title_line[2:].strip():
        raise ImportFormatError(filename, first + 1, "expected the title as the first line, written `# <title>`.")
    title = title_line[2:].strip()

    header: dict[str, tuple[str, int]] = {}
    number = first + 1
    while number < len(lines):
        line = lines[number]
        match = _HEADER_LINE.match(line.strip())
        if line.strip() and not (match and match["key"] in HEADER_FIELDS):
            break
        if match:
            header[HEADER_FIELDS[match["key"]]] = (match["value"], number + 1)
        number += 1
    body_start = number

    published_at = _parse_published_at(header, filename, body_start + 1)
    source_url, source_line = header.get("source_url", ("", body_start + 1))
    if not source_url:
        raise ImportFormatError(
            filename, source_line, "the header has no 原文链接 line; add the link to the original article."
        )
    if not is_http_url(source_url):
        raise ImportFormatError(
            filename, source_line, f"原文链接 {source_url!r} is not an http(s) URL; copy the original link again."
        )
    warnings = []
    cover_url, cover_line = header.get("cover_url", ("", None))
    if cover_url == "None":
        cover_url = ""
    if cover_url and not is_http_url(cover_url):
        warnings.append(f"line {cover_line}: 封面图链接 {cover_url!r} is not an http(s) URL; the cover is left out.")
        cover_url = ""
    account = header.get("account", ("", None))[0]
    if not account:
        warnings.append("the header has no 文章作者 line; the article has no publication.")
    location = header.get("location", ("", None))[0]
    if location == UNKNOWN_LOCATION:
        location = ""

    body, footer = split_footer("\n".join(lines[body_start:]).strip("\n"))
    if not body.strip():
        raise ImportFormatError(filename, body_start + 1, "the article has no body after the header.")
    in_body, in_footer = find_links_and_images(body), find_links_and_images(footer)

    return ParsedArticle(
        title=title,
        account=account,
        published_at=published_at,
        location=location,
        source_url=source_url,
        source_key=canonical_key(source_url),
        wechat_biz=wechat_biz(source_url),
        cover_url=cover_url,
        body=body,
        footer=footer,
        sha256=sha256,
        links=_links(in_body.links, in_footer.links),
        images=[*in_body.images, *in_footer.images],
        warnings=warnings,
    )


def _parse_published_at(header: dict, filename: str, default_line: int) -> datetime:
    value, line = header.get("published_at", ("", default_line))
    if not value:
        raise ImportFormatError(
            filename, line, "the header has no 发布时间 line; add one such as `发布时间: 2024-05-17 12:58`."
        )
    for date_format in _DATE_FORMATS:
        try:
            return datetime.strptime(value, date_format).replace(tzinfo=BEIJING)
        except ValueError:
            continue
    raise ImportFormatError(
        filename, line, f"发布时间 {value!r} is not a date; write it as YYYY-MM-DD HH:MM (Beijing time)."
    )


def split_footer(markdown: str) -> tuple[str, str]:
    """Split the account's closing boilerplate off the body at its end marker (·END·, — 完 —, …)."""
    lines = markdown.split("\n")
    for index in range(len(lines) - 1, 0, -1):
        plain = _MARKDOWN_NOISE.sub("", lines[index]).strip()
        if plain and _FOOTER_MARKER.match(plain):
            return "\n".join(lines[:index]).rstrip() + "\n", "\n".join(lines[index:]).strip("\n") + "\n"
    return markdown.rstrip() + "\n", ""


def _links(body_links: list[FoundLink], footer_links: list[FoundLink]) -> list[ParsedLink]:
    """One link per (target, kind), in document order: the body's, then the footer's.

    In the footer, a link wrapped around an image is a related-article card.
    """
    found: dict[tuple[str, str], ParsedLink] = {}
    candidates = [(link, False) for link in body_links] + [(link, bool(link.image_url)) for link in footer_links]
    for link, is_card in candidates:
        parsed = _parsed_link(link, related=is_card)
        if parsed:
            found.setdefault((parsed.target_key, parsed.kind), parsed)
    return list(found.values())


def _parsed_link(link: FoundLink, *, related: bool) -> ParsedLink | None:
    try:
        target_key = canonical_key(link.url)
    except ValueError:
        return None  # mailto:, relative and anchor links point at no article.
    return ParsedLink(
        url=link.url,
        target_key=target_key,
        text=link.text,
        image_url=link.image_url,
        kind="related" if related else "inline",
    )
