"""Markdown with YAML front matter, as web clippers write it (Obsidian Web Clipper,
MarkDownload, …)::

    ---
    title: "OpenAI 联创 IIya 是谁"
    source: "https://mp.weixin.qq.com/s/…"
    author: ["[[投资实习所]]"]
    published: 2024-05-17
    created: 2024-06-01
    ---
    <Markdown body>

Keys may be English or Chinese; the clip time (`created`) is only a fallback for the
publication date, and says so.
"""

import re
from datetime import date, datetime, time

import yaml

from .document import ImportFormatError, Metadata, parse_datetime

KEYS = {
    "title": ("title", "标题", "name"),
    "source_url": (
        "source",
        "url",
        "link",
        "original",
        "original_url",
        "canonical",
        "原文链接",
        "原文",
        "链接",
        "来源",
    ),
    "account": ("account", "publication", "author", "authors", "公众号", "文章作者", "作者"),
    "published_at": ("published", "date", "pubdate", "publish_date", "published_at", "发布时间", "发布日期", "日期"),
    "created": ("created", "clipped", "saved", "创建时间", "剪藏时间"),
    "location": ("location", "发布地", "地点"),
    "cover_url": ("cover", "image", "cover_image", "banner", "封面", "封面图", "封面图链接"),
}
_FENCE = re.compile(r"^(---|\.\.\.)\s*$")
_WIKI_LINK = re.compile(r"^\[\[(?:[^|\]]*\|)?([^\]]*)\]\]$")


def looks_like(lines: list[str]) -> bool:
    return bool(lines) and lines[0].strip() == "---"


def parse(text: str, filename: str) -> Metadata:
    lines = text.split("\n")
    end = next((index for index in range(1, len(lines)) if _FENCE.match(lines[index])), None)
    if end is None:
        raise ImportFormatError(filename, 1, "the front matter starting with `---` is never closed by another `---`.")
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ImportFormatError(filename, line, f"the front matter is not valid YAML ({problem}).") from None
    except (ValueError, RecursionError) as error:
        # PyYAML builds dates itself (2024-02-30 fails there) and nests without limit.
        raise ImportFormatError(filename, 2, f"the front matter has a value that cannot be read ({error}).") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ImportFormatError(filename, 2, "the front matter must be `key: value` lines.")
    fields = {str(key).strip().lower(): value for key, value in data.items()}

    def line_of(name: str) -> int:
        keys = KEYS[name]
        for index in range(1, end):
            if lines[index].split(":", 1)[0].strip().strip("'\"").lower() in keys:
                return index + 1
        return 1

    content = "\n".join(lines[end + 1 :])
    content_line = end + 2
    title = _text(_first(fields, "title"))
    if not title:
        title, content, content_line = _title_from_heading(content, content_line, filename)

    warnings = []
    published_value = _first(fields, "published_at")
    published_at = _datetime(published_value, filename, line_of("published_at")) if published_value else None
    if published_at is None and _first(fields, "created"):
        published_at = _datetime(_first(fields, "created"), filename, line_of("created"), "created")
        warnings.append("no publication date; the clip's `created` time is used instead. Check it.")

    return Metadata(
        title=title,
        content=content,
        content_line=content_line,
        account=_text(_first(fields, "account")),
        published_at=published_at,
        location=_text(_first(fields, "location")),
        source_url=_text(_first(fields, "source_url")),
        source_line=line_of("source_url"),
        cover_url=_text(_first(fields, "cover_url")),
        cover_line=line_of("cover_url"),
        warnings=warnings,
    )


def _first(fields: dict, name: str):
    for key in KEYS[name]:
        value = fields.get(key)
        if value not in (None, "", []):
            return value
    return None


def _text(value) -> str:
    """A scalar as text; lists give their first item; Obsidian's [[links]] give their label."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if value is None:
        return ""
    text = str(value).strip()
    wiki = _WIKI_LINK.match(text)
    return wiki.group(1).strip() if wiki else text


def _datetime(value, filename: str, line: int, name: str = "published") -> datetime:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return parse_datetime(value, filename, line, name)


def _title_from_heading(content: str, content_line: int, filename: str) -> tuple[str, str, int]:
    lines = content.split("\n")
    for index, line in enumerate(lines):
        if line.strip().startswith("# ") and line.strip()[2:].strip():
            return line.strip()[2:].strip(), "\n".join(lines[:index] + lines[index + 1 :]), content_line
        if line.strip():
            break
    raise ImportFormatError(filename, content_line, "the front matter has no `title:` and the text no `# ` title.")
