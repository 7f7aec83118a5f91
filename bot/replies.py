"""What a conversation step returns, as plain data: the adapters render it.

Kept apart from the dialogue so every feature module can build replies
without importing the dialogue itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.hotlines import Contact


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Message:
    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    contacts: tuple[Contact, ...] = ()
    menu: tuple[str, ...] = ()  # persistent menu labels to show, if any


@dataclass
class UserState:
    lang: str | None = None
    home: str | None = None
    current: str | None = None
    asking: str | None = None  # "home" or "current" while onboarding
    stage: str | None = None  # "before", "abroad" or "returned", when the person chose one

    @property
    def knows_countries(self) -> bool:
        return bool(self.home and self.current)


@dataclass(frozen=True)
class Event:
    kind: str
    data: dict = field(default_factory=dict)


@dataclass
class Turn:
    messages: list[Message]
    state: UserState
    events: list[Event] = field(default_factory=list)
    quick_exit: bool = False  # the adapter deletes this chat's messages where it can

    def add(self, *messages: Message) -> Turn:
        self.messages.extend(messages)
        return self


@dataclass(frozen=True)
class ShareCard:
    """A topic card to send to a friend from any chat (inline mode)."""

    topic_id: str
    title: str
    description: str
    html: str
    payload: str  # the deep-link payload that opens this topic in this language
