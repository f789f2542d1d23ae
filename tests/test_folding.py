import pytest

from articles.folding import fold


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
