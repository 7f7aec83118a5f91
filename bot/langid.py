"""Which language a message is written in, Latin-script ones included.

A naive Bayes over character trigrams of the skeleton (so "patent kerekpi"
and "патент керекпи" look alike), trained on the content itself, plus the
certain clues there are: letters that exist in only some of the languages
(ў is Uzbek, ҷ Tajik, ә Kazakh; ң is Kyrgyz or Kazakh, қ Tajik, Uzbek or
Kazakh), and the Uzbek ``o'``/``g'`` in Latin script.

Kazakh has no content of its own, yet Kazakh citizens write to the bot: a
small built-in sample (:data:`BUILTIN_SAMPLES`) lets it be recognised as
"kk" instead of passing for Kyrgyz, so the dialogue can answer it in the
user's chosen language instead of switching to Kyrgyz.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

import numpy as np

from bot.normalize import APOSTROPHES, fold, skeleton

#: The languages each special letter is written in; a message can only be in a language that has
#: every special letter it contains.
LETTER_LANGUAGES: dict[str, frozenset[str]] = {
    **dict.fromkeys("ңөү", frozenset({"ky", "kk"})),
    **dict.fromkeys("ӣӯҷ", frozenset({"tg"})),
    **dict.fromkeys("ғқ", frozenset({"tg", "uz", "kk"})),
    "ҳ": frozenset({"tg", "uz"}),
    "ў": frozenset({"uz"}),
    **dict.fromkeys("әіұһ", frozenset({"kk"})),
}
CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя") | set(LETTER_LANGUAGES)
_CYRILLIC_LETTER = re.compile(f"[{''.join(sorted(CYRILLIC))}]")
_LATIN_LETTER = re.compile("[a-z]")

#: Latin Uzbek writes o' and g' (o‘zbek, g‘alla) with some apostrophe; no other language here does.
UZBEK_LATIN_LETTER = re.compile(f"(?<![^\\W\\d_])[a-z]*[og][{APOSTROPHES}][a-z]", re.IGNORECASE)
UZBEK_LATIN_BONUS = 6.0  # log-odds per word: a clue, not a verdict (English "o'clock")
#: Log-odds by which another language must beat the person's chosen one: "салам" or "rahmat" is
#: written alike in several languages, and a greeting must not offer a Kyrgyz speaker Uzbek.
KEEP_CHOSEN_MARGIN = 5.0

#: Kazakh as people write it about work abroad, so that Kazakh is told from Kyrgyz without content.
BUILTIN_SAMPLES: dict[str, tuple[str, ...]] = {
    "kk": (
        "Сәлеметсіз бе, маған көмек керек",
        "Көмектесіңіздерші, жұмыс беруші паспортымды алып қойды",
        "Паспортымды бермей жатыр, не істеуім керек",
        "Ресейде жұмыс істеу үшін қандай құжаттар керек",
        "Қазақстан азаматтарына Ресейде патент керек пе",
        "Айлығымды үш айдан бері төлемей жатыр",
        "Жалақы бермейді, қожайын кейін беремін дейді",
        "Бізді үйге қамап қойды, шыға алмаймыз",
        "Кореяға заңды түрде жұмысқа қалай барамын",
        "Туристік визамен жұмыс істеуге бола ма",
        "Шетелде жұмыс ұсынысын қалай тексеремін",
        "Агенттік жұмыс үшін ақша сұрап жатыр, бұл дұрыс па",
        "Адам саудасы деген не",
        "Ұлым Ресейге кетті, екі аптадан бері хабарласпай жүр",
        "Қызым Түркияға жұмысқа кетті, телефоны өшірулі",
        "Қарыз үшін отбасыма қорқытып жатыр",
        "Мені полиция ұстап алды, құқықтарым қандай",
        "Паспортымды жоғалтып алдым, елшілікке бару керек пе",
        "Үйге қайтуға ақшам жоқ, кім көмектеседі",
        "Сенім телефоны тегін бе",
        "Келісімшартсыз жұмыс істеуге бола ма",
        "Жұмыс берушінің мекенжайын отбасыма қалдыру керек пе",
        "Дубайда жұмыс ұсынып жатыр, жалақысы жоғары, барайын ба",
        "Маған Инстаграмда жұмыс ұсынды, сенуге бола ма",
        "Бүйрегімді сатуға ақша ұсынып жатыр",
        "Ауылдан Алматыға жұмысқа барамын, қауіпсіз бе",
        "Бізді ұрып-соғады, көмектесіңіздер",
        "Не істерімді білмей тұрмын, кеңес беріңізші",
        "Рақмет, түсінікті болды",
        "Қайда хабарласуға болады",
        "Мен Қазақстаннан келдім, Мәскеуде құрылыста жұмыс істеймін",
        "Жұмыстан кетуге рұқсат бермейді, төлемейді де",
        "Құжаттарымды алып алды, қайтарып бермейді",
        "Визасы жоқ адамды шекарадан өткізіп жібереміз дейді",
        "Шетелде тұрмысқа шығуды ұсынып отыр, қауіпті ме",
        "Консулдық қалай көмектеседі",
        "Кіруге тыйым салынғанын қалай тексеремін",
        "Балаларды қайыр сұрауға мәжбүрлейді",
        "Бұл бот кімдікі, менің деректерімді сақтайды ма",
        "Жолдасым ақша табасың деп шетелге шақырып жатыр",
        "Salemetsiz be, magan komek kerek",
        "Jumys berushi pasportymdy alyp qoidy, ne isteuim kerek",
        "Resei de jumys isteu ushin qandai qujattar kerek",
        "Ailygymdy tolemei jatyr, qaida barsam bolady",
        "Qazaqstan azamattaryna patent kerek pe",
        "Komektesinizdershi, bizdi qamap qoidy",
        "Rahmet, tusinikti",
    ),
}

#: For a language people write in but the bot does not answer in: one line, in that language, saying the
#: answer comes in Russian (shown only when the answer is in Russian). Keyed by language code.
ANSWERED_IN_RUSSIAN: dict[str, str] = {
    "kk": "Кешіріңіз, мен әзірге қазақша жауап бере алмаймын, сондықтан орысша жауап беремін.",
}

#: Bot commands in answers ("/hotline", "/sos") are not words of the answer's language.
_COMMAND = re.compile(r"/\w+")


def word_trigrams(word: str) -> list[str]:
    """The trigrams of one skeleton word, padded with a space at each end."""
    padded = f" {word} "
    grams = [padded[i : i + 3] for i in range(len(padded) - 2)]
    if len(word) <= 3:
        grams.append(f"#{word}")  # short function words are telling on their own
    return grams


def trigrams(text: str) -> Iterable[str]:
    """The trigrams the model counts, word by word in the text's order."""
    for word in skeleton(text).split():
        yield from word_trigrams(word)


class LanguageIdentifier:
    """Which language a message is in, from letter trigrams learnt from the content itself, narrowed first
    by the special letters each alphabet has; Kazakh is known from built-in samples (answered in Russian)."""

    def __init__(self, samples: Mapping[str, Iterable[str]]):
        """``samples``: texts per language; the model counts their trigrams.

        Built-in samples (Kazakh) are added for languages the samples do not cover.
        """
        samples = {**{lang: texts for lang, texts in BUILTIN_SAMPLES.items() if lang not in samples}, **samples}
        self.languages = sorted(samples)
        self.logp: dict[str, dict[str, float]] = {}
        self.unseen: dict[str, float] = {}
        vocabulary: set[str] = set()
        counts: dict[str, Counter[str]] = {}
        for lang in self.languages:
            counts[lang] = Counter(g for text in samples[lang] for g in trigrams(_COMMAND.sub(" ", text)))
            vocabulary |= counts[lang].keys()
        for lang in self.languages:
            total = sum(counts[lang].values()) + len(vocabulary) + 1
            self.logp[lang] = {g: math.log((c + 1) / total) for g, c in counts[lang].items()}
            self.unseen[lang] = math.log(1 / total)
        # A small built-in sample would make every unseen trigram look likeliest in its language:
        # give it the unseen odds of the best-known language instead, so it wins on its own trigrams.
        for lang in self.languages:
            if lang in BUILTIN_SAMPLES and lang in self.unseen and len(self.unseen) > 1:
                self.unseen[lang] = min(self.unseen.values())
        # The same odds as one table: row 0 for a trigram no language has, then one row per known trigram.
        self._column = {lang: column for column, lang in enumerate(self.languages)}
        known = sorted(vocabulary)
        self._row = {g: row for row, g in enumerate(known, start=1)}
        self._table = np.array(
            [[self.unseen[lang] for lang in self.languages]]
            + [[self.logp[lang].get(g, self.unseen[lang]) for lang in self.languages] for g in known]
        )
        self._word_rows = lru_cache(maxsize=65536)(self._word_rows_uncached)
        # A message with no letters at all (emoji, digits) keeps the language the person chose.
        self.latin_default = "en" if "en" in self.languages else self.languages[0]

    def _word_rows_uncached(self, word: str) -> tuple[int, ...]:
        return tuple(self._row.get(g, 0) for g in word_trigrams(word))

    def scores(self, text: str, among: Iterable[str] | None = None) -> dict[str, float]:
        """Log-likelihood of the text's trigrams per language (only ``among`` these, when given)."""
        rows = list(itertools.chain.from_iterable(map(self._word_rows, skeleton(text).split())))
        # Every language at once: a row of the table per trigram, summed in the text's order.
        totals = np.add.reduce(self._table[rows], axis=0) if rows else np.zeros(len(self.languages))
        scores = {lang: float(totals[self._column[lang]]) for lang in (self.languages if among is None else among)}
        if "uz" in scores:
            scores["uz"] += UZBEK_LATIN_BONUS * len(UZBEK_LATIN_LETTER.findall(text))
        return scores

    def candidates(self, text: str) -> set[str]:
        """The languages whose alphabet has every special letter of the text (all of them if none fits)."""
        possible = set(self.languages)
        # In the order they are written: a set's order would change from one process to the next.
        for letter in (c for c in dict.fromkeys(text.casefold()) if c in LETTER_LANGUAGES):
            narrowed = possible & LETTER_LANGUAGES[letter]
            if narrowed:  # letters of two languages at once (mixed text): keep the wider choice
                possible = narrowed
        return possible

    def identify(self, text: str, default: str | None = None) -> str:
        """The language code of ``text``: one of :attr:`languages` ("kk" included)."""
        if not any(c.isalpha() for c in fold(text)):
            return default or self.latin_default
        possible = self.candidates(text)
        if len(possible) == 1:
            return next(iter(possible))
        scores = self.scores(text, [lang for lang in self.languages if lang in possible])
        lowered = text.casefold()
        cyrillic, latin = len(_CYRILLIC_LETTER.findall(lowered)), len(_LATIN_LETTER.findall(lowered))
        if cyrillic > latin and len(scores) > 1:
            scores.pop("en", None)  # English is never written in Cyrillic
        best = max(scores, key=scores.__getitem__)
        if default in scores and scores[best] - scores[default] < KEEP_CHOSEN_MARGIN:
            return default
        return best
