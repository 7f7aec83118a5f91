"""Subscriptions and broadcasts: opt-in, erasable, at most once, within Telegram's limits."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.broadcast import Blocked, Broadcaster, Campaign, CampaignError, RetryAfter, load_campaign
from bot.config import Secret
from bot.subscriptions import Subscriptions
from bot.telegram_app import SafarContext, weekly_myth
from tests.conftest import query, run_cli
from tests.telegram_fake import Updates, running_bot, to_update

CAMPAIGN = Campaign("winter-2026", {"ru": "<b>Зимой</b> проверяйте вакансии", "en": "<b>Winter</b>: check offers"})


class SimulatedCrash(Exception):
    pass


@pytest.fixture
async def subscriptions(storage):
    subs = await Subscriptions.open(storage, b"secret")
    for n in range(1, 11):
        await subs.subscribe(f"user{n}", 5000 + n, "ru" if n % 2 else "ky")
    yield subs
    await subs.close()


async def test_chat_ids_are_kept_only_encrypted(storage, subscriptions):
    if isinstance(storage, Path):  # SQLite: not in the file, nor in its write-ahead log
        raw = storage.read_bytes() + b"".join(p.read_bytes() for p in storage.parent.glob("s.sqlite3-wal"))
        assert b"5001" not in raw and b"5010" not in raw
    kept = " ".join(str(cell) for row in await query(storage, "SELECT * FROM subscribers") for cell in row)
    assert "5001" not in kept and "5010" not in kept
    assert sorted(s.chat_id for s in await subscriptions.all())[:2] == [5001, 5002]
    other_key = Subscriptions(subscriptions._db, b"another secret")
    assert await other_key.all() == []  # without the secret the chats cannot be read


async def test_each_subscriber_gets_the_message_in_their_language(subscriptions, fake_clock):
    sent: list[tuple[int, str]] = []

    async def send(chat_id, text):
        sent.append((chat_id, text))

    report = await Broadcaster(subscriptions, send, clock=fake_clock.clock).run(CAMPAIGN)
    assert len(sent) == 10 and report.statuses["sent"] == 10
    texts = dict(sent)
    assert texts[5001].startswith("<b>Зимой") and texts[5002].startswith("<b>Зимой")  # ky falls back to ru
    assert report.languages == {"ru": 5, "ky": 5}


async def test_a_resumed_broadcast_sends_nobody_a_message_twice(subscriptions, fake_clock):
    received: list[int] = []

    async def crashing_send(chat_id, text):
        received.append(chat_id)
        if len(received) == 4:
            raise SimulatedCrash  # the process dies after Telegram accepted the fourth message

    with pytest.raises(SimulatedCrash):
        await Broadcaster(subscriptions, crashing_send, clock=fake_clock.clock).run(CAMPAIGN)

    async def send(chat_id, text):
        received.append(chat_id)

    report = await Broadcaster(subscriptions, send, clock=fake_clock.clock).run(CAMPAIGN)
    assert sorted(received) == sorted(set(received)) and len(received) == 10
    assert report.statuses == {"sent": 9, "unknown": 1}
    again = await Broadcaster(subscriptions, send, clock=fake_clock.clock).run(
        CAMPAIGN
    )  # a third run has nothing left to do
    assert len(received) == 10 and again.statuses == {"sent": 9, "unknown": 1}


async def test_flood_limits_are_honoured(subscriptions, fake_clock):
    calls: list[int] = []

    async def send(chat_id, text):
        calls.append(chat_id)
        if len(calls) == 3:
            raise RetryAfter(7)

    report = await Broadcaster(subscriptions, send, rate=20, clock=fake_clock.clock).run(CAMPAIGN)
    assert report.statuses["sent"] == 10 and report.retry_after_waits == 1
    assert 7 in fake_clock.pauses  # waited as long as Telegram asked
    assert fake_clock.pauses.count(1 / 20) == 11  # paced at 20 messages per second, including the retry


async def test_a_blocked_bot_unsubscribes(subscriptions, fake_clock):
    async def send(chat_id, text):
        if chat_id == 5003:
            raise Blocked("Forbidden: bot was blocked by the user")

    report = await Broadcaster(subscriptions, send, clock=fake_clock.clock).run(CAMPAIGN)
    assert report.statuses == {"sent": 9, "blocked": 1}
    assert 5003 not in [s.chat_id for s in await subscriptions.all()]


async def test_dry_run_sends_nothing(subscriptions, fake_clock):
    async def send(chat_id, text):
        raise AssertionError("a dry run must not send")

    report = await Broadcaster(subscriptions, send, clock=fake_clock.clock).run(CAMPAIGN, dry_run=True)
    assert report.statuses == {"would send": 10}


def test_campaign_files_are_checked(tmp_path):
    good = tmp_path / "c.yaml"
    good.write_text("id: x1\nmessages:\n  ru: '**Важно**: проверьте'\n", encoding="utf-8")
    assert load_campaign(good).messages == {"ru": "<b>Важно</b>: проверьте"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x2\nmessages:\n  ru: '<script>x</script>'\n", encoding="utf-8")
    with pytest.raises(CampaignError, match="raw HTML"):
        load_campaign(bad)


def test_broadcast_command_dry_run(tmp_path):
    env = {"SAFAR_DB_PATH": str(tmp_path / "d.sqlite3"), "SAFAR_HASH_SECRET": "a-test-secret-of-some-length"}
    out = run_cli("broadcast", "campaigns/example.yaml", "--dry-run", env=env).stdout
    assert out.startswith("broadcast example-2026-12-winter-offers: 0 recipients (dry run)")
    assert "--- ky ---" in out


# --- in the bot ---------------------------------------------------------------------------


@pytest.fixture
async def telegram(config):
    async with running_bot(config, token=Secret("1:T")) as running:
        yield running


async def test_subscribe_unsubscribe_and_block(telegram):
    app, _ = telegram
    subs = app.bot_data.services.subscriptions
    user = Updates(user_id=77, language_code="ky")
    await app.process_update(to_update(user.message("/subscribe"), app.bot))
    assert [s.chat_id for s in await subs.all()] == [77]
    await app.process_update(to_update(user.message("/unsubscribe"), app.bot))
    assert await subs.all() == []
    await app.process_update(to_update(user.message("/subscribe"), app.bot))
    blocked = {
        "update_id": 9,
        "my_chat_member": {
            "chat": user.chat,
            "from": user.user,
            "date": 1,
            "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "S"}},
            "new_chat_member": {
                "status": "kicked",
                "until_date": 0,
                "user": {"id": 1, "is_bot": True, "first_name": "S"},
            },
        },
    }
    await app.process_update(to_update(blocked, app.bot))
    assert await subs.all() == []


async def test_weekly_myth_reaches_subscribers_in_their_language(telegram):
    app, fake = telegram
    for user_id, lang in ((81, "ky"), (82, "tg")):
        user = Updates(user_id=user_id, language_code=lang)
        await app.process_update(to_update(user.message("/subscribe"), app.bot))
    fake.clear()

    job = SimpleNamespace(chat_id=None, user_id=None, data=None)
    context = SafarContext.from_job(job, app)
    await weekly_myth(context)
    texts = {int(p["chat_id"]): p["text"] for p in fake.sent()}
    assert set(texts) == {81, 82}
    assert "/unsubscribe" in texts[81] and texts[81] != texts[82]
    fake.clear()
    await weekly_myth(context)  # the same week again: nobody gets it twice
    assert fake.sent() == []
