"""Shared screens: pickers, the topic menu, the topic card and the hotline reminder under answers."""

from __future__ import annotations

import time

from bot.features import ui
from bot.replies import UserState
from tests.conftest import all_text


def test_the_full_card_once_per_conversation_then_one_line_and_a_button(real_dialogue):
    state = UserState(lang="en", home="KG", current="RU")
    first = real_dialogue.button(state, "t:trouble-passport-taken")
    assert any("<b>Where to get help</b>" in m.html for m in first.messages)
    again = real_dialogue.button(first.state, "t:trouble-locked-in")
    text = all_text(again)
    assert "<b>Where to get help</b>" not in text and "<b>112</b>" in text
    assert ("☎️ Where to get help", "menu:hotline") in [
        (b.label, b.data) for m in again.messages for r in m.buttons for b in r
    ]
    asked = real_dialogue.command(again.state, "hotline")  # asked for: the full card, always
    assert "<b>Where to get help</b>" in all_text(asked)


def test_a_card_seen_long_ago_is_shown_in_full_again(real_dialogue):
    state = UserState(lang="en", home="KG", current="RU", card_shown=time.time() - ui.CONVERSATION_SECONDS - 60)
    text = "\n".join(m.html for m in ui.help_reminder(real_dialogue, state))
    assert "<b>Where to get help</b>" in text


def test_the_stage_follows_the_countries_until_the_person_chooses_one():
    assert ui.stage(UserState()) == "before"
    assert ui.stage(UserState(home="KG", current="KG")) == "before"
    assert ui.stage(UserState(home="KG", current="RU")) == "abroad"
    assert ui.stage(UserState(home="KG", current="RU", stage="returned")) == "returned"
    assert ui.stage(UserState(home="KG", current="RU", stage="nonsense")) == "abroad"


def test_plain_text_is_escaped_for_telegrams_html():
    assert ui.say("<b>5 > 3</b> & co").html == "&lt;b&gt;5 &gt; 3&lt;/b&gt; &amp; co"


def test_languages_come_ky_tg_ru_en_two_to_a_row_the_current_one_ticked(real_dialogue):
    rows = ui.language_buttons(real_dialogue, "ru")
    assert all(len(row) <= 2 for row in rows)
    data = [b.data for row in rows for b in row]
    assert data[:4] == ["lang:ky", "lang:tg", "lang:ru", "lang:en"]
    ticked = [b.label for row in rows for b in row if b.label.startswith("✓ ")]
    assert ticked == ["✓ Русский"]


def test_where_now_offers_home_first_and_where_to_never_offers_home(real_dialogue):
    state = UserState(lang="en", home="TJ")
    now = [b for row in ui.country_buttons(real_dialogue, state, "current") for b in row]
    assert now[0].data == "cur:TJ" and now[0].label.startswith("🏠")
    assert [b.data for b in now].count("cur:TJ") == 1
    going = [b.data for row in ui.country_buttons(real_dialogue, state, "going") for b in row]
    assert "go:TJ" not in going and going[-2:] == ["go:none", "go:back"]


def test_no_match_without_countries_has_no_card_and_with_them_has_one(dialogue):
    unknown = "\n".join(m.html for m in ui.no_match(dialogue, UserState(lang="en")))
    assert "Where to get help" not in unknown and "Choose a topic" in unknown
    known = "\n".join(m.html for m in ui.no_match(dialogue, UserState(lang="en", home="KG", current="KG")))
    assert "Where to get help" in known and "<b>112</b>" in known
