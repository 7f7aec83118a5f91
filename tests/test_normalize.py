"""Normalisation: the ways people really type one phrase fold into one form."""

from __future__ import annotations

import pytest

from bot.normalize import fold, skeleton


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        # Kyrgyz without ң ө ү
        ("паспортумду алып коюшту, эмне кылам", "паспортумду алып коюшту, эмне кылам"),
        ("жардам бериниз", "жардам бериңиз"),
        ("ондой болобу", "өңдөй болобу"),
        ("тузуку иш барбы", "түзүкү иш барбы"),
        # Tajik without ғ ӣ қ ӯ ҳ ҷ
        ("ёри дихед", "ёрӣ диҳед"),
        ("кори хуб дар хорича", "кори хуб дар хориҷа"),
        ("шиносномаамро гирифтанд", "шиносномаамро гирифтанд"),
        ("карз дорам", "қарз дорам"),
        ("ру ба ру", "рӯ ба рӯ"),
        ("гами хурдан", "ғами хӯрдан"),
        # Russian with ё or without
        ("ещё", "еще"),
    ],
)
def test_missing_special_letters(typed, written):
    assert skeleton(typed) == skeleton(written)


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("pasport zabrali", "паспорт забрали"),
        ("patent kerekpi", "патент керекпи"),
        ("jardam beriniz", "жардам бериңиз"),
        ("pomogite", "помогите"),
        ("rabota v moskve", "работа в москве"),
        ("shinosnoma", "шиноснома"),
        ("zhena", "жена"),
        ("khozyain", "хозяин"),
        ("hozyain", "хозяин"),
        ("dolg", "долг"),
        ("qarz", "қарз"),
    ],
)
def test_latin_spelling_of_cyrillic(latin, cyrillic):
    assert skeleton(latin) == skeleton(cyrillic)


def test_case_emoji_zero_width_repeats_and_punctuation():
    assert skeleton("ПОМОГИТЕЕЕЕ!!! 😭😭") == skeleton("помогите")
    assert skeleton("пас\u200bпорт") == skeleton("паспорт")
    assert skeleton("патент???") == skeleton("патент")
    assert skeleton("  много   пробелов\n\t") == skeleton("много пробелов")


def test_stress_marks_are_ignored():
    assert fold("паспо́рт") == "паспорт"


def test_words_stay_apart():
    assert skeleton("патент алыш керекпи Россияда работать кылыш учун").split() == [
        "patent",
        "alish",
        "kerekpi",
        "rosiada",
        "rabotat",
        "kilish",
        "uchun",
    ]


def test_empty_and_symbol_only():
    assert skeleton("") == ""
    assert skeleton("🙏🙏 ?!") == ""


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        # Uzbek o' and g' typed with any apostrophe, or none
        ("o'zbek", "oʻzbek"),
        ("o‘zbekiston", "o`zbekiston"),
        ("ozbekiston", "o’zbekiston"),
        ("qo'ng'iroq", "qongiroq"),
        ("ma'lumot", "malumot"),
        # Uzbek Cyrillic and Latin meet
        ("ёрдам беринг", "yordam bering"),
        ("паспортимни бермаяпти", "pasportimni bermayapti"),
        ("хўжайин", "xo'jayin"),
        ("йўқ", "yo'q"),
        ("ўзбек", "o'zbek"),
        ("ғалла", "g'alla"),
        ("ҳужжат", "hujjat"),
        ("қаерда", "qayerda"),
        ("кейин", "keyin"),
        ("маълумот", "ma'lumot"),
        ("йўқотдим", "yo'qotdim"),
    ],
)
def test_uzbek_in_both_scripts_and_every_apostrophe(typed, written):
    assert skeleton(typed) == skeleton(written)


def test_apostrophes_join_a_word_but_quotes_stay_punctuation():
    assert skeleton("o'g'lim") == skeleton("oglim")
    assert skeleton("'pasport' ‘olib’") == skeleton("pasport olib")
    assert skeleton("don't") == skeleton("dont")


def test_the_short_i_keeps_its_y():
    """й is not и: "район" and "rayon" meet, as "йўқ" and "yo'q" do."""
    assert skeleton("район") == skeleton("rayon")
    assert skeleton("мой") == skeleton("moy")
