"""Language identification: Uzbek told from Kyrgyz, Tajik and Kazakh, in both scripts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.langid import LanguageIdentifier, trigrams


@pytest.fixture(scope="module")
def langid(matcher) -> LanguageIdentifier:
    return matcher.langid


@pytest.mark.parametrize(
    ("message", "lang"),
    [
        # Uzbek: Latin with and without apostrophes, Cyrillic with and without ў қ ғ ҳ, mixed with Russian
        ("ish beruvchi hujjatlarimni qaytarmayapti, nima qilsam bo'ladi", "uz"),
        ("ish beruvchi hujjatlarimni qaytarmayapti nima qilsam boladi", "uz"),
        ("иш берувчи ҳужжатларимни қайтармаяпти", "uz"),
        ("иш берувчи хужжатларимни кайтармаяпти", "uz"),
        ("xozyain dengi ne dayet, oylik yo'q", "uz"),
        ("Qozog'istonda ishlash uchun nima kerak", "uz"),
        # Kyrgyz and Tajik stay themselves
        ("жумуш берүүчү документтеримди кайтарбай жатат", "ky"),
        ("жумуш беруучу документтеримди кайтарбай жатат", "ky"),
        ("корфармо ҳуҷҷатҳоямро барнамегардонад", "tg"),
        ("korfarmo hujjathoyamro barnamegardonad", "tg"),
        # Kazakh has no content, yet is recognised
        ("жұмыс беруші құжаттарымды қайтармай жатыр", "kk"),
        ("Ресейде жұмыс істеу үшін не керек", "kk"),
    ],
)
def test_language_of_the_message(langid, message, lang):
    assert langid.identify(message) == lang


@pytest.mark.parametrize(
    ("letter", "languages"),
    [("ў", {"uz"}), ("ҷ", {"tg"}), ("ә", {"kk"}), ("ҳ", {"tg", "uz"}), ("ң", {"ky", "kk"})],
)
def test_a_special_letter_narrows_the_choice(langid, letter, languages):
    assert langid.candidates(letter) == languages


def test_uzbek_cyrillic_is_not_taken_for_tajik_for_its_shared_letters(langid):
    assert langid.identify("қаерга қўнғироқ қилсам бўлади") == "uz"
    assert langid.identify("ҳужжатларим қаерда") in {"uz", "tg"}  # ҳ and қ alone are both


def test_a_message_without_letters_keeps_the_chosen_language(langid):
    assert langid.identify("🙏🙏", default="uz") == "uz"


def test_commands_in_answers_do_not_teach_a_language():
    """Uzbek answers say "/sos" and "/hotline": a Russian "SOS" must not look Uzbek for it."""
    identifier = LanguageIdentifier({"uz": ["/hotline /sos yordam bering"], "ru": ["помогите пожалуйста"]})
    assert not any(gram in identifier.logp["uz"] for gram in trigrams("hotline sos"))
    assert any(gram in identifier.logp["uz"] for gram in trigrams("yordam"))


def test_a_word_shared_by_languages_keeps_the_chosen_language(langid):
    """A Kyrgyz speaker's "салам" is not a reason to offer Uzbek; a whole Uzbek sentence is."""
    assert langid.identify("салам", default="ky") == "ky"
    assert langid.identify("ассалому алейкум", default="tg") == "tg"
    assert langid.identify("рахмат", default="uz") == "uz"
    assert langid.identify("pasportimni olib qo'yishdi, nima qilsam bo'ladi", default="ky") == "uz"


def test_a_message_mixing_alphabets_gets_the_same_language_in_every_process():
    """Letters of several alphabets at once: the answer may not depend on the process's hash seed."""
    code = (
        "from bot.langid import LanguageIdentifier;"
        "l = LanguageIdentifier({'ky': ['өмүр'], 'tg': ['ҳаёт'], 'uz': ['ҳаёт қўл'], 'ru': ['жизнь']});"
        "print(sorted(l.candidates('акча төлөбөй ҳам нагирифт қўл')))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
        ).stdout
        for seed in range(12)
    }
    assert len(seen) == 1, seen
