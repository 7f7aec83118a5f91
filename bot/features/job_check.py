"""/check: yes/no questions about a job offer, then a plain verdict and the hotline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import job_check, wire
from bot.features import ui
from bot.replies import Event, Turn, UserState
from bot.wire import EventKind

if TYPE_CHECKING:
    from bot.dialogue import Dialogue


def check(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """/check: start the job-offer questions with no answers yet."""
    return answer(d, state, wire.CheckAnswers(""))


def typed(d: Dialogue, state: UserState, text: str) -> Turn | None:
    """An answer typed as a word while a check is open ("да", "жок", "намедонам"): the same as its button.

    Anything else closes the open check (the person moved on) and is None: the message is answered as usual.
    """
    if state.checking is None:
        return None
    _ = ui.gettext(d, state)
    labels = {job_check.YES: (_("Yes"),), job_check.NO: (_("No"),), job_check.UNSURE: (_("Not sure"),)}
    code = job_check.typed_answer(text, labels)
    if code is None:
        state.checking = None
        return None
    return answer(d, state, wire.CheckAnswers(state.checking + code))


def answer(d: Dialogue, state: UserState, payload: wire.CheckAnswers) -> Turn:
    """The next question, or the verdict and the hotline once every question is answered."""
    content_check = d.content.checks.get(state.lang or "") or d.content.checks.get("en")
    if content_check is None:
        return d.command(state, "help")
    _ = ui.gettext(d, state)
    answers = payload.answers
    if not job_check.is_complete(content_check, answers):
        state.checking = answers  # a typed "да" / "жок" answers this question (kept in memory only)
        return Turn([job_check.question(content_check, answers, _)], state)
    state.checking = None
    flags = len(job_check.red_flags(content_check, answers))
    # Which questions were red flags or "not sure", by their id in check.yaml (the same in every language).
    flagged = [q.id for q, a in zip(content_check.questions, answers, strict=False) if job_check.is_red_flag(q, a)]
    unsure = [q.id for q, a in zip(content_check.questions, answers, strict=False) if a == job_check.UNSURE]
    event = Event(EventKind.JOB_CHECK, {"red_flags": flags, "flagged": flagged, "unsure": unsure})
    turn = Turn([job_check.verdict(content_check, answers, _)], state, [event])
    return turn.add(*ui.hotline_messages(d, state))
