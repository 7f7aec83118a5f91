"""Hotline and SOS: the numbers for where the person comes from and where they are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import hotlines
from bot.features import ui
from bot.replies import Event, Turn, UserState
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


def shown(d: Dialogue, state: UserState) -> Event:
    """The log event for a hand-off: which lines were offered, for whom (countries only)."""
    routing = hotlines.route(d.content, state.home, state.current)
    numbers = [item.hotline.id for item in routing.listings]
    return Event(EventKind.HOTLINE_SHOWN, {"home": state.home, "current": state.current, "numbers": numbers})
