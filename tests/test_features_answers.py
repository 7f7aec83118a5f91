"""Questions and answers: free text, suggestions, feedback, categories, small talk and share cards."""

from __future__ import annotations

import pytest

from bot import wire
from bot.features.answers import share_cards
from bot.replies import UserState
from bot.wire import EventKind
from tests.conftest import all_text, button_data


def test_no_match_is_honest_and_offers_topics_and_hotline(dialogue):
    turn = dialogue.text(UserState(lang="en", home="KG", current="RU"), "zzz qqq")
    assert turn.events[-1].data["decision"] == "none"
    assert "have an answer to that yet" in all_text(turn)
    assert any(b.data.startswith("cat:") for m in turn.messages for row in m.buttons for b in row)
    assert "112" in all_text(turn)


def test_emergency_without_countries_lists_every_known_emergency_number(dialogue):
    turn = dialogue.text(UserState(lang="en"), "help me")
    text = all_text(turn)
    assert text.startswith("🆘") and "Russia: <b>112</b>" in text
    assert any(b.data.startswith("sos:") for row in turn.messages[0].buttons for b in row)


def test_feedback_and_suggestion_pick_are_events(dialogue):
    state = UserState(lang="en")
    assert dialogue.button(state, "fb:help-hotline:0").events[0].data == {
        "topic": "help-hotline",
        "helpful": False,
    }
    assert dialogue.button(state, "s:help-hotline").events[0].kind == "suggestion_picked"


def test_language_switch_is_offered_for_a_message_in_another_language(dialogue):
    turn = dialogue.text(UserState(lang="en", home="KG", current="RU"), "хозяин держит мой паспорт что делать")
    offers = [b for m in turn.messages for row in m.buttons for b in row if b.data.startswith("sw:")]
    assert offers and offers[0].data == "sw:ru"


def test_small_talk_gets_a_polite_reply_in_the_users_language(dialogue):
    turn = dialogue.text(UserState(lang="ru", home="KG"), "thanks a lot!")
    assert turn.messages[0].html == "Пожалуйста!"
    assert turn.events[-1].data["decision"] == "none"


def test_an_emergency_never_gets_a_small_talk_reply(dialogue):
    turn = dialogue.text(UserState(lang="ru"), "помогите, спасибо")
    assert turn.messages[0].html.startswith("🆘")
    assert all("Пожалуйста" not in m.html for m in turn.messages)


def test_share_cards_link_back_to_the_topic(real_dialogue):
    cards = share_cards(real_dialogue, "passport", "ky")
    assert cards[0].topic_id == "trouble-passport-taken"
    assert cards[0].payload == "ky-trouble-passport-taken-src-share"
    assert cards[0].html.startswith("<b>") and len(cards) <= 8
    assert all(c.topic_id.startswith("myth-") for c in share_cards(real_dialogue, "", "tg"))


def test_possible_danger_gets_one_line_with_the_number_above_the_answer(real_dialogue):
    """Danger words without a clear alarm: not the full card, but the number and 🆘 first."""
    state = UserState(lang="en", home="KG", current="RU")
    decision = real_dialogue.matcher.decide("my boss keeps my passport, is that allowed?", "en")
    assert decision.danger == "possible" and not decision.emergency
    turn = real_dialogue.text(state, "my boss keeps my passport, is that allowed?")
    first = turn.messages[0]
    assert first.html.startswith("🆘") and "<b>112</b>" in first.html and "Where to get help" not in first.html
    assert [b.data for row in first.buttons for b in row] == ["menu:sos"]


def test_after_an_emergency_card_the_suggestions_are_the_urgent_topics(real_dialogue):
    turn = real_dialogue.text(UserState(lang="tg", home="TJ", current="RU"), "маро дар хона махкам карданд")
    assert turn.messages[0].html.startswith("🆘")
    suggested = [b.data for m in turn.messages[1:] for row in m.buttons for b in row if b.data.startswith("s:")]
    assert suggested and suggested[0] == "s:trouble-locked-in"
    urgent = {"trouble-locked-in", "trouble-violence", "trouble-passport-taken", "trouble-forced-sex"}
    assert {s[2:] for s in suggested} <= urgent | {"trouble-debt-threats", "help-hotline"}


@pytest.mark.parametrize(
    ("lang", "text", "topic"),
    [("ky", "хозяин мени урду", "trouble-violence"), ("ru", "нас бьют", "trouble-violence")],
)
def test_violence_brings_the_card_and_the_violence_topic(real_dialogue, lang, text, topic):
    turn = real_dialogue.text(UserState(lang=lang, home="KG", current="RU"), text)
    assert turn.messages[0].html.startswith("🆘")
    shown = [b.data for m in turn.messages for row in m.buttons for b in row]
    assert f"fb:{topic}:1" in shown or f"s:{topic}" in shown
    assert "trouble-forced-sex:1" not in " ".join(shown)  # a beaten man is not shown "forced into prostitution"


def test_an_answer_comes_with_its_title_and_a_way_to_rate_it(dialogue):
    turn = dialogue.text(UserState(lang="en", home="KG", current="RU"), "who answers the hotline")
    assert "<b>What is the hotline?</b>\n\nThe hotline is free and confidential." in all_text(turn)
    assert {"fb:help-hotline:1", "fb:help-hotline:0"} <= set(button_data(turn))
    assert turn.events[-1].data["decision"] == "answer" and turn.events[-1].data["topic"] == "help-hotline"


def test_a_vote_counts_once_per_answer(dialogue):
    first = dialogue.button(UserState(lang="en"), "fb:help-hotline:1")
    assert first.events[0].data == {"topic": "help-hotline", "helpful": True}
    again = dialogue.button(first.state, "fb:help-hotline:0")
    assert again.events == [] and "already counted" in all_text(again)


def test_a_category_lists_its_topics_and_an_empty_one_the_topic_menu(dialogue):
    turn = dialogue.button(UserState(lang="en"), "cat:help")
    assert turn.messages[0].html == "<b>Help and rights</b>"
    assert button_data(turn) == ["t:help-hotline"]
    assert "Choose a topic" in all_text(dialogue.button(UserState(lang="en"), "cat:work"))


def test_none_of_these_apologises_offers_the_topics_and_is_counted(dialogue):
    turn = dialogue.button(UserState(lang="en"), "none")
    assert turn.events[0].kind == "suggestion_rejected"
    assert "Try to ask in other words" in all_text(turn) and "Choose a topic" in all_text(turn)


def test_ask_explains_how_to_ask(dialogue):
    turn = dialogue.command(UserState(lang="en"), "ask")
    assert "in your own words" in all_text(turn) and turn.events == []


@pytest.mark.parametrize("text", ["1", "🙂", "??", "👍👍🙏"])
def test_a_message_without_words_asks_for_words_and_is_no_unanswered_question(real_dialogue, text):
    turn = real_dialogue.text(UserState(lang="ru", home="KG", current="RU"), text)
    assert "словами" in turn.messages[0].html
    question = next(e for e in turn.events if e.kind == EventKind.QUESTION)
    assert question.data["smalltalk"] == wire.NO_WORDS and question.data["decision"] == "none"


def test_the_sos_sign_alone_is_still_an_emergency(real_dialogue):
    turn = real_dialogue.text(UserState(lang="ru", home="KG", current="RU"), "🆘")
    assert turn.messages[0].html.startswith("🆘")


def test_the_named_country_is_the_first_topic_offered_under_the_answer(real_dialogue):
    turn = real_dialogue.text(UserState(lang="ru", home="KG", current="KG"), "какая виза нужна чтобы работать в Дубае")
    offered = [b.data for m in turn.messages for row in m.buttons for b in row if b.label.startswith("↪")]
    assert offered and offered[0] == wire.ShowTopic("work-uae").encode()


@pytest.mark.parametrize(
    ("text", "lang"),
    [("кыргызча жазыңызчы", "ky"), ("пишите по-русски", "ru"), ("o'zbekcha yozing", "uz"), ("in English please", "en")],
)
def test_a_language_asked_for_by_name_is_offered_in_it(real_dialogue, text, lang):
    state = UserState(lang="tg" if lang != "tg" else "ru", home="KG", current="RU")
    turn = real_dialogue.text(state, text)
    offers = [b.data for m in turn.messages for row in m.buttons for b in row if b.data.startswith("sw:")]
    assert offers == [f"sw:{lang}"]


def test_a_country_named_is_not_a_language_asked_for(real_dialogue):
    turn = real_dialogue.text(UserState(lang="ru", home="KG", current="RU"), "я из Кыргызстана")
    assert not [b for m in turn.messages for row in m.buttons for b in row if b.data.startswith("sw:")]
