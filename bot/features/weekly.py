"""The weekly myth: opt-in subscriptions, and the message of the week."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from bot.features import ui
from bot.replies import N_, Event, Subscribe, Turn, Unsubscribe, UserState
from bot.wire import EventKind

if TYPE_CHECKING:
    from bot.dialogue import Dialogue

PRIVATE_ONLY = N_("Please write to me in a private chat for this: here everyone in the group would see it.")


def subscribe(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """/subscribe: a subscribe effect with its own success and failure replies; refused in groups."""
    _ = ui.gettext(d, state)
    if not state.private:  # the group would become the delivery chat
        return Turn([ui.say(_(PRIVATE_ONLY))], state)
    done = _("Subscribed: once a week, one myth and the reality, in this language. /unsubscribe stops it at any time.")
    failed = _("Sorry, I could not save your subscription right now. Please try /subscribe again in a few minutes.")
    effect = Subscribe(done=(ui.say(done),), failed=(ui.say(failed),), lang=ui.lang(d, state))
    return Turn([], state, [Event(EventKind.SUBSCRIBE, {"lang": state.lang})], [effect])


def unsubscribe(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """/unsubscribe: an unsubscribe effect; its failure reply promises another try."""
    _ = ui.gettext(d, state)
    done = _("Unsubscribed: no more weekly messages. /subscribe to start again.")
    failed = _(
        "Sorry, I could not remove your subscription right now. I will keep trying; you can also send "
        "/unsubscribe again in a few minutes."
    )
    effect = Unsubscribe(done=(ui.say(done),), failed=(ui.say(failed),))
    return Turn([], state, [Event(EventKind.UNSUBSCRIBE)], [effect])


def weekly_myth(d: Dialogue, lang: str, week: int) -> str | None:
    """The myth of the week, in one language: the same topic for everyone that week."""
    myths = [tid for tid in d.content.topic_ids if tid.startswith("myth-")]
    topic = d.content.topic(myths[week % len(myths)], lang) if myths else None
    if topic is None:
        return None
    _ = d.i18n.gettext(lang)
    footer = html.escape(_("Myth of the week from Safar. /unsubscribe stops these messages."))
    return f"<b>{html.escape(topic.title)}</b>\n\n{topic.answer_html}\n\n<i>{footer}</i>"
