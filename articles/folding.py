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
    # Character by character through a cache: an article has few distinct characters.
    normal = "".join([_normalise_char(char) for char in text])
    folded = [_casefold_char(char) for char in normal]
    for match in _CONFUSABLE.finditer(normal):
        if _touches_latin_letter(normal, match.start()):
            folded[match.start()] = "l"
    return "".join(folded)


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
