"""Which country a message names, and which topic is about that country.

A question about registration means one thing in Russia and another in
Kazakhstan: the matcher needs to know the country the person names (in any
language or script, declined or not) and which country-specific topic is
about it. Both come from data: the standard country names (CLDR, through
Babel) in every content language, plus ``content/places.yaml`` — the names
people actually type (Орусия, Маскав, Дубай, Qozog'iston) and the link
between a topic and its countries.

A name matches a word that starts like it: the name's skeleton without its
last vowel, when at least :data:`MIN_PREFIX` letters remain (so "Орусия"
also finds "Орусияда", "Москва" finds "Москве"); shorter names (ОАЭ, UAE)
must match whole words. A name of several words matches them in sequence.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError

from bot.normalize import skeleton_words

PLACES_FILE = "places.yaml"
MIN_PREFIX = 4
VOWELS = frozenset("aeiouy")

#: One word of a name: its skeleton and whether any ending may follow.
WordPattern = tuple[str, bool]


def word_pattern(word: str) -> WordPattern:
    """How one skeleton word of a name is matched (see the module docstring)."""
    stripped = word[:-1] if word and word[-1] in VOWELS else word
    if len(stripped) >= MIN_PREFIX:
        return stripped, True
    return word, False


def _word_matches(pattern: WordPattern, word: str) -> bool:
    text, prefix = pattern
    return word.startswith(text) if prefix else word == text


@dataclass(frozen=True)
class Places:
    """Country names and the country-specific topics; built once per content version."""

    #: topic id -> the country codes it is about
    topic_countries: dict[str, frozenset[str]] = field(default_factory=dict)
    #: first two letters of a name's first word -> (the name's word patterns, country code)
    _names: dict[str, tuple[tuple[tuple[WordPattern, ...], str], ...]] = field(default_factory=dict)

    @property
    def country_topics(self) -> frozenset[str]:
        """The topics that are about some country, which the matcher weighs by the country named or lived in."""
        return frozenset(self.topic_countries)

    def topics_of(self, codes: Iterable[str]) -> frozenset[str]:
        """The country-specific topics about any of ``codes``."""
        wanted = set(codes)
        return frozenset(t for t, countries in self.topic_countries.items() if countries & wanted)

    def named(self, words: Sequence[str]) -> frozenset[str]:
        """The country codes named in a message, given its skeleton words."""
        found: set[str] = set()
        for i, word in enumerate(words):
            for patterns, code in self._names.get(word[:2], ()):
                if code in found or i + len(patterns) > len(words):
                    continue
                if all(_word_matches(p, w) for p, w in zip(patterns, words[i:], strict=False)):
                    found.add(code)
        return frozenset(found)

    @classmethod
    def build(cls, topic_countries: dict[str, frozenset[str]], names: Iterable[tuple[str, str]]) -> Places:
        """From the topic ↔ country links and (name, code) pairs in any script."""
        index: dict[str, dict[tuple[WordPattern, ...], str]] = {}
        for name, code in names:
            words = skeleton_words(name)
            if not words:
                continue
            patterns = tuple(map(word_pattern, words))
            index.setdefault(patterns[0][0][:2], {})[patterns] = code
        return cls(topic_countries, {k: tuple(v.items()) for k, v in index.items()})


def cldr_names(codes: Iterable[str], languages: Iterable[str]) -> list[tuple[str, str]]:
    """The standard names of ``codes`` in each language Babel knows."""
    pairs = []
    for lang in languages:
        try:
            territories = Locale.parse(lang).territories
        except (UnknownLocaleError, ValueError):
            continue
        pairs += [(territories[code], code) for code in codes if code in territories]
    return pairs


def read_places(
    path: Path,
    topic_ids: Collection[str],
    languages: Iterable[str],
    also: Collection[str] = (),
    shown: Iterable[tuple[str, str]] = (),
) -> tuple[Places, list[tuple[int, str]]]:
    """Read ``places.yaml``: the places, and (line, message) for each problem a volunteer should fix.

    ``also``: more country codes to know by their standard names (the countries the bot has numbers for, so a
    typed "Uzbekistan" is found too); ``shown``: (name, code) pairs the bot shows on its buttons.

    ``topics:`` maps a topic id to a list of country codes; ``names:`` maps a country code to
    the names people type for it. An absent file means no country-specific topics.
    """
    if not path.exists():
        return Places(), []
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        return Places(), [((mark.line + 1) if mark else 1, f"cannot read the file: {getattr(error, 'problem', error)}")]
    if root is None:
        return Places(), []
    if not isinstance(root, yaml.MappingNode):
        return Places(), [(root.start_mark.line + 1, "expected two blocks, 'topics:' and 'names:'")]
    known = Locale("en").territories
    problems: list[tuple[int, str]] = []
    topic_countries: dict[str, frozenset[str]] = {}
    typed: list[tuple[str, str]] = []

    def codes_of(node: yaml.Node, what: str) -> list[str]:
        if not isinstance(node, yaml.SequenceNode):
            problems.append((node.start_mark.line + 1, f"{what}: write a list in brackets, like [RU]"))
            return []
        good = []
        for item in node.value:
            code = str(item.value)
            if len(code) != 2 or not code.isupper() or code not in known:
                problems.append((item.start_mark.line + 1, f"unknown country code {code!r}; use two capital letters"))
            else:
                good.append(code)
        return good

    for key_node, block in root.value:
        key, line = str(key_node.value), key_node.start_mark.line + 1
        if key not in ("topics", "names") or not isinstance(block, yaml.MappingNode):
            problems.append((line, f"unknown block {key!r}: expected 'topics:' and 'names:' with lines under them"))
            continue
        for sub_node, value in block.value:
            sub, line = str(sub_node.value), sub_node.start_mark.line + 1
            if key == "topics":
                if sub not in topic_ids:
                    problems.append((line, f"unknown topic {sub!r}"))
                    continue
                topic_countries[sub] = frozenset(codes_of(value, sub))
                continue
            if len(sub) != 2 or not sub.isupper() or sub not in known:
                problems.append((line, f"unknown country code {sub!r}; use two capital letters like RU"))
                continue
            if not isinstance(value, yaml.SequenceNode):
                problems.append((line, f"{sub}: write the names as a list in brackets"))
                continue
            for item in value.value:
                name = str(item.value).strip()
                if not skeleton_words(name):
                    problems.append((item.start_mark.line + 1, f"{sub}: a name with no letters"))
                else:
                    typed.append((name, sub))
    codes = {c for countries in topic_countries.values() for c in countries} | {c for _, c in typed} | set(also)
    names = [*cldr_names(sorted(codes), languages), *shown, *typed]
    return Places.build(topic_countries, names), problems
