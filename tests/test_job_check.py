"""The job-offer check on its own: which answers are warning signs, and what the verdict says."""

from __future__ import annotations

from bot import job_check
from bot.content import CheckQuestion, JobCheck
from bot.wire import CheckAnswers

CHECK = JobCheck(
    lang="en",
    intro="Let's <check>",
    questions=(
        CheckQuestion("pay", "Do they ask you to pay for the job?", True, "Never pay for a job."),
        CheckQuestion("contract", "Is there a written contract?", False, "Ask for a contract."),
        CheckQuestion("visa", "Is it a work visa?", False, "Check the visa."),
        CheckQuestion("keep", "Will they keep your passport?", True, "Nobody may keep it."),
    ),
    verdicts={"none": "No red flags", "some": "Red flags: {count}", "many": "Many red flags: {count}"},
    next="Ask the hotline.",
)


def identity(text: str) -> str:
    return text


def test_yes_is_a_red_flag_only_where_yes_is_the_warning_sign():
    pay, contract = CHECK.questions[:2]
    assert job_check.is_red_flag(pay, "y") and not job_check.is_red_flag(pay, "n")
    assert job_check.is_red_flag(contract, "n") and not job_check.is_red_flag(contract, "y")
    assert not job_check.is_red_flag(pay, "u") and not job_check.is_red_flag(contract, "u")


def test_red_flags_and_things_to_verify_are_the_advice_of_those_answers():
    assert job_check.red_flags(CHECK, "ynyn") == ["Never pay for a job.", "Ask for a contract."]
    assert job_check.to_verify(CHECK, "nuyu") == ["Ask for a contract.", "Nobody may keep it."]


def test_the_first_question_has_the_intro_and_no_way_back_the_next_ones_do():
    first = job_check.question(CHECK, "", identity)
    assert first.html.startswith("Let&#x27;s &lt;check&gt;") and "<b>1/4</b>" in first.html
    assert [b.data for b in first.buttons[0]] == ["chk:y", "chk:n", "chk:u"] and len(first.buttons) == 1
    third = job_check.question(CHECK, "yn", identity)
    assert "<b>3/4</b>" in third.html and "Let" not in third.html
    assert third.buttons[1][0].data == CheckAnswers("y").encode()  # back = one answer fewer


def test_the_verdict_grows_from_none_to_some_to_many():
    assert "<b>No red flags</b>" in job_check.verdict(CHECK, "nyyn", identity).html
    assert "<b>Red flags: 1</b>" in job_check.verdict(CHECK, "yyyn", identity).html
    many = job_check.verdict(CHECK, "ynnn", identity).html
    assert f"<b>Many red flags: {job_check.MANY_FLAGS}</b>" in many and many.endswith("Ask the hotline.")


def test_only_unsure_answers_are_not_called_safe():
    text = job_check.verdict(CHECK, "uyyn", identity).html
    assert "No red flags in the answers you were sure of." in text and "No red flags</b>" not in text
    assert "find this out before you decide" in text and "Never pay for a job." in text


def test_the_check_is_complete_once_every_question_is_answered():
    assert not job_check.is_complete(CHECK, "yyy")
    assert job_check.is_complete(CHECK, "yyyn")
