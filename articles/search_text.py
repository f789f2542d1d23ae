"""The text search looks in, the terms a query asks for, and the highlighted snippet. Pure: no database.

Titles and bodies are folded (``search_fold``: case, full-width forms, I/l/1/i alike) and
cut into tokens, each CJK character on its own and each Latin word whole, then written
with one space around every token:

    "OpenAI 联创 IIya 是谁？"  →  " openal 联 创 llya 是 谁 "

A query term is written the same way, so a match is a substring of that text: "对 齐" for
对齐 (a CJK character always has spaces around it), " 对 " for 对, " open" for Open (a word
prefix), " a " for a lone letter. Every pattern is at least three characters long, so a
trigram index over the text (SQLite FTS5) answers each one from the index, and a
two-character word is a single trigram. PostgreSQL indexes lexemes instead
(``document_lexemes``: each token, and each pair of neighbouring CJK characters, as
Lucene's CJK analyzer does).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import pairwise

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .folding import CONFUSABLES, fold
from .rendering import plain_text

# Scripts written without spaces between words: every character is a token of its own.
CJK_RANGES = (
    "\u3040-\u30ff"  # kana
    "\u3100-\u312f"  # bopomofo
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # compatibility ideographs
    "\U00020000-\U0003ffff"  # CJK extensions B and later
)
_TOKEN = re.compile(f"(?![\\W_])[{CJK_RANGES}]|[^\\W_{CJK_RANGES}]+")
_CJK_CHAR = re.compile(f"[{CJK_RANGES}]")
# Two CJK tokens side by side in a document text; the second is looked at, not taken, so that
# pairs overlap (" 联 创 新 " gives 联创 and 创新). One pass of the regex engine: token by token
# in Python, the pairs were half the time of an article's search document on PostgreSQL.
_CJK_PAIR = re.compile(f" ([{CJK_RANGES}])(?= ([{CJK_RANGES}]) )")
_LATIN_WORD_CHAR = f"[^\\W_{CJK_RANGES}]"

# PostgreSQL keeps a document's lexemes in a tsvector of at most 1 MB, each under 2 KB: no
# article comes near this length, and no word anyone searches for near this one.
MAX_DOCUMENT_LENGTH = 100_000
MAX_TOKEN = 64
ID_BITS = 24
ID_MASK = (1 << ID_BITS) - 1
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
SNIPPET_LENGTH = 160
SNIPPET_LEAD = 40
# The last sentence or clause break before a match, or else its last space (or nothing).
_SNIPPET_START = re.compile(r"(?:.*[。！？；，、.!?;,]\s*)|(?:.*\s)|")


def search_fold(text: str) -> str:
    """``fold``, and i as l. Inside Latin names ``fold`` turns a capital I into l (IIya is
    Ilya, OpenAI is "openal"); a reader typing "ilya" or "openai" in lower case must match too."""
    return fold(text).replace("i", "l")


def document_text(text: str) -> str:
    """The folded, tokenised form of ``text`` that search looks in (empty when it has no words)."""
    tokens = [token for token in _TOKEN.findall(search_fold(text[:MAX_DOCUMENT_LENGTH])) if len(token) <= MAX_TOKEN]
    return f" {' '.join(tokens)} " if tokens else ""


def document_lexemes(*texts: str) -> str:
    """The distinct lexemes of ``document_text`` forms, space-separated: every token, and every
    pair of neighbouring CJK characters (so a two-character word is one lexeme)."""
    lexemes = set()
    for text in texts:
        lexemes.update(text.split())
        lexemes.update(first + second for first, second in _CJK_PAIR.findall(text))
    return " ".join(sorted(lexemes))


def search_rank(article_id: int, published_at: datetime | None) -> int:
    """An integer that orders articles newest first when read from the largest down: the
    minute of publication, then the id (in the low 24 bits, so ``rank & ID_MASK`` gives it
    back). The index returns matches in this order, so the newest are found without sorting."""
    if not 0 < article_id <= ID_MASK:
        raise ValueError(f"article ids above {ID_MASK} do not fit the search rank: move search to a search engine")
    minute = int(published_at.timestamp()) // 60 if published_at else 0
    return minute << ID_BITS | article_id


def document_fields(*, title: str, body_html: str, with_lexemes: bool) -> dict[str, str]:
    """The text fields of an article's search document: its title, and its body as the reader
    sees it; with the lexemes when the database indexes those (PostgreSQL)."""
    fields = {"title": document_text(title), "body": document_text(plain_text(body_html))}
    fields["lexemes"] = document_lexemes(fields["title"], fields["body"]) if with_lexemes else ""
    fields["title_lexemes"] = document_lexemes(fields["title"]) if with_lexemes else ""
    return fields


def is_cjk(token: str) -> bool:
    return bool(_CJK_CHAR.match(token))


@dataclass(frozen=True)
class Term:
    """One word of a query, folded (``text``, with ``search_fold``) and cut into tokens. Every term must match."""

    text: str
    tokens: tuple[str, ...]

    @property
    def is_prefix(self) -> bool:
        """A Latin word of two letters or more also matches longer words: "open" finds OpenAI."""
        last = self.tokens[-1]
        return len(last) > 1 and not is_cjk(last)

    @property
    def pattern(self) -> str:
        """The substring of a document's search text that this term matches. A CJK character is
        always a token of its own, spaces around it implied; a Latin word starts after a space
        (and, unless a prefix, ends before one); a lone character keeps both to be a trigram."""
        first, last = self.tokens[0], self.tokens[-1]
        alone = len(self.tokens) == 1 and len(first) == 1
        before = " " if alone or not is_cjk(first) else ""
        after = " " if alone or not (self.is_prefix or is_cjk(last)) else ""
        return f"{before}{' '.join(self.tokens)}{after}"

    def lexemes(self) -> list[str]:
        """The tokens as PostgreSQL indexes them: Latin words, and CJK runs as bigrams (a lone character as itself)."""
        lexemes, run = [], []
        for token in (*self.tokens, ""):
            if token and is_cjk(token):
                run.append(token)
                continue
            if len(run) == 1:
                lexemes.append(run[0])
            lexemes += [first + second for first, second in pairwise(run)]
            run = []
            if token:
                lexemes.append(token)
        return lexemes


def parse_query(query: str) -> list[Term]:
    """The terms of a query: its words separated by spaces, folded, without punctuation; at most MAX_TERMS."""
    terms: dict[str, Term] = {}
    for word in search_fold(query[:MAX_QUERY_LENGTH]).split():
        tokens = tuple(_TOKEN.findall(word))
        if tokens and word not in terms:
            terms[word] = Term(word, tokens)
    return list(terms.values())[:MAX_TERMS]


@lru_cache(maxsize=4096)
def _spellings(folded: str) -> str:
    """A regex character class of the characters that fold to ``folded``: the ones a reader sees."""
    candidates = {folded, folded.upper(), folded.title()}
    candidates |= {chr(ord(char) + 0xFEE0) for char in list(candidates) if "!" <= char <= "~"}  # full-width
    spellings = {char for char in candidates if len(char) == 1 and search_fold(char) == folded}
    if folded == "l":
        # Search folds i, and inside Latin words the confusables, to l (IIya is Ilya).
        spellings |= {*CONFUSABLES, "i", "ｉ"} | {chr(ord(char) + 0xFEE0) for char in CONFUSABLES}
    return "[" + "".join(re.escape(char) for char in sorted(spellings)) + "]"


def _term_regex(term: Term) -> str:
    """What ``term`` matches in the original text: any spelling of its tokens, with anything
    that is not a word between them, a Latin token starting (and, unless a prefix, ending) a word."""
    parts = []
    for token in term.tokens:
        spelled = "".join(_spellings(char) for char in token)
        parts.append(spelled if is_cjk(token) else f"(?<!{_LATIN_WORD_CHAR}){spelled}")
    pattern = r"[\W_]*".join(parts)
    if not term.is_prefix and not is_cjk(term.tokens[-1]):
        pattern += f"(?!{_LATIN_WORD_CHAR})"
    return pattern


def highlighter(terms: list[Term]) -> re.Pattern | None:
    """One regex for every term, to find them in the original (unfolded) text."""
    if not terms:
        return None
    return re.compile("|".join(f"(?:{_term_regex(term)})" for term in terms))


def snippet(text: str, matches: re.Pattern | None, length: int = SNIPPET_LENGTH) -> SafeString:
    """A passage of ``text`` around the first match, HTML-escaped, every match in it marked."""
    first = matches.search(text) if matches else None
    start = 0
    if first and first.start() > SNIPPET_LEAD:
        # Start at the beginning of a sentence, clause or word close before the match.
        lead = text[first.start() - SNIPPET_LEAD : first.start()]
        start = first.start() - SNIPPET_LEAD + _SNIPPET_START.search(lead).end()
    end = min(start + length, len(text))
    start = max(end - length, 0)
    parts, position = ["…" if start else ""], start
    for match in matches.finditer(text, start, end) if matches else ():
        if match.end() > match.start():
            parts += [escape(text[position : match.start()]), f"<mark>{escape(match.group())}</mark>"]
            position = match.end()
    parts += [escape(text[position:end]), "…" if end < len(text) else ""]
    return mark_safe("".join(parts))
