"""Screens and pieces that several features show: pickers, the topic card, the hotline and emergency cards.

Functions take the :class:`~bot.dialogue.Dialogue` (content, matcher,
languages) and the person's state, and return plain :class:`Message` data.
"""

from __future__ import annotations

import html
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from bot import hotlines, wire
from bot.hotlines import OTHER, PICKER_COUNTRIES
from bot.i18n import Gettext, country_name
from bot.replies import N_, Button, Message, UserState

if TYPE_CHECKING:
    from bot.dialogue import Dialogue

STAGES = ("before", "abroad", "returned")
#: Which categories come first at each stage of the journey.
STAGE_ORDER = {
    "before": ("prepare", "myth", "work", "about", "help", "trouble", "bot"),
    "abroad": ("trouble", "help", "work", "myth", "about", "prepare", "bot"),
    "returned": ("help", "myth", "about", "trouble", "prepare", "work", "bot"),
}
STAGE_LABELS = {
    # TRANSLATORS: where the person is in their journey; three short buttons in one row.
    "before": N_("🧳 Going"),
    "abroad": N_("🌍 Abroad"),
    "returned": N_("🏠 Back home"),
}
CATEGORY_LABELS = {
    "myth": N_("Myths and realities"),
    "prepare": N_("Before you go"),
    "work": N_("Working legally abroad"),
    "trouble": N_("Trouble abroad"),
    "help": N_("Help and rights"),
    "about": N_("About trafficking"),
    "bot": N_("About this bot"),
}
QUICK_EXIT = N_("🚪 Quick exit")
#: After this long without the full hotline card, an answer shows it again instead of the one-line reminder.
CONVERSATION_SECONDS = 6 * 3600


def gettext(d: Dialogue, state: UserState) -> Gettext:
    """The translation function for the person's language, or the default one."""
    return d.i18n.gettext(state.lang or d.i18n.default)


def lang(d: Dialogue, state: UserState) -> str:
    """The person's language, or the bot's default while they have none."""
    return state.lang or d.i18n.default


def say(text: str, *buttons: tuple[Button, ...], menu: tuple[str, ...] = ()) -> Message:
    """A plain-text message (escaped for Telegram's HTML), with optional button rows."""
    return Message(html.escape(text), tuple(buttons), menu=menu)


def menu_labels(d: Dialogue, state: UserState) -> tuple[str, ...]:
    """The persistent menu, in the person's language."""
    _ = gettext(d, state)
    return tuple(_(command.label) for command in d.menu_commands())


def title(d: Dialogue, state: UserState, topic_id: str) -> str:
    """A topic's title in the person's language; the id itself if the topic is missing there."""
    topic = d.content.topic(topic_id, lang(d, state))
    return topic.title if topic else topic_id


def ordered_languages(d: Dialogue) -> list[str]:
    """The bot's languages, those of the people it serves first (ky, tg, ru, en), the rest after."""
    preferred = [code for code in ("ky", "tg", "ru", "en") if code in d.i18n.languages]
    return preferred + [code for code in d.i18n.languages if code not in preferred]


def language_buttons(d: Dialogue, selected: str | None) -> tuple[tuple[Button, ...], ...]:
    """One button per language, named in itself, two to a row; ``selected`` gets a tick."""
    buttons = [
        Button(("✓ " if code == selected else "") + d.i18n.language_name(code), wire.PickLanguage(code).encode())
        for code in ordered_languages(d)
    ]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def country_buttons(d: Dialogue, state: UserState, which: str) -> tuple[tuple[Button, ...], ...]:
    """A country picker; ``which``: "home" (citizenship), "current" (where now), "going", or "emergency"."""
    _ = gettext(d, state)
    name = lambda code: country_name(code, lang(d, state))  # noqa: E731
    buttons: list[Button] = []
    codes = list(PICKER_COUNTRIES)
    if which == "current" and state.home in PICKER_COUNTRIES:  # most people are at home, or went abroad
        buttons.append(Button("🏠 " + name(state.home), wire.PickCurrent(state.home).encode()))
        codes.remove(state.home)
    if which == "going":
        codes = [code for code in codes if code != state.home]
    pick = {"home": wire.PickHome, "emergency": wire.EmergencyHere, "going": wire.PickGoing}.get(
        which, wire.PickCurrent
    )
    buttons += [Button(name(code), pick(code).encode()) for code in codes]
    buttons.append(Button(_("Other country"), pick(OTHER).encode()))
    if which == "going":
        buttons.append(Button(_("Not decided yet"), wire.PickGoing("none").encode()))
        buttons.append(Button(_("I came back home"), wire.PickGoing("back").encode()))
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def ask_country(d: Dialogue, state: UserState, which: str) -> list[Message]:
    """Ask one of the onboarding questions: citizenship, where the person is now, where they are going."""
    _ = gettext(d, state)
    state.asking = which
    questions = {
        "home": _("Which country are you a citizen of?"),
        "current": _("Where are you now?"),
        "going": _("Are you planning to go abroad to work? Where to?"),
    }
    return [Message(html.escape(questions[which]), country_buttons(d, state, which))]


def stage(state: UserState) -> str:
    """Where the person is in the journey: their choice, else what their countries say."""
    if state.stage in STAGES:
        return state.stage
    abroad = state.home and state.current and state.current != state.home
    return "abroad" if abroad else "before"


def browse(d: Dialogue, state: UserState) -> list[Message]:
    """The topic menu: the stage buttons, then the categories in the order that fits the stage."""
    _ = gettext(d, state)
    present = {t.category for t in d.content.all_topics()}
    current = stage(state)
    stages = tuple(
        Button(("✓ " if key == current else "") + _(STAGE_LABELS[key]), wire.PickStage(key).encode()) for key in STAGES
    )
    categories = tuple(
        (Button(_(CATEGORY_LABELS[c]), wire.ShowCategory(c).encode()),) for c in STAGE_ORDER[current] if c in present
    )
    return [Message(html.escape(_("Choose a topic:")), (stages, *categories))]


def topic_messages(
    d: Dialogue,
    state: UserState,
    topic_id: str,
    feedback: bool = False,
    hotline: bool = True,
    reminder: bool = True,
    also: tuple[str, ...] = (),
) -> list[Message]:
    """A topic's answer with related topics (and 👍/👎), then the hotline card if the topic asks for it.

    ``reminder=False``: the emergency number is already above the answer, so only a full card that is due follows.
    ``also``: topics the question pointed to besides this one (the country it names), offered first.
    """
    topic = d.content.topic(topic_id, lang(d, state))
    _ = gettext(d, state)
    if topic is None:
        return no_match(d, state)
    offered = [rid for rid in dict.fromkeys((*also, *topic.related)) if rid in d.content.topic_ids and rid != topic.id]
    buttons = [(Button("↪ " + title(d, state, rid), wire.ShowTopic(rid).encode()),) for rid in offered][:4]
    if feedback:
        buttons.append(
            (
                Button(_("👍 Helpful"), wire.Vote(topic.id, True).encode()),
                Button(_("👎 Not helpful"), wire.Vote(topic.id, False).encode()),
            )
        )
    messages = [
        Message(f"<b>{html.escape(topic.title)}</b>\n\n{topic.answer_html}", tuple(buttons), menu=menu_labels(d, state))
    ]
    if topic.hotline and hotline:
        messages += help_reminder(d, state) if reminder else [m for m in help_reminder(d, state) if m.contacts]
    return messages


def card(d: Dialogue, state: UserState, heading: str | None = None) -> hotlines.Card:
    """The hotline card for the person's countries (the generic one while it is unknown where they are now, and
    in a group, where the numbers would tell everyone where the person is from and where they are)."""
    _ = gettext(d, state)
    if not state.private or not state.current:
        return hotlines.generic_card(d.content, lang(d, state), _, heading)
    return hotlines.card_for(d.content, state.home, state.current, state.going, lang(d, state), _, heading)


def routing(d: Dialogue, state: UserState) -> hotlines.Routing:
    """The hotlines for the person's countries as they stand in ``state``."""
    return hotlines.route(d.content, state.home, state.current, state.going)


def card_message(d: Dialogue, state: UserState, heading: str | None = None, prefix: str = "") -> Message:
    """The full card as one message with its tap-to-call contacts and the "sources" button."""
    _ = gettext(d, state)
    shown = card(d, state, heading)
    state.card_shown = time.time()
    buttons = ((Button(_(hotlines.SOURCES_BUTTON), wire.ShowSources().encode()),),)
    return Message(prefix + shown.html, buttons, contacts=shown.contacts)


def hotline_messages(d: Dialogue, state: UserState, heading: str | None = None) -> list[Message]:
    """The hotline card for the person's countries, or the question that lets us choose it."""
    _ = gettext(d, state)
    if not state.home and not state.current and state.private:
        text = _("To give you the right phone numbers, tell me your citizenship and where you are: /country")
        return [say(text, (Button(_("Choose countries"), wire.RunCommand("country").encode()),))]
    if not state.current and state.private:  # the citizenship alone does not say which numbers can be dialled
        return [where_now(d, state, heading)]
    return [card_message(d, state, heading)]


def help_reminder(d: Dialogue, state: UserState) -> list[Message]:
    """Under an answer: the full card once per conversation, then one line and a button to open it."""
    if not state.current or not state.private:
        return hotline_messages(d, state)
    if time.time() - state.card_shown > CONVERSATION_SECONDS:
        return hotline_messages(d, state)
    _ = gettext(d, state)
    line = hotlines.one_line(routing(d, state), lang(d, state), _)
    return [Message(line, ((Button(_(hotlines.HELP_BUTTON), wire.RunCommand("hotline").encode()),),))]


def danger_line(d: Dialogue, state: UserState) -> Message:
    """Possible danger: one line at the top of the answer, the emergency number here and the 🆘 button."""
    _ = gettext(d, state)
    if state.current and state.private:
        line = hotlines.one_line(routing(d, state), lang(d, state), _)
    else:
        line = "🆘 " + html.escape(_("If you are in danger now, tap below for the emergency numbers."))
    return Message(line, ((Button(_("🆘 Emergency"), wire.RunCommand("sos").encode()),),))


def emergency_messages(d: Dialogue, state: UserState) -> list[Message]:
    """The emergency card: what to do first, the numbers for where the person is, a quick exit."""
    _ = gettext(d, state)
    safety = _(
        "If you are in danger now, call the emergency number first. If you cannot talk, "
        "send your location and address to someone you trust. If someone may check your "
        "phone, delete this chat afterwards."
    )
    exit_row = (Button(_(QUICK_EXIT), wire.QuickExit().encode()),)
    if state.current and state.private:
        message = card_message(d, state, _("Emergency: get help now"), prefix=f"🆘 {html.escape(safety)}\n\n")
        return [replace(message, buttons=(*message.buttons, exit_row))]
    return [where_now(d, state, _("Emergency: get help now"), f"🆘 {html.escape(safety)}\n\n", (exit_row,))]


def where_now(
    d: Dialogue, state: UserState, heading: str | None, prefix: str = "", extra: tuple[tuple[Button, ...], ...] = ()
) -> Message:
    """While it is not known where the person is now (even if their citizenship is): every country's emergency
    number, and the countries to tap — a tap shows that country's card at once (never a guess of "abroad")."""
    _ = gettext(d, state)
    shown = hotlines.generic_card(d.content, lang(d, state), _, heading)
    where = _("Tell me where you are, and I will show the local hotline:")
    return Message(
        f"{prefix}{shown.html}\n\n{html.escape(where)}",
        (*country_buttons(d, state, "emergency"), *extra),
        contacts=shown.contacts,
    )


def no_match(d: Dialogue, state: UserState, apologise: bool = True) -> list[Message]:
    """An honest "I don't know yet", the topics, and the hotline."""
    _ = gettext(d, state)
    messages = []
    if apologise:
        text = _(
            "Sorry, I don't have an answer to that yet. I have passed the question on (without "
            "your name) so that volunteers can add it. You can choose a topic below, or talk to "
            "a person on the hotline."
        )
        messages.append(say(text, menu=menu_labels(d, state)))
    messages += browse(d, state)
    if state.home or state.current:
        messages += hotline_messages(d, state)
    return messages
