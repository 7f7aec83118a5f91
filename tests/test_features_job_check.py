"""/check as a conversation: the questions one by one, the verdict, the hotline after it."""

from __future__ import annotations

import pytest

from bot.dialogue import Dialogue
from bot.replies import UserState


def press_through_check(dialogue: Dialogue, state: UserState, answers: str):
    turn = dialogue.command(state, "check")
    for answer in answers:
        data = next(b.data for b in turn.messages[-1].buttons[0] if b.data.endswith(answer))
        turn = dialogue.button(state, data)
    return turn


def test_job_check_walks_through_every_question(real_dialogue):
    state = UserState(lang="en", home="KG", current="KG")
    turn = real_dialogue.command(state, "check")
    assert turn.messages[0].html.startswith("Let&#x27;s check") and "<b>1/8</b>" in turn.messages[0].html
    assert [b.data for b in turn.messages[0].buttons[0]] == ["chk:y", "chk:n", "chk:u"]
    assert len(turn.messages[0].buttons) == 1  # no way back from the first question
    turn = real_dialogue.button(state, "chk:yy")
    assert "<b>3/8</b>" in turn.messages[0].html
    assert ("⬅ Back", "chk:y") in [(b.label, b.data) for row in turn.messages[0].buttons for b in row]
    turn = real_dialogue.button(state, "chk:y")  # a wrong tap costs one step, not the whole check
    assert "<b>2/8</b>" in turn.messages[0].html


def test_every_check_question_asks_one_thing(real_content):
    for check in real_content.checks.values():
        for item in check.questions:
            assert item.text.count("?") == 1 and " or do they " not in item.text, item.text


@pytest.mark.parametrize(
    ("answers", "flags", "verdict"),
    [
        ("nnyyynnn", 0, "No red flags"),
        ("yyyyynnn", 2, "Red flags found: 2"),
        ("yynnnyyy", 8, "Red flags found: 8"),
    ],
)
def test_job_check_verdict_counts_red_flags(real_dialogue, answers, flags, verdict):
    state = UserState(lang="en", home="TJ", current="RU")
    turn = press_through_check(real_dialogue, state, answers)
    assert verdict in turn.messages[0].html
    assert turn.messages[0].html.count("•") == flags
    assert (
        turn.events[0].kind == "job_check"
        and turn.events[0].data["red_flags"] == len(turn.events[0].data["flagged"]) == flags
    )
    assert "112" in turn.messages[-1].html  # then the hotline for where the person is


def test_not_sure_is_a_thing_to_find_out_not_a_pass(real_dialogue, real_content):
    state = UserState(lang="en", home="TJ", current="TJ")
    turn = press_through_check(real_dialogue, state, "nuyyynnn")  # not sure about the passport
    text = turn.messages[0].html
    assert "No red flags in the answers you were sure of" in text
    assert "find this out before you decide" in text
    assert real_content.checks["en"].questions[1].advice[:30] in text


@pytest.mark.parametrize("lang", ["ky", "tg", "ru"])
def test_job_check_speaks_every_language(real_dialogue, real_content, lang):
    turn = press_through_check(real_dialogue, UserState(lang=lang, home="KG", current="RU"), "yyyyyyyy")
    assert real_content.checks[lang].verdicts["many"].format(count=4)[:20] in turn.messages[0].html


def test_the_verdict_logs_which_questions_not_what_the_offer_was(real_dialogue, real_content):
    state = UserState(lang="en", home="KG", current="KG")
    turn = press_through_check(real_dialogue, state, "yuyyynnn")
    (event,) = turn.events
    ids = [q.id for q in real_content.checks["en"].questions]
    assert event.data == {"red_flags": 1, "flagged": [ids[0]], "unsure": [ids[1]]}
    assert turn.state == state  # the answers travel in the buttons: nothing about the offer is kept


@pytest.mark.parametrize(
    ("lang", "yes", "no", "unsure"),
    [
        ("ru", "да", "нет", "не знаю"),
        ("ky", "ооба", "жок", "билбейм"),
        ("tg", "ҳа", "не", "намедонам"),
        ("uz", "ha", "yo'q", "bilmayman"),
        ("en", "yes", "No", "not sure"),
    ],
)
def test_answers_typed_as_words_count_like_the_buttons(real_dialogue, lang, yes, no, unsure):
    state = UserState(lang=lang, home="KG", current="KG")
    real_dialogue.command(state, "check")
    turn = real_dialogue.text(state, yes)
    assert "<b>2/8</b>" in turn.messages[0].html
    turn = real_dialogue.text(state, no)
    assert "<b>3/8</b>" in turn.messages[0].html
    turn = real_dialogue.text(state, unsure)
    assert "<b>4/8</b>" in turn.messages[0].html and state.checking == "ynu"


def test_a_question_typed_during_a_check_is_answered_and_closes_it(real_dialogue):
    state = UserState(lang="ru", home="KG", current="RU")
    real_dialogue.command(state, "check")
    turn = real_dialogue.text(state, "работодатель забрал паспорт")
    assert "/8</b>" not in turn.messages[-1].html and state.checking is None
    assert "<b>" in turn.messages[0].html or turn.messages[0].html.startswith("🆘")
    assert real_dialogue.text(state, "да").events[0].kind == "question"  # no longer an answer to the check


def test_switching_language_during_a_check_asks_the_same_question_again(real_dialogue):
    state = UserState(lang="ru", home="KG", current="KG")
    real_dialogue.command(state, "check")
    real_dialogue.text(state, "да")
    turn = real_dialogue.button(state, "lang:ky")
    assert "<b>2/8</b>" in turn.messages[-1].html and turn.state.checking == "y"
    assert [b.label for b in turn.messages[-1].buttons[0]] == ["Ооба", "Жок", "Билбейм"]


def test_not_sure_of_anything_gets_no_reassurance(real_dialogue):
    turn = press_through_check(real_dialogue, UserState(lang="en", home="KG", current="KG"), "u" * 8)
    verdict = turn.messages[0].html
    assert "No red flags" not in verdict and "You were not sure" in verdict
