"""The emergency detector: recall first, and the traps that must not raise an alarm."""

from __future__ import annotations

import pytest

from bot.content import EmergencyPhrases
from bot.normalize import skeleton_words
from bot.safety import EmergencyDetector, compile_phrase, find


@pytest.fixture(scope="module")
def detector(real_content) -> EmergencyDetector:
    return EmergencyDetector(real_content.emergency.values())


@pytest.mark.parametrize(
    "message",
    [
        # Russian, Cyrillic and Latin, with typos and capitals
        "ПОМОГИТЕ!!! нас заперли на складе",
        "pomogite nas zaperli",
        "хозяин бьет нас каждый день",
        "нас держат силой на ферме, телефоны отобрали",
        "меня заставляют заниматься проституцией",
        "он сказал что убьет меня",
        "sos",
        # Kyrgyz, with and without its special letters
        "жардам бериңиз, бизди камап коюшту",
        "жардам бериниз",
        "кожоюн бизди уруп жатат",
        "мени сыртка чыгарбай жатышат",
        # Tajik, with and without its special letters, and in Latin letters
        "ёрӣ диҳед, моро қулф карданд",
        "ёри дихед",
        "yori dihed",
        "маро мезананд, наметавонам равам",
        "моро бо зӯр нигоҳ медоранд",
        # English
        "help me please they locked us in",
        "they beat us and took our phones",
        "HELP!!",
        # a threat in the main clause of a conditional is still a threat
        "если не заплатишь, мы убьем тебя, сказал он. он убьет меня",
        "agar pul nadihi, maro mekushand",
    ],
)
def test_danger_is_recognised(detector, message):
    assert detector.detect(message), message


@pytest.mark.parametrize(
    "message",
    [
        "может ли работодатель держать мой паспорт?",
        "can an employer keep my passport?",
        "помогите разобраться с патентом",
        "помогите найти работу в Москве",
        "can you help me with my visa",
        "патент алууга жардам бериңиз",
        "если нас запрут на складе, куда звонить?",
        "what if they lock us in the dorm, who do I call?",
        "агар моро қулф кунанд, ба куҷо занг занам?",
        "эгер бизди камап коюшса, кимге кайрылабыз?",
        "слышал, что на стройках бьют рабочих, это правда?",
        "сколько стоит патент в 2026 году",
        "thanks for the help",
        "жабырлануучуга жардам",
        "",
        "🙏🙏",
    ],
)
def test_ordinary_questions_are_not_emergencies(detector, message):
    assert detector.detect(message) is None, message


def test_a_cancel_covers_only_its_own_words(detector):
    assert detector.detect("помогите разобраться с патентом") is None
    assert detector.detect("помогите разобраться с патентом, нас заперли")


def test_prefix_words_and_gaps():
    pattern = compile_phrase("заперл* нас", "ru")
    assert find(pattern, skeleton_words("они заперли всех нас")) == [(1, 3)]
    assert find(pattern, skeleton_words("заперли а потом через много много слов нас")) == []


def test_one_typo_in_a_long_word_is_tolerated():
    detector = EmergencyDetector([EmergencyPhrases("ru", phrases=(), not_emergency=(), cries=("помогите",))])
    assert detector.detect("помагите")
    assert detector.detect("помогити")
    assert detector.detect("помощи") is None


def test_every_language_has_cries_and_phrases(real_content):
    for lang in ("ru", "ky", "tg", "en"):
        phrases = real_content.emergency[lang]
        assert len(phrases.cries) >= 5 and len(phrases.phrases) >= 30 and phrases.not_emergency
