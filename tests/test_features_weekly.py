"""The weekly myth: subscribing and unsubscribing as promises, and the message of the week."""

from __future__ import annotations

import html

from bot.replies import Subscribe, Unsubscribe, UserState
from tests.conftest import all_text


def test_subscribe_is_an_effect_in_the_persons_language(dialogue):
    turn = dialogue.command(UserState(lang="ru"), "subscribe")
    assert turn.messages == []  # said only once the subscription is saved
    effect = turn.effect(Subscribe)
    assert isinstance(effect, Subscribe) and effect.lang == "ru"
    assert effect.done and effect.failed and effect.done[0].html != effect.failed[0].html
    assert [e.kind for e in turn.events] == ["subscribe"]


def test_a_group_cannot_subscribe(dialogue):
    turn = dialogue.command(UserState(lang="en", private=False), "subscribe")
    assert turn.effects == [] and "private chat" in all_text(turn)


def test_unsubscribe_is_an_effect_whose_failure_promises_another_try(dialogue):
    turn = dialogue.command(UserState(lang="en"), "unsubscribe")
    effect = turn.effect(Unsubscribe)
    assert effect is not None and "no more weekly messages" in effect.done[0].html
    assert "I will keep trying" in effect.failed[0].html


def test_the_myth_of_the_week_is_the_same_topic_in_every_language_and_changes_weekly(real_dialogue, real_content):
    myths = [tid for tid in real_content.topic_ids if tid.startswith("myth-")]
    for lang in ("ky", "ru"):
        text = real_dialogue.weekly_myth(lang, 3)
        title = real_content.topic(myths[3 % len(myths)], lang).title
        assert text.startswith(f"<b>{html.escape(title)}</b>")
        assert "/unsubscribe" in text
    assert real_dialogue.weekly_myth("en", 0) != real_dialogue.weekly_myth("en", 1)


def test_without_myths_there_is_no_weekly_message(dialogue):
    assert dialogue.weekly_myth("en", 0) is None  # the test content has no myth topics
