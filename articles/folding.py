"""A length-preserving fold of text, so that names match however they were typed.

``fold(text)[i]`` always corresponds to ``text[i]``: offsets found in the folded text
point straight into the original, which is what highlighting needs.

People's mention detection and search both fold with it; it lives in ``articles``
because ``people`` may import ``articles``, never the reverse.
"""

import re
import unicodedata
from functools import lru_cache

MIDDLE_DOTS = "·・•‧∙⋅"
# Characters that exporters, OCR and hurried typists swap inside Latin names (IIya, lIya, 1lya).
CONFUSABLES = "Il1|"
_CONFUSABLE = re.compile("[Il1|]")


def fold(text: str) -> str:
    normal = _normalise(text)
    folded = normal.casefold()
    if len(folded) != len(normal):  # a character folds to several (ß, ﬁ): each keeps its own
        folded = "".join([_casefold_char(char) for char in normal])
    confusables = [
        match.start() for match in _CONFUSABLE.finditer(normal) if _touches_latin_letter(normal, match.start())
    ]
    if not confusables:
        return folded
    chars = list(folded)
    for index in confusables:
        chars[index] = "l"
    return "".join(chars)


def _normalise(text: str) -> str:
    """``_normalise_char`` of every character. An article has a few hundred distinct characters and
    a dozen that change (line ends, full-width punctuation): each of those is replaced throughout
    the text at once, which takes a tenth of the time of going through it a character at a time."""
    changes = {char: normal for char in set(text) if (normal := _normalise_char(char)) != char}
    if not changes.keys().isdisjoint(changes.values()):
        # One would become another (half-width ･ becomes ・, itself a middle dot): in one pass, as one by one.
        return text.translate({ord(char): normal for char, normal in changes.items()})
    for char, normal in changes.items():
        text = text.replace(char, normal)
    return text


@lru_cache(maxsize=65536)
def _normalise_char(char: str) -> str:
    """Full-width and compatibility forms to their plain form, middle dots to one dot, whitespace to a space."""
    if char in MIDDLE_DOTS:
        return "·"
    if char.isspace():
        # A name wrapped across lines ("Harrison\nKinsley") is still the name.
        return " "
    normal = unicodedata.normalize("NFKC", char)
    return normal if len(normal) == 1 else char


@lru_cache(maxsize=65536)
def _casefold_char(char: str) -> str:
    lower = char.casefold()
    return lower if len(lower) == 1 else char


def _touches_latin_letter(chars: str, index: int) -> bool:
    neighbours = chars[max(index - 1, 0) : index] + chars[index + 1 : index + 2]
    return any(char.isascii() and (char.isalpha() or char in CONFUSABLES) for char in neighbours)
