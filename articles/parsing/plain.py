"""Plain Markdown: a `# title` line and the article, with no metadata at all.

Such a document has no date and no source, so it is imported as a draft for an editor.
"""

from .document import ImportFormatError, Metadata


def read_title(lines: list[str], filename: str) -> tuple[str, int]:
    """The title from the first non-blank line, written `# <title>`, and that line's index.

    Only the first line is the title; `# ` headings further down belong to the body.
    """
    index = next((number for number, line in enumerate(lines) if line.strip()), 0)
    line = lines[index].strip()
    if not line.startswith("# ") or not line[2:].strip():
        raise ImportFormatError(filename, index + 1, "expected the title as the first line, written `# <title>`.")
    return line[2:].strip().rstrip("#").strip() or line[2:].strip(), index


def parse(text: str, filename: str) -> Metadata:
    lines = text.split("\n")
    title, index = read_title(lines, filename)
    return Metadata(
        title=title,
        content="\n".join(lines[index + 1 :]),
        content_line=index + 2,
        warnings=["plain Markdown without metadata (no date, account or original link)."],
    )
