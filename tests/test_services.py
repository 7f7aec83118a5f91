"""What the person is told holds: erasure, subscriptions and cases are written at once, or reported as not."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from dataclasses import replace

import pytest

from bot import chats, handoff
from bot.config import Secret
from bot.handoff import case_in
from bot.replies import Event, UserState
from bot.services import Services
from bot.subscriptions import should_unsubscribe
from tests.conftest import query
from tests.telegram_fake import Updates, running_bot, to_update

PERSONAL = ("events", "users", "user_days", "subscribers", "deliveries", "cases")


@pytest.fixture
def fast_retries(monkeypatch):
    """A lock is waited out for 0.1 s per attempt instead of seconds, so a held lock fails quickly."""
    monkeypatch.setattr(chats, "BUSY_TIMEOUT", 0.1)
    monkeypatch.setattr(chats, "BACKOFF", (0.01, 0.01))


@pytest.fixture
async def services(config, mini_content):
    opened = await Services.open(replace(config, content_dir=mini_content))
    yield opened
    await opened.close()


@pytest.fixture
async def any_services(storage_config, mini_content):
    """Services on either backend (the tests above hold SQLite's file lock, so they stay on SQLite)."""
    opened = await Services.open(replace(storage_config, content_dir=mini_content))
    yield opened
    await opened.close()


async def rows_in(target, user_hash: str) -> dict[str, int]:
    return {
        t: (await query(target, f"SELECT count(*) FROM {t} WHERE user_hash = ?", (user_hash,)))[0][0] for t in PERSONAL
    }


def rows_of(db_path, user_hash: str) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t} WHERE user_hash = ?", (user_hash,)).fetchone()[0]
            for t in PERSONAL
        }


async def remember_someone(services: Services, user: int) -> str:
    services.usage_log.record(user, [Event("question", {"decision": "answer"})], UserState(lang="ky", home="KG"))
    await services.usage_log.flush()
    assert await services.subscribe(user, user, "ky")
    assert await services.open_case(user, user, "ky")
    return services.usage_log.user_hash(user)


class HeldLock:
    """Another process's write lock on the database, released when asked (from any thread)."""

    def __init__(self, db_path):
        self.conn = sqlite3.connect(db_path, timeout=0, check_same_thread=False)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self):
        self.conn.rollback()
        self.conn.close()


async def test_delete_under_a_lock_waits_it_out_and_nothing_comes_back(mini_content, config):
    """A 0.5 s lock (a purge chunk, a backup) used to drop /delete for good while saying "erased"."""
    user = Updates(user_id=5150, language_code="en")
    async with running_bot(config, content_dir=mini_content) as (app, _):
        services = app.bot_data.services
        for text in ("/start", "what is the hotline", "/subscribe"):
            await app.process_update(to_update(user.message(text), app.bot))
        await services.usage_log.flush()
        user_hash = services.usage_log.user_hash(5150)
        assert rows_of(config.db_path, user_hash)["subscribers"] == 1
        await app.process_update(to_update(user.message("/delete"), app.bot))
        lock = HeldLock(config.db_path)
        threading.Timer(0.5, lock.release).start()
        await app.process_update(to_update(user.press("del:yes"), app.bot))
    assert sum(rows_of(config.db_path, user_hash).values()) == 0  # after the restart too


async def test_an_erasure_that_cannot_land_says_so_and_lands_later(fast_retries, services, config):
    user_hash = await remember_someone(services, 77)
    assert await services.track_message(77, 1001)
    lock = HeldLock(config.db_path)
    try:
        assert await services.erase_user(77, 77) is False  # the truth: not erased yet
        assert await services.load_state(77) == UserState()  # but the bot already acts as if it were
        services.usage_log.record(77, [Event("question", {"decision": "none"})], UserState(lang="ky"))
    finally:
        lock.release()
    assert await services.retry_pending() == 0
    await services.usage_log.flush()
    left = rows_of(config.db_path, user_hash)
    after = {"events": 1, "user_days": 1, "users": 1}  # only what came after the request stays
    assert left == {**dict.fromkeys(PERSONAL, 0), **after}
    assert await services.tracked_messages(77) == []


async def test_subscribe_and_case_report_failure_instead_of_pretending(fast_retries, services, config):
    lock = HeldLock(config.db_path)
    try:
        assert await services.subscribe(77, 77, "ru") is False
        assert await services.open_case(77, 77, "ru") is None
        assert await services.unsubscribe(77) is False
        assert services.pending  # the unsubscription is retried
    finally:
        lock.release()
    assert await services.retry_pending() == 0


async def test_tracked_messages_survive_a_restart_sealed_and_expire(storage_config, mini_content):
    config = replace(storage_config, content_dir=mini_content)
    services = await Services.open(config)
    for message_id in (10, 11, 12):
        assert await services.track_message(987654321, message_id)
    await services.tracked.track(987654321, 9, at=1.0)  # three days old: Telegram no longer deletes it
    await services.close()
    if config.database_url is None:
        files = config.db_path.parent.glob(config.db_path.name + "*")
        raw = b"".join(p.read_bytes() for p in files if p.suffix != ".secret")
        assert b"987654321" not in raw  # the chat is kept only as a keyed hash
    kept = await query(config.database, "SELECT chat FROM tracked")
    assert len(kept) == 4 and not any("987654321" in chat for (chat,) in kept)

    services = await Services.open(config)
    assert await services.tracked_messages(987654321) == [10, 11, 12]
    assert await services.tracked_messages(123) == []
    assert await services.tracked.prune() == 1
    assert await services.forget_messages(987654321)
    assert await services.tracked_messages(987654321) == []
    await services.close()


async def test_case_numbers_are_unique_long_and_closable(any_services, monkeypatch):
    services = any_services
    drawn = iter(["AAAAAAAA", "AAAAAAAA", "BBBBBBBB"])
    monkeypatch.setattr(handoff, "new_case_id", lambda: next(drawn))
    first = await services.open_case(1, 1001, "ru")
    second = await services.open_case(2, 1002, "ky")
    assert (first, second) == ("AAAAAAAA", "BBBBBBBB")  # a collision draws again, never overwrites
    assert await services.find_case(first) == (1001, "ru")
    assert await services.open_case(3, 1003, "tg", case="AAAAAAAA") is None  # never replaced
    assert await services.find_case(first) == (1001, "ru")
    assert await services.close_case(first) and await services.find_case(first) is None
    assert not await services.close_case(first)


def test_case_numbers_in_text_old_and_new():
    assert len(handoff.new_case_id()) == 8 and set(handoff.new_case_id()) <= set(handoff.CASE_ALPHABET)
    assert case_in("<b>Case #K7M2PQ9X</b> · ru") == "K7M2PQ9X"
    assert case_in("Case #1A2B3C · ru") == "1A2B3C"  # cases opened before the longer numbers
    assert case_in("no case here #12") is None


def test_removing_the_bot_from_a_group_is_no_unsubscription():
    assert should_unsubscribe("private", "kicked") and should_unsubscribe("private", "left")
    assert not should_unsubscribe("group", "kicked") and not should_unsubscribe("supergroup", "left")
    assert not should_unsubscribe("private", "member")


async def test_reload_parses_off_the_event_loop(services, monkeypatch):
    import bot.services as module

    threads: list[str] = []
    real = module._load

    def load(config):
        threads.append(threading.current_thread().name)
        return real(config)

    monkeypatch.setattr(module, "_load", load)
    assert await services.reload() == []
    assert threads and threads[0] != threading.main_thread().name
    # Meanwhile the loop answers: a reload is awaited like any I/O.
    results = await asyncio.gather(services.reload(), asyncio.sleep(0, result="answered"))
    assert results == [[], "answered"]


async def test_an_erasure_removes_every_row_of_the_person_on_both_backends(any_services):
    services = any_services
    user_hash = await remember_someone(services, 78)
    other = await remember_someone(services, 79)
    assert await services.track_message(78, 1001)
    assert await services.erase_user(78, 78) is True
    assert sum((await rows_in(services.config.database, user_hash)).values()) == 0
    assert await services.tracked_messages(78) == []
    assert (await rows_in(services.config.database, other))["subscribers"] == 1  # nobody else's


async def test_two_instances_on_postgresql_share_settings_and_erasures(fresh_postgres, config, mini_content):
    """Two processes behind one proxy: what one writes or erases, the other sees at once."""
    config = replace(
        config,
        content_dir=mini_content,
        database_url=Secret(fresh_postgres),
        hash_secret=Secret("a-test-secret-of-some-length"),
    )
    first, second = await Services.open(config), await Services.open(config)
    try:
        await second.load_state(5)  # the second has seen this person before any settings
        first.usage_log.record(5, [Event("settings", {})], UserState(lang="ky", home="KG", current="RU"))
        await first.usage_log.flush()
        assert await second.load_state(5) == UserState(lang="ky", home="KG", current="RU")
        # A message through the second, queued but not written yet, then /delete through the first.
        second.usage_log.record(5, [Event("question", {"decision": "answer"})], UserState(lang="ky", home="KG"))
        assert await first.erase_user(5, 5)
        for _ in range(100):  # the notification reaches the second instance asynchronously
            if first.usage_log.user_hash(5) in second.usage_log._erased:
                break
            await asyncio.sleep(0.01)
        await second.usage_log.flush()
        assert await second.load_state(5) == UserState()
        assert sum((await rows_in(fresh_postgres, first.usage_log.user_hash(5))).values()) == 0
        # A case opened through one is found (to answer it) through the other.
        case = await first.open_case(6, 6006, "ru")
        assert await second.find_case(case) == (6006, "ru")
        assert await second.close_case(case) and await first.find_case(case) is None
    finally:
        await first.close()
        await second.close()


async def test_postgresql_refuses_another_secret_for_its_data(fresh_postgres, config, mini_content):
    from bot.keys import SecretError

    config = replace(config, content_dir=mini_content, database_url=Secret(fresh_postgres))
    with pytest.raises(SecretError):  # never generated: every instance must hash alike
        await Services.open(config)
    services = await Services.open(replace(config, hash_secret=Secret("a-test-secret-of-some-length")))
    await services.close()
    with pytest.raises(SecretError):
        await Services.open(replace(config, hash_secret=Secret("another-secret-of-some-length")))
