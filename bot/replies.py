"""What a conversation step returns, as plain data: the adapters render it.

Kept apart from the dialogue so every feature module can build replies
without importing the dialogue itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.hotlines import Contact
from bot.i18n import N_ as N_  # re-exported: feature modules mark their strings with it


@dataclass(frozen=True)
class Button:
    """An inline button: its label and the callback data it sends back (see ``bot.wire``)."""

    label: str
    data: str


@dataclass(frozen=True)
class Message:
    """One message to send: HTML text, inline buttons, contact cards, and the persistent menu if any."""

    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    contacts: tuple[Contact, ...] = ()
    menu: tuple[str, ...] = ()  # persistent menu labels to show, if any


@dataclass
class UserState:
    """What the bot remembers about a person: their language and countries, nothing that names them."""

    lang: str | None = None
    home: str | None = None  # citizenship
    current: str | None = None  # where the person is now
    asking: str | None = None  # "home", "current" or "going" while onboarding; "person" before a hand-off
    stage: str | None = None  # "before", "abroad" or "returned", when the person chose one
    going: str | None = None  # where a person still at home plans to go, if they said
    card_shown: float = 0.0  # when the full hotline card was last shown (kept in memory only)
    last_question: str | None = None  # to answer again after a language switch (kept in memory only)
    checking: str | None = None  # the /check answers so far while a check is open, for typed answers (memory only)
    voted: tuple[str, ...] = ()  # topics already rated in this conversation: one vote per answer (memory only)
    private: bool = True  # a private chat; in a group nothing personal is shown (set by the adapter, never kept)

    @property
    def at_home(self) -> bool:
        """True when the person is in their own country."""
        return bool(self.home and self.current == self.home)

    @property
    def country_of_interest(self) -> str | None:
        """The country a question that names none is about: where the person plans to go while still at
        home, else where they are now."""
        return self.going if self.going and (self.at_home or not self.current) else self.current

    @property
    def knows_countries(self) -> bool:
        """True once both citizenship and where they are now are known."""
        return bool(self.home and self.current)


@dataclass(frozen=True)
class Event:
    """Telemetry for the usage log: best-effort, batched, may be dropped. Never a promise to a person."""

    kind: str  # an EventKind
    data: dict = field(default_factory=dict)


# --- effects: what must happen, performed by the adapter, durably, and reported on ------------


@dataclass(frozen=True)
class Effect:
    """Something the person was promised. The adapter performs it before replying and sends
    ``done`` or ``failed`` depending on whether it really happened: never "erased" when it was not."""

    done: tuple[Message, ...] = ()
    failed: tuple[Message, ...] = ()


@dataclass(frozen=True)
class Erase(Effect):
    """Erase everything stored about the person: settings, events, cases, subscription."""


@dataclass(frozen=True)
class EraseChat(Effect):
    """Quick exit: delete the chat's messages where Telegram allows it, remove the menu, then erase."""


@dataclass(frozen=True)
class Subscribe(Effect):
    """Subscribe the person to the weekly myth in ``lang``."""

    lang: str = "en"


@dataclass(frozen=True)
class Unsubscribe(Effect):
    """Stop the weekly messages for the person."""

    pass


@dataclass(frozen=True)
class OpenCase(Effect):
    """Pass a question to the operators under a new case number; ``{case}`` in ``done`` is filled in."""

    text: str = ""
    urgent: bool = False


@dataclass
class Turn:
    """One step of the conversation: what to say, the new state, what must happen, what to log."""

    messages: list[Message]
    state: UserState
    events: list[Event] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    def add(self, *messages: Message) -> Turn:
        """Append messages and return the turn, so replies can be chained."""
        self.messages.extend(messages)
        return self

    def effect(self, kind: type[Effect]) -> Effect | None:
        """The first effect of this kind, if the turn has one."""
        return next((e for e in self.effects if isinstance(e, kind)), None)

    @property
    def quick_exit(self) -> bool:
        """True when the turn asks for the quick exit (the chat deleted, then everything erased)."""
        return self.effect(EraseChat) is not None


@dataclass(frozen=True)
class ShareCard:
    """A topic card to send to a friend from any chat (inline mode)."""

    topic_id: str
    title: str
    description: str
    html: str
    payload: str  # the deep-link payload that opens this topic in this language
