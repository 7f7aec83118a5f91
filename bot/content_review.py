"""Where a native reviewer should start: unreviewed answers and words used inconsistently.

No native speaker has read most translations yet. ``content review`` lists,
per language, the topics still marked ``reviewed: false`` and every line
where an answer uses a word the volunteers agreed to replace (in
``content/terms.yaml``), such as the Russian «вербовщик» in a Kyrgyz answer.
The questions are left out: they are written the way people type, Russian
words included, and that is what makes them match.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.content import Problem, load_content

TERMS_FILE = "terms.yaml"
TERM_FIELDS = ("use", "not", "note", "except_near")
_WORD = re.compile(r"\w+")
_BRACKETS = re.compile(r"\([^()]*\)")
# Front-matter fields a user reads: the title. Questions are users' words; the rest are ids.
_READ_FIELDS = ("title:",)
# check.yaml fields that are ids or yes/no, not text a user reads.
_CHECK_ID_FIELDS = ("id:", "- id:", "red_flag:")


@dataclass(frozen=True)
class TermGroup:
    """One thing named one way: ``use`` is the agreed word, ``avoid`` the words to replace."""

    lang: str
    use: str
    avoid: tuple[str, ...]
    note: str = ""
    except_near: tuple[str, ...] = ()  # a line naming one of these (a country) may use the avoided word


@dataclass(frozen=True)
class Inconsistency:
    """A word a volunteer wrote where the language's agreed term (content/terms.yaml) should be."""

    path: str
    line: int
    word: str  # as written in the text
    group: TermGroup
    files_with_agreed: int  # other files of the language that use the agreed word

    def __str__(self) -> str:
        if self.files_with_agreed:
            text = f"uses «{self.word}», elsewhere «{self.group.use}»"
        else:
            text = f"uses «{self.word}»; the agreed word is «{self.group.use}»"
        return str(Problem(self.path, self.line, text + (f" — {self.group.note}" if self.group.note else "")))


@dataclass
class LanguageReview:
    """What is left to review in one language."""

    lang: str
    topics: int
    unreviewed: list[str]  # topic ids, urgent ones first
    inconsistencies: list[Inconsistency] = field(default_factory=list)


@dataclass
class Review:
    """The review of every language; ``problems`` only says the terms file itself is broken."""

    languages: list[LanguageReview]
    problems: list[Problem]  # a broken terms.yaml


# --- terms.yaml -------------------------------------------------------------------------------


def load_terms(path: Path, languages: Collection[str]) -> tuple[dict[str, list[TermGroup]], list[Problem]]:
    """Read the agreed terms; problems name the line of a mistyped language or field."""
    if not path.exists():
        return {}, []
    problems: list[Problem] = []
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        return {}, [Problem(str(path), mark.line + 1 if mark else 1, f"cannot read the file: {problem}")]
    if root is None:
        return {}, []
    if not isinstance(root, yaml.MappingNode):
        return {}, [Problem(str(path), 1, "expected one block per language, like 'ky:'")]
    groups: dict[str, list[TermGroup]] = {}
    for lang_node, items in root.value:
        lang, line = str(lang_node.value), lang_node.start_mark.line + 1
        if lang not in languages:
            problems.append(Problem(str(path), line, f"unknown language {lang!r} (known: {', '.join(languages)})"))
            continue
        if not isinstance(items, yaml.SequenceNode):
            problems.append(Problem(str(path), line, f"under {lang!r}, list the groups with '- use: …'"))
            continue
        for item in items.value:
            group = _term_group(lang, item, path, problems)
            if group:
                groups.setdefault(lang, []).append(group)
    return groups, problems


def _term_group(lang: str, node: yaml.Node, path: Path, problems: list[Problem]) -> TermGroup | None:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(str(path), line, "each group needs 'use:' and 'not:'"))
        return None
    data = {}
    for key, value in node.value:
        if key.value not in TERM_FIELDS:
            problems.append(
                Problem(
                    str(path), key.start_mark.line + 1, f"unknown field {key.value!r} (known: {', '.join(TERM_FIELDS)})"
                )
            )
        elif isinstance(value, yaml.SequenceNode):
            data[key.value] = tuple(str(v.value).strip() for v in value.value if str(v.value).strip())
        else:
            data[key.value] = str(value.value).strip()
    use, avoid = data.get("use"), data.get("not")
    if not isinstance(use, str) or not use:
        problems.append(Problem(str(path), line, "the group needs 'use:', the agreed word"))
        return None
    if isinstance(avoid, str):
        avoid = (avoid,) if avoid else ()
    if not avoid:
        problems.append(Problem(str(path), line, f"the group for «{use}» needs 'not:', the words to replace"))
        return None
    near = data.get("except_near", ())
    return TermGroup(lang, use, avoid, str(data.get("note", "")), (near,) if isinstance(near, str) else near)


# --- reading the answers ----------------------------------------------------------------------


def readable_lines(path: Path) -> Iterable[tuple[int, str]]:
    """(line number, text) of what a user reads in a topic or check.yaml: no questions, ids or comments."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if path.suffix == ".yaml":
        for number, line in enumerate(lines, start=1):
            stripped = line.strip()
            if stripped and not stripped.startswith("#") and not stripped.startswith(_CHECK_ID_FIELDS):
                yield number, line
        return
    fences = 0
    for number, line in enumerate(lines, start=1):
        if line.strip() == "---" and fences < 2:
            fences += 1
        elif fences >= 2 or line.startswith(_READ_FIELDS):
            yield number, line


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def find_term(term: str, text: str) -> list[str]:
    """The words of ``text`` that spell ``term`` with any ending («жалдоочу» finds «жалдоочуга»)."""
    wanted = [w.casefold() for w in _words(term)]
    words = _words(text)
    found = []
    for start in range(len(words) - len(wanted) + 1):
        if all(words[start + i].casefold().startswith(w) for i, w in enumerate(wanted)):
            found.append(" ".join(words[start : start + len(wanted)]))
    return found


def _outside_brackets(text: str) -> str:
    """The line without its bracketed glosses: «жалдоочу (вербовщик)» keeps the Russian word on purpose."""
    return _BRACKETS.sub(" ", text)


def _inconsistencies(lang: str, files: list[Path], groups: list[TermGroup]) -> list[Inconsistency]:
    texts = {path: list(readable_lines(path)) for path in files}
    found: list[Inconsistency] = []
    for group in groups:
        with_agreed = {path for path, lines in texts.items() if any(find_term(group.use, text) for _, text in lines)}
        for path, lines in texts.items():
            for number, text in lines:
                if group.except_near and any(find_term(name, text) for name in group.except_near):
                    continue
                plain = _outside_brackets(text)
                for avoided in group.avoid:
                    for word in find_term(avoided, plain):
                        found.append(Inconsistency(str(path), number, word, group, len(with_agreed - {path})))
    return sorted(found, key=lambda i: (i.path, i.line, i.word))


# --- the report -------------------------------------------------------------------------------


def review(root: Path) -> Review:
    """Per language: topics not reviewed yet, and lines using a word the volunteers agreed to replace."""
    root = Path(root)
    content = load_content(root).content
    groups, problems = load_terms(root / TERMS_FILE, content.languages)
    languages = []
    for lang in content.languages:
        topics = content.topics[lang]
        files = sorted(Path(t.path) for t in topics.values())
        check = root / lang / "check.yaml"
        if check.exists():
            files.append(check)
        languages.append(
            LanguageReview(
                lang,
                len(topics),
                [t.id for t in sorted(topics.values(), key=_priority) if not t.reviewed],
                _inconsistencies(lang, files, groups.get(lang, [])),
            )
        )
    return Review(languages, problems)


def _priority(topic) -> tuple[bool, bool, str]:
    """Urgent topics first, then those that hand over to a hotline: a mistake there costs most."""
    return (not topic.urgent, not topic.hotline, topic.id)


def format_review(report: Review) -> str:
    """The review as text: per language, unreviewed topics (urgent first) and words to check."""
    lines = [str(p) for p in report.problems]
    for language in report.languages:
        lines.append("")
        lines.append(f"== {language.lang}: {len(language.unreviewed)} of {language.topics} topics not reviewed yet")
        if language.unreviewed:
            lines.append("  urgent first: " + ", ".join(language.unreviewed))
        if language.inconsistencies:
            lines.append(f"  {len(language.inconsistencies)} words to check against content/{TERMS_FILE}:")
            lines += [str(item) for item in language.inconsistencies]
        else:
            lines.append("  terms: used the agreed way everywhere")
    return "\n".join(lines).lstrip("\n")
