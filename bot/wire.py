"""Every string Safar puts on the wire, as types: button payloads, event kinds, small-talk ids.

A button's ``callback_data`` comes back from Telegram as whatever the
client sends, so it is untrusted input. Nothing outside this module builds
or parses those strings: a payload is a dataclass with ``encode()``, and
:func:`decode` turns data back into one, or into ``None`` when it is not a
payload this bot could have made (unknown kind, wrong shape, over
Telegram's 64-byte limit). Whether a topic or language still exists is
checked by the feature that handles the payload, before anything is logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import ClassVar

#: Telegram refuses callback data longer than this (in bytes).
CALLBACK_LIMIT = 64
_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,59}$")
_COUNTRY = re.compile(r"^(?:[A-Z]{2}|other)$")
_LANG = re.compile(r"^[a-z]{2,3}$")


class EventKind(StrEnum):
    """What the usage log may record: best-effort telemetry, never a promise to a person."""

    START = "start"
    QUESTION = "question"
    EMERGENCY = "emergency"
    SUGGESTION_PICKED = "suggestion_picked"
    SUGGESTION_REJECTED = "suggestion_rejected"
    FEEDBACK = "feedback"
    JOB_CHECK = "job_check"
    HOTLINE_SHOWN = "hotline_shown"
    SETTINGS = "settings"
    SHARE = "share"
    HANDOFF = "handoff"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    DELETE = "delete"


# --- small talk ------------------------------------------------------------------------------

SMALLTALK_PREFIX = "~"  # topic ids cannot start with it, so the two never collide
#: A message without a single letter ("1", "🙂", "?"): no question to answer, and no gap in the FAQ.
NO_WORDS = "no_words"


def smalltalk_id(intent: str) -> str:
    """The pseudo-topic id under which a small-talk intent is ranked with the topics."""
    return f"{SMALLTALK_PREFIX}{intent}"


def smalltalk_intent(topic_id: str) -> str | None:
    """The intent behind a pseudo-topic id, or None for a real topic."""
    return topic_id[len(SMALLTALK_PREFIX) :] if topic_id.startswith(SMALLTALK_PREFIX) else None


# --- button payloads -------------------------------------------------------------------------


Rules = dict[str, re.Pattern | tuple[str, ...]]


class Payload:
    """A button's callback data; subclasses are frozen dataclasses whose fields are strings or bools."""

    kind: ClassVar[str]
    #: Field name -> the values it may take (a regex, or a tuple of allowed strings).
    rules: ClassVar[Rules] = {}

    def encode(self) -> str:
        """The callback data; raises ValueError for anything Telegram would refuse or we could not decode."""
        parts = [self.kind]
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            parts.append(("1" if value else "0") if isinstance(value, bool) else str(value))
        data = ":".join(parts)
        if len(data.encode()) > CALLBACK_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {data!r}")
        if decode(data) != self:
            raise ValueError(f"not a valid {type(self).__name__} payload: {data!r}")
        return data

    @classmethod
    def _from_parts(cls, parts: list[str]) -> Payload | None:
        names = [f for f in fields(cls)]  # type: ignore[arg-type]
        if len(parts) != len(names):
            return None
        values = {}
        for f, raw in zip(names, parts, strict=True):
            if f.type in ("bool", bool):
                if raw not in ("0", "1"):
                    return None
                values[f.name] = raw == "1"
                continue
            rule = cls.rules.get(f.name, _VALUE)
            if isinstance(rule, tuple) and raw not in rule:
                return None
            if isinstance(rule, re.Pattern) and not rule.match(raw):
                return None
            values[f.name] = raw
        return cls(**values)


_KINDS: dict[str, type[Payload]] = {}


def _payload(cls: type[Payload]) -> type[Payload]:
    assert cls.kind not in _KINDS, cls.kind
    _KINDS[cls.kind] = cls
    return cls


@_payload
@dataclass(frozen=True)
class PickLanguage(Payload):
    """A language chosen from the language buttons."""

    kind = "lang"
    rules: ClassVar[Rules] = {"lang": _LANG}
    lang: str


@_payload
@dataclass(frozen=True)
class SwitchLanguage(Payload):
    """Accept the offer to continue in the language the person wrote in."""

    kind = "sw"
    rules: ClassVar[Rules] = {"lang": _LANG}
    lang: str


@_payload
@dataclass(frozen=True)
class PickHome(Payload):
    """The person's citizenship, from the onboarding buttons."""

    kind = "home"
    rules: ClassVar[Rules] = {"country": _COUNTRY}
    country: str


@_payload
@dataclass(frozen=True)
class PickCurrent(Payload):
    """The country the person is in now, from the onboarding buttons."""

    kind = "cur"
    rules: ClassVar[Rules] = {"country": _COUNTRY}
    country: str


@_payload
@dataclass(frozen=True)
class PickGoing(Payload):
    """Where a person still at home plans to go; "none" = not decided, "back" = came back home."""

    kind = "go"
    rules: ClassVar[Rules] = {"country": re.compile(r"^(?:[A-Z]{2}|other|none|back)$")}
    country: str


@_payload
@dataclass(frozen=True)
class EmergencyHere(Payload):
    """A country pressed under the emergency card: that country's card at once, questions after."""

    kind = "sos"
    rules: ClassVar[Rules] = {"country": _COUNTRY}
    country: str


@_payload
@dataclass(frozen=True)
class ShowSources(Payload):
    """Where the numbers on the person's hotline card come from: one tap away, never in the card."""

    kind = "src"


@_payload
@dataclass(frozen=True)
class ShowTopic(Payload):
    """Show a topic; an id the content no longer has gets the topic list."""

    kind = "t"
    topic: str


@_payload
@dataclass(frozen=True)
class PickSuggestion(Payload):
    """A topic chosen from "did you mean": logged, so the matcher can learn where it fell short."""

    kind = "s"
    topic: str


@_payload
@dataclass(frozen=True)
class NoneOfThese(Payload):
    """None of the suggested topics fitted: logged as a rejected suggestion."""

    kind = "none"


@_payload
@dataclass(frozen=True)
class Vote(Payload):
    """👍/👎 under an answer."""

    kind = "fb"
    topic: str
    helpful: bool


@_payload
@dataclass(frozen=True)
class ShowCategory(Payload):
    """Open a category of the topic menu."""

    kind = "cat"
    category: str


@_payload
@dataclass(frozen=True)
class RunCommand(Payload):
    """A button that does what a command does (``menu:hotline`` = /hotline)."""

    kind = "menu"
    command: str


@_payload
@dataclass(frozen=True)
class CheckAnswers(Payload):
    """The /check answers so far travel in the button, so nothing about the offer is stored."""

    kind = "chk"
    rules: ClassVar[Rules] = {"answers": re.compile(r"^[ynu]{0,20}$")}  # yes, no, not sure
    answers: str


@_payload
@dataclass(frozen=True)
class QuickExit(Payload):
    """The quick-exit button: the same as /exit."""

    kind = "exit"


@_payload
@dataclass(frozen=True)
class PickStage(Payload):
    """The stage the person is at (before, abroad, returned), which orders the topic menu."""

    kind = "stage"
    rules: ClassVar[Rules] = {"stage": ("before", "abroad", "returned")}
    stage: str


@_payload
@dataclass(frozen=True)
class ConfirmDelete(Payload):
    """The answer to "erase everything?": only "yes" erases."""

    kind = "del"
    rules: ClassVar[Rules] = {"answer": ("yes", "no")}
    answer: str


def decode(data: str | None) -> Payload | None:
    """The payload behind callback data, or None for anything this bot did not make."""
    if not data or len(data.encode()) > CALLBACK_LIMIT:
        return None
    kind, *parts = data.split(":")
    cls = _KINDS.get(kind)
    if cls is None:
        return None
    if not parts and not fields(cls):  # type: ignore[arg-type]
        return cls()
    return cls._from_parts(parts)


def longest_topic_id() -> int:
    """How long a topic id may be so that every button carrying it fits Telegram's limit."""
    return CALLBACK_LIMIT - len(Vote("x", True).encode()) + 1
