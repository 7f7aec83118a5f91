"""Button payloads: what the bot makes comes back as the same value; anything else is refused."""

from __future__ import annotations

import pytest

from bot import wire

EVERY_KIND = [
    wire.PickLanguage("ky"),
    wire.SwitchLanguage("tg"),
    wire.PickHome("KG"),
    wire.PickCurrent("other"),
    wire.ShowTopic("trouble-passport-taken"),
    wire.PickSuggestion("work-russia"),
    wire.NoneOfThese(),
    wire.Vote("help-hotline", True),
    wire.Vote("help-hotline", False),
    wire.ShowCategory("myth"),
    wire.RunCommand("country"),
    wire.CheckAnswers(""),
    wire.CheckAnswers("yny"),
    wire.QuickExit(),
    wire.PickStage("abroad"),
    wire.ConfirmDelete("yes"),
]


@pytest.mark.parametrize("payload", EVERY_KIND, ids=lambda p: type(p).__name__)
def test_every_payload_comes_back_as_itself(payload):
    data = payload.encode()
    assert len(data.encode()) <= wire.CALLBACK_LIMIT
    assert wire.decode(data) == payload


@pytest.mark.parametrize(
    "data",
    [
        "",
        "nonsense",
        "fb:help-hotline:2",  # a vote is 0 or 1
        "fb:help-hotline",
        "t:<script>",
        "stage:everywhere",
        "del:maybe",
        "chk:yyx",
        "home:kg; drop table",
        "lang:" + "x" * 70,
        "exit:extra",
        "t:" + "a" * 63,  # over Telegram's 64 bytes
    ],
)
def test_anything_the_bot_did_not_make_is_refused(data):
    assert wire.decode(data) is None


def test_a_payload_that_cannot_fit_is_refused_when_made_not_when_pressed():
    with pytest.raises(ValueError, match="64 bytes"):
        wire.Vote("x" * 62, True).encode()
    with pytest.raises(ValueError):
        wire.ShowTopic("has space").encode()


def test_topic_ids_up_to_the_limit_fit_every_button():
    longest = "t" * wire.longest_topic_id()
    for payload in (wire.Vote(longest, False), wire.ShowTopic(longest), wire.PickSuggestion(longest)):
        assert wire.decode(payload.encode()) == payload
    with pytest.raises(ValueError):
        wire.Vote(longest + "x", True).encode()


def test_small_talk_ids_never_collide_with_topics():
    key = wire.smalltalk_id("thanks")
    assert wire.smalltalk_intent(key) == "thanks"
    assert wire.smalltalk_intent("trouble-locked-in") is None
