"""A length-preserving fold of text, so that names match however they were typed.

``fold(text)[i]`` always corresponds to ``text[i]``: offsets found in the folded text
point straight into the original, which is what highlighting needs.
"""

import unicodedata

MIDDLE_DOTS = "·・•‧∙⋅"
# Characters that exporters, OCR and hurried typists swap inside Latin names (IIya, lIya, 1lya).
CONFUSABLES = "Il1|"


def fold(text: str) -> str:
    normal = [_normalise_char(char) for char in text]
    folded = []
    for index, char in enumerate(normal):
        if char in CONFUSABLES and _touches_latin_letter(normal, index):
            folded.append("l")
        else:
            lower = char.casefold()
            folded.append(lower if len(lower) == 1 else char)
    return "".join(folded)


def _normalise_char(char: str) -> str:
    """Full-width and compatibility forms to their plain form, middle dots to one dot, whitespace to a space."""
    if char in MIDDLE_DOTS:
        return "·"
    if char.isspace():
        # A name wrapped across lines ("Harrison\nKinsley") is still the name.
        return " "
    normal = unicodedata.normalize("NFKC", char)
    return normal if len(normal) == 1 else char


def _touches_latin_letter(chars: list[str], index: int) -> bool:
    neighbours = chars[max(index - 1, 0) : index] + chars[index + 1 : index + 2]
    return any(char.isascii() and (char.isalpha() or char in CONFUSABLES) for char in neighbours)
