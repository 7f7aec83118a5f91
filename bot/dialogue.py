"""The conversation, as plain data in and plain data out: no Telegram here.

The Telegram handlers and the terminal chat are thin adapters over
:class:`Dialogue`: they turn what the person did into a call here and send
back the :class:`Message` list of the :class:`Turn`, after performing its
effects. The dialogue itself is only a router: each feature lives in its
own module under :mod:`bot.features`, reached through one registry.
"""

from __future__ import annotations

from dataclasses import replace

from bot import wire
from bot.content import Content
from bot.features import BUTTONS, COMMANDS, Command, answers, hotline, job_check, person, settings, ui, weekly
from bot.features.answers import describe_decision, share_cards
from bot.i18n import Gettext, I18n, use_country_names
from bot.matching import Matcher
from bot.normalize import skeleton
from bot.replies import Button, Event, Message, Turn, UserState

#: Words a first message needs before its language is trusted as the person's ("ok" tells nothing).
FIRST_MESSAGE_WORDS = 2
#: Before a language is picked (only /start so far), a message of this many words in another language the bot
#: speaks moves the conversation to it (the language set at /start was Telegram's guess); after that, it is offered.
SWITCH_BEFORE_SETUP_WORDS = 3

__all__ = ["Button", "Dialogue", "Event", "Message", "Turn", "UserState", "describe_decision", "share_cards"]


class Dialogue:
    """Routes what a person did to the feature that handles it; built over one content version."""

    def __init__(self, content: Content, matcher: Matcher, i18n: I18n, *, can_talk: bool = False):
        """``can_talk``: an operators' chat is configured, so a person can ask for a person."""
        self.content = content
        self.matcher = matcher
        self.i18n = i18n
        self.can_talk = can_talk
        use_country_names(content.country_names)
        self._by_name = {name: c for c in self.commands() for name in (c.name, *c.aliases)}
        self._by_label = {
            i18n.gettext(lang)(c.label): c for lang in i18n.languages for c in self.menu_commands() if c.label
        }
        # The same labels typed by hand, without their emoji or capitals ("язык", "hotline", "Emergency").
        self._by_typed_label = {skeleton(label): c for label, c in self._by_label.items() if skeleton(label)}

    # --- the registry, as this bot offers it ---------------------------------------------------

    def commands(self) -> tuple[Command, ...]:
        """The commands this bot offers (talking to a person only with an operators' chat)."""
        return tuple(c for c in COMMANDS if self.can_talk or not c.needs_operators)

    def menu_commands(self) -> tuple[Command, ...]:
        """The commands that have a button in the persistent menu."""
        return tuple(c for c in self.commands() if c.label)

    # --- entry points ----------------------------------------------------------------------

    def start(self, state: UserState, payload: str | None, telegram_lang: str | None) -> Turn:
        """/start, with an optional deep-link payload like ``ky-trouble-passport-taken-src-osh2026``."""
        return settings.start(self, state, payload, telegram_lang)

    def command(self, state: UserState, name: str, arg: str = "") -> Turn:
        """A /command, or a menu button that runs one; an unknown one gets the list of what exists."""
        state = self.ensure_lang(state)
        command = self._by_name.get(name)
        if command is not None:
            return command.run(self, state, arg)
        _ = self.gettext(state)
        text = _("I don't know this command. Here is what I can do:")
        return Turn([ui.say(text)], state).add(*self.command(state, "help").messages)

    def text(self, state: UserState, text: str) -> Turn:
        """Free text: a persistent-menu label, the message for a volunteer, or a question.

        Someone who writes before choosing a language (no /start, or after a quick exit), or before answering the
        first questions, is answered in the language they wrote in, when the bot speaks it: a cry in Uzbek gets
        the card in Uzbek.
        """
        words = len(text.split())
        unset = state.lang not in self.i18n.languages
        guessed = not state.home and not state.asking  # no language picked, no question answered yet
        if (unset and words >= FIRST_MESSAGE_WORDS) or (guessed and words >= SWITCH_BEFORE_SETUP_WORDS):
            # Before the first questions are answered the language is only Telegram's guess: the words win.
            written = self.matcher.langid.identify(text, default=None if unset else state.lang)
            if written in self.i18n.languages:
                state = replace(state, lang=written)
        state = self.ensure_lang(state)
        command = self._by_label.get(text.strip()) or self._by_typed_label.get(skeleton(text))
        if command is not None:
            return command.run(self, state, "")
        if state.asking == "person" and self.can_talk:
            return person.hand_off(self, state, text)
        typed = job_check.typed(self, state, text) or settings.typed_country(self, state, text)  # typed, not tapped
        if typed is not None:
            return typed
        return answers.answer(self, state, text)

    def button(self, state: UserState, data: str) -> Turn:
        """A pressed button; anything this bot did not make gets the help, and nothing is logged."""
        state = self.ensure_lang(state)
        payload = wire.decode(data)
        handler = BUTTONS.get(type(payload)) if payload is not None else None
        if handler is None:
            return self.command(state, "help")
        return handler(self, state, payload)

    def location(self, state: UserState, country: str | None) -> Turn:
        """A shared location, as the country it is in (the adapter never passes the coordinates on)."""
        return hotline.located(self, self.ensure_lang(state), country)

    def not_text(self, state: UserState) -> Turn:
        """A voice note, sticker or anything else without words."""
        return hotline.not_text(self, self.ensure_lang(state))

    # --- for the adapters -------------------------------------------------------------------

    def gettext(self, state: UserState) -> Gettext:
        """The translation function for the person's language (the default until they chose one)."""
        return ui.gettext(self, state)

    def ensure_lang(self, state: UserState) -> UserState:
        """The state with a language the bot has: an unknown or unset one becomes the default."""
        return state if state.lang in self.i18n.languages else replace(state, lang=self.i18n.default)

    def menu_labels(self, state: UserState) -> tuple[str, ...]:
        """The persistent menu's labels in the person's language, for the adapter's keyboard."""
        return ui.menu_labels(self, state)

    def parse_payload(self, payload: str | None) -> tuple[str | None, str | None, str | None]:
        """(language, topic id, campaign tag) from a /start deep link; an unknown language or topic is None."""
        return settings.parse_payload(self, payload)

    def weekly_myth(self, lang: str, week: int) -> str | None:
        """The weekly broadcast's HTML for ``lang`` and week number, or None when there is no myth to send."""
        return weekly.weekly_myth(self, lang, week)

    def choose_language(self, state: UserState) -> Turn:
        """Offer the language buttons, the current one ticked."""
        return settings.choose_language(self, state)

    def browse(self, state: UserState) -> Turn:
        """The topic menu for the person's stage, with the state unchanged."""
        return Turn(ui.browse(self, state), state)
