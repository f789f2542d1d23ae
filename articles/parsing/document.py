"""What every parser produces, and the finishing steps they share."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from ..rendering import FoundLink, find_links_and_images
from ..wechat import canonical_key, clean_url, is_http_url, url_scheme, wechat_biz
from .footer import split_footer

BEIJING = ZoneInfo("Asia/Shanghai")
# The longest URL the archive stores; browsers and servers disagree beyond this anyway.
MAX_URL_LENGTH = 2000
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
UNKNOWN_LOCATION = "未知地区"
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d")
_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:(\d{1,2}):(\d{2}))?$")


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
    published_at: datetime | None
    location: str
    source_url: str
    source_key: str
    wechat_biz: str
    cover_url: str
    body: str
    footer: str
    sha256: str = ""
    format: str = ""
    # Documents without a publication date or source cannot go straight to readers.
    needs_review: bool = False
    links: list[ParsedLink] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Metadata:
    """What a parser read from a document's header, before the shared checks."""

    title: str
    content: str
    content_line: int
    account: str = ""
    published_at: datetime | None = None
    location: str = ""
    source_url: str = ""
    source_line: int | None = None
    cover_url: str = ""
    cover_line: int | None = None
    warnings: list[str] = field(default_factory=list)


def build_article(meta: Metadata, filename: str) -> ParsedArticle:
    """Check the metadata, split the footer off and find the links: the same for every format."""
    warnings = list(meta.warnings)
    needs_review = False

    source_url = clean_url(meta.source_url) if meta.source_url else ""
    if len(source_url) > MAX_URL_LENGTH:
        raise ImportFormatError(
            filename, meta.source_line, f"原文链接 is {len(source_url):,} characters long, over {MAX_URL_LENGTH:,}."
        )
    if source_url and not is_http_url(source_url):
        raise ImportFormatError(
            filename,
            meta.source_line,
            f"原文链接 {meta.source_url!r} is not an http(s) URL; copy the original link again.",
        )
    if source_url:
        source_key = canonical_key(source_url)
    else:
        # Without a link, the title is the only stable identity a re-import can match on.
        source_key = "title:" + hashlib.sha256(meta.title.casefold().encode()).hexdigest()[:32]
        warnings.append("no link to the original: re-imports match this article by its title.")
        needs_review = True

    cover_url = "" if meta.cover_url == "None" else clean_url(meta.cover_url)
    if url_scheme(cover_url) not in {"", "http", "https"}:
        # javascript:, data: and the like are an attack, not a typo: the whole file is refused.
        raise ImportFormatError(
            filename,
            meta.cover_line,
            f"封面图链接 {meta.cover_url!r} is a {url_scheme(cover_url)}: URL; a cover must be an http(s) image URL.",
        )
    if cover_url and (not is_http_url(cover_url) or len(cover_url) > MAX_URL_LENGTH):
        where = f"line {meta.cover_line}: " if meta.cover_line else ""
        warnings.append(f"{where}封面图链接 {meta.cover_url!r} is not an http(s) URL; the cover is left out.")
        cover_url = ""
    if meta.published_at is None:
        warnings.append("no publication date: imported as a draft for an editor to date and publish.")
        needs_review = True

    body, footer = split_footer(meta.content.strip("\n"))
    if not body.strip():
        raise ImportFormatError(filename, meta.content_line, "the article has no body after the header.")
    in_body, in_footer = find_links_and_images(body), find_links_and_images(footer)
    links = _links(in_body.links, in_footer.links)
    too_long = [link for link in links if len(link.url) > MAX_URL_LENGTH or len(link.target_key) > MAX_URL_LENGTH]
    if too_long:
        warnings.append(
            f"{len(too_long)} link(s) over {MAX_URL_LENGTH:,} characters stay in the text, not in the link list."
        )
        links = [link for link in links if link not in too_long]
    return ParsedArticle(
        title=meta.title,
        account=meta.account,
        published_at=meta.published_at,
        location="" if meta.location == UNKNOWN_LOCATION else meta.location,
        source_url=source_url,
        source_key=source_key,
        wechat_biz=wechat_biz(source_url),
        cover_url=cover_url,
        body=body,
        footer=footer,
        needs_review=needs_review,
        links=links,
        images=[*in_body.images, *in_footer.images],
        warnings=warnings,
    )


def parse_datetime(value, filename: str, line: int | None, field_name: str) -> datetime:
    """A publication time as written by exporters; without a zone it is Beijing time."""
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        parsed = _parse_date_text(text)
        if parsed is None:
            raise ImportFormatError(
                filename, line, f"{field_name} {text!r} is not a date; write it as YYYY-MM-DD HH:MM (Beijing time)."
            )
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise ImportFormatError(
            filename,
            line,
            f"{field_name} {value} is not a plausible publication date (years {EARLIEST_YEAR}–{LATEST_YEAR}).",
        )
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)


def _parse_date_text(text: str) -> datetime | None:
    for date_format in _DATE_FORMATS:
        try:
            return datetime.strptime(text, date_format)
        except ValueError:
            continue
    chinese = _CHINESE_DATE.match(text)
    if chinese:
        year, month, day, hour, minute = (int(part) if part else 0 for part in chinese.groups())
        try:
            return datetime(year, month, day, hour, minute)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:  # includes offsets out of range such as +25:00
        return None


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
    url = clean_url(link.url)
    try:
        target_key = canonical_key(url)
    except ValueError:
        return None  # mailto:, relative and anchor links point at no article.
    return ParsedLink(
        url=url,
        target_key=target_key,
        text=link.text,
        image_url=clean_url(link.image_url)
        if is_http_url(link.image_url) and len(link.image_url) <= MAX_URL_LENGTH
        else "",
        kind="related" if related else "inline",
    )
