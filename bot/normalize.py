"""Fold the ways people type one word into one form.

Migrants type Kyrgyz and Tajik without their special letters, Russian in
Latin letters, Uzbek in either script (with ``o'`` ``g'`` typed four ways
or not at all), in capitals, with emoji and stretched letters. Content and
queries both pass through :func:`skeleton`, so "pasport zabrali",
"ПАСПОРТ ЗАБРАЛИИИ 😭" and "паспорт забрали" become the same string.
The skeleton is Latin and lossy on purpose: it is only for comparison.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)

#: The Uzbek o' and g' and the glottal stop (ma'lumot, маълумот) are typed with any of these, or with
#: none: inside or at the end of a word they are dropped, so "o‘zbek", "oʻzbek", "o`zbek" and "ozbek"
#: are one word, and so are "don't" and "dont".
APOSTROPHES = "'‘’`ʻʼ´ʹ′"
_APOSTROPHE = re.compile(f"(?<=\\w)[{APOSTROPHES}]+")

#: Kyrgyz, Tajik and Kazakh letters typed as their plain Russian neighbours.
SPECIAL_LETTERS = str.maketrans(
    {
        "ң": "н",
        "ө": "о",
        "ү": "у",  # Kyrgyz
        "ғ": "г",
        "ӣ": "и",
        "қ": "к",
        "ӯ": "у",
        "ҳ": "х",
        "ҷ": "ч",  # Tajik
        "ә": "а",
        "і": "и",
        "ұ": "у",
        "һ": "х",  # Kazakh
        "ў": "о",  # Uzbek (ў is o' in Latin; қ ғ ҳ are folded above)
        "ё": "е",
    }
)

CYRILLIC_TO_LATIN = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ж": "j",
        "з": "z",
        "и": "i",
        "й": "y",  # folded with the Latin y below, so "йўқ" and "yo'q" meet
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "c",
        "ч": "ch",
        "ш": "sh",
        "щ": "sh",
        "ъ": "",
        "ы": "i",
        "ь": "",
        "э": "e",
        "ю": "iu",
        "я": "ia",
    }
)

#: Spellings of one Cyrillic sound in Latin, folded after transliteration.
LATIN_FOLDS = (
    ("shch", "sh"),
    ("sch", "sh"),
    ("zh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("ts", "c"),
    ("x", "h"),
    ("q", "k"),
    ("w", "v"),
    ("yo", "e"),
    ("ye", "e"),  # Uzbek Latin "yer", "keyin" for Cyrillic "ер", "кейин"
    ("y", "i"),
)

_NON_WORD = re.compile(r"[^\w]+|_")
_REPEATS = re.compile(r"(\w)\1+")
_BREVE = "\u0306"


_I_BREVE = "и" + _BREVE
_KEEP = "\ue000"  # a private-use character stands for "и" + breve while the other marks are dropped
#: Every combining mark, to be deleted with ``str.translate`` (one pass in C).
_COMBINING = {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}


#: One message is folded by the safety check, the language guess, the matcher and the place finder: the
#: few latest are kept, so it is done once (a cache of recent messages, not of the whole traffic).
@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Lower-case, strip invisible characters and accents, fold special letters."""
    text = unicodedata.normalize("NFKC", text).translate(ZERO_WIDTH).casefold()
    text = _APOSTROPHE.sub("", text.translate(SPECIAL_LETTERS))
    # Stress marks and other combining accents carry no meaning for matching; the breve of й is a
    # letter of its own (Uzbek "йўқ" is "yo'q"), so it stays.
    decomposed = unicodedata.normalize("NFD", text).replace(_I_BREVE, _KEEP)
    return unicodedata.normalize("NFC", decomposed.translate(_COMBINING).replace(_KEEP, _I_BREVE))


@lru_cache(maxsize=65536)
def skeleton_word(word: str) -> str:
    """Spelling-blind: Cyrillic in Latin, common spellings folded, repeats collapsed, so scripts and typos match."""
    word = word.translate(CYRILLIC_TO_LATIN)
    for spelling, folded in LATIN_FOLDS:
        word = word.replace(spelling, folded)
    return _REPEATS.sub(r"\1", word)


def words(text: str) -> list[str]:
    """The folded words of a text, in order; punctuation, emoji and symbols dropped."""
    return [w for w in _NON_WORD.split(fold(text)) if w]


def skeleton_words(text: str) -> list[str]:
    """The skeleton of every word in ``text``, in order."""
    return [skeleton_word(w) for w in words(text)]


def skeleton(text: str) -> str:
    """One comparable form of a text in any of the bot's languages and both scripts."""
    return " ".join(skeleton_words(text))
