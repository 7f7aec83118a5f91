"""Map a free-text message to a topic, or say honestly that nothing fits.

Every question of every language is indexed in one skeleton space (see
:mod:`bot.normalize`), so a topic can be found from any language. A message
is reduced to word stems; stems unknown to the content are mapped to the
nearest known word (typos). Each topic is scored by how much of the
message its best question explains and how much of that question the
message covers, weighted by how specific each stem is to few topics. The
score becomes one decision: ``answer``, ``suggest`` or ``none``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.config import MatchThresholds
from bot.content import Content
from bot.langid import LanguageIdentifier
from bot.normalize import skeleton_words
from bot.safety import Alarm, EmergencyDetector
from bot.wire import smalltalk_id, smalltalk_intent

STEM_LENGTH = 5
MAX_QUERY_WORDS = 200
TYPO_MIN_LENGTH = 4
TYPO_CUTOFF = 80
AGREEING_QUESTIONS = 4
FUNCTION_WORD_IDF = 0.2
COVERAGE_WEIGHT = 0.2
#: What to offer after an emergency card, in this order; only the topics that exist are offered.
URGENT_TOPICS = (
    "trouble-locked-in",
    "trouble-violence",
    "trouble-passport-taken",
    "trouble-forced-sex",
    "trouble-debt-threats",
    "help-hotline",
)
#: The topic that fits a kind of danger best (kinds are the groups of emergency.yaml).
TOPIC_OF_KIND = {
    "violence": "trouble-violence",
    "weapon": "trouble-violence",
    "injury": "trouble-violence",
    "pursuit": "trouble-violence",
    "police": "trouble-detained",
    "confinement": "trouble-locked-in",
    "moved": "trouble-locked-in",
    "forced_sex": "trouble-forced-sex",
    "family_threat": "trouble-debt-threats",
    "documents": "trouble-passport-taken",
    "debt": "trouble-debt-threats",
    "child": "about-child-trafficking",
    "relative": "trouble-relative-missing",
}
AFTER_ALARM_SUGGESTIONS = 3


def stem(word: str) -> str:
    return word[:STEM_LENGTH]


@dataclass(frozen=True)
class Decision:
    decision: str  # "answer" | "suggest" | "none"
    topic: str | None
    score: float
    suggestions: tuple[str, ...]
    emergency: bool
    lang: str
    alarm: Alarm | None = None
    ranking: tuple[tuple[str, float], ...] = field(default=(), compare=False)
    smalltalk: str | None = None  # "greeting", "thanks"... when the message is not a question
    #: "alarm" (the emergency card first; same as ``emergency``), "possible" (danger words without a clear
    #: person or "now", or an urgent topic matched: one line with the emergency number on top), or None.
    danger: str | None = None

    def as_json(self) -> dict:
        return {
            "topic": self.topic,
            "decision": self.decision,
            "score": round(self.score, 1),
            "suggestions": list(self.suggestions),
            "emergency": self.emergency,
            "lang": self.lang,
        }


@dataclass(frozen=True)
class _Doc:
    topic: str
    stems: frozenset[str]
    weight: float


class Matcher:
    """The search service: built once per content version, then read-only."""

    def __init__(self, content: Content, thresholds: MatchThresholds | None = None):
        self.content = content
        self.thresholds = thresholds or MatchThresholds()
        self.emergency = EmergencyDetector(content.emergency.values())
        self.langid = LanguageIdentifier(
            {
                lang: [t for topic in by_id.values() for t in (topic.title, *topic.questions, topic.answer_text)]
                # Greetings and thanks are how a conversation opens: they tell the language too.
                + [p for talk in content.smalltalk.get(lang, {}).values() for p in talk.phrases]
                for lang, by_id in content.topics.items()
            }
        )
        self._build_index()

    def _build_index(self) -> None:
        topic_stems: dict[str, set[str]] = defaultdict(set)
        texts: list[tuple[str, list[str]]] = []
        words_by_lang: dict[str, set[str]] = defaultdict(set)
        for topic in self.content.all_topics():
            for text in (topic.title, *topic.questions):
                words = skeleton_words(text)
                texts.append((topic.id, words))
                words_by_lang[topic.lang].update(w for w in words if len(w) >= TYPO_MIN_LENGTH)
                topic_stems[topic.id].update(map(stem, words))
        for by_intent in self.content.smalltalk.values():
            for talk in by_intent.values():
                for text in talk.phrases:
                    words = skeleton_words(text)
                    texts.append((smalltalk_id(talk.intent), words))
                    topic_stems[smalltalk_id(talk.intent)].update(map(stem, words))
        self.vocabulary = sorted({w for _, words in texts for w in words if len(w) >= TYPO_MIN_LENGTH})
        self.vocabulary_by_lang = {lang: sorted(words) for lang, words in words_by_lang.items()}
        self.known_stems = frozenset().union(*topic_stems.values()) if topic_stems else frozenset()
        topics = len(topic_stems) or 1
        document_frequency: dict[str, int] = defaultdict(int)
        for stems in topic_stems.values():
            for s in stems:
                document_frequency[s] += 1
        self.idf = {s: math.log((topics + 1) / (df + 0.5)) for s, df in document_frequency.items()}
        self.unknown_idf = math.log((topics + 1) / 0.5)
        self.topic_stems = {t: frozenset(s) for t, s in topic_stems.items()}
        self.docs: list[_Doc] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        seen: set[tuple[str, frozenset[str]]] = set()
        for topic_id, words in texts:
            stems = frozenset(map(stem, words))
            if not stems or (topic_id, stems) in seen:
                continue
            seen.add((topic_id, stems))
            index = len(self.docs)
            self.docs.append(_Doc(topic_id, stems, sum(self.idf[s] for s in stems)))
            for s in stems:
                self.postings[s].append(index)
        self._nearest_word = lru_cache(maxsize=32768)(self._nearest_word_uncached)

    def _nearest_word_uncached(self, word: str, lang: str | None = None) -> str | None:
        # A typo is first a misspelling of a word of the message's own language: Kyrgyz "алар"
        # (they) is not Uzbek "ayollar" (women), though one letter apart.
        for vocabulary in (self.vocabulary_by_lang.get(lang or ""), self.vocabulary):
            found = process.extractOne(word, vocabulary or (), scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
            if found:
                return found[0]
        return None

    def query_stems(self, text: str, lang: str | None = None) -> dict[str, float]:
        """The message's stems with their weights; typos mapped to known words, of ``lang`` first."""
        stems: dict[str, float] = {}
        for word in skeleton_words(text)[:MAX_QUERY_WORDS]:
            s = stem(word)
            if s not in self.known_stems and len(word) >= TYPO_MIN_LENGTH:
                nearest = self._nearest_word(word, lang)
                if nearest:
                    s = stem(nearest)
            stems[s] = self.idf.get(s, self.unknown_idf * 0.5)
        return stems

    def rank(self, text: str, lang: str | None = None) -> list[tuple[str, float]]:
        """Topics with scores 0-100, best first; ``lang``, the message's language, guides typos."""
        query = self.query_stems(text, lang)
        query_weight = sum(query.values())
        if not query_weight:
            return []
        matched: dict[int, float] = defaultdict(float)
        for s, weight in query.items():
            if weight < FUNCTION_WORD_IDF:
                continue  # "и", "ба", "the": in every topic, they tell nothing and cost the most
            for index in self.postings.get(s, ()):
                matched[index] += weight
        per_topic: dict[str, list[float]] = defaultdict(list)
        for index, overlap in matched.items():
            doc = self.docs[index]
            precision = overlap / query_weight
            recall = overlap / doc.weight if doc.weight else 0.0
            if precision and recall:
                per_topic[doc.topic].append(2 * precision * recall / (precision + recall))
        ranked = []
        for topic_id, scores in per_topic.items():
            # Several paraphrases agreeing is stronger evidence than one lucky overlap.
            best = sorted(scores, reverse=True)[:AGREEING_QUESTIONS]
            if smalltalk_intent(topic_id) is not None:  # small-talk phrases are unrelated to each other
                best = best[:1] * AGREEING_QUESTIONS
            agreement = sum(best) / AGREEING_QUESTIONS
            stems = self.topic_stems[topic_id]
            coverage = sum(w for s, w in query.items() if s in stems) / query_weight
            ranked.append((topic_id, 100 * ((1 - COVERAGE_WEIGHT) * agreement + COVERAGE_WEIGHT * coverage)))
        ranked.sort(key=lambda item: -item[1])
        return ranked

    def decide(self, text: str, lang: str | None = None) -> Decision:
        """One message, one decision; the emergency check comes first and never depends on scores."""
        alarm = self.emergency.assess(text)
        detected = self.langid.identify(text, default=lang)
        ranking = self.rank(text, detected)
        t = self.thresholds
        topics = [(tid, s) for tid, s in ranking if smalltalk_intent(tid) is None]
        talk = next(((tid, s) for tid, s in ranking if smalltalk_intent(tid) is not None), None)
        top, score = topics[0] if topics else (None, 0.0)
        runner_up = topics[1][1] if len(topics) > 1 else 0.0
        smalltalk = None
        if talk and talk[1] >= t.answer and talk[1] - score >= t.margin:
            # A greeting or an everyday question, clearly: a polite reply, not a guessed topic.
            smalltalk, score = smalltalk_intent(talk[0]), talk[1]
            decision, topic, suggestions = "none", None, ()
        elif top and score >= t.answer and score - runner_up >= t.margin:
            decision, topic, suggestions = "answer", top, ()
        elif top and score >= t.suggest:
            decision, topic = "suggest", None
            suggestions = tuple(tid for tid, s in topics[:3] if s >= t.suggest * 0.75)
        else:
            decision, topic, suggestions = "none", None, ()
        level = alarm.level if alarm else None
        if level == "alarm":
            decision, topic, suggestions = self._after_alarm(alarm, decision, topic, topics)
            smalltalk = None
        elif level is None and decision == "answer" and topic and self._is_urgent(topic):
            level = "possible"
        return Decision(
            decision,
            topic,
            score,
            suggestions,
            level == "alarm",
            detected,
            alarm,
            tuple(ranking[:5]),
            smalltalk,
            level,
        )

    def _is_urgent(self, topic_id: str) -> bool:
        return topic_id in URGENT_TOPICS or any(
            by_id[topic_id].urgent for by_id in self.content.topics.values() if topic_id in by_id
        )

    def _after_alarm(self, alarm: Alarm, decision: str, topic: str | None, topics: list[tuple[str, float]]):
        """After the emergency card, only what helps a person in danger: an urgent answer, urgent suggestions.

        The matched topic stays if it is urgent or about a kind of danger; otherwise the
        message gets the urgent topics, the one for this kind of danger first, then the best-ranked.
        """
        existing = set(self.content.topic_ids)
        for_kind = TOPIC_OF_KIND.get(alarm.kind)
        if decision == "answer" and topic and (self._is_urgent(topic) or topic in TOPIC_OF_KIND.values()):
            return decision, topic, ()
        ranked = [tid for tid, _ in topics if self._is_urgent(tid)]
        # Without a topic for this kind of danger (or for a bare cry), the hotline comes first.
        lead = for_kind if for_kind in existing else "help-hotline"
        order = [t for t in (lead, *ranked, *URGENT_TOPICS) if t and t in existing]
        suggestions = tuple(dict.fromkeys(order))[:AFTER_ALARM_SUGGESTIONS]
        return ("suggest" if suggestions else "none"), None, suggestions
