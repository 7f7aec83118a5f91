"""Talk to a person: offered only with an operators' chat, in private, and the next message opens a case."""

from __future__ import annotations

import pytest

from bot.features.person import CASE_TEXT_LIMIT
from bot.replies import OpenCase, UserState
from tests.conftest import all_text, dialogue_for


@pytest.fixture
def talking(mini_content):
    return dialogue_for(mini_content, can_talk=True)


def test_without_an_operators_chat_there_is_no_one_to_talk_to(dialogue):
    turn = dialogue.command(UserState(lang="en"), "person")
    assert turn.state.asking is None and turn.effects == []
    assert "/person" not in all_text(turn)  # the help, which does not offer it either


def test_the_offer_warns_not_to_write_a_name_and_waits_for_the_message(talking):
    turn = talking.command(UserState(lang="en"), "talk")
    assert turn.state.asking == "person"
    assert "do not write your name or phone number" in all_text(turn)


def test_in_a_group_the_person_is_asked_to_write_privately(talking):
    turn = talking.command(UserState(lang="en", private=False), "person")
    assert turn.state.asking is None and "private chat" in all_text(turn)


def test_the_next_message_becomes_a_case_and_the_person_is_told_only_once_it_is_sent(talking):
    asked = talking.command(UserState(lang="en"), "person").state
    turn = talking.text(asked, "my visa expires next week, what can I do?")
    assert turn.messages == [] and turn.state.asking is None
    case = turn.effect(OpenCase)
    assert isinstance(case, OpenCase) and case.text == "my visa expires next week, what can I do?"
    assert not case.urgent and "{case}" in case.done[0].html and "could not pass" in case.failed[0].html
    assert [e.kind for e in turn.events] == ["handoff"]


def test_a_message_in_danger_gets_the_emergency_card_first_and_an_urgent_case(talking):
    asked = talking.command(UserState(lang="en", home="KG", current="RU"), "person").state
    turn = talking.text(asked, "help me")
    assert turn.messages[0].html.startswith("🆘")
    assert turn.effect(OpenCase).urgent


def test_a_very_long_message_is_cut_for_the_operators(talking):
    asked = talking.command(UserState(lang="en"), "person").state
    turn = talking.text(asked, "word " * 2000)
    assert len(turn.effect(OpenCase).text) == CASE_TEXT_LIMIT
