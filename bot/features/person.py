"""Talk to a person: the next message goes to the operators' chat under a case number."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.features import ui
from bot.features.weekly import PRIVATE_ONLY
from bot.replies import Event, OpenCase, Turn, UserState
from bot.wire import EventKind

if TYPE_CHECKING:
    from bot.dialogue import Dialogue

CASE_TEXT_LIMIT = 3000


def ask_for_person(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """Offer a volunteer; the next message goes to the operators' chat."""
    if not d.can_talk:
        return d.command(state, "help")
    _ = ui.gettext(d, state)
    if not state.private:  # a volunteer's answer must not land in a group
        return Turn([ui.say(_(PRIVATE_ONLY))], state)
    text = _(
        "Write your question in one message. A volunteer will answer here, in this chat. "
        "They will not see your name or username; do not write your name or phone number. "
        "If you are in danger now, call the emergency number: /sos"
    )
    return Turn([ui.say(text)], replace(state, asking="person"))


def hand_off(d: Dialogue, state: UserState, text: str) -> Turn:
    """Pass the message to a person; an emergency card comes first if the message needs one."""
    decision = d.matcher.decide(text, state.lang)
    state = replace(state, asking=None)
    turn = Turn([], state)
    if decision.emergency:
        turn.events.append(Event(EventKind.EMERGENCY, {"lang": decision.lang}))
        turn.add(*ui.emergency_messages(d, state))
    turn.events.append(Event(EventKind.HANDOFF, {"urgent": decision.emergency}))
    _ = ui.gettext(d, state)
    menu = ui.menu_labels(d, state)
    # TRANSLATORS: {case} is filled in by the bot, keep it as it is.
    sent = _("Sent to a volunteer as case #{case}. The answer will come here.")
    failed = _(
        "Sorry, I could not pass your message to a volunteer right now. Please try again in a few minutes. "
        "If you are in danger, call the emergency number: /sos"
    )
    turn.effects.append(
        OpenCase(
            done=(ui.say(sent, menu=menu),),
            failed=(ui.say(failed, menu=menu),),
            text=text[:CASE_TEXT_LIMIT],
            urgent=decision.emergency,
        )
    )
    return turn
