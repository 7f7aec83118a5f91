"""Privacy: what is stored, erasing it, and the quick exit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import wire
from bot.features import ui
from bot.replies import N_, Button, Erase, EraseChat, Message, Turn, UserState

if TYPE_CHECKING:
    from bot.dialogue import Dialogue

NOTHING_DELETED = N_("Nothing was deleted.")


def privacy(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """/privacy: what is stored about the person and how to erase it, in plain words."""
    _ = ui.gettext(d, state)
    text = _(
        "What I store, in plain words:\n"
        "• not your name, username or phone number;\n"
        "• your language and the countries you chose, so that I remember them;\n"
        "• anonymous statistics: which topics are asked, under a code that cannot be traced "
        "back to you;\n"
        "• questions I could not answer, with phone numbers, e-mails, links and document "
        "numbers removed, so that volunteers can add answers;\n"
        "• never the text of an emergency message.\n\n"
        "/delete erases everything stored about you. To remove this chat from your phone, "
        "delete it in Telegram (Delete chat)."
    )
    more = _(
        "/exit deletes at once this chat's messages, where Telegram still allows it, and everything stored about you."
    )
    more += "\n\n" + _(
        "Only if you /subscribe or ask to talk to a person, your chat number is kept, encrypted, "
        "so that the messages can reach you. /unsubscribe, /delete and /exit remove it."
    )
    return Turn([ui.say(f"{text}\n\n{more}", menu=ui.menu_labels(d, state))], state)


def confirm_delete(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """/delete: ask first; erasing happens only on the "Yes, erase" button."""
    _ = ui.gettext(d, state)
    buttons = (
        Button(_("Yes, erase"), wire.ConfirmDelete("yes").encode()),
        Button(_("Cancel"), wire.ConfirmDelete("no").encode()),
    )
    return Turn([ui.say(_("Erase everything stored about you: your settings and statistics?"), buttons)], state)


def delete(d: Dialogue, state: UserState, payload: wire.ConfirmDelete) -> Turn:
    """Erase, and say so only once it is done; the person's language stays for this reply only."""
    _ = ui.gettext(d, state)
    if payload.answer != "yes":
        return Turn([ui.say(_(NOTHING_DELETED))], state)
    done = _("Done: everything stored about you has been erased. Send /start to begin again.")
    failed = _(
        "Sorry, I could not erase your data right now. I will keep trying; please send /delete again in a "
        "minute to make sure."
    )
    effect = Erase(done=(ui.say(done),), failed=(ui.say(failed),))
    return Turn([], UserState(lang=state.lang), effects=[effect])


def quick_exit(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """Erase what is stored and delete the chat's messages; the only reply is a neutral 👍."""
    neutral = (Message("👍"),)
    return Turn([], UserState(), effects=[EraseChat(done=neutral, failed=neutral)])


def quick_exit_button(d: Dialogue, state: UserState, payload: wire.QuickExit) -> Turn:
    """The quick-exit button does what /exit does."""
    return quick_exit(d, state)
