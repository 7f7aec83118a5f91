"""Load the volunteers' content: topics, hotlines and emergency phrases.

Loading never raises on a bad file: it collects :class:`Problem` records
(file, line, message) so ``content check`` can list them all in one run and
a running bot can refuse a broken reload and keep the last good content.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from babel import Locale

from bot.markup import render

CATEGORIES = ("myth", "prepare", "work", "trouble", "help", "about", "bot")
FLAGS = frozenset({"hotline", "urgent"})
TOPIC_FIELDS = {
    "id": str,
    "title": str,
    "category": str,
    "flags": list,
    "related": list,
    "reviewed": bool,
    "questions": list,
}
OPTIONAL_TOPIC_FIELDS = {"hotlines": list}
TITLE_LIMIT = 40
ANSWER_SOFT_LIMIT = 900
TELEGRAM_MESSAGE_LIMIT = 4096
MIN_QUESTIONS_WARNING = 6
TOPIC_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_DIR = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{_display_path(self.path)}:{self.line}: {prefix}{self.message}"


def _display_path(path: str) -> str:
    """Paths relative to the working folder, as volunteers see them in their editor."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


@dataclass(frozen=True)
class Topic:
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
    hotlines: tuple[str, ...] = ()
    path: str = ""

    @property
    def hotline(self) -> bool:
        return "hotline" in self.flags

    @property
    def urgent(self) -> bool:
        return "urgent" in self.flags


@dataclass(frozen=True)
class Hotline:
    id: str
    country: str
    number: str
    kind: str  # emergency | hotline | iom | ministry | labour
    name: dict[str, str]
    source: str
    verified: dt.date | None
    international: str | None = None
    hours: dict[str, str] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    toll_free: bool = False
    from_abroad: bool = False
    for_citizens: tuple[str, ...] = ()
    note: dict[str, str] = field(default_factory=dict)
    path: str = ""
    line: int = 0

    def text(self, mapping: dict[str, str], lang: str) -> str:
        return mapping.get(lang) or mapping.get("en") or next(iter(mapping.values()), "")


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
        for role in (
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
        ):
            for text in getattr(self, role):
                yield role, "", text
        for text in self.reported:
            yield "media", "", text

    def line_of(self, role: str, kind: str, text: str) -> tuple[str, int]:
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


@dataclass(frozen=True)
class CheckQuestion:
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

    @property
    def languages(self) -> list[str]:
        return sorted(self.topics)

    @property
    def topic_ids(self) -> list[str]:
        return sorted({tid for by_id in self.topics.values() for tid in by_id})

    def topic(self, topic_id: str, lang: str, fallback: str = "en") -> Topic | None:
        for candidate in (lang, fallback, *self.languages):
            found = self.topics.get(candidate, {}).get(topic_id)
            if found:
                return found
        return None

    def all_topics(self) -> Iterable[Topic]:
        for lang in self.languages:
            yield from self.topics[lang].values()

    def hotline(self, hotline_id: str) -> Hotline | None:
        return next((h for h in self.hotlines if h.id == hotline_id), None)


@dataclass
class LoadResult:
    content: Content
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
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
    return LoadResult(Content(topics, hotlines, emergency, root, smalltalk, checks), problems)


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


def _yaml_mapping(path: Path, text: str, first_line: int, problems: list[Problem]):
    """Parse YAML into (data, {key: line}); report syntax errors with their line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        problems.append(_yaml_problem(path, error, first_line, "cannot read the fields"))
        return None, {}
    if not isinstance(data, dict) or node is None:
        problems.append(Problem(str(path), first_line, "expected 'field: value' lines"))
        return None, {}
    lines = {key.value: first_line + key.start_mark.line for key, _ in node.value}
    item_lines = {
        key.value: [first_line + item.start_mark.line for item in value.value]
        for key, value in node.value
        if isinstance(value, yaml.SequenceNode)
    }
    lines["__items__"] = item_lines  # type: ignore[assignment]
    return data, lines


def _yaml_problem(path: Path, error: yaml.YAMLError, first_line: int, what: str) -> Problem:
    """Point at where the broken construct began (an unclosed bracket or quote), if YAML knows."""
    mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
    line = first_line + (mark.line if mark else 0)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    detail = f"{problem} ({context})" if context else problem
    return Problem(str(path), line, f"{what}: {detail}; check quotes, brackets and the two spaces before '- '")


def _load_topic(path: Path, lang: str, problems: list[Problem]) -> Topic | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(str(path), 1, f"cannot read the file as UTF-8 text: {error}"))
        return None
    text = text.replace("\r\n", "\n")
    split = _split_front_matter(path, text, problems)
    if split is None:
        return None
    front, body, body_line = split
    data, lines = _yaml_mapping(path, front, 2, problems)
    if data is None:
        return None
    before = len(problems)

    def report(key: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(str(path), lines.get(key, 1), message, severity))

    for key in data:
        if key not in TOPIC_FIELDS and key not in OPTIONAL_TOPIC_FIELDS:
            report(key, f"unknown field {key!r} (known: {', '.join(TOPIC_FIELDS)})")
    for key, kind in (TOPIC_FIELDS | OPTIONAL_TOPIC_FIELDS).items():
        if key not in data:
            if key in TOPIC_FIELDS:
                problems.append(Problem(str(path), 1, f"missing field {key!r}"))
            continue
        value = data[key]
        if value is None and kind is list:
            data[key] = []
        elif not isinstance(value, kind):
            expected = {str: "a text", list: "a list", bool: "true or false"}[kind]
            report(key, f"field {key!r} must be {expected}")
    if len(problems) > before:
        return None

    topic_id = data["id"].strip()
    if topic_id != path.stem:
        report("id", f"id {topic_id!r} does not match the file name {path.name!r}")
    if not TOPIC_ID.match(topic_id):
        report("id", "id must be lower-case latin letters, digits and dashes")
    title = data["title"].strip()
    if not title:
        report("title", "title is empty")
    elif len(title) > TITLE_LIMIT:
        report("title", f"title is {len(title)} characters; a button fits at most {TITLE_LIMIT}")
    if data["category"] not in CATEGORIES:
        report("category", f"unknown category {data['category']!r} (use one of: {', '.join(CATEGORIES)})")
    flags = frozenset(str(f) for f in data["flags"])
    for flag in sorted(flags - FLAGS):
        report("flags", f"unknown flag {flag!r} (use: hotline, urgent)")
    questions = tuple(str(q).strip() for q in data["questions"] if str(q or "").strip())
    if not body.strip():
        problems.append(Problem(str(path), body_line, "the answer (below the fields block) is empty"))
    rendered = render(body)
    for line, message in rendered.problems:
        problems.append(Problem(str(path), body_line + (line or 0), message))
    if len(rendered.text) > TELEGRAM_MESSAGE_LIMIT:
        problems.append(
            Problem(
                str(path),
                body_line,
                f"answer is {len(rendered.text)} characters; Telegram's limit is {TELEGRAM_MESSAGE_LIMIT}",
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
    if len(questions) < MIN_QUESTIONS_WARNING:
        report(
            "questions",
            f"only {len(questions)} questions; add at least {MIN_QUESTIONS_WARNING} ways people ask this",
            "warning",
        )
    return Topic(
        id=topic_id,
        lang=lang,
        title=title,
        category=data["category"],
        flags=flags,
        related=tuple(str(r) for r in data["related"]),
        reviewed=data["reviewed"],
        questions=questions,
        answer_markdown=body.strip(),
        answer_html=rendered.html,
        answer_text=rendered.text,
        hotlines=tuple(str(h) for h in data.get("hotlines") or ()),
        path=str(path),
    )


# --- emergency phrases --------------------------------------------------------------------


def _optional_yaml(path: Path, problems: list[Problem]):
    """A per-language YAML file that may be absent: (data, {key: line}), or (None, {})."""
    if not path.exists():
        return None, {}
    return _yaml_mapping(path, path.read_text(encoding="utf-8"), 1, problems)


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


def _load_smalltalk(path: Path, lang: str, problems: list[Problem]) -> dict[str, SmallTalk]:
    data, lines = _optional_yaml(path, problems)
    if data is None:
        return {}
    found = {}
    for intent, entry in data.items():
        line = lines.get(intent, 1)
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("reply"), str)
            or not isinstance(entry.get("phrases"), list)
        ):
            problems.append(Problem(str(path), line, f"{intent!r} needs a 'reply' text and a 'phrases' list"))
            continue
        unknown = set(entry) - {"reply", "phrases"}
        if unknown:
            problems.append(Problem(str(path), line, f"{intent!r}: unknown field {sorted(unknown)[0]!r}"))
        phrases = tuple(str(p).strip() for p in entry["phrases"] if str(p or "").strip())
        found[intent] = SmallTalk(intent, lang, entry["reply"].strip(), phrases)
    return found


CHECK_VERDICTS = ("none", "some", "many")
CHECK_TEXT_LIMIT = 300


def _load_check(path: Path, lang: str, problems: list[Problem]) -> JobCheck | None:
    data, lines = _optional_yaml(path, problems)
    if data is None:
        return None
    before = len(problems)

    def report(line: int, message: str) -> None:
        problems.append(Problem(str(path), line, message))

    for key in ("intro", "questions", "verdicts", "next"):
        if key not in data:
            report(1, f"missing field {key!r}")
    for key in set(data) - {"intro", "questions", "verdicts", "next"}:
        report(lines.get(key, 1), f"unknown field {key!r} (known: intro, questions, verdicts, next)")
    if len(problems) > before:
        return None
    questions = []
    item_lines = lines["__items__"].get("questions", [])  # type: ignore[union-attr]
    for index, item in enumerate(data["questions"] or []):
        line = item_lines[index] if index < len(item_lines) else lines["questions"]
        if not isinstance(item, dict) or {"id", "text", "red_flag", "advice"} - set(item):
            report(line, "each question needs id, text, red_flag and advice")
            continue
        if str(item["red_flag"]).lower() not in ("yes", "no", "true", "false"):
            report(line, f'red_flag must be "yes" or "no", not {item["red_flag"]!r}')
            continue
        for key in ("text", "advice"):
            if len(str(item[key])) > CHECK_TEXT_LIMIT:
                report(line, f"{key} of {item['id']!r} is over {CHECK_TEXT_LIMIT} characters")
        red_flag = str(item["red_flag"]).lower() in ("yes", "true")
        questions.append(CheckQuestion(str(item["id"]), str(item["text"]), red_flag, str(item["advice"])))
    if not questions:
        report(lines["questions"], "the check needs at least one question")
    verdicts = data["verdicts"] if isinstance(data["verdicts"], dict) else {}
    for key in CHECK_VERDICTS:
        if not isinstance(verdicts.get(key), str):
            report(lines["verdicts"], f"verdicts needs a text for {key!r} (none, some, many)")
    if len(problems) > before:
        return None
    return JobCheck(lang, str(data["intro"]), tuple(questions), dict(verdicts), str(data["next"]), str(path))


# --- hotlines -----------------------------------------------------------------------------

HOTLINE_FIELDS: dict[str, Any] = {
    "id": str,
    "country": str,
    "number": str,
    "kind": str,
    "name": dict,
    "source": str,
}
HOTLINE_OPTIONAL: dict[str, Any] = {
    "verified": (dt.date, type(None)),
    "international": (str, type(None)),
    "hours": dict,
    "languages": list,
    "toll_free": bool,
    "from_abroad": bool,
    "for_citizens": list,
    "note": dict,
}
HOTLINE_KINDS = ("emergency", "hotline", "iom", "ministry", "labour")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{1,20}[0-9]$")
_TERRITORIES = Locale("en").territories


def _load_hotlines(path: Path, problems: list[Problem]) -> tuple[Hotline, ...]:
    if not path.exists():
        problems.append(Problem(str(path), 0, "hotlines.yaml is missing: the bot has no numbers to give"))
        return ()
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        problems.append(_yaml_problem(path, error, 1, "cannot read the file"))
        return ()
    if not isinstance(data, dict) or not isinstance(data.get("hotlines"), list):
        problems.append(Problem(str(path), 1, "expected a list under 'hotlines:'"))
        return ()
    items_node = next(v for k, v in node.value if k.value == "hotlines")
    hotlines: list[Hotline] = []
    seen: set[str] = set()
    for entry, entry_node in zip(data["hotlines"], items_node.value, strict=True):
        line = entry_node.start_mark.line + 1
        key_lines = {
            k.value: k.start_mark.line + 1
            for k, _ in getattr(entry_node, "value", [])
            if isinstance(k, yaml.ScalarNode)
        }

        def report(
            key: str, message: str, severity: str = "error", line: int = line, key_lines: dict = key_lines
        ) -> None:
            problems.append(Problem(str(path), key_lines.get(key, line), message, severity))

        if not isinstance(entry, dict):
            report("", "each hotline is a block of 'field: value' lines")
            continue
        bad = False
        for key in entry:
            if key not in HOTLINE_FIELDS and key not in HOTLINE_OPTIONAL:
                report(key, f"unknown field {key!r}")
                bad = True
        for key, kind in HOTLINE_FIELDS.items():
            if key not in entry:
                report("", f"hotline is missing {key!r}")
                bad = True
            elif not isinstance(entry[key], kind):
                report(key, f"{key!r} has the wrong type")
                bad = True
        for key, kind in HOTLINE_OPTIONAL.items():
            if key in entry and not isinstance(entry[key], kind):
                hint = " (a date like 2026-05-01, or null)" if key == "verified" else ""
                report(key, f"{key!r} has the wrong type{hint}")
                bad = True
        if bad:
            continue
        if entry["id"] in seen:
            report("id", f"duplicate hotline id {entry['id']!r}")
        seen.add(entry["id"])
        if entry["country"] not in _TERRITORIES:
            report("country", f"unknown country code {entry['country']!r}; use two capital letters like KG")
        if entry["kind"] not in HOTLINE_KINDS:
            report("kind", f"unknown kind {entry['kind']!r} (use: {', '.join(HOTLINE_KINDS)})")
        for key in ("number", "international"):
            if entry.get(key) and not _PHONE.match(entry[key]):
                report(key, f"{key} {entry[key]!r} does not look like a phone number")
        if not str(entry["source"]).strip():
            report("source", "every number needs its source")
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
                from_abroad=bool(entry.get("from_abroad")),
                for_citizens=tuple(entry.get("for_citizens") or ()),
                note=entry.get("note") or {},
                path=str(path),
                line=line,
            )
        )
    return tuple(hotlines)
