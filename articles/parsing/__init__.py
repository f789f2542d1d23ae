"""Parse an exported article (bytes) into a ``ParsedArticle``. Pure: no database.

Each supported format is one small module with ``looks_like(lines)`` and
``parse(text, filename)``; ``parse_document`` picks one by sniffing unless told.
Anything wrong with a document raises ``ImportFormatError`` naming the file, the line
and what to do about it.
"""

import hashlib

from . import front_matter, plain, wechat_export
from .document import ImportFormatError, ParsedArticle, ParsedLink, build_article
from .encoding import decode
from .footer import split_footer

# Sniffed in this order; plain Markdown is the fallback.
FORMATS = {"wechat": wechat_export, "front-matter": front_matter, "markdown": plain}

__all__ = ["FORMATS", "ImportFormatError", "ParsedArticle", "ParsedLink", "parse_document", "split_footer"]


def parse_document(
    data: bytes,
    filename: str,
    *,
    max_bytes: int | None = None,
    format_name: str | None = None,
    encoding: str | None = None,
) -> ParsedArticle:
    """Decode and parse one exported article; ``format_name`` and ``encoding`` override sniffing."""
    if max_bytes is not None and len(data) > max_bytes:
        raise ImportFormatError(
            filename,
            None,
            f"the file is {len(data):,} bytes, over the limit of {max_bytes:,}; is it really an article?",
        )
    text, warnings = decode(data, filename, encoding)
    format_name = format_name or sniff(text)
    try:
        parsed = build_article(FORMATS[format_name].parse(text, filename), filename)
    except (ValueError, OverflowError, RecursionError) as error:
        # A safety net: whatever the parsers did not foresee still names the file, never a traceback.
        raise ImportFormatError(
            filename, None, f"the document cannot be read ({type(error).__name__}: {error})."
        ) from None
    parsed.sha256 = hashlib.sha256(data).hexdigest()
    parsed.format = format_name
    parsed.warnings[:0] = warnings
    return parsed


def sniff(text: str) -> str:
    lines = text.split("\n", 40)[:40]
    if front_matter.looks_like(lines):
        return "front-matter"
    if wechat_export.looks_like(lines):
        return "wechat"
    return "markdown"
