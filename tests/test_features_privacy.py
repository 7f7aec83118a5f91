"""Privacy: what is stored, erasing it on confirmation only, and the quick exit."""

from __future__ import annotations

from bot.replies import Erase, UserState
from tests.conftest import all_text, button_data


def test_quick_exit_erases_and_says_nothing_telling(dialogue):
    turn = dialogue.command(UserState(lang="en", home="KG", current="RU"), "exit")
    assert turn.quick_exit and turn.state == UserState()
    assert turn.events == [] and turn.messages == []  # nothing about an exit is logged
    (effect,) = turn.effects
    assert [m.html for m in effect.done] == [m.html for m in effect.failed] == ["👍"]


def test_emergency_replies_offer_a_quick_exit(dialogue):
    turn = dialogue.text(UserState(lang="en", home="KG", current="RU"), "help me")
    assert any(b.data == "exit" for row in turn.messages[0].buttons for b in row)
    turn = dialogue.text(UserState(lang="en"), "help me")
    assert any(b.data == "exit" for row in turn.messages[0].buttons for b in row)


def test_privacy_says_what_is_kept_and_how_to_erase_it(dialogue):
    text = all_text(dialogue.command(UserState(lang="en"), "privacy"))
    assert "not your name, username or phone number" in text
    assert "/delete" in text and "/exit" in text


def test_delete_asks_first_and_erases_nothing_yet(dialogue):
    state = UserState(lang="en", home="KG", current="RU")
    turn = dialogue.command(state, "delete")
    assert turn.effects == [] and turn.state == state
    assert button_data(turn) == ["del:yes", "del:no"]


def test_erasing_is_an_effect_that_says_done_only_when_it_happened(dialogue):
    turn = dialogue.button(UserState(lang="en", home="KG", current="RU"), "del:yes")
    assert turn.messages == [] and turn.state == UserState(lang="en")  # the language stays for the reply
    effect = turn.effect(Erase)
    assert effect is not None and "has been erased" in effect.done[0].html
    assert "could not erase" in effect.failed[0].html


def test_cancel_erases_nothing(dialogue):
    state = UserState(lang="en", home="KG", current="RU")
    turn = dialogue.button(state, "del:no")
    assert turn.effects == [] and turn.state == state
    assert "Nothing was deleted." in all_text(turn)


def test_the_quick_exit_button_does_what_exit_does(dialogue):
    turn = dialogue.button(UserState(lang="en", home="KG", current="RU"), "exit")
    assert turn.quick_exit and turn.state == UserState() and turn.messages == []
