"""Start and settings: deep links, the language, the person's countries and stage of the journey."""

from __future__ import annotations

import pytest

from bot import wire
from bot.features import settings
from bot.replies import UserState
from tests.conftest import all_text, button_data


def test_payload_parsing(dialogue):
    assert dialogue.parse_payload("en-help-hotline-src-osh2026") == ("en", "help-hotline", "osh2026")
    assert dialogue.parse_payload("help-hotline") == (None, "help-hotline", None)
    assert dialogue.parse_payload("src-bishkek") == (None, None, "bishkek")
    assert dialogue.parse_payload("xx-nonsense") == (None, None, None)
    assert dialogue.parse_payload("<script>") == (None, None, None)


def test_a_deep_link_retyped_in_capitals_opens_the_same_topic(dialogue):
    assert dialogue.parse_payload("EN-Help-Hotline-SRC-Osh2026") == ("en", "help-hotline", "osh2026")
    assert dialogue.parse_payload("HELP-HOTLINE") == (None, "help-hotline", None)


def test_start_records_the_campaign(dialogue):
    turn = dialogue.start(UserState(), "en-help-hotline-src-osh2026", "ky")
    assert turn.state.lang == "en"
    assert turn.events[0].kind == "start" and turn.events[0].data["campaign"] == "osh2026"
    assert turn.messages[0].html.startswith("<b>What is the hotline?</b>")
    assert "citizen" in all_text(turn)  # then asks the countries for the right numbers


def test_unknown_telegram_language_falls_back(dialogue):
    assert dialogue.start(UserState(), None, "pt-BR").state.lang == "ru"
    assert dialogue.start(UserState(), None, "en-GB").state.lang == "en"


def test_onboarding_collects_both_countries(dialogue):
    state = UserState(lang="en")
    turn = dialogue.button(state, "lang:en")
    assert [b.data for row in turn.messages[-1].buttons for b in row][:2] == ["home:KG", "home:TJ"]
    turn = dialogue.button(turn.state, "home:TJ")
    assert turn.messages[-1].html == "Where are you now?"
    assert turn.messages[-1].buttons[0][0].data == "cur:TJ"  # at home first
    turn = dialogue.button(turn.state, "cur:TR")
    assert (turn.state.home, turn.state.current, turn.state.going) == ("TJ", "TR", None)
    assert turn.messages[0].menu  # the persistent menu appears, no question about going


def test_at_home_the_bot_asks_where_the_person_is_going(dialogue):
    turn = dialogue.button(UserState(lang="en", home="TJ"), "cur:TJ")
    assert "Where to?" in turn.messages[-1].html
    going = [b.data for row in turn.messages[-1].buttons for b in row]
    assert "go:AE" in going and "go:TJ" not in going and "go:back" in going
    turn = dialogue.button(turn.state, "go:AE")
    assert (turn.state.home, turn.state.current, turn.state.going) == ("TJ", "TJ", "AE")
    assert turn.state.stage == "before"
    turn = dialogue.button(UserState(lang="en", home="TJ", current="TJ"), "go:back")
    assert turn.state.going is None and turn.state.stage == "returned"


def test_other_country_means_abroad_not_at_home(dialogue):
    turn = dialogue.button(UserState(lang="en", home="KG"), "cur:other")
    assert turn.state.current == "other" and turn.state.going is None
    assert "Where to?" not in all_text(turn)
    rows = dialogue.browse(turn.state).messages[0].buttons
    assert rows[1][0].data == "cat:trouble"  # the abroad order of topics


def test_topic_menu_follows_the_stage_of_the_journey(real_dialogue):
    def categories(state):
        rows = real_dialogue.browse(state).messages[0].buttons
        return [row[0].data for row in rows[1:]]

    assert categories(UserState(lang="en", home="KG", current="KG"))[0] == "cat:prepare"
    assert categories(UserState(lang="en", home="KG", current="RU"))[0] == "cat:trouble"
    turn = real_dialogue.button(UserState(lang="en", home="KG", current="KG"), "stage:returned")
    assert turn.state.stage == "returned"
    assert [b.label for b in turn.messages[0].buttons[0]][2].startswith("✓ ")
    assert categories(turn.state)[0] == "cat:help"


def test_switching_language_answers_the_question_again_in_the_new_language(real_dialogue):
    state = UserState(lang="ru", home="KG", current="RU")
    turn = real_dialogue.text(state, "кожоюн паспортумду алып алды, бербей жатат")
    offer = [b.data for m in turn.messages for row in m.buttons for b in row if b.data.startswith("sw:")]
    assert offer == ["sw:ky"]
    russian = real_dialogue.content.topic("trouble-passport-taken", "ru").title
    assert russian in all_text(turn)
    turn = real_dialogue.button(turn.state, "sw:ky")
    kyrgyz = real_dialogue.content.topic("trouble-passport-taken", "ky").title
    assert turn.state.lang == "ky" and kyrgyz in all_text(turn)
    assert not any(e.kind == "question" for e in turn.events)  # the question was counted once


@pytest.mark.parametrize("tag", ["79161234567", "a996555123456", "a" * 40, "_x"])
def test_a_campaign_tag_that_could_be_a_person_is_not_kept_as_typed(dialogue, tag):
    assert dialogue.parse_payload(f"en-help-hotline-src-{tag}")[2] == "invalid"
    assert dialogue.parse_payload("en-help-hotline-src-osh2026")[2] == "osh2026"


def test_country_asks_the_citizenship_again_and_keeps_the_language(dialogue):
    state = UserState(lang="en", home="KG", current="RU")
    turn = dialogue.command(state, "country")
    assert turn.messages[-1].html == "Which country are you a citizen of?"
    assert "home:KG" in button_data(turn) and turn.state.lang == "en"


def test_a_country_the_picker_never_offered_is_asked_again_not_kept(dialogue):
    state = UserState(lang="en", home="KG")
    turn = settings.set_country(dialogue, state, wire.PickCurrent("ZZ"))
    assert turn.state.current is None and turn.events == []
    assert turn.messages[-1].html == "Where are you now?"


def test_a_language_the_bot_does_not_speak_shows_the_language_buttons(dialogue):
    turn = settings.set_language(dialogue, UserState(lang="en"), wire.PickLanguage("xx"))
    assert turn.state.lang == "en"
    assert [d for d in button_data(turn) if d.startswith("lang:")]


def test_changing_the_language_later_does_not_ask_the_countries_again(dialogue):
    turn = dialogue.button(UserState(lang="en", home="KG", current="RU"), "lang:ru")
    assert turn.state.lang == "ru" and (turn.state.home, turn.state.current) == ("KG", "RU")
    assert "Какое у вас гражданство?" not in all_text(turn) and not any(
        d.startswith("home:") for d in button_data(turn)
    )


@pytest.mark.parametrize(
    ("asking", "text", "field", "code"),
    [
        ("home", "uzbekistan", "home", "UZ"),
        ("home", "я гражданин Кыргызстана", "home", "KG"),
        ("current", "в Москве", "current", "RU"),
        ("current", "Dubayda", "current", "AE"),
        ("current", "Тоҷикистон", "current", "TJ"),
    ],
)
def test_a_country_typed_instead_of_tapped_is_taken_as_the_answer(real_dialogue, asking, text, field, code):
    state = UserState(lang="ru", home="KG" if asking != "home" else None, asking=asking)
    turn = real_dialogue.text(state, text)
    assert getattr(turn.state, field) == code and turn.state.asking != asking


def test_a_longer_question_or_a_cry_while_asking_for_a_country_is_answered_as_such(real_dialogue):
    state = UserState(lang="ru", home="KG", asking="current")
    assert real_dialogue.text(state, "в России как сделать патент, сколько стоит").state.current is None
    cry = real_dialogue.text(UserState(lang="ru", home="KG", asking="current"), "помогите Россия")
    assert cry.messages[0].html.startswith("🆘")
