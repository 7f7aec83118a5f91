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
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from bot.config import MatchThresholds
from bot.content import Content
from bot.langid import LanguageIdentifier
from bot.normalize import skeleton_words
from bot.safety import Alarm, EmergencyDetector
from bot.wire import NO_WORDS, smalltalk_id, smalltalk_intent

STEM_LENGTH = 5
MAX_QUERY_WORDS = 200
TYPO_MIN_LENGTH = 4
TYPO_CUTOFF = 80
AGREEING_QUESTIONS = 4
FUNCTION_WORD_IDF = 0.2
COVERAGE_WEIGHT = 0.2
#: Long messages: a topic's score is the larger of the whole message's and this blend of the whole and
#: its best clause, so a question inside a story is not diluted by the story (docs/matching.md, sweep).
CLAUSE_WEIGHT = 0.1
CLAUSE_MIN_WORDS = 2
CLAUSE_CANDIDATES = 5  # the whole message's best topics, re-scored on each clause
#: Only messages of at least this many words are split; a short question is its own best clause.
CLAUSE_MESSAGE_WORDS = 14
CLAUSE_BREAK = re.compile(r"[.!?;\n]+")
#: A message of n > LONG_MESSAGE_WORDS words shares its words among more topics, so every score is lower
#: and every lead smaller: scores are multiplied by 1 + LONG_MESSAGE_SLOPE × log2(n / LONG_MESSAGE_WORDS),
#: at most LONG_MESSAGE_SCALE (docs/matching.md, sweep).
LONG_MESSAGE_WORDS = 8
LONG_MESSAGE_SLOPE = 0.6
LONG_MESSAGE_SCALE = 2.0
#: Points for the country-specific topic of a country the message names, and taken from the other
#: country-specific topics; the person's current country counts for less (docs/matching.md, sweep).
NAMED_COUNTRY_BONUS = 4.0
OTHER_COUNTRY_PENALTY = 24.0
CURRENT_COUNTRY_BONUS = 4.0
ALSO_TOPICS = 2  # country topics offered under an answer about no country, at most
ALSO_WITHIN = 8.0  # under a country's page: the best topic about no country, when this close (sweep)
#: A topic keyword: a stem found in at least this many questions of one topic, and in at least this share
#: of all the questions that contain it; with one in the message, small talk may not outrank the topics.
KEYWORD_MIN_QUESTIONS = 20
KEYWORD_SHARE = 0.6
#: A topic's signature: a stem in at least this share of its questions ("паспорт" for passport-taken). A best
#: topic that has never heard of a signature word in the message is not answered, only suggested, next to
#: the topic whose signature it is: "my passport … keeps saying next week" is not only about wages.
SIGNATURE_SHARE = 0.8
SIGNATURE_RIVALS = 4  # the topics ranked 2nd to 4th are the rivals a signature word can speak for

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
    """A skeleton word's first letters: endings (cases, plurals, Kyrgyz/Tajik suffixes) stop mattering."""
    return word[:STEM_LENGTH]


def topic_score(agreement, coverage, query_weight: float):
    """0-100 from a topic's agreement (mean F1 of its best questions) and the weight of the message it knows;
    one formula for whole messages and clauses, on numbers or arrays alike."""
    return 100 * ((1 - COVERAGE_WEIGHT) * agreement + COVERAGE_WEIGHT * (coverage / query_weight))


@dataclass(frozen=True)
class Decision:
    """What to do with one message: answer a topic, suggest a few, or say honestly that nothing fits,
    with the danger level found first and everything the usage log and the eval need to explain it."""

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
    #: With an answer about no country: the topic of the country the message names, offered under the
    #: answer ("a visa to work in Dubai" → the visa answer, and one tap to work in the UAE).
    also: tuple[str, ...] = ()

    def as_json(self) -> dict:
        """The decision as ``python -m bot match`` prints it (one JSON line per message)."""
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
        self.emergency = EmergencyDetector(content.emergency.values(), content.places)
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
        self.smalltalk_ids = frozenset(t for t in topic_stems if smalltalk_intent(t) is not None)
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
        self.topic_docs: dict[str, list[int]] = defaultdict(list)
        for index, doc in enumerate(self.docs):
            self.topic_docs[doc.topic].append(index)
        self._build_arrays()
        self._texts = texts
        self.signatures = self._topic_signatures(texts)
        self.keywords = self._topic_keywords(texts)
        self._nearest_word = lru_cache(maxsize=32768)(self._nearest_word_uncached)
        self.named_topics = lru_cache(maxsize=256)(self._named_topics)  # asked twice for one message

    def _named_topics(self, text: str) -> frozenset[str]:
        """The country-specific topics of the countries ``text`` names."""
        places = self.content.places
        return places.topics_of(places.named(skeleton_words(text)[:MAX_QUERY_WORDS]))

    def _build_arrays(self) -> None:
        """The index as arrays, so a message is scored against every question in a few vector operations:
        each stem's questions as an index array, each question's weight and topic row."""
        self.topic_order = list(self.topic_docs)
        self._topic_row = {tid: row for row, tid in enumerate(self.topic_order)}
        self._doc_weight = np.array([doc.weight for doc in self.docs])
        self._doc_row = np.array([self._topic_row[doc.topic] for doc in self.docs], dtype=np.intp)
        self._postings = {s: np.array(indices, dtype=np.intp) for s, indices in self.postings.items()}
        self.topic_doc_arrays = {tid: np.array(indices, dtype=np.intp) for tid, indices in self.topic_docs.items()}
        # A known stem weighs its idf in every message: its postings' weights are made once.
        self._posting_weights = {s: np.full(len(indices), self.idf[s]) for s, indices in self.postings.items()}
        self._is_smalltalk = np.array([tid in self.smalltalk_ids for tid in self.topic_order], dtype=bool)
        rows_of_stem: dict[str, list[int]] = defaultdict(list)
        for tid in self.topic_order:
            for s in self.topic_stems[tid]:
                rows_of_stem[s].append(self._topic_row[tid])
        self._stem_rows = {s: np.array(rows, dtype=np.intp) for s, rows in rows_of_stem.items()}
        self._stem_row_weights = {s: np.full(len(rows), self.idf[s]) for s, rows in rows_of_stem.items()}

    @staticmethod
    def _topic_keywords(texts: list[tuple[str, list[str]]]) -> dict[str, str]:
        """Stems frequent in one topic's questions and rare elsewhere ("патент", "виза"), with that topic.

        Never a stem of small talk."""
        count: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        talk: set[str] = set()
        for topic_id, words in texts:
            stems = set(map(stem, words))
            if smalltalk_intent(topic_id) is not None:
                talk |= stems
                continue
            for s in stems:
                count[s][topic_id] += 1
        keywords = {}
        for s, by_topic in count.items():
            owner = max(by_topic, key=by_topic.__getitem__)
            top = by_topic[owner]
            if top >= KEYWORD_MIN_QUESTIONS and top >= KEYWORD_SHARE * sum(by_topic.values()) and s not in talk:
                keywords[s] = owner
        return keywords

    @staticmethod
    def _topic_signatures(texts: list[tuple[str, list[str]]]) -> dict[str, frozenset[str]]:
        """Stem -> the topics in whose questions it is (nearly) always found."""
        questions: dict[str, int] = defaultdict(int)
        count: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for topic_id, words in texts:
            if smalltalk_intent(topic_id) is not None:
                continue
            questions[topic_id] += 1
            for s in set(map(stem, words)):
                count[s][topic_id] += 1
        signatures = {}
        for s, by_topic in count.items():
            owners = frozenset(t for t, n in by_topic.items() if n >= SIGNATURE_SHARE * questions[t])
            if owners:
                signatures[s] = owners
        return signatures

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

    def rank(self, text: str, lang: str | None = None, current: str | None = None) -> list[tuple[str, float]]:
        """Topics with scores 0-100, best first.

        ``lang``, the message's language, guides typos; ``current``, the country the person is in (or going to)
        (a two-letter code), leans towards its country-specific topic when the message names none.
        """
        return self._rank(text, lang, current)[0]

    def _rank(self, text: str, lang: str | None, current: str | None) -> tuple[list[tuple[str, float]], dict]:
        query = self.query_stems(text, lang)
        scores = self._score(query)
        clauses = []
        if CLAUSE_WEIGHT and len(text.split()) >= CLAUSE_MESSAGE_WORDS:
            clauses = [c for c in CLAUSE_BREAK.split(text) if len(c.split()) >= CLAUSE_MIN_WORDS]
        if len(clauses) > 1:
            # The strongest clause (the one whose best topic scores highest) speaks for the message:
            # a question inside a story is not diluted by the story, nor by a generic "what do I do?".
            # Only the whole message's best topics are candidates: a clause re-ranks, it does not search.
            candidates = sorted((tid for tid in scores if tid not in self.smalltalk_ids), key=lambda tid: -scores[tid])[
                :CLAUSE_CANDIDATES
            ]
            strongest = self._strongest_clause([self.query_stems(clause, lang) for clause in clauses], candidates)
            for topic_id in scores.keys() | strongest.keys():
                if topic_id not in self.smalltalk_ids:
                    whole, part = scores.get(topic_id, 0.0), strongest.get(topic_id, 0.0)
                    scores[topic_id] = max(whole, (1 - CLAUSE_WEIGHT) * whole + CLAUSE_WEIGHT * part)
        words = sum(any(c.isalpha() for c in w) for w in text.split())
        if words > LONG_MESSAGE_WORDS and LONG_MESSAGE_SLOPE:
            # A long message shares its words among many topics: every score is lower, every lead smaller.
            scale = min(LONG_MESSAGE_SCALE, 1 + LONG_MESSAGE_SLOPE * math.log2(words / LONG_MESSAGE_WORDS))
            scores = {tid: min(100.0, score * scale) for tid, score in scores.items()}
        self._country_prior(scores, text, current)
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        return ranked, query

    def _country_prior(self, scores: dict[str, float], text: str, current: str | None) -> None:
        """Between country-specific topics, the country named in the message, else the one the person is in."""
        places = self.content.places
        if not places.topic_countries:
            return
        named = self.named_topics(text)
        if named:
            favoured, bonus, penalty = named, NAMED_COUNTRY_BONUS, OTHER_COUNTRY_PENALTY
        else:
            favoured, bonus = places.topics_of([current or ""]), CURRENT_COUNTRY_BONUS
            penalty = bonus
            # A question that names no country is about where the person is: the best-scored topic of
            # another country ("how do I register?" is phrased like work-russia's questions) stands for
            # the same question about their own country, and trades scores with that country's topic.
            mine = max(favoured, key=lambda tid: scores.get(tid, 0.0), default=None)
            other = max(places.country_topics - favoured, key=lambda tid: scores.get(tid, 0.0), default=None)
            if mine and other and scores.get(other, 0.0) > scores.get(mine, 0.0):
                scores[mine], scores[other] = scores[other], scores.get(mine, 0.0)
        if not favoured:
            return
        for topic_id in places.country_topics & scores.keys():
            scores[topic_id] = max(0.0, scores[topic_id] + (bonus if topic_id in favoured else -penalty))

    def _strongest_clause(self, queries: list[dict[str, float]], topic_ids: list[str]) -> dict[str, float]:
        """:meth:`_score` of ``topic_ids`` for the clause whose best topic scores highest (the first such clause),
        every clause scored at once: one overlap row per clause, the topics' questions side by side."""
        size = len(self.docs)
        rows: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for i, query in enumerate(queries):
            for s, w in query.items():
                if w >= FUNCTION_WORD_IDF and s in self._postings:
                    rows.append(self._postings[s] + i * size)
                    weights.append(self._posting_weights[s])
        if not rows:
            return {}
        overlap = np.bincount(np.concatenate(rows), np.concatenate(weights), len(queries) * size)
        overlap = overlap.reshape(len(queries), size)
        totals = np.array([sum(query.values()) for query in queries])[:, None]
        columns = [self.topic_doc_arrays[tid] for tid in topic_ids]
        width = max(max(len(c) for c in columns), AGREEING_QUESTIONS)
        layout = np.full((len(topic_ids), width), size)  # the padding column never matches
        for row, column in enumerate(columns):
            layout[row, : len(column)] = column
        with np.errstate(divide="ignore", invalid="ignore"):  # an empty clause: no weight, no match
            f1 = 2 * overlap / (totals + self._doc_weight)
        f1 = np.concatenate([np.nan_to_num(f1), np.zeros((len(queries), 1))], axis=1)[:, layout]
        best = -np.sort(-f1, axis=2)[:, :, :AGREEING_QUESTIONS]
        agreement = best[:, :, 0] + best[:, :, 1]
        for column in range(2, AGREEING_QUESTIONS):
            agreement += best[:, :, column]
        agreement /= AGREEING_QUESTIONS
        strongest: dict[str, float] = {}
        strongest_at = -1.0
        for i, query in enumerate(queries):
            total = float(totals[i, 0])
            found = {}
            for t, tid in enumerate(topic_ids):
                if best[i, t, 0] > 0:
                    stems = self.topic_stems[tid]
                    coverage = sum(w for s, w in query.items() if s in stems)
                    found[tid] = float(topic_score(agreement[i, t], coverage, total))
            top = max(found.values(), default=0.0)
            if top > strongest_at:
                strongest, strongest_at = found, top
        return strongest

    def _score(self, query: dict[str, float]) -> dict[str, float]:
        """Each topic that shares a word with the message, with its score 0-100.

        A question's match is the F1 of precision (shared weight / message) and recall (shared weight /
        question); a topic's is the mean of its best few questions' (several paraphrases agreeing is
        stronger evidence than one lucky overlap), blended with how much of the message the topic knows.
        Topics are listed in the order their first question was found, so ties keep a stable order.
        """
        query_weight = sum(query.values())
        if not query_weight:
            return {}
        # "и", "ба", "the": in every topic, they tell nothing and cost the most.
        useful = [s for s, w in query.items() if w >= FUNCTION_WORD_IDF and s in self._postings]
        if not useful:
            return {}
        found = np.concatenate([self._postings[s] for s in useful])
        overlap = np.bincount(found, np.concatenate([self._posting_weights[s] for s in useful]), len(self.docs))
        matched = overlap.nonzero()[0]
        f1 = 2 * overlap[matched] / (query_weight + self._doc_weight[matched])
        # The matched questions topic by topic, best first; each topic's first few are its agreement.
        rows = self._doc_row[matched]
        order = np.lexsort((-f1, rows))
        rows, f1 = rows[order], f1[order]
        starts = np.concatenate(([0], (rows[1:] != rows[:-1]).nonzero()[0] + 1))
        rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.append(starts, len(rows))))
        best = rank < AGREEING_QUESTIONS
        topics = len(self.topic_order)
        agreement = np.bincount(rows[best], weights=f1[best], minlength=topics) / AGREEING_QUESTIONS
        # Small-talk phrases are unrelated to each other: the best one speaks alone.
        first_best = np.zeros(topics)
        first_best[rows[starts]] = f1[starts]
        agreement[self._is_smalltalk] = first_best[self._is_smalltalk]
        known = [s for s in query if s in self._stem_rows]
        coverage = np.bincount(
            np.concatenate([self._stem_rows[s] for s in known]),
            np.concatenate([self._stem_row_weights[s] for s in known]),
            topics,
        )
        scores = topic_score(agreement, coverage, query_weight)
        # The topics in the order their first question was found.
        present, first = np.unique(self._doc_row[found], return_index=True)
        return {self.topic_order[row]: float(scores[row]) for row in present[np.argsort(first)].tolist()}

    def decide(self, text: str, lang: str | None = None, current: str | None = None) -> Decision:
        """One message, one decision; the emergency check comes first and never depends on scores.

        ``lang`` is the person's chosen language, ``current`` the country a question naming none is about:
        where they are, or where they plan to go (``UserState.country_of_interest``).
        """
        alarm = self.emergency.assess(text)
        detected = self.langid.identify(text, default=lang)
        ranking, query = self._rank(text, detected, current)
        # A topic keyword ("патент") in the message: small talk may not outrank the topics.
        protected = any(
            self.keywords[s] in dict(ranking) and dict(ranking)[self.keywords[s]] >= self.thresholds.suggest
            for s in query
            if s in self.keywords
        )
        t = self.thresholds
        talk_ids = self.smalltalk_ids
        topics = [(tid, s) for tid, s in ranking if tid not in talk_ids]
        talk = next(((tid, s) for tid, s in ranking if tid in talk_ids), None)
        top, score = topics[0] if topics else (None, 0.0)
        runner_up = topics[1][1] if len(topics) > 1 else 0.0
        smalltalk = None
        if talk and not protected and talk[1] >= t.answer and talk[1] - score >= t.margin:
            # A greeting or an everyday question, clearly: a polite reply, not a guessed topic.
            smalltalk, score = smalltalk_intent(talk[0]), talk[1]
            decision, topic, suggestions = "none", None, ()
        elif top and score >= t.answer and score - runner_up >= t.margin and not self._conflicts(topics, query):
            decision, topic, suggestions = "answer", top, ()
        elif top and score >= t.answer and (conflicts := self._conflicts(topics, query)):
            # Confident, but deaf to a word that defines another topic: let the person choose.
            decision, topic = "suggest", None
            scores = dict(topics)
            suggestions = (top, *sorted(conflicts, key=lambda tid: -scores.get(tid, 0.0)))[:3]
        elif top and score >= t.suggest:
            decision, topic = "suggest", None
            suggestions = tuple(tid for tid, s in topics[:3] if s >= t.suggest * 0.75)
        else:
            decision, topic, suggestions = "none", None, ()
        if decision == "none" and not smalltalk and not any(c.isalpha() for c in text):
            smalltalk = NO_WORDS  # "1", "🙂": nothing asked (a cry like 🆘 is the alarm's, below)
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
            self._named_country_topics(text, topic, ranking) if decision == "answer" else (),
        )

    def _named_country_topics(self, text: str, topic: str | None, ranking: list[tuple[str, float]]) -> tuple[str, ...]:
        """The country-specific topics of the countries the message names, best-scored first, when the
        answer is about no country. An answer about a country gets instead the best topic about no country
        when it scored nearly as well: the country's page, and one tap to what the words were about
        ("a 15-year-old daughter invited to work as a waitress in Almaty": child trafficking)."""
        places = self.content.places
        if topic in places.topic_countries:
            scores = dict(ranking)
            other = next(
                (tid for tid, _ in ranking if tid not in places.topic_countries and tid not in self.smalltalk_ids),
                None,
            )
            near = other is not None and scores[other] >= scores[topic] - ALSO_WITHIN
            return (other,) if near else ()
        if not topic:
            return ()
        named = self.named_topics(text)
        scores = dict(ranking)
        return tuple(sorted(named, key=lambda tid: (-scores.get(tid, 0.0), tid)))[:ALSO_TOPICS]

    def _conflicts(self, topics: list[tuple[str, float]], query: dict[str, float]) -> frozenset[str]:
        """The runners-up (second to fourth) whose signature word is in the message but unknown to the best topic."""
        top = topics[0][0]
        stems = self.topic_stems[top]
        found: set[str] = set()
        for s in query:
            if s in self.signatures and s not in stems:
                found |= self.signatures[s]
        return frozenset(found & {tid for tid, _ in topics[1:SIGNATURE_RIVALS]})

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
