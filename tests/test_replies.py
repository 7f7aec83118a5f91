"""What a turn carries: messages, the new state, effects (promises the adapter keeps) and log events."""

from __future__ import annotations

from bot.replies import Effect, Erase, EraseChat, Event, Message, OpenCase, Subscribe, Turn, UserState


def test_effects_and_events_are_different_things():
    """An erase must never ride a droppable log batch: the type tells them apart."""
    erase = Erase(done=(Message("erased"),), failed=(Message("not erased"),))
    turn = Turn([], UserState(), [Event("settings", {"lang": "ky"})], [erase])
    assert all(isinstance(e, Effect) for e in turn.effects) and not isinstance(turn.events[0], Effect)
    assert turn.effect(Erase) is erase and turn.effect(Subscribe) is None


def test_only_the_chat_erasing_effect_is_a_quick_exit():
    assert not Turn([], UserState(), effects=[Erase()]).quick_exit
    assert Turn([], UserState(), effects=[Erase(), EraseChat()]).quick_exit


def test_the_first_effect_of_a_kind_is_the_one_performed():
    first, second = OpenCase(text="first"), OpenCase(text="second")
    assert Turn([], UserState(), effects=[Subscribe(lang="ky"), first, second]).effect(OpenCase) is first


def test_messages_are_added_in_order_and_chain():
    turn = Turn([Message("one")], UserState()).add(Message("two"), Message("three")).add(Message("four"))
    assert [m.html for m in turn.messages] == ["one", "two", "three", "four"]


def test_where_the_person_is_decides_at_home_and_knows_countries():
    assert UserState(home="KG", current="KG").at_home
    assert not UserState(home="KG", current="RU").at_home and UserState(home="KG", current="RU").knows_countries
    assert not UserState(home="KG").at_home and not UserState(home="KG").knows_countries
    assert not UserState().at_home
