"""Broadcasts: one sender per campaign, resumed after a restart, and the weekly myth caught up."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
from collections import Counter
from types import SimpleNamespace

import pytest

from bot.broadcast import (
    CATCH_UP,
    LOCK_SECONDS,
    Broadcaster,
    Campaign,
    RetryAfter,
    weekly_campaign_id,
    weekly_myth_due,
)
from bot.config import Secret
from bot.subscriptions import Subscriptions
from bot.telegram_app import SafarContext, weekly_myth
from tests.conftest import execute
from tests.telegram_fake import Updates, running_bot, to_update

CAMPAIGN = Campaign("spring-2027", {"ru": "<b>Весной</b> проверяйте вакансии"})
SECRET = b"a-test-secret-of-some-length"


@pytest.fixture
async def db_with_subscribers(storage):
    path = storage  # a SQLite file or a PostgreSQL database: every test here runs on both
    subs = await Subscriptions.open(path, SECRET)
    for n in range(1, 41):
        await subs.subscribe(f"user{n}", 7000 + n, "ru")
    await subs.close()
    return path


async def test_two_overlapping_runs_send_each_message_once(db_with_subscribers):
    received: Counter[int] = Counter()

    async def send(chat_id, text):
        received[chat_id] += 1
        await asyncio.sleep(0)  # let the other run in between every message

    first = await Subscriptions.open(db_with_subscribers, SECRET)
    second = await Subscriptions.open(db_with_subscribers, SECRET)
    try:
        reports = await asyncio.gather(
            Broadcaster(first, send, rate=10_000).run(CAMPAIGN),
            Broadcaster(second, send, rate=10_000).run(CAMPAIGN),
        )
    finally:
        await first.close()
        await second.close()
    assert len(received) == 40 and set(received.values()) == {1}
    assert sorted(r.busy for r in reports) == [False, True]  # one of them stood aside and said so


async def test_a_run_paused_longer_than_its_lock_still_holds_its_campaign(db_with_subscribers, fake_clock):
    """Long flood waits outlast the lock's lifetime: the run renews it, so a second run started then stands aside."""
    first = await Subscriptions.open(db_with_subscribers, SECRET)
    second = await Subscriptions.open(db_with_subscribers, SECRET)
    sent: list[int] = []
    waits = 0
    overlapping: list = []

    async def send(chat_id, text):
        nonlocal waits
        if len(sent) in (3, 6) and waits < len(sent) // 3:
            waits += 1
            raise RetryAfter(LOCK_SECONDS * 0.8)  # two waits: longer than the lock lives without renewal
        sent.append(chat_id)
        if len(sent) == 8:  # meanwhile an overlapping cron starts the same campaign
            overlapping.append(await Broadcaster(second, send, clock=fake_clock.clock).run(CAMPAIGN))

    try:
        report = await Broadcaster(first, send, clock=fake_clock.clock).run(CAMPAIGN)
    finally:
        await first.close()
        await second.close()
    assert overlapping[0].busy and report.statuses == {"sent": 40}
    assert len(sent) == 40 == len(set(sent))
    assert sum(fake_clock.pauses) > LOCK_SECONDS  # it did outlive the lock's lifetime, without waiting here


async def test_a_restart_resumes_the_queued_rows_of_a_dead_run(db_with_subscribers):
    subs = await Subscriptions.open(db_with_subscribers, SECRET)
    sent: list[int] = []

    async def dies_after_five(chat_id, text):
        if len(sent) == 5:
            raise SystemExit  # the process is killed mid-campaign
        sent.append(chat_id)

    with pytest.raises(SystemExit):
        await Broadcaster(subs, dies_after_five, rate=10_000).run(CAMPAIGN)
    # A killed process releases nothing: its lock is left behind, and expires.
    await execute(
        db_with_subscribers,
        "INSERT INTO campaign_locks VALUES (?, 'dead-host:1', ?)"
        " ON CONFLICT (campaign) DO UPDATE SET owner = excluded.owner, expires = excluded.expires",
        (CAMPAIGN.id, time.time() - 1),
    )

    async def send(chat_id, text):
        sent.append(chat_id)

    report = await Broadcaster(subs, send, rate=10_000).run(CAMPAIGN)
    await subs.close()
    assert len(sent) == 39 and len(set(sent)) == 39  # everyone once, but the one whose outcome is unknown
    assert report.statuses == {"sent": 39, "unknown": 1}


def test_the_weekly_myth_is_due_from_monday_ten_utc():
    monday = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)
    assert monday.weekday() == 0
    assert not weekly_myth_due(monday - dt.timedelta(minutes=1))
    assert weekly_myth_due(monday) and weekly_myth_due(monday + dt.timedelta(days=3))
    assert weekly_campaign_id(monday) == weekly_campaign_id(monday + dt.timedelta(days=6)) == "myth-2027-W09"


async def test_a_restart_during_the_weekly_myth_still_sends_it_to_everyone_once(storage_config):
    async with running_bot(storage_config, token=Secret("1:T")) as (app, fake):
        for user_id in (91, 92, 93):
            await app.process_update(to_update(Updates(user_id=user_id).message("/subscribe"), app.bot))
        subs = app.bot_data.services.subscriptions
        fake.clear()
        # The Monday run sent to one person, then the bot restarted before the others.
        campaign = weekly_campaign_id(dt.datetime.now(dt.UTC))
        rows = [(campaign, s.user_hash, "sent" if s.chat_id == 91 else "queued", time.time()) for s in await subs.all()]
        await subs.database.run(lambda db: db.executemany("INSERT INTO deliveries VALUES (?, ?, ?, ?)", rows))
        await app.process_update(to_update(Updates(user_id=94).message("/subscribe"), app.bot))
        fake.clear()

        catch_up = SafarContext.from_job(SimpleNamespace(chat_id=None, user_id=None, data=CATCH_UP), app)
        await weekly_myth(catch_up)
        assert sorted(int(p["chat_id"]) for p in fake.sent()) == [92, 93]  # resumed; 94 joined after it started
        fake.clear()
        await weekly_myth(catch_up)  # a second restart the same week: nobody gets it twice
        assert fake.sent() == []


def test_the_terminal_chat_imports_no_telegram():
    code = "import sys, bot.console, bot.broadcast; print('telegram' in sys.modules)"
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
