"""Load the volunteers' content: topics, hotlines and emergency phrases.

Loading never raises on a bad file: it collects :class:`Problem` records
(file, line, message) so ``content check`` can list them all in one run and
a running bot can refuse a broken reload and keep the last good content.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from babel import Locale

from bot.i18n import COUNTRY_NAMES_FILE, read_country_names
from bot.markup import render
from bot.normalize import skeleton
from bot.places import PLACES_FILE, Places, read_places
from bot.schema import Document, Field, Problem, Schema, check_value, parse_yaml, read_text
from bot.wire import longest_topic_id

CATEGORIES = ("myth", "prepare", "work", "trouble", "help", "about", "bot")
FLAGS = frozenset({"hotline", "urgent"})
_LIST_OR_EMPTY = (list, type(None))
TOPIC_SCHEMA = Schema(
    {
        "id": Field(str, nonempty=True, meaning="the file name without .md"),
        "title": Field(str, nonempty=True, meaning="a short title for the topic's button"),
        "category": Field(str, choices=CATEGORIES),
        "flags": Field(_LIST_OR_EMPTY, items=str, choices=tuple(sorted(FLAGS))),
        "related": Field(_LIST_OR_EMPTY, items=str),
        "reviewed": Field(bool),
        "questions": Field(list, items=str, nonempty=True, meaning="the ways people ask this, one per '  - ' line"),
        "card_text": Field(str, required=False, meaning="the reality, short enough for a printed myth card"),
    }
)
TITLE_LIMIT = 40
ANSWER_SOFT_LIMIT = 900
TELEGRAM_MESSAGE_LIMIT = 4096
TOPIC_ID_LIMIT = longest_topic_id()  # so that every button carrying the id fits Telegram's callback data
MIN_QUESTIONS_WARNING = 8
TOPIC_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_DIR = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Topic:
    """One answer in one language, as a volunteer wrote it and as the bot renders it.

    Kept per language (not one object with translations) because each language's file is edited,
    reviewed and checked on its own, and a language may lack a topic for a while.
    """

    id: str
    lang: str
    title: str
    category: str
    flags: frozenset[str]
    related: tuple[str, ...]
    reviewed: bool
    questions: tuple[str, ...]
    answer_markdown: str
    answer_html: str
    answer_text: str
    path: str = ""
    card_text: str = ""  # the reality as a printed myth card says it (bot/materials.py), when the answer's is long

    @property
    def hotline(self) -> bool:
        """The answer sends people to a hotline, so the card (or its one-line reminder) follows it."""
        return "hotline" in self.flags

    @property
    def urgent(self) -> bool:
        """For a person in danger: after an emergency card the matcher offers only urgent topics."""
        return "urgent" in self.flags


@dataclass(frozen=True)
class Hotline:
    """One line the bot can hand out; what the card shows comes from the per-language fields only."""

    id: str
    country: str  # where the number is registered and answered
    number: str  # as dialled inside ``country``; for a Telegram line, the @name
    kind: str  # see HOTLINE_KINDS
    name: dict[str, str]
    source: str  # full provenance, for operators only: never shown to a user
    verified: dt.date | None
    international: str | None = None  # the form to dial from abroad, when it differs from ``number``
    hours: dict[str, str] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    toll_free: bool = False  # free when dialled inside ``country``
    confidential: bool = False
    from_abroad: bool = False  # explicit: the line can be reached from another country
    for_citizens: tuple[str, ...] = ()
    for_people_in: tuple[str, ...] | str = ()  # where the caller must be: countries, or "abroad"; () = ``country``
    note: dict[str, str] = field(default_factory=dict)
    channel: str = "call"  # call | whatsapp | telegram
    short: bool = False  # a short number (112, 189): cannot be checked as a full number
    also: tuple[str, ...] = ()  # more numbers of the same line
    cite: str = ""  # the public source in a few words, shown behind the "sources" button
    status: str = "active"  # or "unverified-discontinued": never shown until a call confirms it
    e164: str | None = None  # ``number`` in E.164, for tap-to-call (short numbers stay as they are)
    international_e164: str | None = None
    path: str = ""
    line: int = 0

    def text(self, mapping: dict[str, str], lang: str) -> str:
        """A per-language field in ``lang``, else English, else any: a line is never shown without a name."""
        return mapping.get(lang) or mapping.get("en") or next(iter(mapping.values()), "")

    @property
    def shown(self) -> bool:
        """Only an active line reaches a person: a number reported discontinued waits for a confirming call."""
        return self.status == "active"


@dataclass(frozen=True)
class EmergencyPhrases:
    """One language's emergency lists (see content/README.md, "emergency.yaml").

    ``danger`` and ``concern`` map a kind of danger to its words; the other
    fields are flat lists. ``lines`` gives, for (list, kind, entry), the
    (file, line) it was read from, so checks can point at it.
    """

    lang: str
    phrases: tuple[str, ...] = ()  # danger words of no particular kind (older files, small fixtures)
    not_emergency: tuple[str, ...] = ()
    cries: tuple[str, ...] = ()
    alone: tuple[str, ...] = ()
    hypothetical: tuple[str, ...] = ()
    not_hypothetical: tuple[str, ...] = ()
    reported: tuple[str, ...] = ()  # older name of `media`
    danger: dict[str, tuple[str, ...]] = field(default_factory=dict)
    concern: dict[str, tuple[str, ...]] = field(default_factory=dict)
    immediacy: tuple[str, ...] = ()
    person: tuple[str, ...] = ()
    help: tuple[str, ...] = ()
    everyday: tuple[str, ...] = ()
    past: tuple[str, ...] = ()
    media: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    joke: tuple[str, ...] = ()
    path: str = ""
    lines: dict[tuple[str, str, str], tuple[str, int]] = field(default_factory=dict, compare=False)

    def entries(self) -> Iterable[tuple[str, str, str]]:
        """Every entry as (list, kind, text); ``reported`` reads as ``media``, ``phrases`` as danger."""
        for role in ("cries", "alone"):
            for text in getattr(self, role):
                yield role, "", text
        for text in self.phrases:
            yield "danger", "", text
        for role in ("danger", "concern"):
            for kind, texts in getattr(self, role).items():
                for text in texts:
                    yield role, kind, text
        for role in EMERGENCY_LISTS[4:]:  # the plain lists after cries, alone, danger, concern
            for text in getattr(self, role):
                yield role, "", text
        for text in self.reported:
            yield "media", "", text

    def line_of(self, role: str, kind: str, text: str) -> tuple[str, int]:
        """(file, line) of an entry, so a check can point a volunteer at it; aliased lists are looked up too."""
        if role == "danger" and not kind and (role, kind, text) not in self.lines:
            role = "phrases"
        if role == "media" and (role, kind, text) not in self.lines:
            role = "reported"
        return self.lines.get((role, kind, text), (self.path, 1))

    def merged(self, other: EmergencyPhrases) -> EmergencyPhrases:
        """Both files' lists for one language (content/<lang>/emergency.yaml and emergency-extra.yaml)."""
        flat = {
            name: getattr(self, name) + getattr(other, name)
            for name in (*EMERGENCY_LISTS, "phrases", "reported")
            if name not in EMERGENCY_KINDS
        }
        kinds = {
            name: {
                kind: getattr(self, name).get(kind, ()) + getattr(other, name).get(kind, ())
                for kind in {*getattr(self, name), *getattr(other, name)}
            }
            for name in EMERGENCY_KINDS
        }
        return EmergencyPhrases(
            self.lang, **flat, **kinds, path=self.path or other.path, lines={**other.lines, **self.lines}
        )


#: The lists of an emergency.yaml file; `danger` and `concern` are grouped by kind of danger.
EMERGENCY_LISTS = (
    "cries",
    "alone",
    "danger",
    "concern",
    "immediacy",
    "person",
    "help",
    "everyday",
    "not_emergency",
    "hypothetical",
    "not_hypothetical",
    "past",
    "media",
    "rules",
    "joke",
)
EMERGENCY_KINDS = ("danger", "concern")
#: Emergency lists for languages people type but the bot does not answer in (Uzbek, Kazakh), by language.
EMERGENCY_EXTRA = "emergency-extra.yaml"
EMERGENCY_FIELDS = (*EMERGENCY_LISTS, "phrases", "reported")  # the last two: older names


@dataclass(frozen=True)
class SmallTalk:
    """Not a question about work abroad (a greeting, thanks...): a polite reply instead of a guess."""

    intent: str
    lang: str
    reply: str
    phrases: tuple[str, ...]
    path: str = ""
    lines: tuple[int, ...] = ()  # the line of each phrase, for the check


@dataclass(frozen=True)
class CheckQuestion:
    """One /check question; its ``id`` is the same in every language, so the report counts answers together."""

    id: str
    text: str
    red_flag: bool  # the answer that is a warning sign: True for "yes", False for "no"
    advice: str


@dataclass(frozen=True)
class JobCheck:
    """The /check walk-through for one language: questions about an offer and what answers mean."""

    lang: str
    intro: str
    questions: tuple[CheckQuestion, ...]
    verdicts: dict[str, str]  # none | some | many
    next: str
    path: str = ""


@dataclass
class Content:
    """Everything the bot says, indexed by language and topic id."""

    topics: dict[str, dict[str, Topic]]  # lang -> id -> topic
    hotlines: tuple[Hotline, ...]
    emergency: dict[str, EmergencyPhrases]
    root: Path
    smalltalk: dict[str, dict[str, SmallTalk]] = field(default_factory=dict)  # lang -> intent -> it
    checks: dict[str, JobCheck] = field(default_factory=dict)  # lang -> the /check walk-through
    country_names: dict[str, dict[str, str]] = field(default_factory=dict)  # lang -> code -> name over CLDR
    places: Places = field(default_factory=Places)  # country names and the country-specific topics

    @property
    def languages(self) -> list[str]:
        """The languages with content, from the folders: adding a language is adding files."""
        return sorted(self.topics)

    @property
    def topic_ids(self) -> list[str]:
        """Every topic id in any language, sorted, so menus and the weekly myth are stable across restarts."""
        return sorted({tid for by_id in self.topics.values() for tid in by_id})

    def topic(self, topic_id: str, lang: str, fallback: str = "en") -> Topic | None:
        """The topic in ``lang``, else in ``fallback``, else in any language: a missing translation still answers."""
        for candidate in (lang, fallback, *self.languages):
            found = self.topics.get(candidate, {}).get(topic_id)
            if found:
                return found
        return None

    def all_topics(self) -> Iterable[Topic]:
        """Every topic in every language, for checks and menus that must see each file."""
        for lang in self.languages:
            yield from self.topics[lang].values()


@dataclass
class LoadResult:
    """The content and every problem found: loading never raises, so a volunteer sees all mistakes at once."""

    content: Content
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the bot from starting (warnings do not)."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when the bot may start on this content."""
        return not self.errors


def load_content(root: Path) -> LoadResult:
    """Read every file under ``root``; problems are returned, never raised."""
    root = Path(root)
    problems: list[Problem] = []
    topics: dict[str, dict[str, Topic]] = {}
    emergency: dict[str, EmergencyPhrases] = {}
    smalltalk: dict[str, dict[str, SmallTalk]] = {}
    checks: dict[str, JobCheck] = {}
    if not root.is_dir():
        problems.append(Problem(str(root), 0, "content folder not found"))
        return LoadResult(Content({}, (), {}, root), problems)
    for lang_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if not LANGUAGE_DIR.match(lang_dir.name):
            continue
        lang = lang_dir.name
        topics[lang] = {}
        for path in sorted(lang_dir.glob("*.md")):
            topic = _load_topic(path, lang, problems)
            if topic is None:
                continue
            if topic.id in topics[lang]:
                problems.append(
                    Problem(
                        str(path),
                        1,
                        f"duplicate id {topic.id!r}: also used by {topics[lang][topic.id].path}",
                    )
                )
                continue
            topics[lang][topic.id] = topic
        phrases = _load_emergency(lang_dir / "emergency.yaml", lang, problems)
        if phrases:
            emergency[lang] = phrases
        smalltalk[lang] = _load_smalltalk(lang_dir / "smalltalk.yaml", lang, problems)
        check = _load_check(lang_dir / "check.yaml", lang, problems)
        if check:
            checks[lang] = check
    for lang, extra in _load_emergency_extra(root / EMERGENCY_EXTRA, problems).items():
        emergency[lang] = emergency[lang].merged(extra) if lang in emergency else extra
    hotlines = _load_hotlines(root / "hotlines.yaml", problems)
    names, found = read_country_names(root / COUNTRY_NAMES_FILE, topics)
    problems += [Problem(str(root / COUNTRY_NAMES_FILE), line, message) for line, message in found]
    topic_ids = {tid for by_id in topics.values() for tid in by_id}
    shown = [(name, code) for by_code in names.values() for code, name in by_code.items()]
    # Kazakh is read, not spoken: its country names are typed too ("Ресей").
    countries = {hotline.country for hotline in hotlines}
    places, found = read_places(root / PLACES_FILE, topic_ids, [*topics, "kk"], countries, shown)
    problems += [Problem(str(root / PLACES_FILE), line, message) for line, message in found]
    return LoadResult(Content(topics, hotlines, emergency, root, smalltalk, checks, names, places), problems)


# --- topics -------------------------------------------------------------------------------


def _split_front_matter(path: Path, text: str, problems: list[Problem]) -> tuple[str, str, int] | None:
    """Return (front matter, body, line where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(str(path), 1, "the file must start with a line '---' (the fields block)"))
        return None
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    problems.append(Problem(str(path), 1, "the fields block opened with '---' is never closed by '---'"))
    return None


def _load_topic(path: Path, lang: str, problems: list[Problem]) -> Topic | None:
    text = read_text(path, problems)
    if text is None:
        return None
    split = _split_front_matter(path, text, problems)
    if split is None:
        return None
    front, body, body_line = split
    doc = parse_yaml(path, front, problems, first_line=2)
    if doc is None or not TOPIC_SCHEMA.validate(doc, problems):
        return None
    data = doc.data

    def report(key: str | int, *more: str | int, message: str, severity: str = "error") -> None:
        problems.append(Problem(str(path), doc.line(key, *more), message, severity))

    topic_id = data["id"].strip()
    if topic_id != path.stem:
        report(
            "id",
            message=f"the id `{topic_id}` must be the file name without .md: write 'id: {path.stem}' "
            "(an id never changes; to start a new topic, make a new file named after its id)",
        )
        return None  # one problem, not "missing in every other language" for an id nobody meant
    if not TOPIC_ID.match(topic_id):
        report("id", message="an id is made of lower-case latin letters, digits and dashes, like 'help-hotline'")
    if len(topic_id) > TOPIC_ID_LIMIT:
        report(
            "id",
            message=f"the id is {len(topic_id)} characters; at most {TOPIC_ID_LIMIT} fit in Telegram's buttons: "
            "choose a shorter id and rename the file in every language",
        )
    title = data["title"].strip()
    if len(title) > TITLE_LIMIT:
        report("title", message=f"title is {len(title)} characters; a button fits at most {TITLE_LIMIT}")
    flags = frozenset(data["flags"] or ())
    questions = tuple(q.strip() for q in data["questions"] if q.strip())
    seen: dict[str, int] = {}
    for index, question in enumerate(data["questions"]):
        key = skeleton(question)
        if key in seen:
            report(
                "questions",
                index,
                message=f"the question '{question.strip()}' is already on line {doc.line('questions', seen[key])} "
                "of this topic: remove one of them",
            )
        else:
            seen[key] = index
    if len(questions) < MIN_QUESTIONS_WARNING:
        report(
            "questions",
            message=f"only {len(questions)} questions; add at least {MIN_QUESTIONS_WARNING} ways people ask this",
            severity="warning",
        )
    if not body.strip():
        problems.append(Problem(str(path), body_line, "the answer (below the fields block) is empty"))
    rendered = render(body)
    for line, message in rendered.problems:
        problems.append(Problem(str(path), body_line + (line or 0), message))
    for line, number in phone_numbers(body):
        problems.append(
            Problem(
                str(path),
                body_line + line,
                f"'{number}' looks like a phone number: never write numbers in an answer — they live in "
                "hotlines.yaml, and the bot adds the right one for the user's country (add 'hotline' to flags)",
            )
        )
    message_length = len(f"<b>{html.escape(title)}</b>\n\n{rendered.html}")
    if len(rendered.text) > TELEGRAM_MESSAGE_LIMIT:
        problems.append(
            Problem(
                str(path),
                body_line,
                f"answer is {len(rendered.text)} characters; Telegram's limit is {TELEGRAM_MESSAGE_LIMIT}",
            )
        )
    elif message_length > TELEGRAM_MESSAGE_LIMIT:
        problems.append(
            Problem(
                str(path),
                body_line,
                f"the answer is {message_length} characters once formatted for Telegram (bold, links and quotes "
                f"count too); Telegram's limit is {TELEGRAM_MESSAGE_LIMIT}: shorten it",
            )
        )
    elif len(rendered.text) > ANSWER_SOFT_LIMIT:
        problems.append(
            Problem(
                str(path),
                body_line,
                f"answer is {len(rendered.text)} characters; keep it under {ANSWER_SOFT_LIMIT} to read on a phone",
                "warning",
            )
        )
    return Topic(
        id=topic_id,
        lang=lang,
        title=title,
        category=data["category"],
        flags=flags,
        related=tuple(data["related"] or ()),
        reviewed=data["reviewed"],
        questions=questions,
        answer_markdown=body.strip(),
        answer_html=rendered.html,
        answer_text=rendered.text,
        path=str(path),
        card_text=str(data.get("card_text") or "").strip(),
    )


_LINK_TARGET = re.compile(r"\]\([^)\s]*\)?|<?\b(?:https?|tg)://\S+")
_DIGITS = re.compile(r"\+?\d(?:[ ().-]?\d)+")
_THOUSANDS = re.compile(r"\d{1,3}(?:[ ,.]\d{3})+")


def phone_numbers(markdown: str, known: Iterable[str] = ()) -> list[tuple[int, str]]:
    """(0-based line, number) of what looks like a phone number in an answer, link addresses aside.

    Seven digits or more, or one starting with '+', is a phone number; so is
    any of the ``known`` numbers (the short hotline numbers like 189).
    """
    known_digits = {re.sub(r"\D", "", k) for k in known}
    found = []
    for index, line in enumerate(markdown.split("\n")):
        for match in _DIGITS.finditer(_LINK_TARGET.sub(" ", line)):
            number = match.group().strip(" ().-")
            digits = re.sub(r"\D", "", number)
            long = len(digits) >= 7 and not _THOUSANDS.fullmatch(number)
            if number.startswith("+") or long or digits in known_digits:
                found.append((index, number))
    return found


# --- emergency phrases --------------------------------------------------------------------


def _optional_yaml(path: Path, problems: list[Problem]):
    """A per-language YAML file that may be absent: (data, {key: line}), or (None, {})."""
    doc = _optional_document(path, problems)
    if doc is None:
        return None, {}
    if not isinstance(doc.data, dict):
        problems.append(Problem(str(path), 1, "expected 'field: value' lines"))
        return None, {}
    return doc.data, {key: doc.line(key) for key in doc.data}


def _optional_document(path: Path, problems: list[Problem]) -> Document | None:
    if not path.exists():
        return None
    return parse_yaml(path, read_text(path, problems), problems)


def _load_emergency(path: Path, lang: str, problems: list[Problem]) -> EmergencyPhrases | None:
    data, lines = _optional_yaml(path, problems)
    if data is None:
        return None
    phrases = _emergency_lists(path, lang, data, lines, _item_lines(path), problems)
    if phrases is not None and not phrases.cries and not any(text for _, _, text in phrases.entries()):
        problems.append(Problem(str(path), 1, "no emergency phrases: the bot could miss a person in danger"))
    return phrases


def _load_emergency_extra(path: Path, problems: list[Problem]) -> dict[str, EmergencyPhrases]:
    """``content/emergency-extra.yaml``: lists for languages people type but the bot does not answer in."""
    data, lines = _optional_yaml(path, problems)
    if data is None:
        return {}
    items = _item_lines(path)
    found = {}
    for lang, section in data.items():
        if not isinstance(section, dict):
            problems.append(Problem(str(path), lines.get(lang, 1), f"{lang!r} must hold lists like emergency.yaml"))
            continue
        section_lines = {key: lines.get(lang, 1) for key in section}
        sub_items = {key[1:]: line for key, line in items.items() if len(key) == 4 and key[0] == lang}
        phrases = _emergency_lists(path, str(lang), section, section_lines, sub_items, problems)
        if phrases:
            found[str(lang)] = phrases
    return found


def _emergency_lists(path, lang, data, lines, item_lines, problems) -> EmergencyPhrases | None:
    for key in data:
        if key not in EMERGENCY_FIELDS:
            problems.append(
                Problem(str(path), lines.get(key, 1), f"unknown list {key!r} (known: {', '.join(EMERGENCY_LISTS)})")
            )
    values: dict[str, Any] = {}
    for key in EMERGENCY_FIELDS:
        value = data.get(key) or ([] if key not in EMERGENCY_KINDS else {})
        if key in EMERGENCY_KINDS:
            if not isinstance(value, dict):
                problems.append(
                    Problem(str(path), lines.get(key, 1), f"{key!r} must group its words by kind: 'violence:' ...")
                )
                return None
            kinds = {}
            for kind, words in value.items():
                if not _phrase_list(words):
                    problems.append(
                        Problem(str(path), lines.get(key, 1), f"{key}/{kind} must be a list of words or phrases")
                    )
                    return None
                kinds[str(kind)] = tuple(v.strip() for v in words)
            values[key] = kinds
            continue
        if not _phrase_list(value):
            problems.append(Problem(str(path), lines.get(key, 1), f"{key!r} must be a list of phrases"))
            return None
        values[key] = tuple(v.strip() for v in value)
    where = {(role, kind, text.strip()): (str(path), line) for (role, kind, text), line in item_lines.items()}
    return EmergencyPhrases(lang, **values, path=str(path), lines=where)


def _phrase_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _item_lines(path: Path) -> dict:
    """(list, kind, entry) -> line for every entry of an emergency file, nested one level or two.

    In emergency-extra.yaml, keys are (language, list, kind, entry) instead.
    """
    found: dict = {}
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return found

    def walk(node, prefix: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, (*prefix, key.value))
        elif isinstance(node, yaml.SequenceNode):
            keys = prefix if len(prefix) >= 2 and prefix[-2] in EMERGENCY_KINDS else (*prefix, "")
            for item in node.value:
                if isinstance(item, yaml.ScalarNode):
                    found[(*keys, item.value.strip())] = item.start_mark.line + 1

    walk(root, ())
    return found


SMALLTALK_ENTRY = Schema(
    {
        "reply": Field(str, nonempty=True, meaning="the short reply the bot gives"),
        "phrases": Field(list, items=str, nonempty=True, meaning="the phrases, one per '  - ' line"),
    }
)


def _load_smalltalk(path: Path, lang: str, problems: list[Problem]) -> dict[str, SmallTalk]:
    doc = _optional_document(path, problems)
    if doc is None or doc.data is None:
        return {}
    if not isinstance(doc.data, dict):
        problems.append(Problem(str(path), 1, "expected blocks like 'thanks:' with a 'reply' and 'phrases'"))
        return {}
    found = {}
    for intent, entry in doc.data.items():
        if not check_value(doc, Field(dict, items=SMALLTALK_ENTRY), (intent,), problems):
            continue
        kept = [(p.strip(), doc.line(intent, "phrases", i)) for i, p in enumerate(entry["phrases"]) if p.strip()]
        found[str(intent)] = SmallTalk(
            str(intent),
            lang,
            entry["reply"].strip(),
            tuple(p for p, _ in kept),
            str(path),
            tuple(line for _, line in kept),
        )
    return found


CHECK_VERDICTS = ("none", "some", "many")
CHECK_PLACEHOLDERS = {"count": "the number of red flags"}
CHECK_TEXT_LIMIT = 300
_CHECK_TEXT = Field(str, nonempty=True, meaning="the text the bot shows")
CHECK_SCHEMA = Schema(
    {
        "intro": _CHECK_TEXT,
        "questions": Field(
            list,
            nonempty=True,
            meaning="at least one question",
            items=Schema(
                {
                    "id": Field(str, nonempty=True, meaning="a short latin name, the same in every language"),
                    "text": _CHECK_TEXT,
                    "red_flag": Field((str, bool), choices=("yes", "no")),
                    "advice": _CHECK_TEXT,
                }
            ),
        ),
        "verdicts": Field(dict, items=Schema({key: _CHECK_TEXT for key in CHECK_VERDICTS})),
        "next": _CHECK_TEXT,
    }
)


def _load_check(path: Path, lang: str, problems: list[Problem]) -> JobCheck | None:
    doc = _optional_document(path, problems)
    if doc is None or not CHECK_SCHEMA.validate(doc, problems):
        return None
    data = doc.data
    before = len(problems)

    def report(*at: str | int, message: str) -> None:
        problems.append(Problem(str(path), doc.line(*at), message))

    questions = []
    for index, item in enumerate(data["questions"]):
        for key in ("text", "advice"):
            if len(item[key]) > CHECK_TEXT_LIMIT:
                report(
                    "questions", index, key, message=f"{key} of {item['id']!r} is over {CHECK_TEXT_LIMIT} characters"
                )
        red_flag = item["red_flag"] in ("yes", True)
        questions.append(CheckQuestion(item["id"], item["text"], red_flag, item["advice"]))
    known = ", ".join(f"{{{name}}} ({meaning})" for name, meaning in CHECK_PLACEHOLDERS.items())
    for key in CHECK_VERDICTS:
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(data["verdicts"][key]) if name is not None]
        except ValueError:
            report("verdicts", key, message=f"a '{{' or '}}' without its pair: the verdicts can use {known}")
            continue
        for name in names:
            if name not in CHECK_PLACEHOLDERS:
                report("verdicts", key, message=f"{{{name}}} is not a placeholder the bot knows: use {known}")
    if len(problems) > before:
        return None
    return JobCheck(lang, data["intro"], tuple(questions), dict(data["verdicts"]), data["next"], str(path))


# --- hotlines -----------------------------------------------------------------------------
#
# Every field is type-checked with a message that says what was found and how to fix it,
# and every number is parsed with libphonenumber for its country, so that a typo in a number
# is caught here and not by a person in danger.

HOTLINE_KINDS = (
    "emergency",  # police, ambulance: always a short number
    "hotline",  # a line for trafficking victims or migrants
    "labour",  # labour complaints, counselling for foreign workers
    "ministry",  # a home ministry's representation abroad
    "embassy",  # an embassy's or consulate's hotline
    "consular",  # a consular department or consular call-centre
    "migration-agency",  # a home migration agency, or its office abroad
    "iom",  # an IOM office
)
HOTLINE_CHANNELS = ("call", "whatsapp", "telegram")
HOTLINE_STATUSES = ("active", "unverified-discontinued")
ABROAD = "abroad"
_TERRITORIES = Locale("en").territories
_LANG_CODE = re.compile(r"^[a-z]{2,3}$")
_TELEGRAM = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{4,31}$")
_PHONE_CHARS = re.compile(r"^\+?[0-9][0-9 ()-]*[0-9]$")
SHORT_NUMBER_DIGITS = (2, 6)


def _kind_of(value: Any) -> str:
    """What a YAML value is, in the words of the error message."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no)"
    if isinstance(value, int | float):
        return f"{value} (a number)"
    if isinstance(value, dt.date):
        return f"{value} (a date)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a block of fields"
    return repr(value)


def _text(key: str, value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    hint = f' — put it in quotes: {key}: "{value}"' if isinstance(value, int | float | bool | dt.date) else ""
    return f"{key!r} must be a text, not {_kind_of(value)}{hint}"


def _country(key: str, value: Any) -> str | None:
    if isinstance(value, str) and value in _TERRITORIES and len(value) == 2:
        return None
    return f"unknown country code {value!r}; use two capital letters like KG"


def _countries(key: str, value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return f"{key!r} must be a list of country codes like [KG, TJ], not {_kind_of(value)}"
    bad = next((v for v in value if _country(key, v)), None)
    return None if bad is None else f"{key!r}: {_kind_of(bad)} is not a country code; use two capital letters like KG"


def _places(key: str, value: Any) -> str | None:
    if value == ABROAD:
        return None
    problem = _countries(key, value)
    return problem and f"{problem} (or the word {ABROAD})"


def _by_language(key: str, value: Any) -> str | None:
    example = f'like {key}: {{ru: "…", ky: "…", tg: "…", en: "…"}}'
    if not isinstance(value, dict) or not value:
        return f"{key!r} must give a text for each language, {example}; found {_kind_of(value)}"
    for lang, text in value.items():
        if not isinstance(lang, str) or not _LANG_CODE.match(lang):
            return f"{key!r}: {_kind_of(lang)} is not a language code (ru, ky, tg, en); {example}"
        if not isinstance(text, str) or not text.strip():
            return f'{key!r}: the {lang} text is {_kind_of(text)}; write a text in quotes, like {lang}: "{text}"'
    return None


def _flag(key: str, value: Any) -> str | None:
    return None if isinstance(value, bool) else f"{key!r} must be true or false, not {_kind_of(value)}"


def _date_or_null(key: str, value: Any) -> str | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return None
    return f"{key!r} has the wrong type (a date like 2026-05-01, or null)"


def _texts(key: str, value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return None
    return f'{key!r} must be a list of numbers in quotes like ["+7 499 230 00 76"], not {_kind_of(value)}'


def _languages(key: str, value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) and _LANG_CODE.match(v) for v in value):
        return None
    return f"{key!r} must be a list of language codes like [ru, uz, en], not {_kind_of(value)}"


def _one_of(*allowed: str):
    def check(key: str, value: Any) -> str | None:
        return None if value in allowed else f"unknown {key} {value!r} (use: {', '.join(allowed)})"

    return check


HOTLINE_FIELDS: dict[str, Any] = {
    "id": _text,
    "country": _country,
    "number": _text,
    "kind": _one_of(*HOTLINE_KINDS),
    "name": _by_language,
    "source": _text,
}
HOTLINE_OPTIONAL: dict[str, Any] = {
    "verified": _date_or_null,
    "cite": _text,
    "international": _text,
    "also": _texts,
    "hours": _by_language,
    "note": _by_language,
    "languages": _languages,
    "toll_free": _flag,
    "confidential": _flag,
    "from_abroad": _flag,
    "short": _flag,
    "for_citizens": _countries,
    "for_people_in": _places,
    "channel": _one_of(*HOTLINE_CHANNELS),
    "status": _one_of(*HOTLINE_STATUSES),
}


def _nested_line(value_node: Any, fallback: int) -> dict[str, int]:
    """Lines of the keys inside a ``{ru: ..., en: ...}`` value, to point at the wrong one."""
    if isinstance(value_node, yaml.MappingNode):
        return {str(k.value): k.start_mark.line + 1 for k, _ in value_node.value}
    return {}


def _parse_phone(text: str, country: str):
    """(E.164, problem): the number parsed with libphonenumber as dialled in ``country``."""
    import phonenumbers

    if not _PHONE_CHARS.match(text):
        return None, f"{text!r} is not a phone number: use digits, spaces, dashes and a leading +"
    try:
        parsed = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException as error:
        return None, f"{text!r} does not parse as a phone number of {country}: {error}"
    region = phonenumbers.region_code_for_number(parsed)
    if not phonenumbers.is_valid_number_for_region(parsed, country):
        where = f" (it looks like a number of {region})" if region and region != country else ""
        return None, f"{text!r} is not a valid phone number of {country}{where}: check the digits"
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None


def _known_short(text: str, country: str) -> bool:
    """libphonenumber's own list of a country's short numbers (it knows 157 in Turkey, not 189 in Kyrgyzstan)."""
    import phonenumbers
    from phonenumbers import shortnumberinfo

    try:
        parsed = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return False
    return shortnumberinfo.is_valid_short_number_for_region(parsed, country)


def _check_numbers(entry: dict, report) -> tuple[str | None, str | None]:
    """Validate number, international and also; return (E.164 of number, E.164 of international)."""
    import phonenumbers

    country, number = entry["country"], entry["number"]
    channel = entry.get("channel", "call")
    if channel == "telegram":
        if not _TELEGRAM.match(number):
            report("number", f"a Telegram line's number is its @name, like @helpbot, not {number!r}")
        return None, None
    digits = re.sub(r"[ ()-]", "", number)
    short = entry.get("short", entry["kind"] == "emergency")
    e164: str | None
    if short:
        low, high = SHORT_NUMBER_DIGITS
        if not (digits.isdigit() and low <= len(digits) <= high):
            report("number", f"short number {number!r} must be {low} to {high} digits; a full number needs no short")
        e164 = digits
    else:
        e164, problem = _parse_phone(number, country)
        if problem and digits.isdigit() and len(digits) <= SHORT_NUMBER_DIGITS[1]:
            e164 = digits
            if not _known_short(number, country):
                report(
                    "number",
                    f"{number!r} is not a full number of {country}: if it is a short number, add 'short: true'",
                    "warning",
                )
        elif problem:
            report("number", problem)
    for other in entry.get("also") or ():
        _, problem = _parse_phone(other, country)
        if problem:
            report("also", problem)
    international = entry.get("international")
    international_e164 = None
    if international:
        if not international.startswith("+"):
            report("international", f"international {international!r} must start with + and the country code")
        elif short and _parse_phone(international, country)[1]:
            # A short line dialled from abroad: the country code and the short number (+82 1345).
            code = phonenumbers.country_code_for_region(country)
            if re.sub(r"[ ()-]", "", international) != f"+{code}{digits}":
                report(
                    "international",
                    f"{international!r} is neither a valid number of {country} nor +{code} and the short number",
                )
            international_e164 = f"+{code}{digits}"
        else:
            international_e164, problem = _parse_phone(international, country)
            if problem:
                report("international", problem)
    if entry.get("from_abroad") and short and not international:
        report("from_abroad", "a short number cannot be dialled from abroad: add 'international:' or remove this")
    return e164, international_e164


def _load_hotlines(path: Path, problems: list[Problem]) -> tuple[Hotline, ...]:
    if not path.exists():
        problems.append(Problem(str(path), 0, "hotlines.yaml is missing: the bot has no numbers to give"))
        return ()
    doc = parse_yaml(path, read_text(path, problems), problems)
    if doc is None:
        return ()
    node, data = doc.node, doc.data
    if not isinstance(data, dict) or not isinstance(data.get("hotlines"), list):
        problems.append(Problem(str(path), 1, "expected a list under 'hotlines:'"))
        return ()
    items_node = next(v for k, v in node.value if k.value == "hotlines")
    hotlines: list[Hotline] = []
    seen: set[str] = set()
    known = [*HOTLINE_FIELDS, *HOTLINE_OPTIONAL]
    for entry, entry_node in zip(data["hotlines"], items_node.value, strict=True):
        line = entry_node.start_mark.line + 1
        pairs = [(k, v) for k, v in getattr(entry_node, "value", []) if isinstance(k, yaml.ScalarNode)]
        key_lines = {k.value: k.start_mark.line + 1 for k, _ in pairs}
        value_nodes = {k.value: v for k, v in pairs}
        before = sum(p.severity == "error" for p in problems)

        def report(
            key: str, message: str, severity: str = "error", line: int = line, key_lines: dict = key_lines
        ) -> None:
            problems.append(Problem(str(path), key_lines.get(key, line), message, severity))

        if not isinstance(entry, dict):
            report("", "each hotline is a block of 'field: value' lines")
            continue
        for key in entry:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                report(str(key), f"unknown field {key!r}; {hint}(known: {', '.join(known)})")
        for key in HOTLINE_FIELDS:
            if key not in entry:
                report("", f"hotline is missing {key!r}")
        for key, check in (HOTLINE_FIELDS | HOTLINE_OPTIONAL).items():
            if key not in entry:
                continue
            problem = check(key, entry[key])
            if problem:
                inner = _nested_line(value_nodes.get(key), 0)
                bad_lang = next((lg for lg in inner if not isinstance(entry[key].get(lg), str)), None)
                at = inner.get(bad_lang) if bad_lang else None
                if at:
                    problems.append(Problem(str(path), at, problem))
                else:
                    report(key, problem)
        if sum(p.severity == "error" for p in problems) > before:
            continue
        if entry["id"] in seen:
            report("id", f"duplicate hotline id {entry['id']!r}")
        seen.add(entry["id"])
        if entry.get("for_people_in") == ABROAD and not entry.get("for_citizens"):
            report("for_people_in", "'for_people_in: abroad' needs 'for_citizens' (abroad from which country?)")
        if entry.get("channel") == "whatsapp" and entry.get("short"):
            report("channel", "a WhatsApp line needs a full mobile number, not a short one")
        e164, international_e164 = _check_numbers(entry, report)
        places = entry.get("for_people_in") or ()
        hotlines.append(
            Hotline(
                id=entry["id"],
                country=entry["country"],
                number=entry["number"],
                kind=entry["kind"],
                name=entry["name"],
                source=entry["source"],
                verified=entry.get("verified"),
                international=entry.get("international"),
                hours=entry.get("hours") or {},
                languages=tuple(entry.get("languages") or ()),
                toll_free=bool(entry.get("toll_free")),
                confidential=bool(entry.get("confidential")),
                from_abroad=bool(entry.get("from_abroad")),
                for_citizens=tuple(entry.get("for_citizens") or ()),
                for_people_in=places if places == ABROAD else tuple(places),
                note=entry.get("note") or {},
                channel=entry.get("channel", "call"),
                short=bool(entry.get("short", entry["kind"] == "emergency")),
                also=tuple(entry.get("also") or ()),
                cite=entry.get("cite", ""),
                status=entry.get("status", "active"),
                e164=e164,
                international_e164=international_e164,
                path=str(path),
                line=line,
            )
        )
    return tuple(hotlines)
