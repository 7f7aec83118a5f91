"""Recognise a person in danger before any FAQ logic runs.

The phrases are content (``content/<lang>/emergency.yaml``) so volunteers
can add the words people really use. A phrase is a sequence of words that
must appear in order with at most :data:`MAX_GAP` other words between
them; ``word*`` matches any ending; longer words tolerate one typo. All
languages' phrases are checked on every message: people in danger mix
languages. A ``not_emergency`` phrase cancels only the alarm words it
covers ("помогите разобраться с патентом" is a question, but "помогите
разобраться, нас заперли" is not).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.content import EmergencyPhrases
from bot.normalize import skeleton_words

MAX_GAP = 3
FUZZY_MIN_LENGTH = 6


@dataclass(frozen=True)
class Pattern:
    source: str
    lang: str
    words: tuple[tuple[str, bool], ...]  # (skeleton, is_prefix)


def compile_phrase(phrase: str, lang: str) -> Pattern | None:
    parts: list[tuple[str, bool]] = []
    for raw in phrase.split():
        prefix = raw.endswith("*")
        words = skeleton_words(raw.rstrip("*"))
        for index, word in enumerate(words):
            parts.append((word, prefix and index == len(words) - 1))
    return Pattern(phrase, lang, tuple(parts)) if parts else None


def _word_matches(pattern: tuple[str, bool], word: str) -> bool:
    expected, prefix = pattern
    if prefix:
        if word.startswith(expected):
            return True
        head = word[: len(expected)]
        return len(expected) >= FUZZY_MIN_LENGTH and Levenshtein.distance(head, expected) <= 1
    if word == expected:
        return True
    return len(expected) >= FUZZY_MIN_LENGTH and Levenshtein.distance(word, expected) <= 1


def find(pattern: Pattern, words: list[str]) -> list[tuple[int, int]]:
    """Every (first, last) word position where the pattern matches."""
    spans = []
    first_word = pattern.words[0]
    for start, word in enumerate(words):
        if not _word_matches(first_word, word):
            continue
        position, ok = start, True
        for part in pattern.words[1:]:
            for candidate in range(position + 1, min(position + 2 + MAX_GAP, len(words))):
                if _word_matches(part, words[candidate]):
                    position = candidate
                    break
            else:
                ok = False
                break
        if ok:
            spans.append((start, position))
    return spans


@dataclass(frozen=True)
class Alarm:
    phrase: str
    lang: str


_SENTENCE_END = re.compile(r"[.!?;:\n]+")
ALONE_MAX_WORDS = 2


class EmergencyDetector:
    """Three kinds of evidence, weakest last.

    A *cry* ("помогите", "SOS") is an alarm wherever it stands. A one-word
    message from ``alone`` ("help!!") is an alarm. A *phrase* describing
    danger ("нас заперли") is an alarm unless it stands in a clause opened by
    a hypothetical marker ("если ..., " "what if ...") or in a message that
    reports about others ("I heard", "in a film"): a question about a
    situation is not a person in it. "If you don't pay, we'll kill your son"
    stays an alarm: the threat is outside the if-clause.
    """

    def __init__(self, phrase_sets: Iterable[EmergencyPhrases]):
        def compiled(phrases, lang):
            return [p for p in (compile_phrase(text, lang) for text in phrases) if p]

        self.cries: list[Pattern] = []
        self.phrases: list[Pattern] = []
        self.cancels: list[Pattern] = []
        self.hypothetical: list[Pattern] = []
        self.reported: list[Pattern] = []
        self.alone: set[str] = set()
        for phrases in phrase_sets:
            self.cries += compiled(phrases.cries, phrases.lang)
            self.phrases += compiled(phrases.phrases, phrases.lang)
            self.cancels += compiled(phrases.not_emergency, phrases.lang)
            self.hypothetical += compiled(phrases.hypothetical, phrases.lang)
            self.reported += compiled(phrases.reported, phrases.lang)
            self.alone |= {w for text in phrases.alone for w in skeleton_words(text)}
        self.alarms = self.cries + self.phrases
        # Index alarms by their first word so a message is compared only with likely ones.
        self._by_first: dict[tuple[str, bool], list[Pattern]] = defaultdict(list)
        for pattern in self.alarms:
            self._by_first[pattern.words[0]].append(pattern)
        self._exact = [w for w, prefix in self._by_first if not prefix and len(w) >= FUZZY_MIN_LENGTH]
        self._prefix_lengths = sorted({len(w) for w, prefix in self._by_first if prefix})
        # Long prefixes ("заперл*") also match one typo away; grouped by length for one fuzzy lookup each.
        self._fuzzy_prefixes: dict[int, list[str]] = defaultdict(list)
        for word, prefix in self._by_first:
            if prefix and len(word) >= FUZZY_MIN_LENGTH:
                self._fuzzy_prefixes[len(word)].append(word)
        self._cry_ids = {id(p) for p in self.cries}
        self._candidates = lru_cache(maxsize=65536)(self._candidates_uncached)

    def _candidates_uncached(self, word: str) -> frozenset[int]:
        """The alarm patterns whose first word could be this word (exact, prefix, or one typo away)."""
        found: list[Pattern] = list(self._by_first.get((word, False), ()))
        for length in self._prefix_lengths:
            found += self._by_first.get((word[:length], True), ())
        if len(word) >= FUZZY_MIN_LENGTH - 1:
            for key, _, _ in process.extract(
                word, self._exact, scorer=Levenshtein.distance, score_cutoff=1, limit=None
            ):
                found += self._by_first[(key, False)]
            for length, keys in self._fuzzy_prefixes.items():
                if len(word) >= length:
                    for key, _, _ in process.extract(
                        word[:length], keys, scorer=Levenshtein.distance, score_cutoff=1, limit=None
                    ):
                        found += self._by_first[(key, True)]
        return frozenset(id(p) for p in found)

    def detect(self, text: str) -> Alarm | None:
        """The alarm phrase found in ``text``, or None for an ordinary message."""
        sentences = [_clauses(part) for part in _SENTENCE_END.split(text)]
        sentences = [(words, clause) for words, clause in sentences if words]
        every_word = [w for words, _ in sentences for w in words]
        if not every_word:
            return None
        if set(every_word) <= self.alone:
            return Alarm(every_word[0], "alone")
        candidates: set[int] = set()
        for word in set(every_word):
            candidates |= self._candidates(word)
        if not candidates:
            return None
        matches = [
            (index, pattern, first, last)
            for index, (words, _) in enumerate(sentences)
            for pattern in self.alarms
            if id(pattern) in candidates
            for first, last in find(pattern, words)
        ]
        if not matches:
            return None
        # Only now, with an alarm in hand, look for what could make it an ordinary question.
        reported = any(find(pattern, words) for pattern in self.reported for words, _ in sentences)
        found: list[tuple[Pattern, bool]] = []  # (pattern, inside a hypothetical clause)
        for index, (words, clause) in enumerate(sentences):
            mine = [(pattern, first, last) for i, pattern, first, last in matches if i == index]
            if not mine:
                continue
            cancelled: set[int] = set()
            for pattern in self.cancels:
                for first, last in find(pattern, words):
                    cancelled.update(range(first, last + 1))
            hypothetical: set[int] = set()
            for pattern in self.hypothetical:
                for first, _ in find(pattern, words):
                    # "If X, Y, then Z": the condition runs to the clause before the last one.
                    last_clause = max(clause[first], clause[-1] - 1)
                    hypothetical.update(i for i in range(first, len(words)) if clause[i] <= last_clause)
            for pattern, first, last in mine:
                if not set(range(first, last + 1)) <= cancelled:
                    found.append((pattern, reported or first in hypothetical))
        for pattern, _ in found:
            if id(pattern) in self._cry_ids:
                return Alarm(pattern.source, pattern.lang)
        for pattern, about_a_situation in found:
            if not about_a_situation:
                return Alarm(pattern.source, pattern.lang)
        return None


def _clauses(sentence: str) -> tuple[list[str], list[int]]:
    """A sentence's words, and for each word the number of its comma-separated clause."""
    words: list[str] = []
    clause: list[int] = []
    for number, part in enumerate(sentence.split(",")):
        part_words = skeleton_words(part)
        words += part_words
        clause += [number] * len(part_words)
    return words, clause
