"""The dialogue core, driven directly: the conversation as plain data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from bot import wire
from bot.config import PROJECT_ROOT
from bot.content import load_content
from bot.dialogue import Dialogue, share_cards
from bot.i18n import I18n, MissingCatalogError
from bot.matching import Matcher
from bot.replies import UserState
from bot.wire import EventKind
from tests.conftest import make_mini_content, write_topic


def dialogue_for(root: Path, locales: Path = PROJECT_ROOT / "locales") -> Dialogue:
    content = load_content(root).content
    return Dialogue(content, Matcher(content), I18n(locales, content.languages, "ru"))


@pytest.fixture
def dialogue(mini_content) -> Dialogue:
    return dialogue_for(mini_content)


def all_text(turn) -> str:
    return "\n".join(m.html for m in turn.messages)


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


def test_menu_labels_work_in_any_language(dialogue):
    ru_label = dialogue.i18n.gettext("ru")("☎️ Hotline")
    turn = dialogue.text(UserState(lang="en", home="KG", current="KG"), ru_label)
    assert "189" in all_text(turn)


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


def test_a_fifth_language_is_added_with_files_only(tmp_path):
    root = make_mini_content(tmp_path / "content")
    for topic_id, title in (
        ("trouble-passport-taken", "Pasportimni olib qo‘yishdi"),
        ("help-hotline", "Ishonch telefoni nima?"),
    ):
        write_topic(root, "uz", topic_id, title, "help", "", "", [f"{title} {i}" for i in range(6)], "Javob.")
    locales = tmp_path / "locales"
    shutil.copytree(PROJECT_ROOT / "locales", locales, ignore=shutil.ignore_patterns("uz"))
    catalog = Catalog(locale="uz", domain="safar")
    catalog.add("Choose your language:", "Tilni tanlang:")
    (locales / "uz" / "LC_MESSAGES").mkdir(parents=True)
    with open(locales / "uz" / "LC_MESSAGES" / "safar.mo", "wb") as handle:
        write_mo(handle, catalog)
    dialogue = dialogue_for(root, locales)
    labels = [b.label for row in dialogue.choose_language(UserState(lang="en")).messages[0].buttons for b in row]
    assert "O‘zbek" in labels
    turn = dialogue.button(UserState(lang="en"), "lang:uz")
    assert turn.state.lang == "uz"
    assert dialogue.choose_language(turn.state).messages[0].html == "Tilni tanlang:"
    assert dialogue.button(turn.state, "t:help-hotline").messages[0].html.startswith("<b>Ishonch telefoni nima?</b>")


def test_a_catalog_without_its_compiled_file_fails_fast(tmp_path):
    (tmp_path / "ky" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "ky" / "LC_MESSAGES" / "safar.po").write_text("", encoding="utf-8")
    with pytest.raises(MissingCatalogError, match="make setup"):
        I18n(tmp_path, ["ky", "en"])


def test_small_talk_gets_a_polite_reply_in_the_users_language(dialogue):
    turn = dialogue.text(UserState(lang="ru"), "thanks a lot!")
    assert turn.messages[0].html == "Пожалуйста!"
    assert turn.events[-1].data["decision"] == "none"


def test_an_emergency_never_gets_a_small_talk_reply(dialogue):
    turn = dialogue.text(UserState(lang="ru"), "помогите, спасибо")
    assert turn.messages[0].html.startswith("🆘")
    assert all("Пожалуйста" not in m.html for m in turn.messages)


# --- campaign features --------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_dialogue(real_content) -> Dialogue:
    return Dialogue(real_content, Matcher(real_content), I18n(PROJECT_ROOT / "locales", real_content.languages))


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


@pytest.mark.parametrize("forged", ["chk:<script>", "fb:no-such-topic:1", "fb:help-hotline:7", "s:x" * 30, "zz:1"])
def test_forged_buttons_get_the_help_and_reach_no_log(real_dialogue, forged):
    turn = real_dialogue.button(UserState(lang="en"), forged)
    assert turn.events == [] and turn.effects == []
    assert "/hotline" in turn.messages[0].html or "Choose a topic" in turn.messages[0].html


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


def test_share_cards_link_back_to_the_topic(real_dialogue):
    cards = share_cards(real_dialogue, "passport", "ky")
    assert cards[0].topic_id == "trouble-passport-taken"
    assert cards[0].payload == "ky-trouble-passport-taken-src-share"
    assert cards[0].html.startswith("<b>") and len(cards) <= 8
    assert all(c.topic_id.startswith("myth-") for c in share_cards(real_dialogue, "", "tg"))


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


@pytest.mark.parametrize("tag", ["79161234567", "a996555123456", "a" * 40, "_x"])
def test_a_campaign_tag_that_could_be_a_person_is_not_kept_as_typed(dialogue, tag):
    assert dialogue.parse_payload(f"en-help-hotline-src-{tag}")[2] == "invalid"
    assert dialogue.parse_payload("en-help-hotline-src-osh2026")[2] == "osh2026"


@pytest.mark.parametrize("text", ["1", "🙂", "??", "👍👍🙏"])
def test_a_message_without_words_asks_for_words_and_is_no_unanswered_question(real_dialogue, text):
    turn = real_dialogue.text(UserState(lang="ru", home="KG", current="RU"), text)
    assert "словами" in turn.messages[0].html
    question = next(e for e in turn.events if e.kind == EventKind.QUESTION)
    assert question.data["smalltalk"] == wire.NO_WORDS and question.data["decision"] == "none"


def test_the_sos_sign_alone_is_still_an_emergency(real_dialogue):
    turn = real_dialogue.text(UserState(lang="ru", home="KG", current="RU"), "🆘")
    assert turn.messages[0].html.startswith("🆘")
