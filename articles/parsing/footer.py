"""Split an account's closing boilerplate off the article.

Most accounts end the article with a marker (·END·, -END-, — 完 —, © THE END …), often
mangled by bold markers; what follows is promotion, subscription pitches and related-
article cards. Accounts without a marker are recognised by their tail: a run of
paragraphs at the end that are cards, link lists or promotion. Either way the footer is
kept, never thrown away.
"""

import re

# Written by `export_article` between body and footer, so a re-import splits exactly there.
EXPORT_SEPARATOR = "<!-- footer -->"

# A marker line once Markdown emphasis and escapes are removed.
_DECORATION = r"[\s·•・‧\-—–―~=_*#©<>\[\]【】]*"
_MARKER = re.compile(rf"^{_DECORATION}(?:THE\s*)?(?:END|完|全文完|本文完)(?:{_DECORATION}|\s+转载.*)$", re.IGNORECASE)
_MARKDOWN_NOISE = re.compile(r"[*_\\`]")

# Phrases that only promotion uses; matched on a paragraph's text.
_PROMOTION = re.compile(
    r"扫码|扫描.{0,6}二维码|长按.{0,8}(识别|关注|二维码)|识别.{0,4}二维码|关注(我们|公众号|本号)|"
    r"点击.{0,4}(「|“|\")?阅读原文|点(个)?(赞|在看)|分享.{0,4}(点赞|在看)|设为星标|星标|"
    r"(往期|推荐|相关|延伸|精选)(推荐|阅读|回顾|文章)|转载请(联系|注明)|商务合作|投稿邮箱|免责声明|版权(声明|归)"
)
# A paragraph that is nothing but links (with or without images) and images.
_LINK_OR_IMAGE = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\]){0,300}\]\([^)\s]{0,2000}\)")
_URL_IN_PARENTHESES = re.compile(r"\([^)\s]*\)")
_LIST_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MAX_MARKER_LENGTH = 120
# Boilerplate paragraphs are short; a long one is the article's.
_MAX_BOILERPLATE_PARAGRAPH = 3000
# Never call more than this share of a marker-less article boilerplate.
_MAX_TAIL_SHARE = 0.5


def split_footer(markdown: str) -> tuple[str, str]:
    """(body, footer); footer is "" when the article has none."""
    if f"\n{EXPORT_SEPARATOR}\n" in f"\n{markdown}\n":
        body, _, footer = f"\n{markdown}\n".partition(f"\n{EXPORT_SEPARATOR}\n")
        return body.strip("\n") + "\n", footer.strip("\n") + "\n" if footer.strip() else ""
    lines = markdown.split("\n")
    start = _marker_line(lines)
    if start is None:
        start = _boilerplate_tail_start(lines)
    if start is None:
        return markdown.rstrip() + "\n", ""
    return "\n".join(lines[:start]).rstrip() + "\n", "\n".join(lines[start:]).strip("\n") + "\n"


def _marker_line(lines: list[str]) -> int | None:
    first_text = next((index for index, line in enumerate(lines) if line.strip()), len(lines))
    for index in range(len(lines) - 1, first_text, -1):
        line = lines[index]
        if len(line) > _MAX_MARKER_LENGTH:
            continue
        plain = _MARKDOWN_NOISE.sub("", line).strip()
        if plain and _MARKER.match(plain):
            return index
    return None


def _boilerplate_tail_start(lines: list[str]) -> int | None:
    paragraphs = _paragraphs(lines)
    start = None
    has_signal = False
    for first, last in reversed(paragraphs):
        text = "\n".join(lines[first : last + 1])
        kind = _boilerplate_kind(text)
        if kind is None:
            break
        has_signal = has_signal or kind == "strong"
        start = first
    if start is None or not has_signal:
        return None
    body_size = _visible_size(lines[:start])
    tail_size = _visible_size(lines[start:])
    if body_size == 0 or tail_size > _MAX_TAIL_SHARE * (body_size + tail_size):
        return None
    return start


def _visible_size(lines: list[str]) -> int:
    """Roughly how much a reader sees: URLs do not count."""
    return sum(len(_URL_IN_PARENTHESES.sub("", line).strip()) for line in lines)


def _paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line numbers of each run of non-blank lines."""
    paragraphs, first = [], None
    for index, line in enumerate([*lines, ""]):
        if line.strip() and first is None:
            first = index
        elif not line.strip() and first is not None:
            paragraphs.append((first, index - 1))
            first = None
    return paragraphs


def _boilerplate_kind(paragraph: str) -> str | None:
    """ "strong" for promotion and card lists, "weak" for a bare image (a QR code, say), else None."""
    if len(paragraph) > _MAX_BOILERPLATE_PARAGRAPH:
        return None
    plain = _MARKDOWN_NOISE.sub("", paragraph)
    if _PROMOTION.search(plain):
        return "strong"
    unbulleted = "\n".join(_LIST_BULLET.sub("", line) for line in paragraph.split("\n"))
    if _LINK_OR_IMAGE.sub("", unbulleted).strip(" \n>|·•"):
        return None
    links = [match for match in _LINK_OR_IMAGE.findall(unbulleted) if not match.startswith("!")]
    if not links and "![" in unbulleted:
        return "weak"
    # Cards (a link around an image) and links to other WeChat articles are the account's
    # "related reading"; a list of links elsewhere is the author's references, part of the text.
    if links and all("[![" in link or "mp.weixin.qq.com" in link for link in links):
        return "strong"
    return None
