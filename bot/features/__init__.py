"""The features, and the one registry of commands and buttons they are reached through.

A command is declared once, here: its name, what runs it, its description
(Telegram's command menu and /help are built from it) and its button in the
persistent menu. Adding a command is one feature module and one line in
:data:`COMMANDS`; a new kind of button is one payload in :mod:`bot.wire`
and one line in :data:`BUTTONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import wire
from bot.features import answers, hotline, job_check, person, privacy, settings, weekly
from bot.features import ui as ui
from bot.replies import N_, Turn, UserState

if TYPE_CHECKING:
    from bot.dialogue import Dialogue

CommandRun = Callable[["Dialogue", UserState, str], Turn]


@dataclass(frozen=True)
class Command:
    """A command declared once: /help, Telegram's command menu and the persistent keyboard are built from it."""

    name: str
    run: CommandRun
    #: Shown in Telegram's command menu and in /help; None keeps the command out of both.
    description: str | None = None
    #: The command's button in the persistent menu, if it has one.
    label: str | None = None
    aliases: tuple[str, ...] = ()
    #: Only offered when an operators' chat is configured.
    needs_operators: bool = False


# TRANSLATORS: descriptions in Telegram's command menu and /help, lower case, short.
# TRANSLATORS: labels are the persistent menu buttons; keep them short, the emoji stay.
COMMANDS: tuple[Command, ...] = (
    Command("start", settings.restart, N_("start over")),
    Command("help", lambda d, state, arg: help_turn(d, state), N_("what I can do")),
    Command("ask", answers.ask, label=N_("❓ Ask a question")),
    Command(
        "topics", answers.topics, N_("myths and realities by topic"), N_("📚 Myths and realities"), ("menu", "browse")
    ),
    Command("check", job_check.check, N_("check a job offer"), N_("✅ Check a job offer")),
    Command("hotline", hotline.hotline, N_("where to call for help"), N_("☎️ Hotline")),
    Command("sos", hotline.sos, N_("emergency numbers"), N_("🆘 Emergency")),
    Command("country", settings.change_country, N_("change your countries")),
    Command("language", settings.choose_language, N_("change the language"), N_("🌐 Language")),
    Command("privacy", privacy.privacy, N_("what I store about you"), N_("🔒 About & privacy"), ("about",)),
    Command("delete", privacy.confirm_delete, N_("erase everything stored about you")),
    Command("exit", privacy.quick_exit, N_("quick exit: delete this chat's messages")),
    Command("subscribe", weekly.subscribe, N_("a myth and its reality every week")),
    Command("unsubscribe", weekly.unsubscribe, N_("stop the weekly message")),
    Command("person", person.ask_for_person, label=N_("🙋 Talk to a person"), aliases=("talk",), needs_operators=True),
)

BUTTONS: dict[type[wire.Payload], Callable[[Dialogue, UserState, Any], Turn]] = {
    wire.PickLanguage: settings.set_language,
    wire.SwitchLanguage: settings.set_language,
    wire.PickHome: settings.set_country,
    wire.PickCurrent: settings.set_country,
    wire.PickGoing: settings.set_going,
    wire.PickStage: settings.set_stage,
    wire.EmergencyHere: hotline.emergency_here,
    wire.ShowSources: hotline.sources,
    wire.ShowTopic: answers.show_topic,
    wire.PickSuggestion: answers.show_topic,
    wire.NoneOfThese: answers.none_of_these,
    wire.Vote: answers.vote,
    wire.ShowCategory: answers.category,
    wire.RunCommand: lambda d, state, payload: d.command(state, payload.command),
    wire.CheckAnswers: job_check.answer,
    wire.QuickExit: privacy.quick_exit_button,
    wire.ConfirmDelete: privacy.delete,
}

HELP_HIDDEN = ("start", "help")


def help_turn(d: Dialogue, state: UserState) -> Turn:
    """/help, built from the registry: every listed command with its description."""
    _ = ui.gettext(d, state)
    lines = [_("Ask me anything about working abroad, in your own words. Or use:")]
    lines += [
        f"/{command.name}: {_(command.description)}"
        for command in d.commands()
        if command.description and command.name not in HELP_HIDDEN
    ]
    return Turn([ui.say("\n".join(lines), menu=ui.menu_labels(d, state))], state)
