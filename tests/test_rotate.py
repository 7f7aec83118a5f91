"""`secret rotate`: on SQLite, and on PostgreSQL the same re-keying on a real throw-away server.

The CLI is called in this process (``main([...])``) so what it prints is read with capsys: the new
secret must reach the file the operator named and nowhere else.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import stat
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest

from bot.__main__ import main
from bot.config import Config, Secret
from bot.keys import SecretError, load_secret, secret_path
from bot.replies import Event, UserState
from bot.rotate import ROTATION_LOCK, rotate
from bot.services import Services
from tests.conftest import query

OLD = "the-old-secret-of-this-database-0123"
WRONG = "not-the-secret-this-database-knows-42"

SUBSCRIBER, CASE_OWNER, STRANGER = 77, 55, 88


@pytest.fixture
def pg_config(config: Config, fresh_postgres: str, mini_content: Path) -> Config:
    """A bot on a new PostgreSQL database, hashing with OLD."""
    return replace(config, database_url=Secret(fresh_postgres), hash_secret=Secret(OLD), content_dir=mini_content)


def rotate_cli(monkeypatch, capsys, config: Config, secret: str | None, *args: str) -> tuple[int, str, str]:
    """`python -m bot secret rotate ARGS` as an operator runs it; (exit code, stdout, stderr)."""
    for name, value in (
        ("SAFAR_DATABASE_URL", config.database_url),
        ("SAFAR_HASH_SECRET", secret),
        ("SAFAR_DB_PATH", config.db_path),
    ):
        if value:
            monkeypatch.setenv(name, str(value))
        else:
            monkeypatch.delenv(name, raising=False)
    root = logging.getLogger()
    saved = root.level, root.handlers[:]
    try:
        code = main(["secret", "rotate", *args])
    finally:
        root.setLevel(saved[0])  # the CLI sets up logging for its process: not for the next test
        root.handlers[:] = saved[1]
    out, err = capsys.readouterr()
    return code, out, err


async def people_and_cases(config: Config) -> str:
    """A bot with a subscriber, an open case and a stranger who only asked questions; the case number."""
    services = await Services.open(config)
    try:
        question = [Event("question", {"decision": "answer"})]
        services.usage_log.record(SUBSCRIBER, question * 2, UserState(lang="ky"))
        services.usage_log.record(CASE_OWNER, question, UserState(lang="tg"))
        services.usage_log.record(STRANGER, question * 3, UserState(lang="ru"))
        assert await services.subscribe(SUBSCRIBER, SUBSCRIBER, "ky")
        case = await services.open_case(CASE_OWNER, CASE_OWNER, "tg")
        assert case is not None
    finally:
        await services.close()
    return case


async def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row a rotation could touch, in a stable order."""
    tables = {
        "users": "SELECT user_hash, lang FROM users",
        "events": "SELECT user_hash, kind FROM events",
        "subscribers": "SELECT user_hash, chat FROM subscribers",
        "cases": "SELECT id, user_hash, chat FROM cases",
        "meta": "SELECT key, value FROM meta",
    }
    return {name: sorted(await query(url, sql)) for name, sql in tables.items()}


async def event_counts(url: str) -> list[tuple]:
    """What a report counts: events by kind and how many people sent them, and the daily roll-ups."""
    by_kind = await query(url, "SELECT kind, count(*), count(DISTINCT user_hash) FROM events GROUP BY kind")
    daily = await query(url, "SELECT kind, sum(count) FROM daily GROUP BY kind")
    people_days = await query(url, "SELECT count(*), count(DISTINCT user_hash) FROM user_days")
    return sorted(by_kind) + sorted(daily) + people_days


async def test_a_rotation_keeps_subscribers_and_cases_and_forgets_whom_it_cannot_rekey(
    pg_config, tmp_path, monkeypatch, capsys
):
    case = await people_and_cases(pg_config)
    url = str(pg_config.database_url)
    counts_before = await event_counts(url)
    target = tmp_path / "new-secret"

    code, out, err = rotate_cli(monkeypatch, capsys, pg_config, OLD, "--new-secret-file", str(target))

    assert code == 0, err
    new = target.read_text()
    assert len(new) >= 32 and new != OLD
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert new not in out and new not in err  # never on the terminal
    assert "2 subscriptions and cases re-sealed" in out
    assert "1 people's settings reset" in out  # the stranger's
    assert "SAFAR_HASH_SECRET" in out and "EVERY instance" in out
    assert "VACUUM failed" not in out  # the old row versions are reclaimed at once
    assert await event_counts(url) == counts_before  # the report counts the same events and people
    assert await query(url, "SELECT count(*) FROM users") == [(2,)]  # nobody can recompute the stranger's hash

    with pytest.raises(SecretError, match="not the secret"):
        await Services.open(pg_config)  # an instance left on the old secret does not start

    services = await Services.open(replace(pg_config, hash_secret=Secret(new)))
    try:
        assert [s.chat_id for s in await services.subscriptions.all()] == [SUBSCRIBER]
        assert await services.find_case(case) == (CASE_OWNER, "tg")
        assert (await services.load_state(SUBSCRIBER)).lang == "ky"  # their settings followed them
        assert (await services.load_state(CASE_OWNER)).lang == "tg"
        assert await services.unsubscribe(SUBSCRIBER)  # /unsubscribe still finds them
        assert await services.erase_user(CASE_OWNER, CASE_OWNER)  # and /delete
    finally:
        await services.close()
    assert await query(url, "SELECT count(*) FROM subscribers") == [(0,)]
    assert await query(url, "SELECT count(*) FROM cases") == [(0,)]
    assert await query(url, "SELECT count(*) FROM users") == [(1,)]  # only the subscriber's settings are left


async def test_a_wrong_current_secret_is_refused_in_one_line_and_nothing_changes(
    pg_config, tmp_path, monkeypatch, capsys
):
    await people_and_cases(pg_config)
    url = str(pg_config.database_url)
    before = await snapshot(url)
    target = tmp_path / "new-secret"

    code, out, err = rotate_cli(monkeypatch, capsys, pg_config, WRONG, "--new-secret-file", str(target))

    assert code == 2
    assert out == "" and err.count("\n") == 1 and "not the secret" in err
    assert not target.exists()
    assert await snapshot(url) == before
    services = await Services.open(pg_config)  # the old secret still opens everything
    await services.close()


async def test_a_second_operator_is_refused_while_a_rotation_holds_the_lock(pg_config, tmp_path, monkeypatch, capsys):
    await people_and_cases(pg_config)
    url = str(pg_config.database_url)
    before = await snapshot(url)
    target = tmp_path / "new-secret"
    other = await asyncpg.connect(url)  # the first operator's rotation, half-way
    try:
        await other.execute("SELECT pg_advisory_lock($1)", ROTATION_LOCK)
        code, _, err = rotate_cli(monkeypatch, capsys, pg_config, OLD, "--new-secret-file", str(target))
    finally:
        await other.close()
    assert code == 2 and "another `secret rotate` is running" in err
    assert not target.exists()
    assert await snapshot(url) == before


async def test_postgresql_needs_a_new_file_for_the_new_secret(pg_config, tmp_path, monkeypatch, capsys):
    await people_and_cases(pg_config)
    url = str(pg_config.database_url)
    before = await snapshot(url)

    code, _, err = rotate_cli(monkeypatch, capsys, pg_config, OLD)
    assert code == 2 and err.count("\n") == 1 and "--new-secret-file" in err

    kept = tmp_path / "secret-in-use"
    kept.write_text("a secret someone still needs")
    code, _, err = rotate_cli(monkeypatch, capsys, pg_config, OLD, "--new-secret-file", str(kept))
    assert code == 2 and "exists already" in err
    assert kept.read_text() == "a secret someone still needs"
    assert await snapshot(url) == before


def test_sqlite_keeps_its_secret_beside_the_database(config, monkeypatch, capsys, tmp_path):
    code, _, err = rotate_cli(monkeypatch, capsys, config, None, "--new-secret-file", str(tmp_path / "elsewhere"))
    assert code == 2 and "is for PostgreSQL" in err
    assert not (tmp_path / "elsewhere").exists()


async def test_an_instance_left_running_is_named_in_the_report(pg_config, tmp_path, monkeypatch, capsys):
    await people_and_cases(pg_config)
    running = await asyncpg.connect(str(pg_config.database_url))  # what a bot nobody stopped holds open
    try:
        code, out, _ = rotate_cli(monkeypatch, capsys, pg_config, OLD, "--new-secret-file", str(tmp_path / "new"))
    finally:
        await running.close()
    assert code == 0
    assert "other connections to this database were open" in out and "stop it now" in out


def test_a_database_the_bot_never_started_on_has_nothing_to_rekey(pg_config, tmp_path, monkeypatch, capsys):
    target = tmp_path / "new-secret"
    code, _, err = rotate_cli(monkeypatch, capsys, pg_config, OLD, "--new-secret-file", str(target))
    assert code == 2 and "no key check" in err
    assert not target.exists()


def test_a_broadcast_with_the_old_secret_is_refused_after_a_rotation(pg_config, tmp_path, monkeypatch, capsys):
    asyncio.run(people_and_cases(pg_config))  # the CLI runs its own event loop: this test has none
    code, _, err = rotate_cli(monkeypatch, capsys, pg_config, OLD, "--new-secret-file", str(tmp_path / "new"))
    assert code == 0, err
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text("id: after-rotation\nmessages:\n  ky: Салам\n", encoding="utf-8")
    monkeypatch.setenv("SAFAR_HASH_SECRET", OLD)  # an operator's shell still has the old one
    code = main(["broadcast", str(campaign), "--dry-run"])
    _out, err = capsys.readouterr()
    assert code == 2 and "not the secret" in err and err.count("\n") == 1


async def test_sqlite_rotation_rekeys_subscribers_cases_and_their_data(config, mini_content):
    config = replace(config, content_dir=mini_content)
    services = await Services.open(config)

    services.usage_log.record(77, [Event("question", {"decision": "answer"})], UserState(lang="ky"))
    services.usage_log.record(88, [Event("question", {"decision": "answer"})], UserState(lang="ru"))
    assert await services.subscribe(77, 77, "ky")
    case = await services.open_case(77, 77, "ky")
    await services.close()
    old = secret_path(config.db_path).read_text()

    lines = rotate(config)
    assert "2 subscriptions and cases re-sealed" in lines[0]
    assert secret_path(config.db_path).read_text() != old
    with pytest.raises(SecretError):
        load_secret(old, config.db_path)  # the old secret no longer opens this database

    services = await Services.open(config)
    assert [s.chat_id for s in await services.subscriptions.all()] == [77]
    assert await services.find_case(case) == (77, "ky")
    assert (await services.load_state(77)).lang == "ky"  # the subscriber's settings followed them
    assert await services.erase_user(77, 77)
    await services.close()
    with sqlite3.connect(config.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM subscribers").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (1,)  # 88's, under a random pseudonym
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)
