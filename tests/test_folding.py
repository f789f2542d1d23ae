import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.folding import CONFUSABLES, _casefold_char, _normalise_char, _touches_latin_letter, fold


@pytest.mark.parametrize("spelling", ["Ilya", "IIya", "lIya", "ILYA", "ＩＬＹＡ", "1lya"])
def test_confusable_spellings_of_a_latin_name_fold_alike(spelling):
    assert fold(spelling) == fold("Ilya")


@pytest.mark.parametrize("text", ["科学家IIya离开", "埃隆・马斯克", "ＳＡＭ　Altman", "Straße", "İstanbul", "ﬁne"])
def test_fold_preserves_length_so_offsets_point_into_the_original(text):
    assert len(fold(text)) == len(text)


def test_middle_dots_are_unified():
    assert fold("埃隆・马斯克") == fold("埃隆·马斯克") == fold("埃隆•马斯克")


def test_a_lone_capital_i_is_not_a_name():
    assert fold("I am") == "i am"


def fold_one_character_at_a_time(text: str) -> str:
    """What ``fold`` means, the slow way: each character normalised, then case-folded, on its own."""
    normal = "".join(_normalise_char(char) for char in text)
    folded = [_casefold_char(char) for char in normal]
    for index, char in enumerate(normal):
        if char in CONFUSABLES and _touches_latin_letter(normal, index):
            folded[index] = "l"
    return "".join(folded)


# Latin with its case pairs and expansions (ß, ﬁ, İ), CJK and its full-width forms, whitespace
# and the middle dots, half-width katakana (･ normalises to ・, which is itself a middle dot).
FOLDING_ALPHABET = st.sampled_from(
    list("IIl1|aAzZßẞİıﬁΣσς·・•‧∙⋅\n\t 　 ")
    + [chr(c) for c in (*range(0x3000, 0x3020), *range(0xFF00, 0xFF70))]
    + list("科学家埃隆马斯克伊尔亚")
)


@settings(max_examples=500, deadline=None)
@given(st.text(FOLDING_ALPHABET, max_size=30))
def test_fold_is_the_character_by_character_fold(text):
    assert fold(text) == fold_one_character_at_a_time(text)


def test_a_character_normalising_to_a_middle_dot_is_folded_as_on_its_own():
    assert fold("a\uff65b\u30fbc") == fold_one_character_at_a_time("a\uff65b\u30fbc") == "a・b·c"
