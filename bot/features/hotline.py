"""Hotline and SOS: the numbers for where the person comes from and where they are."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot import hotlines, wire
from bot.features import ui
from bot.hotlines import OTHER, PICKER_COUNTRIES
from bot.replies import Button, Event, Message, Turn, UserState
from bot.wire import EventKind

if TYPE_CHECKING:
    from bot.dialogue import Dialogue


def hotline(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """/hotline: the card for the person's countries."""
    turn = Turn(ui.hotline_messages(d, state), state)
    if state.home or state.current:
        turn.events.append(shown(d, state))
    return turn


def sos(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """/sos: the emergency card, whatever the person was doing."""
    turn = Turn(ui.emergency_messages(d, state), state, [Event(EventKind.EMERGENCY, {"command": True})])
    if state.home or state.current:
        turn.events.append(shown(d, state))
    return turn


def sources(d: Dialogue, state: UserState, payload: wire.ShowSources) -> Turn:
    """Where the card's numbers come from: public names and dates, in the person's language."""
    _ = ui.gettext(d, state)
    return Turn([Message(hotlines.sources(ui.routing(d, state), ui.lang(d, state), _))], state)


def shown(d: Dialogue, state: UserState) -> Event:
    """The log event for a hand-off: which lines were offered, for whom (countries only)."""
    numbers = [item.hotline.id for item in ui.routing(d, state).listings]
    return Event(EventKind.HOTLINE_SHOWN, {"home": state.home, "current": state.current, "numbers": numbers})


def emergency_here(d: Dialogue, state: UserState, payload: wire.EmergencyHere) -> Turn:
    """A country pressed under the emergency card: keep the promise, that country's card comes first."""
    return _card_for(d, state, payload.country)


def located(d: Dialogue, state: UserState, country: str | None) -> Turn:
    """A shared location, already turned into a country by the adapter (the coordinates are not kept)."""
    code = country if country in PICKER_COUNTRIES else OTHER
    return _card_for(d, state, code)


def _card_for(d: Dialogue, state: UserState, country: str) -> Turn:
    if country != OTHER and country not in PICKER_COUNTRIES:
        return sos(d, state)
    state = replace(state, current=country, asking=None)
    turn = Turn(ui.emergency_messages(d, state), state, [Event(EventKind.SETTINGS, {"current": country})])
    turn.events.append(shown(d, state))
    if not state.home:  # the home country's consulate lines need the citizenship: ask, after the numbers
        turn.add(*ui.ask_country(d, turn.state, "home"))
    return turn


def not_text(d: Dialogue, state: UserState) -> Turn:
    """A voice note, sticker or video note: say what works instead, with the emergency and hotline buttons."""
    _ = ui.gettext(d, state)
    text = _("I can't listen to voice messages or read pictures yet. Write in a few words, or tap below.")
    buttons = (
        Button(_("🆘 Emergency"), wire.RunCommand("sos").encode()),
        Button(_("☎️ Hotline"), wire.RunCommand("hotline").encode()),
    )
    return Turn([Message(ui.say(text).html, (buttons,))], state)
