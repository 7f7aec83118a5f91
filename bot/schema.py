"""Read the volunteers' YAML safely and check it against a schema, in words a volunteer understands.

Volunteers edit these files in a web editor; a mistake must come back as
``file:line: what is wrong — how to fix it``, never as a traceback or
parser jargon. This module owns the three pieces every loader needs:

- :func:`read_text`: the file as UTF-8 text, or a problem naming the line
  with the bad bytes;
- :func:`parse_yaml`: YAML that refuses anchors and aliases (volunteers
  never need them, and an "alias bomb" of a few hundred bytes would take
  the check or ``/reload`` minutes), duplicate keys (the second silently
  wins otherwise) and impossible dates, and explains syntax errors on the
  line of the actual mistake;
- :class:`Schema` and :class:`Field`: known keys and their types, with the
  closest known key suggested for a misspelt one.

A loader uses them like this::

    doc = parse_yaml(path, read_text(path, problems), problems)
    if doc is not None and MY_SCHEMA.validate(doc, problems):
        ...  # doc.data is now known to have the right shape
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one file: shown as ``file:line: message``."""

    path: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{display_path(self.path)}:{self.line}: {prefix}{self.message}"


def display_path(path: str) -> str:
    """Paths relative to the working folder, as volunteers see them in their editor."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


# --- reading ------------------------------------------------------------------------------


def read_text(path: Path, problems: list[Problem]) -> str | None:
    """The file as text with Unix line ends; bytes that are not UTF-8 are reported on their line."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        problems.append(Problem(str(path), 0, f"cannot open the file: {error.strerror}"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(
            Problem(
                str(path),
                line,
                f"this line has characters that are not UTF-8 text (byte {raw[error.start]:#04x}): "
                "retype them, or save the file with the encoding UTF-8",
            )
        )
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


class YamlProblem(Exception):
    """A mistake found while reading YAML: ``line`` counts from 0 within the parsed text."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases and remembers duplicate keys."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[str, int, int]] = []  # key, first line, second line (0-based)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or (
            isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor is not None
        ):
            sign = "*" if isinstance(event, AliasEvent) else "&"
            raise YamlProblem(
                event.start_mark.line,
                f"a value here starts with '{sign}', which YAML reads as a reference to another part of "
                f"the file; references are not allowed in content files: if it is text, put it in quotes, "
                f'like "{sign}{event.anchor}"',
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                if key_node.value in seen:
                    self.duplicates.append((key_node.value, seen[key_node.value], key_node.start_mark.line))
                else:
                    seen[key_node.value] = key_node.start_mark.line
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node: ScalarNode) -> dt.date:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise YamlProblem(
                node.start_mark.line,
                f"{node.value} is not a real date: write year-month-day, like 2026-05-01",
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


@dataclass
class Document:
    """Parsed YAML with the line of every key, so problems can point at it."""

    path: Path
    data: Any
    node: Node | None
    first_line: int = 1  # the line of the file where the parsed text starts

    def line(self, *keys: str | int) -> int:
        """The line of ``keys`` (field names and list positions); the deepest found if some are missing."""
        return self.first_line + self._find(keys)[1]

    def written(self, *keys: str | int) -> str | None:
        """The value at ``keys`` exactly as the volunteer typed it (``no``, not False), if it is a plain value."""
        node, _ = self._find(keys)
        return node.value if isinstance(node, ScalarNode) else None

    def _find(self, keys: tuple[str | int, ...]) -> tuple[Node | None, int]:
        node = self.node
        line = node.start_mark.line if node is not None else 0
        for key in keys:
            if isinstance(node, MappingNode):
                pair = next(((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == str(key)), None)
                if pair is None:
                    return None, line
                line, node = pair[0].start_mark.line, pair[1]
            elif isinstance(node, SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line
            else:
                return None, line
        return node, line


def parse_yaml(path: Path, text: str | None, problems: list[Problem], first_line: int = 1) -> Document | None:
    """Parse ``text`` (which starts on ``first_line`` of ``path``); report problems, never raise."""
    if text is None:
        return None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except YamlProblem as error:
        problems.append(Problem(str(path), first_line + error.line, error.message))
        return None
    except yaml.MarkedYAMLError as error:
        line, message = explain(error, text, first_line)
        problems.append(Problem(str(path), first_line + line, message))
        return None
    except yaml.YAMLError as error:  # not marked: rare, but still one line
        problems.append(Problem(str(path), first_line, f"the file cannot be read: {error}"))
        return None
    finally:
        loader.dispose()
    if loader.duplicates:
        for key, first, second in loader.duplicates:
            problems.append(
                Problem(
                    str(path),
                    first_line + second,
                    f"`{key}` appears twice in the same block (lines {first_line + first} and "
                    f"{first_line + second}): only one of them would count — merge them into one",
                )
            )
        return None
    return Document(Path(path), data, node, first_line)


def explain(error: yaml.MarkedYAMLError, text: str, first_line: int = 1) -> tuple[int, str]:
    """(0-based line in ``text``, plain message) for a YAML syntax error, on the line of the actual mistake."""
    problem = error.problem or ""
    context = error.context or ""
    problem_line = error.problem_mark.line if error.problem_mark else 0
    context_line = error.context_mark.line if error.context_mark else problem_line
    lines = text.split("\n")

    def source(line: int) -> str:
        return lines[line] if 0 <= line < len(lines) else ""

    if "quoted scalar" in context:
        return context_line, "a quote opened on this line is never closed: add the closing quote at the end of the text"
    if "flow sequence" in context:
        return context_line, "a '[' on this line is never closed: finish the list on the same line, like [a, b]"
    if "flow mapping" in context:
        return context_line, "a '{' on this line is never closed: finish it on the same line, like {en: …, ru: …}"
    if "simple key" in context:
        return context_line, "this line needs a colon and a space after the field name, like 'title: My title'"
    if "'\\t'" in problem:
        return problem_line, "this line has a Tab character: use spaces to indent (two spaces before a dash)"
    if "alias" in context or "anchor" in context or "alias" in problem:
        return problem_line, (
            "a value here starts with '*' or '&', which YAML reads as a reference to another part of the file: "
            "if it is text, put it in quotes"
        )
    if "cannot start any token" in problem:
        return problem_line, "a text cannot start with this character (@, ` or %): put the whole text in quotes"
    if "mapping values are not allowed" in problem:
        here = source(problem_line)
        column = error.problem_mark.column if error.problem_mark else 0
        if here[:1] == " " and here.find(":") == column and not here.lstrip().startswith("- "):
            return problem_line, _indent_message(lines, problem_line, first_line)
        return problem_line, (
            "this text contains ': ' (a colon and a space), which YAML reads as a new field: "
            'put the whole text in quotes, like title: "Myth: easy money"'
        )
    if "expected <block end>" in problem:
        here = source(problem_line).lstrip()
        quoted = here[:1] in ('"', "'") or (here.startswith("- ") and here[2:3] in ('"', "'"))
        if "<scalar>" in problem and quoted:
            return problem_line, (
                "a text in quotes must end at its closing quote: put the whole text in quotes, "
                "like - 'they keep it \"for safety\"'"
            )
        return problem_line, _indent_message(lines, problem_line, first_line)
    return problem_line, f"the file cannot be read here ({problem}): check quotes, brackets and the indentation"


_KEY_LINE = re.compile(r"^(\s*)([^\s#:-][^:#]*):\s*(#.*)?$")


def _indent_message(lines: list[str], number: int, first_line: int) -> str:
    """Explain a misindented line by the block it should belong to."""
    here = lines[number] if number < len(lines) else ""
    if here.lstrip().startswith("-"):
        for above in range(number - 1, -1, -1):
            if lines[above].lstrip().startswith("- "):
                spaces = len(lines[above]) - len(lines[above].lstrip())
                under = next(
                    (m.group(2) for line in reversed(lines[:above]) if (m := _KEY_LINE.match(line))),
                    "the list",
                )
                return (
                    f"this line is indented differently from the {under} above it — "
                    f"use {spaces} spaces before the dash, as on line {first_line + above}"
                )
    for above in range(number - 1, -1, -1):
        field_above = re.match(r"^( *)[^\s#-][^:#]*:", lines[above])
        if field_above:
            spaces = len(field_above.group(1))
            where = "at the beginning of the line" if not spaces else f"after {spaces} spaces"
            return (
                f"this line is indented differently from the lines above it — "
                f"start the field {where}, as on line {first_line + above}"
            )
    return "this line is indented differently from the lines above it"


# --- schemas ------------------------------------------------------------------------------

_KIND_NAMES: dict[type, str] = {
    str: "a text",
    list: "a list (one line per item, starting with '  - ')",
    dict: "a block of 'name: value' lines",
    bool: "true or false",
    int: "a whole number",
    dt.date: "a date like 2026-05-01",
    type(None): "empty (null)",
}


def _describe(value: Any) -> str:
    """How a volunteer would name the value YAML read."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dt.date):
        return f"the date {value}"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    return "a block of fields"


def _is(value: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in kinds
    return isinstance(value, kinds)


@dataclass(frozen=True)
class Field:
    """What one key holds.

    ``kind`` is the type (or types) of the value. For a list, ``items`` is the
    type of each item, or a :class:`Schema` when each item is a block of
    fields; for a dict, ``items`` is the type of each value or a Schema for
    the dict itself. ``choices`` restricts texts (or list items) to known
    words; ``nonempty`` refuses a blank text or an empty list.
    """

    kind: type | tuple[type, ...]
    required: bool = True
    items: type | tuple[type, ...] | Schema | None = None
    choices: tuple[str, ...] = ()
    nonempty: bool = False
    meaning: str = ""  # what to write, for the message about an empty value


@dataclass(frozen=True)
class Schema:
    """The known keys of one block of ``name: value`` lines."""

    fields: dict[str, Field] = field(default_factory=dict)

    def validate(self, doc: Document, problems: list[Problem], at: tuple[str | int, ...] = ()) -> bool:
        """Report unknown, missing and mistyped keys under ``at``; True when there is no error."""
        before = len(problems)
        value = _get(doc.data, at)
        if not isinstance(value, dict):
            _report(doc, problems, at, f"{_name(at, 'this file')} must be {_KIND_NAMES[dict]}, not {_describe(value)}")
            return False
        suggested: set[str] = set()
        for key in value:
            if str(key) in self.fields:
                continue
            best = difflib.get_close_matches(str(key), [k for k in self.fields if k not in value], n=1, cutoff=0.6)
            if best:
                suggested.add(best[0])
                message = f"{_name((*at, key))}: unknown field — did you mean `{best[0]}`?"
            else:
                message = f"{_name((*at, key))}: unknown field — the known fields are: {', '.join(self.fields)}"
            _report(doc, problems, (*at, key), message)
        for key, spec in self.fields.items():
            if key not in value:
                if spec.required and key not in suggested:
                    where = f" in {_name(at, '')}" if at else ""
                    _report(doc, problems, at, f"`{key}` is missing{where}: add a line '{key}: …'")
                continue
            check_value(doc, spec, (*at, key), problems)
        return len(problems) == before


def check_value(doc: Document, spec: Field, at: tuple[str | int, ...], problems: list[Problem]) -> bool:
    """Check the value at ``at`` against ``spec``; True when there is no error."""
    before = len(problems)
    value = _get(doc.data, at)
    kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
    if not _is(value, kinds):
        expected = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds)
        hint = _hint(kinds, value, doc.written(*at))
        _report(doc, problems, at, f"{_name(at)} must be {expected}, not {_describe(value)}{hint}")
        return False
    if spec.nonempty and (not value or (isinstance(value, str) and not value.strip())):
        _report(doc, problems, at, f"{_name(at)} is empty: write {spec.meaning or 'something here'}")
    if isinstance(value, str) and spec.choices:
        _check_choice(doc, problems, at, value, spec.choices)
    if isinstance(value, list) and spec.items is not None:
        for index, item in enumerate(value):
            item_at = (*at, index)
            if isinstance(spec.items, Schema):
                spec.items.validate(doc, problems, item_at)
            elif not _is(item, spec.items if isinstance(spec.items, tuple) else (spec.items,)):
                kinds = spec.items if isinstance(spec.items, tuple) else (spec.items,)
                expected = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds)
                _report(
                    doc,
                    problems,
                    item_at,
                    f"item {index + 1} of {_name(at)} must be {expected}, not {_describe(item)}"
                    + _hint(kinds, item, doc.written(*item_at)),
                )
            elif isinstance(item, str) and spec.choices:
                _check_choice(doc, problems, item_at, item, spec.choices)
    if isinstance(value, dict) and spec.items is not None:
        if isinstance(spec.items, Schema):
            spec.items.validate(doc, problems, at)
        else:
            for key in value:
                check_value(doc, Field(spec.items), (*at, key), problems)
    return len(problems) == before


def _check_choice(doc: Document, problems: list[Problem], at: tuple, value: str, choices: tuple[str, ...]) -> None:
    if value in choices:
        return
    best = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    also = f" — did you mean `{best[0]}`?" if best else ""
    _report(doc, problems, at, f"{_name(at)}: `{value}` is not one of: {', '.join(choices)}{also}")


def _hint(kinds: tuple[type, ...], value: Any, written: str | None) -> str:
    if str in kinds and isinstance(value, bool | int | float | dt.date):
        return f': put it in quotes, like "{written if written is not None else value}"'
    if str in kinds and isinstance(value, dict):
        return ": the text has ': ' (a colon and a space) in it — put the whole text in quotes"
    if list in kinds and isinstance(value, str):
        return ": write each item on its own line starting with '  - '"
    if bool in kinds and isinstance(value, str):
        return ": write true or false"
    return ""


def _get(data: Any, at: tuple[str | int, ...]) -> Any:
    for key in at:
        data = data[key]
    return data


def _name(at: tuple[str | int, ...], default: str = "this value") -> str:
    keys = [str(k) for k in at if not isinstance(k, int)]
    return f"`{' → '.join(keys)}`" if keys else default


def _report(doc: Document, problems: list[Problem], at: tuple[str | int, ...], message: str) -> None:
    problems.append(Problem(str(doc.path), doc.line(*at), message))
