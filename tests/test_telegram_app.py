"""The Telegram handlers through the real Application, with Telegram faked at the request layer."""

from __future__ import annotations

import json
import logging

import pytest

from bot.config import Secret
from bot.handoff import case_in
from tests.telegram_fake import FakeTelegram, Updates, running_bot, to_update


@pytest.fixture
async def telegram(mini_content, config):
    token = Secret("123:SECRET-TOKEN")
    async with running_bot(config, content_dir=mini_content, operator_ids=frozenset({1}), token=token) as running:
        yield running


async def feed(app, data: dict) -> None:
    await app.process_update(to_update(data, app.bot))


async def onboard(app, user: Updates, lang: str = "en") -> None:
    for data in (
        user.message("/start"),
        user.press(f"lang:{lang}"),
        user.press("home:KG"),
        user.press("cur:RU"),
    ):
        await feed(app, data)


async def test_start_offers_languages_preselected_from_telegram(telegram):
    app, fake = telegram
    await feed(app, Updates(language_code="ru").message("/start"))
    labels = [label for label, _ in fake.buttons()]
    assert "✓ Русский" in labels and "English" in labels
    assert fake.sent()[-1]["parse_mode"] == "HTML"


async def test_onboarding_then_question_gets_the_answer_with_feedback(telegram):
    app, fake = telegram
    user = Updates()
    await onboard(app, user)
    fake.clear()
    await feed(app, user.message("my boss took my passport"))
    texts = fake.texts()
    # An urgent topic: the emergency number and 🆘 first, in one line, then the answer.
    assert texts[0].startswith("🆘") and "<b>112</b>" in texts[0] and len(texts[0].splitlines()) == 1
    assert texts[1].startswith("<b>My employer took my passport</b>")
    assert ("👍 Helpful", "fb:trouble-passport-taken:1") in fake.buttons(1)
    # The topic is flagged hotline: the card for a Kyrgyz citizen in Russia follows, tap-to-call included.
    assert "112" in texts[2] and "Russia" in texts[2]
    assert fake.sent("sendContact")[0]["phone_number"] == "112"


async def test_emergency_card_comes_before_anything_else(telegram):
    app, fake = telegram
    user = Updates()
    await onboard(app, user)
    fake.clear()
    await feed(app, user.message("please help me they beat us"))
    first_method, first = fake.outgoing()[0]
    assert first_method == "sendMessage" and first["text"].startswith("🆘")
    assert "<b>112</b>" in first["text"]


async def test_user_html_is_never_echoed(telegram):
    app, fake = telegram
    user = Updates()
    await onboard(app, user)
    fake.clear()
    await feed(app, user.message("<b>hi</b><script>alert(1)</script> " + "x" * 4000))
    assert fake.texts(), "a reply must come"
    assert all("<script>" not in text and len(text) <= 4096 for text in fake.texts())


async def test_unknown_command_and_stickers_get_a_useful_reply(telegram):
    app, fake = telegram
    user = Updates(language_code="en")
    await feed(app, user.message("/frobnicate"))
    assert "know this command" in fake.texts()[0]
    fake.clear()
    await feed(app, user.sticker())
    assert "voice messages" in fake.texts()[0]
    assert ("🆘 Emergency", "menu:sos") in fake.buttons()


async def test_a_photo_caption_is_read_like_a_message(telegram):
    app, fake = telegram
    user = Updates(language_code="en")
    photo = [{"file_id": "p", "file_unique_id": "p", "width": 10, "height": 10}]
    await feed(app, {"update_id": 9, "message": {**user.message("")["message"], "photo": photo, "caption": "help me"}})
    assert fake.texts()[0].startswith("🆘")


async def test_a_location_shows_that_countrys_card_and_keeps_no_coordinates(telegram, config):
    app, fake = telegram
    user = Updates(language_code="en")
    moscow = {"latitude": 55.7558, "longitude": 37.6173}
    message = {**user.message("")["message"], "location": moscow}
    del message["text"]
    await feed(app, {"update_id": 9, "message": message})
    assert fake.texts()[0].startswith("🆘") and "now in: Russia" in fake.texts()[0]
    await app.bot_data.services.usage_log.flush()
    stored = config.db_path.read_bytes() + b"".join(p.read_bytes() for p in config.db_path.parent.glob("*-wal"))
    assert b"55.75" not in stored and b"37.61" not in stored


async def test_edited_messages_and_commands_for_other_bots_are_ignored(telegram):
    app, fake = telegram
    user = Updates(language_code="en")
    await onboard(app, user)
    fake.clear()
    edited = user.message("help me")
    edited["edited_message"] = edited.pop("message")
    await feed(app, edited)
    await feed(app, user.message("/exit@some_other_bot"))
    assert fake.texts() == [] and not [c for c in fake.calls if c[0] == "deleteMessages"]


async def test_deep_link_opens_the_topic(telegram):
    app, fake = telegram
    await feed(app, Updates(language_code="en").message("/start ru-trouble-passport-taken-src-osh2026"))
    assert fake.texts()[0].startswith("<b>Забрали паспорт</b>")


async def test_groups_answer_only_when_mentioned(telegram):
    app, fake = telegram
    group = Updates(chat_type="supergroup")
    await feed(app, group.message("my boss took my passport"))
    assert fake.sent() == []
    await feed(app, group.message("@safar_test_bot my boss took my passport"))
    assert fake.sent()


async def test_reload_is_for_operators_only_and_keeps_good_content(telegram, mini_content):
    app, fake = telegram
    (mini_content / "en" / "help-hotline.md").write_text("broken", encoding="utf-8")
    await feed(app, Updates(user_id=1).message("/reload"))
    assert "NOT reloaded" in fake.texts()[-1] and "help-hotline.md:1" in fake.texts()[-1]
    fake.clear()
    await feed(app, Updates(user_id=2, language_code="en").message("/reload"))
    assert "know this command" in fake.texts()[0]
    fake.clear()
    await onboard(app, Updates(user_id=3))
    await feed(app, Updates(user_id=3).message("what is the hotline"))
    assert "free and confidential" in fake.texts()[-2]


async def test_delete_erases_settings(telegram):
    app, fake = telegram
    user = Updates(language_code="en")
    await onboard(app, user)
    await feed(app, user.message("/delete"))
    assert ("Yes, erase", "del:yes") in fake.buttons()
    await feed(app, user.press("del:yes"))
    fake.clear()
    await feed(app, user.message("/hotline"))
    assert "tell me your citizenship" in fake.texts()[0]


async def test_the_token_never_reaches_the_log(telegram, caplog):
    app, fake = telegram
    caplog.set_level(logging.DEBUG)
    fake.fail_with["sendMessage"] = (400, {"ok": False, "error_code": 400, "description": "Bad Request: x"})
    await feed(app, Updates().message("/help"))
    assert "SECRET-TOKEN" not in caplog.text
    assert "SECRET-TOKEN" not in repr(app.bot_data.services.config)


async def test_menu_keyboard_is_persistent(telegram):
    app, fake = telegram
    await onboard(app, Updates())
    keyboards = [
        json.loads(p["reply_markup"]) if isinstance(p.get("reply_markup"), str) else p.get("reply_markup")
        for p in fake.sent()
    ]
    menus = [k for k in keyboards if k and "keyboard" in k]
    assert menus and menus[-1]["is_persistent"] is True
    assert [b["text"] for b in menus[-1]["keyboard"][0]] == ["❓ Ask a question", "📚 Myths and realities"]


async def test_stats_for_operators_only(telegram):
    app, fake = telegram
    await onboard(app, Updates(user_id=5, language_code="en"))
    await feed(app, Updates(user_id=5).message("where to buy cheap sneakers"))
    fake.clear()
    await feed(app, Updates(user_id=1).message("/stats"))
    summary = fake.texts()[-1]
    assert summary.startswith("<pre>Safar") and "users 1" in summary
    assert "4242" not in summary and "Aida" not in summary
    fake.clear()
    await feed(app, Updates(user_id=2, language_code="en").message("/stats"))
    assert "know this command" in fake.texts()[0]


async def test_a_network_hiccup_is_retried(telegram, monkeypatch):
    monkeypatch.setattr("bot.telegram_app.RETRY_DELAY", 0)
    app, fake = telegram
    fake.network_failures["sendMessage"] = 2
    await feed(app, Updates(language_code="en").message("/help"))
    assert any("Ask me anything" in text for text in fake.texts())


async def test_quick_exit_deletes_the_chat_and_the_menu(telegram):
    app, fake = telegram
    user = Updates(language_code="en")
    await onboard(app, user)
    await feed(app, user.message("help me they beat us"))
    sent_ids = [call for call in fake.calls if call[0] in ("sendMessage", "sendContact")]
    fake.clear()
    await feed(app, user.press("exit"))
    deleted = [int(i) for name, params in fake.calls if name == "deleteMessages" for i in params["message_ids"]]
    assert len(deleted) >= len(sent_ids) + 2  # the bot's messages and the person's own
    assert fake.texts() == ["👍"]
    markup = fake.sent()[-1]["reply_markup"]
    assert (json.loads(markup) if isinstance(markup, str) else markup) == {"remove_keyboard": True}
    fake.clear()
    await feed(app, user.message("/hotline"))
    assert "citizenship" in fake.texts()[0]  # the countries were erased too


async def test_inline_mode_offers_topic_cards_with_a_link_back(telegram):
    app, fake = telegram
    await feed(app, Updates(language_code="ru").inline("passport"))
    (params,) = [p for name, p in fake.calls if name == "answerInlineQuery"]
    results = json.loads(params["results"]) if isinstance(params["results"], str) else params["results"]
    first = results[0]
    assert first["id"] == "trouble-passport-taken" and first["title"] == "Забрали паспорт"
    assert first["input_message_content"]["parse_mode"] == "HTML"
    url = first["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert url == "https://t.me/safar_test_bot?start=ru-trouble-passport-taken-src-share"


async def test_command_menu_is_described_in_every_language(telegram):
    _, fake = telegram  # post_init ran when the bot started
    menus = {p.get("language_code"): p["commands"] for name, p in fake.calls if name == "setMyCommands"}
    assert set(menus) == {None, "ru", "en"}  # the mini content speaks en and ru
    commands = json.loads(menus["en"]) if isinstance(menus["en"], str) else menus["en"]
    assert {"command": "check", "description": "check a job offer"} in commands


# --- talk to a person ---------------------------------------------------------------------

OPERATORS_CHAT = -1009999


@pytest.fixture
async def with_operators(mini_content, config):
    async with running_bot(config, content_dir=mini_content, operator_chat_id=OPERATORS_CHAT) as running:
        yield running


async def test_a_question_reaches_a_person_without_a_name_and_the_answer_comes_back(with_operators):
    app, fake = with_operators
    user = Updates(user_id=5150, language_code="en")
    await onboard(app, user)
    assert "🙋 Talk to a person" in [b["text"] for row in _last_menu(fake) for b in row]
    await feed(app, user.message("/person"))
    fake.clear()
    await feed(app, user.message("My employer says I owe him for the flat. Is that legal? <b>thanks</b>"))
    to_operators = [p for p in fake.sent() if int(p["chat_id"]) == OPERATORS_CHAT]
    assert len(to_operators) == 1
    card = to_operators[0]["text"]
    case = case_in(card)
    assert "KG → RU" in card and "&lt;b&gt;thanks&lt;/b&gt;" in card
    assert "Aida" not in card and "aida_kg" not in card and "5150" not in card
    assert f"#{case}" in fake.texts()[-1]  # the person is told the case number

    operator = {"id": 1, "is_bot": False, "first_name": "Volunteer Dinara", "username": "dinara_ngo"}
    reply = {
        "update_id": 77,
        "message": {
            "message_id": 900,
            "date": 1,
            "chat": {"id": OPERATORS_CHAT, "type": "supergroup"},
            "from": operator,
            "text": "No, that is not legal. Call the hotline.",
            "reply_to_message": {
                "message_id": 899,
                "date": 1,
                "chat": {"id": OPERATORS_CHAT, "type": "supergroup"},
                "from": {"id": 777000, "is_bot": True, "first_name": "Safar"},
                "text": card,
            },
        },
    }
    fake.clear()
    await feed(app, reply)
    to_user = [p for p in fake.sent() if int(p["chat_id"]) == 5150]
    assert len(to_user) == 1 and "No, that is not legal" in to_user[0]["text"]
    assert "Dinara" not in to_user[0]["text"]
    assert any("Delivered to case" in p["text"] for p in fake.sent() if int(p["chat_id"]) == OPERATORS_CHAT)

    # An edited reply is not delivered a second time.
    fake.clear()
    await feed(app, {"update_id": 78, "edited_message": {**reply["message"], "text": "No, that is not legal!"}})
    assert not [p for p in fake.sent() if int(p["chat_id"]) == 5150]
    # A photo reply (a map, a document) reaches the person with its caption, still without the operator's name.
    fake.clear()
    photo = [{"file_id": "map", "file_unique_id": "m", "width": 10, "height": 10}]
    photo_reply = {**reply["message"], "message_id": 901, "photo": photo, "caption": "The consulate is here."}
    del photo_reply["text"]
    await feed(app, {"update_id": 79, "message": photo_reply})
    (sent,) = [p for n, p in fake.calls if n == "sendPhoto" and int(p["chat_id"]) == 5150]
    assert "The consulate is here." in sent["caption"] and "Dinara" not in sent["caption"]


async def test_without_an_operators_chat_the_option_is_hidden(telegram):
    app, fake = telegram
    await onboard(app, Updates(language_code="en"))
    assert "🙋 Talk to a person" not in [b["text"] for row in _last_menu(fake) for b in row]
    fake.clear()
    await feed(app, Updates(language_code="en").message("/person"))
    assert "Ask me anything" in "\n".join(fake.texts())


def _last_menu(fake: FakeTelegram) -> list:
    for params in reversed(fake.sent()):
        markup = params.get("reply_markup")
        markup = json.loads(markup) if isinstance(markup, str) else markup
        if markup and "keyboard" in markup:
            return markup["keyboard"]
    return []


async def test_erasure_under_a_locked_database_is_not_called_done(telegram, config):
    """While another process holds the database, /delete must not say "erased"; once free, it does."""
    import sqlite3

    app, fake = telegram
    user = Updates(language_code="en")
    await onboard(app, user)
    locker = sqlite3.connect(config.db_path, timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        fake.clear()
        await feed(app, user.press("del:yes"))
        assert "could not erase" in fake.texts()[0] and "erased" not in fake.texts()[0].replace("erase your", "")
    finally:
        locker.rollback()
        locker.close()
    fake.clear()
    await feed(app, user.press("del:yes"))
    assert "everything stored about you has been erased" in fake.texts()[0]


async def test_quick_exit_after_a_restart_still_deletes_the_chat(mini_content, config):
    """The ids are kept in the database, sealed: a restart between the danger and the exit loses nothing."""
    user = Updates(language_code="en")
    token = Secret("123:SECRET-TOKEN")
    async with running_bot(config, content_dir=mini_content, token=token) as (app, fake):
        await onboard(app, user)
        await feed(app, user.message("help me they beat us"))
        sent = {r["message_id"] for r in fake.results if "message_id" in r}
    async with running_bot(config, content_dir=mini_content, token=token) as (app, fake):
        exit_message = user.message("/exit")
        await feed(app, exit_message)
        deleted = {int(i) for name, params in fake.calls if name == "deleteMessages" for i in params["message_ids"]}
        assert sent <= deleted and exit_message["message"]["message_id"] in deleted
        assert fake.texts() == ["👍"]


async def test_in_a_group_nothing_personal_is_shown_and_nothing_is_delivered_there(telegram):
    app, fake = telegram
    person = Updates(user_id=777, language_code="en")
    await onboard(app, person)  # a Kyrgyz citizen in Russia, in a private chat
    group = Updates(user_id=777, language_code="en", chat_type="group")
    fake.clear()
    await feed(app, group.message("@safar_test_bot /hotline"))
    await feed(app, group.message("/hotline@safar_test_bot"))
    text = "\n".join(fake.texts())
    assert "citizenship" not in text and "now in" not in text  # the group learns nothing about the asker
    assert "<b>112</b>" in text  # the numbers of every country alike
    fake.clear()
    await feed(app, group.message("/subscribe@safar_test_bot"))
    assert "private chat" in fake.texts()[0]


async def test_one_vote_per_answer(telegram, config):
    app, fake = telegram
    user = Updates(language_code="en")
    await onboard(app, user)
    for _ in range(3):
        await feed(app, user.press("fb:help-hotline:0"))
    await app.bot_data.services.usage_log.flush()
    import sqlite3

    with sqlite3.connect(config.db_path) as db:
        (votes,) = db.execute("SELECT count(*) FROM events WHERE kind = 'feedback'").fetchone()
    assert votes == 1
    assert "already counted" in fake.texts()[-1]


async def test_talking_to_a_person_is_never_opened_from_a_group(with_operators):
    """A volunteer's answer must not land in a group: the hand-off is offered in a private chat only."""
    app, fake = with_operators
    group = Updates(user_id=5151, language_code="en", chat_type="group")
    await feed(app, group.message("/person@safar_test_bot"))
    assert "private chat" in fake.texts()[-1]
    await feed(app, group.message("@safar_test_bot my employer keeps my passport"))
    assert not [p for p in fake.sent() if int(p["chat_id"]) == OPERATORS_CHAT]
