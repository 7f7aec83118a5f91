"""The router: what a person did reaches the feature that handles it, through one registry."""

from __future__ import annotations

import shutil

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from bot.config import PROJECT_ROOT
from bot.features import COMMANDS
from bot.replies import UserState
from tests.conftest import all_text, dialogue_for, make_mini_content, write_topic


def test_menu_labels_work_in_any_language(dialogue):
    ru_label = dialogue.i18n.gettext("ru")("☎️ Hotline")
    turn = dialogue.text(UserState(lang="en", home="KG", current="KG"), ru_label)
    assert "189" in all_text(turn)


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


@pytest.mark.parametrize("forged", ["chk:<script>", "fb:no-such-topic:1", "fb:help-hotline:7", "s:x" * 30, "zz:1"])
def test_forged_buttons_get_the_help_and_reach_no_log(real_dialogue, forged):
    turn = real_dialogue.button(UserState(lang="en"), forged)
    assert turn.events == [] and turn.effects == []
    assert "/hotline" in turn.messages[0].html or "Choose a topic" in turn.messages[0].html


def test_help_lists_every_described_command_from_the_registry(dialogue):
    text = all_text(dialogue.command(UserState(lang="en"), "help"))
    for command in COMMANDS:
        listed = f"/{command.name}: " in text
        assert listed == bool(
            command.description and command.name not in ("start", "help") and not command.needs_operators
        )
    assert "/check: check a job offer" in text


def test_help_speaks_the_persons_language(dialogue):
    assert "/check: проверить" in all_text(dialogue.command(UserState(lang="ru"), "help"))


def test_an_unknown_command_says_so_and_shows_what_exists(dialogue):
    turn = dialogue.command(UserState(lang="en"), "frobnicate")
    assert turn.messages[0].html == "I don&#x27;t know this command. Here is what I can do:"
    assert "/hotline" in all_text(turn) and turn.events == []


def test_an_alias_runs_its_command(dialogue):
    assert all_text(dialogue.command(UserState(lang="en"), "about")) == all_text(
        dialogue.command(UserState(lang="en"), "privacy")
    )


def test_the_menu_has_one_button_per_labelled_command_and_talk_only_with_operators(mini_content):
    plain = dialogue_for(mini_content).menu_labels(UserState(lang="en"))
    assert "☎️ Hotline" in plain and "🙋 Talk to a person" not in plain
    assert "🙋 Talk to a person" in dialogue_for(mini_content, can_talk=True).menu_labels(UserState(lang="en"))


def test_a_state_without_a_language_gets_the_default_one(dialogue):
    assert dialogue.command(UserState(), "help").state.lang == "ru"
    assert dialogue.text(UserState(lang="xx"), "hello").state.lang == "ru"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("yordam bering meni qamab qo'yishdi", "uz"),
        ("кожоюн паспортумду алып алды", "ky"),
        ("my boss took my passport", "en"),
    ],
)
def test_someone_who_writes_before_choosing_a_language_is_answered_in_theirs(real_dialogue, text, lang):
    turn = real_dialogue.text(UserState(), text)  # no /start, or right after a quick exit
    assert turn.state.lang == lang


def test_a_one_word_first_message_keeps_the_default_language(real_dialogue):
    assert real_dialogue.text(UserState(), "ok").state.lang == real_dialogue.i18n.default


def test_after_start_only_the_language_written_in_wins_over_telegrams_guess(real_dialogue):
    started = real_dialogue.start(UserState(), None, "ru")  # Telegram's app language: Russian
    turn = real_dialogue.text(started.state, "he threatened me with a knife")
    assert turn.state.lang == "en" and turn.messages[0].html.startswith("🆘 If you are in danger")
    picked = real_dialogue.button(started.state, "lang:ru")  # chosen on purpose: only offered, never switched
    assert real_dialogue.text(picked.state, "he threatened me with a knife").state.lang == "ru"


@pytest.mark.parametrize(
    ("typed", "starts"),
    [("язык", "Выберите язык"), ("til", "Выберите язык"), ("Emergency", "🆘"), ("экстренная помощь", "🆘")],
)
def test_a_menu_label_typed_by_hand_runs_its_command(real_dialogue, typed, starts):
    turn = real_dialogue.text(UserState(lang="ru", home="KG", current="RU"), typed)
    assert turn.messages[0].html.startswith(starts)
