"""The usage log: private by design, and never in the way of an answer."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time

import aiosqlite
import pytest

from bot.keys import load_secret
from bot.replies import Event, UserState
from bot.usage_log import UsageLog, redact
from tests.conftest import execute, query
from tests.telegram_fake import Updates, running_bot, to_update

PHONE = "+996 555 123 456"
USER_ID = 987654321


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("мой номер +7 916 123-45-67 позвоните", "мой номер", "916"),
        ("менин номерим 0555 123 456, жазып коюңуз", "менин номерим", "555"),
        ("рақами ман +992 93 555 44 33 аст", "рақами ман", "93 555"),
        ("write to aida.k@mail.ru or @aida_kg", "write to", "aida"),
        ("see https://t.me/joinchat/abc and www.example.com/job", "see", "joinchat"),
        ("паспорт AN1234567 забрали", "паспорт", "1234567"),
        ("шиноснома № 4001234 гирифтанд", "шиноснома", "4001234"),
        ("карта 4276 1234 5678 9012", "карта", "5678"),
    ],
)
def test_redaction_in_all_scripts(text, kept, gone):
    redacted = redact(text)
    assert kept in redacted
    assert gone not in redacted


def test_redaction_keeps_ordinary_numbers_in_questions():
    assert redact("работаю 12 часов, платят 300 долларов") == "работаю 12 часов, платят 300 долларов"


def test_secret_is_generated_once_and_kept_beside_the_database(tmp_path):
    db = tmp_path / "safar.sqlite3"
    first = load_secret(None, db)
    assert load_secret(None, db) == first
    assert (tmp_path / "safar.sqlite3.secret").stat().st_mode & 0o077 == 0
    assert load_secret("from-config-long-enough", tmp_path / "other.sqlite3") == b"from-config-long-enough"


async def test_no_raw_id_or_phone_reaches_the_database_file(mini_content, config):
    user = Updates(user_id=USER_ID, language_code="en")
    async with running_bot(config, content_dir=mini_content) as (app, _):
        for data in (
            user.message("/start"),
            user.press("lang:en"),
            user.press("home:KG"),
            user.press("cur:RU"),
            user.message(f"my number is {PHONE}, where to buy cheap sneakers"),
            user.message(f"help me, they beat us, call {PHONE}"),
        ):
            await app.process_update(to_update(data, app.bot))
    raw = b"".join(p.read_bytes() for p in config.db_path.parent.glob("safar.sqlite3*") if p.suffix != ".secret")
    for secret in (str(USER_ID), "aida_kg", "Aida", PHONE, PHONE.replace(" ", ""), "555 123", "beat"):
        assert secret.encode() not in raw, secret
    async with aiosqlite.connect(config.db_path) as db:
        rows = await (await db.execute("SELECT kind, decision, text FROM events ORDER BY id")).fetchall()
    kinds = [r[0] for r in rows]
    assert "start" in kinds and "emergency" in kinds
    unanswered = [r for r in rows if r[0] == "question" and r[1] in ("none", "suggest")]
    assert len(unanswered) == 2
    assert unanswered[0][2] == "my number is [phone], where to buy cheap sneakers"
    assert unanswered[1][2] is None  # an emergency's words are never stored


async def test_settings_persist_across_restarts(storage):
    db, secret = storage, b"k"
    log = await UsageLog.open(db, secret)
    log.record(5, [Event("settings", {"lang": "ky"})], UserState(lang="ky", home="KG", current="RU"))
    await log.close()
    log = await UsageLog.open(db, secret)
    assert await log.load_state(5) == UserState(lang="ky", home="KG", current="RU")
    await log.close()


async def test_delete_erases_a_users_settings_and_events(storage):
    db, secret = storage, b"k"
    log = await UsageLog.open(db, secret)
    log.record(5, [Event("question", {"decision": "answer", "topic": "x"})], UserState(lang="ky"))
    log.record(6, [Event("question", {"decision": "answer", "topic": "y"})], UserState(lang="ru"))
    await log.flush()
    log.record(5, [Event("delete")], UserState())
    await log.close()
    users = {r[0] for r in await query(db, "SELECT user_hash FROM events UNION SELECT user_hash FROM users")}
    log = await UsageLog.open(db, secret)
    assert users == {log.user_hash(6)}
    assert await log.load_state(5) == UserState()
    await log.close()


async def test_purge_removes_old_events_only(storage):
    log = await UsageLog.open(storage, b"k")
    log.record(1, [Event("question", {"decision": "answer"})])
    await log.flush()
    await execute(storage, "UPDATE events SET ts = ?", (time.time() - 100 * 86400,))
    log.record(1, [Event("question", {"decision": "answer"})])
    await log.flush()
    assert await log.purge(dt.timedelta(days=90)) == 1
    await log.close()


async def test_answers_keep_flowing_while_the_database_is_locked(mini_content, config):
    user = Updates(language_code="en")
    async with running_bot(config, content_dir=mini_content) as (app, fake):
        locker = sqlite3.connect(config.db_path, timeout=0)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            await app.process_update(to_update(user.message("/start"), app.bot))
            await app.process_update(to_update(user.message("what is the hotline"), app.bot))
            # The answer is out while the other process still holds the lock.
            assert any("free and confidential" in t for t in fake.texts())
            await app.bot_data.services.usage_log.flush()
        finally:
            locker.rollback()
            locker.close()
    assert app.bot_data.services.usage_log.dropped > 0


async def test_a_database_that_cannot_open_costs_no_answer(mini_content, config, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    broken = {
        "content_dir": mini_content,
        "db_path": blocker / "x.sqlite3",
        "hash_secret": "a-test-secret-of-some-length",
    }
    async with running_bot(config, **broken) as (app, fake):
        await app.process_update(to_update(Updates(language_code="en").message("/help"), app.bot))
    assert fake.texts()


async def test_a_full_database_costs_events_not_answers(mini_content, config):
    user = Updates(language_code="en")
    async with running_bot(config, content_dir=mini_content) as (app, fake):
        log = app.bot_data.services.usage_log
        await log.flush()
        pages = (await (await log._db.raw.execute("PRAGMA page_count")).fetchone())[0]
        await log._db.raw.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full from now on
        for text in ["what is the hotline"] + [f"question {i} " + "long words " * 200 for i in range(30)]:
            await app.process_update(to_update(user.message(text), app.bot))
        await log.flush()
    assert any("free and confidential" in t for t in fake.texts())
    assert log.dropped > 0


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("звоните 8/916/123/45/67", "123"),
        ("номер 0_555_12_34_56", "12_34"),
        ("+992,93,555,44,33 вотсап", "555"),
        ("тел 8*916*123*45*67", "123"),
        ("позвони 8\u200b916\u200b123\u200b45\u200b67", "916"),
        ("пиши vk.com/id12345 или instagram.com/aida.kg", "aida"),
        ("канал t.me/rabota_msk и tg://resolve?domain=rabota_msk", "rabota"),
        ("сайт rabota-moskva.ru/vakansii", "rabota"),
    ],
)
def test_redaction_catches_disguised_phones_and_bare_links(text, gone):
    assert gone not in redact(text)


def test_redaction_still_keeps_ordinary_numbers_and_words():
    assert redact("смены 12, 300 рублей, 2 дня") == "смены 12, 300 рублей, 2 дня"
    assert redact("т.е. работа в г. Москва") == "т.е. работа в г. Москва"


async def test_database_files_are_private_and_erased_pages_overwritten(tmp_path):
    log = await UsageLog.open(tmp_path / "s.sqlite3", b"k")
    log.record(1, [Event("question", {"decision": "none", "text": "секретный вопрос про визу"})])
    await log.flush()
    (secure_delete,) = await (await log._db.raw.execute("PRAGMA secure_delete")).fetchone()
    await log.close()
    assert secure_delete == 1
    files = list(tmp_path.glob("s.sqlite3*"))
    assert files and all(f.stat().st_mode & 0o077 == 0 for f in files), [oct(f.stat().st_mode) for f in files]


async def test_a_purge_costs_the_bot_no_concurrent_events(tmp_path):
    path = tmp_path / "s.sqlite3"
    old = time.time() - 200 * 86400
    bot_log = await UsageLog.open(path, b"k")
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO events (ts, user_hash, kind) VALUES (?, 'old', 'question')", ((old,) for _ in range(200_000))
        )
    purging = await UsageLog.open(path, b"k")  # `python -m bot log purge` in another terminal
    purge = asyncio.create_task(purging.purge(dt.timedelta(days=90)))
    recorded = 0
    while not purge.done():
        bot_log.record(recorded, [Event("question", {"decision": "answer"})])
        recorded += 1
        await bot_log.flush()  # written now, while the purge runs
    assert await purge == 200_000
    await purging.close()
    await bot_log.close()
    assert recorded > 0 and bot_log.dropped == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == recorded


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("живу Подольск Садовая 12 кв 5, хозяин не платит", "хозяин не платит"),
        ("I live at Main St 4, flat 12, boss took my passport", "boss took my passport"),
        ("Toshkent, Amir Temur ko'chasi 15", "Toshkent"),
    ],
)
def test_an_address_typed_into_a_question_is_not_kept(text, kept):
    redacted = redact(text)
    assert "12" not in redacted and "15" not in redacted and "[address]" in redacted and kept in redacted


def test_years_months_and_money_after_a_place_are_not_taken_for_a_house_number():
    for text in ("в Москве 2 года", "Moskvada 5 oy ishladim", "Работал в Казани 3 месяца"):
        assert redact(text) == text
