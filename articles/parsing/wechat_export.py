"""The seed's format, written by a WeChat exporter::

# <title>

文章作者: <account name>
发布时间: YYYY-MM-DD HH:MM          (Beijing time)
发布地: <region>                    (optional; 未知地区 means unknown)
原文链接: <URL>

封面图链接: <URL>                   (optional, or the literal None)

<Markdown body, then the account's boilerplate footer>
"""

import re

from .document import Metadata, parse_datetime
from .plain import read_title

FIELDS = {
    "文章作者": "account",
    "公众号": "account",
    "发布时间": "published_at",
    "发布地": "location",
    "原文链接": "source_url",
    "封面图链接": "cover_url",
}
_HEADER_LINE = re.compile(r"^(?P<key>[^:：\s]+)\s*[:：]\s*(?P<value>.*?)\s*$")


def looks_like(lines: list[str]) -> bool:
    """A `# title` line followed, within a few lines, by one of this format's header fields."""
    first = next((index for index, line in enumerate(lines) if line.strip()), 0)
    return any(_field(line) for line in lines[first + 1 : first + 12])


def parse(text: str, filename: str) -> Metadata:
    lines = text.split("\n")
    title, title_index = read_title(lines, filename)

    header: dict[str, tuple[str, int]] = {}
    index = title_index + 1
    while index < len(lines):
        line = lines[index].strip()
        name = _field(line)
        if line and not name:
            break
        if name:
            header[name] = (_HEADER_LINE.match(line)["value"], index + 1)
        index += 1
    content_line = index + 1

    # Without 发布时间 or 原文链接 the article still imports, as a draft for an editor (build_article says so).
    date, date_line = header.get("published_at", ("", content_line))
    source_url, source_line = header.get("source_url", ("", content_line))
    cover_url, cover_line = header.get("cover_url", ("", None))
    warnings = [] if header.get("account") else ["the header has no 文章作者 line; the article has no publication."]
    return Metadata(
        title=title,
        content="\n".join(lines[index:]),
        content_line=content_line,
        account=header.get("account", ("", None))[0],
        published_at=parse_datetime(date, filename, date_line, "发布时间") if date else None,
        location=header.get("location", ("", None))[0],
        source_url=source_url,
        source_line=source_line,
        cover_url=cover_url,
        cover_line=cover_line,
        warnings=warnings,
    )


def _field(line: str) -> str | None:
    match = _HEADER_LINE.match(line.strip())
    return FIELDS.get(match["key"]) if match else None
