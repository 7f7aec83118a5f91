"""Hotline and SOS: the card for the person's countries, the emergency card, a shared location."""

from __future__ import annotations

import pytest

from bot.replies import UserState
from tests.conftest import all_text, button_data


def test_hotline_routing_abroad_uses_international_forms(dialogue):
    turn = dialogue.command(UserState(lang="en", home="KG", current="TR"), "hotline")
    card = all_text(turn)
    assert "157" in card  # Turkey's line, for someone in Turkey
    assert "189" not in card  # Kyrgyzstan's short number does not work from Turkey
    assert "consulate" in card
    assert "not yet checked by a call" in card
    assert "test source" not in card  # provenance is one tap away, not in the card
    sources = all_text(dialogue.button(turn.state, "src"))
    assert "157" in sources and "Where these numbers come from" in sources


def test_hotline_at_home_shows_home_lines_and_verification_date(dialogue):
    card = all_text(dialogue.command(UserState(lang="en", home="KG", current="KG"), "hotline"))
    assert "<b>112</b>" in card and "<b>189</b>" in card
    assert "checked by a call on January 10, 2026" in card
    assert "157" not in card  # never a number from a country that is neither home nor here


def test_a_country_pressed_under_the_emergency_card_brings_its_card_at_once(dialogue):
    """The promise "tell me where you are and I will show the local hotline" is kept on the next tap."""
    turn = dialogue.text(UserState(lang="en"), "help me")
    (russia,) = [b.data for row in turn.messages[0].buttons for b in row if b.label == "Russia"]
    turn = dialogue.button(turn.state, russia)
    first = turn.messages[0].html
    assert first.startswith("🆘") and "<b>112</b>" in first and "Russia" in first
    assert turn.state.current == "RU"
    assert "citizen" in turn.messages[-1].html  # then, and only then, the citizenship
    turn = dialogue.button(turn.state, "home:KG")
    assert (turn.state.home, turn.state.current) == ("KG", "RU")
    assert "<b>112</b>" in all_text(turn)  # the full card for a Kyrgyz citizen in Russia, not another question


def test_a_shared_location_sets_the_country_and_shows_its_emergency_card(dialogue):
    turn = dialogue.location(UserState(lang="en", home="KG"), "TR")
    assert turn.state.current == "TR" and turn.messages[0].html.startswith("🆘")
    assert "157" in all_text(turn)  # Turkey's line
    turn = dialogue.location(UserState(lang="en", home="KG"), "TH")  # a country the bot has no lines for
    assert turn.state.current == "other" and turn.messages[0].html.startswith("🆘")


def test_a_voice_note_gets_a_way_to_help_in_the_persons_language(dialogue):
    turn = dialogue.not_text(UserState(lang="en"))
    assert "voice" in turn.messages[0].html
    assert [b.data for row in turn.messages[0].buttons for b in row] == ["menu:sos", "menu:hotline"]


def test_the_hotline_without_countries_asks_for_them_and_logs_nothing(dialogue):
    turn = dialogue.command(UserState(lang="en"), "hotline")
    assert "tell me your citizenship and where you are" in all_text(turn)
    assert button_data(turn) == ["menu:country"] and turn.events == []


def test_the_hotline_shown_is_logged_by_country_and_line_never_by_person(dialogue):
    turn = dialogue.command(UserState(lang="en", home="KG", current="TR"), "hotline")
    (event,) = turn.events
    assert event.kind == "hotline_shown" and (event.data["home"], event.data["current"]) == ("KG", "TR")
    assert event.data["numbers"]


def test_sos_is_the_emergency_card_with_a_quick_exit_wherever_the_person_is(dialogue):
    turn = dialogue.command(UserState(lang="en", home="KG", current="TR"), "sos")
    first = turn.messages[0]
    assert first.html.startswith("🆘") and "157" in first.html
    assert "exit" in [b.data for row in first.buttons for b in row]
    assert turn.events[0].kind == "emergency"


def test_in_a_group_the_card_names_no_country_of_the_person(dialogue):
    state = UserState(lang="en", home="KG", current="TR", private=False)
    text = all_text(dialogue.command(state, "hotline"))
    assert "Türkiye" not in text and "citizenship" not in text  # the group would learn where the person is
    assert "<b>112</b>" in text  # the emergency numbers still


@pytest.mark.parametrize("lang", ["ru", "uz", "ky"])
def test_citizenship_alone_gives_every_emergency_number_and_asks_where_the_person_is(real_dialogue, lang):
    """Not "another country": which numbers can be dialled depends on where the person is now."""
    turn = real_dialogue.command(UserState(lang=lang, home="UZ"), "sos")
    card = turn.messages[0]
    assert "112" in card.html and "999" in card.html  # every listed country's emergency number
    assert "sos:RU" in [b.data for row in card.buttons for b in row]
    here = real_dialogue.button(turn.state, "sos:RU")
    assert "+7 499 238 36 20" in here.messages[0].html  # the Uzbek embassy in Moscow, once Russia is known


def test_country_asks_again_where_the_person_is_now(real_dialogue):
    state = UserState(lang="ru", home="KG", current="RU")
    turn = real_dialogue.command(state, "country")
    turn = real_dialogue.button(turn.state, "home:KG")
    assert turn.state.current is None and turn.state.asking == "current"
    turn = real_dialogue.button(turn.state, "cur:TR")
    assert real_dialogue.command(turn.state, "sos").messages[0].html.count("+90") >= 1
