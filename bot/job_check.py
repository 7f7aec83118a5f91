"""/check: walk a person through yes/no/not-sure questions about a job offer, then a plain verdict.

The answers so far travel in the buttons' callback data (``CheckAnswers``), so
nothing about the offer is stored anywhere and a restart loses nothing.
"""

from __future__ import annotations

import html

from bot.content import CheckQuestion, JobCheck
from bot.i18n import Gettext
from bot.normalize import skeleton
from bot.replies import Button, Message
from bot.wire import CheckAnswers

MANY_FLAGS = 3


YES, NO, UNSURE = "y", "n", "u"

#: Answers typed instead of tapped, in every language the bot reads (compared as skeletons, so scripts and
#: missing special letters do not matter); the buttons' own labels are accepted too.
TYPED = {
    YES: ("да", "ага", "конечно", "ооба", "ооба ооба", "ҳа", "бале", "ҳо", "ha", "xa", "yes", "yeah", "yep", "иә"),
    NO: ("нет", "неа", "не", "жок", "жоқ", "йўқ", "yo'q", "yoq", "no", "nope"),
    UNSURE: (
        "не знаю",
        "незнаю",
        "не уверен",
        "не уверена",
        "хз",
        "билбейм",
        "билбеймин",
        "намедонам",
        "намедонм",
        "bilmayman",
        "bilmadim",
        "білмеймін",
        "not sure",
        "dont know",
        "don't know",
        "idk",
        "maybe",
        "может быть",
    ),
}


_TYPED_SKELETONS = {code: frozenset(map(skeleton, forms)) for code, forms in TYPED.items()}


def typed_answer(text: str, labels: dict[str, tuple[str, ...]] | None = None) -> str | None:
    """YES, NO or UNSURE for an answer typed as a word ("да", "жок", "намедонам"), else None.

    ``labels``: the buttons' labels in the person's language, also accepted ("Не уверен(а)").
    """
    said = skeleton(text)
    for code, forms in _TYPED_SKELETONS.items():
        if said in forms or said in {skeleton(label) for label in (labels or {}).get(code, ())}:
            return code
    return None


def question(check: JobCheck, answers: str, _: Gettext) -> Message:
    """The next question, with its position, the answers (yes, no, not sure) and a way back."""
    index = len(answers)
    item = check.questions[index]
    text = f"<b>{index + 1}/{len(check.questions)}</b>  {html.escape(item.text)}"
    if not answers:
        text = f"{html.escape(check.intro)}\n\n{text}"
    choices = ((_("Yes"), YES), (_("No"), NO), (_("Not sure"), UNSURE))
    rows = [tuple(Button(label, CheckAnswers(answers + code).encode()) for label, code in choices)]
    if answers:
        rows.append((Button(_("⬅ Back"), CheckAnswers(answers[:-1]).encode()),))
    return Message(text, tuple(rows))


def is_red_flag(item: CheckQuestion, answer: str) -> bool:
    """A sure answer that is the warning sign ("not sure" is a thing to find out, not a flag)."""
    return answer in (YES, NO) and (answer == YES) == item.red_flag


def red_flags(check: JobCheck, answers: str) -> list[str]:
    """The advice for every answer that is a warning sign."""
    return [item.advice for item, answer in zip(check.questions, answers, strict=False) if is_red_flag(item, answer)]


def to_verify(check: JobCheck, answers: str) -> list[str]:
    """The advice for every "not sure": what to find out before deciding."""
    return [item.advice for item, answer in zip(check.questions, answers, strict=False) if answer == UNSURE]


def verdict(check: JobCheck, answers: str, _: Gettext) -> Message:
    """Red flags first, then what the person was not sure of, then where to ask."""
    flags, unsure = red_flags(check, answers), to_verify(check, answers)
    key = "none" if not flags else "some" if len(flags) < MANY_FLAGS else "many"
    if flags or not unsure:
        lines = [f"<b>{html.escape(check.verdicts[key].format(count=len(flags)))}</b>"]
    elif any(answer != UNSURE for answer in answers):
        calm = _("No red flags in the answers you were sure of.")
        lines = [f"<b>{html.escape(calm)}</b>"]
    else:  # not sure of anything: no reassurance, only what to find out
        lines = []
    lines += [f"• {html.escape(advice)}" for advice in flags]
    if unsure:
        heading = _("You were not sure: find this out before you decide.")
        lines.append(f"<b>{html.escape(heading)}</b>")
        lines += [f"• {html.escape(advice)}" for advice in unsure]
    lines.append(html.escape(check.next))
    return Message("\n\n".join(lines))


def is_complete(check: JobCheck, answers: str) -> bool:
    """True once every question has an answer."""
    return len(answers) >= len(check.questions)
