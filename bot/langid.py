"""Which of the bot's languages a message is written in, Latin-script ones included.

A naive Bayes over character trigrams of the skeleton (so "patent kerekpi"
and "патент керекпи" look alike), trained on the content itself, plus the
one certain clue there is: letters that exist in only one language.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from bot.normalize import fold, skeleton

#: Letters that settle the question when they appear.
DISTINCT_LETTERS = {
    "ky": set("ңөү"),
    "tg": set("ғӣқӯҳҷ"),
}
CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя") | set().union(*DISTINCT_LETTERS.values())


def trigrams(text: str) -> Iterable[str]:
    for word in skeleton(text).split():
        padded = f" {word} "
        for i in range(len(padded) - 2):
            yield padded[i : i + 3]
        if len(word) <= 3:
            yield f"#{word}"  # short function words are telling on their own


class LanguageIdentifier:
    def __init__(self, samples: Mapping[str, Iterable[str]]):
        """``samples``: texts per language; the model counts their trigrams."""
        self.languages = sorted(samples)
        self.logp: dict[str, dict[str, float]] = {}
        self.unseen: dict[str, float] = {}
        vocabulary: set[str] = set()
        counts: dict[str, Counter[str]] = {}
        for lang in self.languages:
            counts[lang] = Counter(g for text in samples[lang] for g in trigrams(text))
            vocabulary |= counts[lang].keys()
        for lang in self.languages:
            total = sum(counts[lang].values()) + len(vocabulary) + 1
            self.logp[lang] = {g: math.log((c + 1) / total) for g, c in counts[lang].items()}
            self.unseen[lang] = math.log(1 / total)
        # A message with no letters at all (emoji, digits) keeps the language the person chose.
        self.latin_default = "en" if "en" in self.languages else self.languages[0]

    def scores(self, text: str) -> dict[str, float]:
        grams = list(trigrams(text))
        return {lang: sum(self.logp[lang].get(g, self.unseen[lang]) for g in grams) for lang in self.languages}

    def identify(self, text: str, default: str | None = None) -> str:
        folded_letters = set(text.casefold())
        for lang, letters in DISTINCT_LETTERS.items():
            if lang in self.languages and folded_letters & letters:
                return lang
        if not any(c.isalpha() for c in fold(text)):
            return default or self.latin_default
        scores = self.scores(text)
        cyrillic = sum(c in CYRILLIC for c in text.casefold())
        latin = sum("a" <= c <= "z" for c in text.casefold())
        if cyrillic > latin and "en" in scores:
            scores.pop("en")  # English is never written in Cyrillic
        return max(scores, key=scores.__getitem__)
