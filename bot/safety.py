"""Recognise a person in danger before any FAQ logic runs.

The words are content (``content/<lang>/emergency.yaml`` and, for languages
the bot reads but does not answer in, ``content/emergency-extra.yaml``) so
volunteers can add the words people really use. The detector does not look
for whole sentences; it collects *evidence* from short lists and weighs it:

- a **cry** ("помогите", "help me", 🆘) is an alarm wherever it stands;
- a **danger** word of some kind (violence, confinement, forced sex ...) is an
  alarm when the writer is in it (``person``: "me", "нас", "my sister"), when
  it is happening now (``immediacy``: "now", "срочно", "азыр"), when two
  dangers are told, in a short message, or in a statement; a question about
  someone else's danger is only *possible*;
- a **concern** (a passport kept, a debt) is only ever *possible*; a **help**
  word ("нужна помощь") is an alarm only with a word for *now*; a cry next to an
  **everyday** subject (a patent, a visa, a contract) with no danger word and
  no *now* is only *possible* ("помогите, как оплатить патент?");
- cancelling contexts take danger words out: ``not_emergency`` (idioms and
  ordinary questions) and ``hypothetical`` ("if ...") only the words they
  cover or the clause they open; ``past``, ``media``, ``rules`` and ``joke``
  (a resolved story, a film, a question about the law, "lol") the whole
  message, unless *now* is told in the danger's own sentence.

Missing a person in danger costs far more than an extra line, so the
"possible" tier exists: it adds the emergency number without the full card.

A phrase is a sequence of words that must appear in order with at most
:data:`MAX_GAP` other words between them; ``word*`` matches any ending,
``*word`` any beginning (a suffix); longer words tolerate one typo. All
languages' lists are checked on every message: people in danger mix languages.
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
from bot.places import Places

MAX_GAP = 3
FUZZY_MIN_LENGTH = 6
#: A danger told in a message this short, with no question about rules around it, is the writer's own.
SHORT_MESSAGE_WORDS = 6

EXACT, PREFIX, SUFFIX = 0, 1, 2

#: Lists that take danger words out, and how far their effect reaches.
WORD_CANCELS = ("not_emergency",)
CLAUSE_CANCELS = ("hypothetical",)
MESSAGE_CANCELS = ("past", "media", "rules", "joke")
#: Cries are short: "help ... me" with more words between is not a cry ("help for people like me").
CRY_GAP = 1
#: Idioms are tight too: "занг ... мезананд" three words apart is no longer "calling".
GAPS = {"cries": CRY_GAP, "not_emergency": 2}


@dataclass(frozen=True)
class Pattern:
    """One phrase from an emergency list, compiled to word skeletons with how each must match."""

    source: str
    lang: str
    words: tuple[tuple[str, int], ...]  # (skeleton, EXACT | PREFIX | SUFFIX)
    role: str = "danger"  # the list it comes from: cries, danger, concern, immediacy, person, a cancel list
    kind: str = ""  # the kind of danger for danger and concern ("violence", "confinement" ...)


def compile_phrase(phrase: str, lang: str, role: str = "danger", kind: str = "") -> Pattern | None:
    """Compile a list phrase: a last ``word*`` matches a prefix, a lone ``*word`` a suffix; None if no word is left."""
    parts: list[tuple[str, int]] = []
    for raw in phrase.split():
        prefix, suffix = raw.endswith("*"), raw.startswith("*") and len(raw) > 1
        words = skeleton_words(raw.strip("*"))
        for index, word in enumerate(words):
            mode = EXACT
            if prefix and index == len(words) - 1:
                mode = PREFIX
            elif suffix and index == 0 and len(words) == 1:
                mode = SUFFIX
            parts.append((word, mode))
    return Pattern(phrase, lang, tuple(parts), role, kind) if parts else None


def _word_matches(pattern: tuple[str, int], word: str) -> bool:
    expected, mode = pattern
    if mode == PREFIX:
        if word.startswith(expected):
            return True
        head = word[: len(expected)]
        return len(expected) >= FUZZY_MIN_LENGTH and Levenshtein.distance(head, expected) <= 1
    if mode == SUFFIX:
        return word.endswith(expected) and len(word) > len(expected)
    if word == expected:
        return True
    return len(expected) >= FUZZY_MIN_LENGTH and Levenshtein.distance(word, expected) <= 1


def find(pattern: Pattern, words: list[str], starts: Iterable[int] | None = None) -> list[tuple[int, int]]:
    """Every (first, last) word position where the pattern matches.

    ``starts``, when given, are the positions already known to match the pattern's first word.
    """
    gap = GAPS.get(pattern.role, MAX_GAP)
    spans = []
    first_word = pattern.words[0]
    if starts is None:
        starts = [i for i, word in enumerate(words) if _word_matches(first_word, word)]
    for start in starts:
        position, ok = start, True
        for part in pattern.words[1:]:
            for candidate in range(position + 1, min(position + 2 + gap, len(words))):
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
    """What the detector concluded, and the list entries that made it so.

    ``level`` is "alarm" (the emergency card first) or "possible" (a short line
    with the emergency number). ``phrase``/``lang``/``kind`` name the strongest
    entry found; ``evidence`` is every entry that counted, as "list: entry [lang]".
    """

    phrase: str
    lang: str
    level: str = "alarm"
    kind: str = ""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """Where a pattern matched in a message (sentence, word span), and why it does not count if it was cancelled."""

    pattern: Pattern
    sentence: int
    first: int
    last: int
    words: str  # the message's words it matched, for explanations
    cancelled_by: str = ""  # why it does not count, or ""


@dataclass(frozen=True)
class Analysis:
    """Everything found in one message, and the verdict."""

    level: str | None  # "alarm" | "possible" | None
    reason: str
    hits: tuple[Hit, ...]
    alarm: Alarm | None


_SENTENCE_END = re.compile(r"[.!?;:\n]+")


def _describe(pattern: Pattern) -> str:
    role = f"{pattern.role}/{pattern.kind}" if pattern.kind else pattern.role
    return f"{role}: {pattern.source!r} [{pattern.lang}]"


class EmergencyDetector:
    """Evidence from every language's lists, weighed into "alarm", "possible" or nothing."""

    def __init__(self, phrase_sets: Iterable[EmergencyPhrases], places: Places | None = None):
        # Place names may stand beside a lone call for help ("Dubai, help", "Moskvada yordam"): a person
        # in danger says where they are. A list cannot say this, as `alone` means the whole message.
        self.places = places or Places()
        self.patterns: list[Pattern] = []
        self.alone: set[str] = set()
        self.symbols: list[Pattern] = []  # cries and cancels without letters (🆘, 😅): found as they are
        for phrases in phrase_sets:
            lang = phrases.lang
            for role, kind, text in phrases.entries():
                if role == "alone":
                    self.alone |= set(skeleton_words(text))
                    if not skeleton_words(text):
                        self.symbols.append(Pattern(text.strip(), lang, (), "cries"))
                    continue
                pattern = compile_phrase(text, lang, role, kind)
                if pattern:
                    self.patterns.append(pattern)
                elif text.strip():
                    self.symbols.append(Pattern(text.strip(), lang, (), role, kind))
        # Index patterns by their first word so a message is compared only with likely ones.
        self._by_first: dict[tuple[str, int], list[int]] = defaultdict(list)
        for index, pattern in enumerate(self.patterns):
            self._by_first[pattern.words[0]].append(index)
        self._exact = [w for w, mode in self._by_first if mode == EXACT and len(w) >= FUZZY_MIN_LENGTH]
        self._prefix_lengths = sorted({len(w) for w, mode in self._by_first if mode == PREFIX})
        self._suffixes = [w for w, mode in self._by_first if mode == SUFFIX]
        # Long prefixes ("заперл*") also match one typo away; grouped by length for one fuzzy lookup each.
        self._fuzzy_prefixes: dict[int, list[str]] = defaultdict(list)
        for word, mode in self._by_first:
            if mode == PREFIX and len(word) >= FUZZY_MIN_LENGTH:
                self._fuzzy_prefixes[len(word)].append(word)
        self._candidates = lru_cache(maxsize=65536)(self._candidates_uncached)

    def _candidates_uncached(self, word: str) -> frozenset[int]:
        """The patterns whose first word could be this word (exact, prefix, suffix, or one typo away)."""
        found: list[int] = list(self._by_first.get((word, EXACT), ()))
        for length in self._prefix_lengths:
            if length > len(word) + 1:
                break
            found += self._by_first.get((word[:length], PREFIX), ())
        for suffix in self._suffixes:
            if word.endswith(suffix) and len(word) > len(suffix):
                found += self._by_first[(suffix, SUFFIX)]
        if len(word) >= FUZZY_MIN_LENGTH - 1:
            for key, _, _ in process.extract(
                word, self._exact, scorer=Levenshtein.distance, score_cutoff=1, limit=None
            ):
                found += self._by_first[(key, EXACT)]
            for length, keys in self._fuzzy_prefixes.items():
                if len(word) >= length:
                    for key, _, _ in process.extract(
                        word[:length], keys, scorer=Levenshtein.distance, score_cutoff=1, limit=None
                    ):
                        found += self._by_first[(key, PREFIX)]
        return frozenset(found)

    # --- the public answers -------------------------------------------------------------------

    def detect(self, text: str) -> Alarm | None:
        """The alarm found in ``text`` (the emergency card), or None; a *possible* danger is None here."""
        found = self.assess(text)
        return found if found and found.level == "alarm" else None

    def assess(self, text: str) -> Alarm | None:
        """An :class:`Alarm` with level "alarm" or "possible", or None for an ordinary message."""
        return self.analyse(text).alarm

    def explain(self, text: str) -> list[str]:
        """Why ``text`` is or is not an emergency: every list entry found, what cancelled it, the verdict."""
        analysis = self.analyse(text)
        lines = [f"verdict: {analysis.level or 'no danger'}: {analysis.reason}"]
        for hit in analysis.hits:
            status = f"   (does not count: {hit.cancelled_by})" if hit.cancelled_by else ""
            lines.append(f"  {_describe(hit.pattern)} <- {hit.words!r}{status}")
        if len(lines) == 1:
            lines.append("  no word of any emergency list was found")
        return lines

    # --- the work -------------------------------------------------------------------------------

    def analyse(self, text: str) -> Analysis:
        """Every list entry found in ``text``, what cancels what, and the verdict (used by all of the above)."""
        sentences = [_clauses(part) for part in _SENTENCE_END.split(text)]
        sentences = [(words, clause) for words, clause in sentences if words]
        every_word = [w for words, _ in sentences for w in words]
        symbols = [p for p in self.symbols if p.source in text]
        cry = next((p for p in symbols if p.role == "cries"), None)
        if cry:
            alarm = Alarm(cry.source, cry.lang, "alarm", "cry", (_describe(cry),))
            return Analysis("alarm", f"the sign {cry.source!r} is a cry for help", (), alarm)
        if not every_word:
            return Analysis(None, "no words", (), None)
        others = set(every_word) - self.alone
        if len(others) < len(set(every_word)) and all(self.places.named([word]) for word in others):
            word = next(w for w in every_word if w in self.alone)
            alarm = Alarm(word, "alone", "alarm", "cry", (f"alone: {word!r}",))
            reason = "the message is only a call for help" + (", and where" if others else "")
            return Analysis("alarm", reason, (), alarm)
        raw: list[Hit] = []
        for index, (words, _) in enumerate(sentences):
            starts: dict[int, list[int]] = defaultdict(list)
            for position, word in enumerate(words):
                for p in self._candidates(word):
                    starts[p].append(position)
            for p in sorted(starts):
                pattern = self.patterns[p]
                for first, last in find(pattern, words, starts[p]):
                    raw.append(Hit(pattern, index, first, last, " ".join(words[first : last + 1])))
        if not raw and not symbols:
            return Analysis(None, "no word of any emergency list", (), None)
        raw += [Hit(p, -1, 0, 0, p.source) for p in symbols]
        return self._weigh(sentences, raw, len(every_word), "?" in text)

    def _weigh(self, sentences, raw: list[Hit], word_count: int, asks: bool = True) -> Analysis:
        # Which word positions are covered by a word cancel, a hypothetical clause, a message cancel phrase.
        covered: dict[tuple[int, int], str] = {}
        for hit in raw:
            role = hit.pattern.role
            if (role in WORD_CANCELS or role in MESSAGE_CANCELS) and hit.sentence >= 0:
                for position in range(hit.first, hit.last + 1):
                    covered.setdefault((hit.sentence, position), _describe(hit.pattern))
        # "They said that if I run, they will kill me": an "if" inside a told threat asks nothing.
        told_threat = {
            (h.sentence, i) for h in raw if h.pattern.role == "not_hypothetical" for i in range(h.first, h.last + 1)
        }
        hypothetical: dict[tuple[int, int], str] = {}
        for hit in raw:
            if hit.pattern.role not in CLAUSE_CANCELS or (hit.sentence, hit.first) in told_threat:
                continue
            words, clause = sentences[hit.sentence]
            # "If X, Y, then Z": the condition runs to the clause before the last one. A suffix marker
            # ("*шса", a conditional verb) closes its clause: it reaches back to the clause's start.
            backwards = hit.pattern.words[0][1] == SUFFIX
            if backwards:
                positions = [i for i in range(hit.last + 1) if clause[i] == clause[hit.first]]
            else:
                last_clause = max(clause[hit.first], clause[-1] - 1)
                positions = [i for i in range(hit.first, len(words)) if clause[i] <= last_clause]
            for position in positions:
                hypothetical.setdefault((hit.sentence, position), _describe(hit.pattern))

        def cancel_of(hit: Hit, with_context: bool) -> str:
            span = [(hit.sentence, i) for i in range(hit.first, hit.last + 1)]
            if all(s in covered for s in span):
                return covered[span[0]]
            if with_context and (hit.sentence, hit.first) in hypothetical:
                return "inside " + hypothetical[(hit.sentence, hit.first)]
            return ""

        hits: list[Hit] = []
        for hit in raw:
            role = hit.pattern.role
            reason = ""
            if role == "cries":
                # A cry is cancelled only by the phrase that covers it ("помогите разобраться").
                span = [(hit.sentence, i) for i in range(hit.first, hit.last + 1)]
                reason = covered[span[0]] if all(s in covered for s in span) else ""
            elif role in ("danger", "concern", "immediacy", "person", "help", "everyday"):
                reason = cancel_of(hit, with_context=True)
            hits.append(Hit(hit.pattern, hit.sentence, hit.first, hit.last, hit.words, reason))

        def live(role: str) -> list[Hit]:
            return [h for h in hits if h.pattern.role == role and not h.cancelled_by]

        cries, dangers, concerns = live("cries"), live("danger"), live("concern")
        now, person = live("immediacy"), live("person")
        context = [h for h in hits if h.pattern.role in MESSAGE_CANCELS]

        def alarm(level: str, main: Hit, reason: str) -> Analysis:
            counted = [h for h in hits if not h.cancelled_by and h.pattern.role not in CLAUSE_CANCELS]
            evidence = tuple(dict.fromkeys(_describe(h.pattern) for h in counted))
            # A cry says nothing of the danger; the first danger word told beside it does.
            kind = main.pattern.kind or next((h.pattern.kind for h in dangers if h.pattern.kind), "cry")
            found = Alarm(main.pattern.source, main.pattern.lang, level, kind, evidence)
            return Analysis(level, reason, tuple(hits), found)

        if cries:
            if live("everyday") and not dangers and not now:
                # "Help please, how do I pay for the patent?": a polite word before an everyday question.
                return alarm("possible", cries[0], "a cry, but next to an everyday question and no danger word")
            return alarm("alarm", cries[0], "a cry for help")
        if dangers:
            main = dangers[0]
            if context:
                # "Two years ago they beat me. Now I'm home": a "now" outweighs the context only when
                # it is told in the same sentence as the danger, and the context is not.
                why = _describe(context[0].pattern)
                told_now = {h.sentence for h in now} - {h.sentence for h in context}
                for index, hit in enumerate(hits):
                    live_danger = hit.pattern.role in ("danger", "concern") and not hit.cancelled_by
                    if live_danger and hit.sentence not in told_now:
                        hits[index] = Hit(hit.pattern, hit.sentence, hit.first, hit.last, hit.words, why)
                dangers = [h for h in hits if h.pattern.role == "danger" and not h.cancelled_by]
                if not dangers:
                    return Analysis(None, f"danger words, but the message is {why}", tuple(hits), None)
                return alarm("alarm", dangers[0], f"danger, happening now, despite {why}")
            told = {(h.sentence, h.first) for h in dangers}
            if now:
                return alarm("alarm", main, "danger, happening now")
            if person:
                return alarm("alarm", main, "danger, to the writer or someone close")
            if len(told) >= 2 and not _overlapping(dangers):
                return alarm("alarm", main, "more than one danger told")
            if word_count <= SHORT_MESSAGE_WORDS:
                return alarm("alarm", main, "danger told in a short message")
            if not asks:
                return alarm("alarm", main, "danger told, not asked about")
            return alarm("possible", main, "a question about a danger, not clearly the writer's, nor now")
        helps = live("help")
        if helps and now:
            return alarm("alarm", helps[0], "help needed, now")
        if concerns:
            if context:
                return Analysis(None, "a concern, in a question about rules or the past", tuple(hits), None)
            return alarm("possible", concerns[0], "a concern that can turn into danger")
        if any(h.pattern.role in ("cries", "danger", "concern") for h in hits):
            return Analysis(None, "danger words, each cancelled (see below)", tuple(hits), None)
        return Analysis(None, "no danger word", tuple(hits), None)


def _overlapping(hits: list[Hit]) -> bool:
    """Whether all these danger words are one stretch of the message read by several lists."""
    sentences = {h.sentence for h in hits}
    if len(sentences) > 1:
        return False
    spans = sorted((h.first, h.last) for h in hits)
    end = spans[0][1]
    for first, last in spans[1:]:
        if first > end:
            return False
        end = max(end, last)
    return True


def _clauses(sentence: str) -> tuple[list[str], list[int]]:
    """A sentence's words, and for each word the number of its comma-separated clause."""
    words: list[str] = []
    clause: list[int] = []
    for number, part in enumerate(sentence.split(",")):
        part_words = skeleton_words(part)
        words += part_words
        clause += [number] * len(part_words)
    return words, clause
