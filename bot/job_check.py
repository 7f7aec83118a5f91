"""/check: walk a person through yes/no questions about a job offer, then a plain verdict.

The answers so far travel in the buttons' callback data (``CheckAnswers``), so
nothing about the offer is stored anywhere and a restart loses nothing.
"""

from __future__ import annotations

import html

from bot.content import JobCheck
from bot.i18n import Gettext
from bot.replies import Button, Message
from bot.wire import CheckAnswers

MANY_FLAGS = 3


def question(check: JobCheck, answers: str, _: Gettext) -> Message:
    """The next question, with its position and yes/no buttons carrying the answers so far."""
    index = len(answers)
    item = check.questions[index]
    text = f"<b>{index + 1}/{len(check.questions)}</b>  {html.escape(item.text)}"
    if not answers:
        text = f"{html.escape(check.intro)}\n\n{text}"
    buttons = (
        (Button(_("Yes"), CheckAnswers(answers + "y").encode()), Button(_("No"), CheckAnswers(answers + "n").encode())),
    )
    return Message(text, buttons)


def red_flags(check: JobCheck, answers: str) -> list[str]:
    """The advice for every answer that is a warning sign."""
    return [
        item.advice for item, answer in zip(check.questions, answers, strict=False) if (answer == "y") == item.red_flag
    ]


def verdict(check: JobCheck, answers: str) -> Message:
    flags = red_flags(check, answers)
    key = "none" if not flags else "some" if len(flags) < MANY_FLAGS else "many"
    lines = [f"<b>{html.escape(check.verdicts[key].format(count=len(flags)))}</b>"]
    lines += [f"• {html.escape(advice)}" for advice in flags]
    lines.append(html.escape(check.next))
    return Message("\n\n".join(lines))


def is_complete(check: JobCheck, answers: str) -> bool:
    return len(answers) >= len(check.questions)
