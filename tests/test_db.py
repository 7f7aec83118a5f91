"""The storage engines: migrations from empty and from every earlier version, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3

import aiosqlite
import asyncpg
import pytest

from bot.db import (
    MIGRATIONS,
    POSTGRES_MIGRATIONS,
    SCHEMA_VERSION,
    is_postgres,
    migrate_postgres,
    migrate_sqlite,
    open_engine,
    redacted,
    sqlite_path,
)
from bot.db.engine import numbered
from bot.usage_log import UsageLog
from tests.conftest import query

SEED = {  # what a user of an early version left, by the version that could hold it
    "events": (1, "INSERT INTO events (ts, user_hash, kind, data) VALUES (?, ?, ?, ?)"),
    "users": (1, "INSERT INTO users (user_hash, lang, home, current, updated) VALUES (?, ?, ?, ?, ?)"),
}


async def _at_version(storage, version: int) -> None:
    """A database left by the release whose schema was ``version``, with one person's rows in it."""
    rows = [
        ("events", (86400.0 * 3, "h1", "feedback", json.dumps({"helpful": True, "smalltalk": "thanks"}))),
        ("users", ("h1", "ru", "KG", "RU", 1.0)),
    ]
    if is_postgres(storage):
        raw = await asyncpg.connect(storage)
        try:
            await migrate_postgres(raw, upto=version)
            for table, params in rows:
                await raw.execute(numbered(SEED[table][1]), *params)
        finally:
            await raw.close()
    else:
        async with aiosqlite.connect(storage) as db:
            await migrate_sqlite(db, upto=version)
            for table, params in rows:
                await db.execute(SEED[table][1], params)
            await db.commit()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION + 1))
async def test_every_earlier_version_migrates_to_the_newest_keeping_its_data(storage, version):
    await _at_version(storage, version)
    engine = await open_engine(storage)
    await engine.close()
    assert await query(storage, "SELECT user_hash, lang, home FROM users") == [("h1", "ru", "KG")]
    events = await query(storage, "SELECT kind, helpful, smalltalk FROM events")
    # A step that comes after the rows were written fills the new columns from them.
    assert events == [("feedback", 1, "thanks")] if version < 3 else events == [("feedback", None, None)]
    if version < 4:  # the roll-ups were built from the events already kept
        helpful = 1 if version < 3 else -1  # -1: "no answer", as the events said before step 3 filled it
        assert await query(storage, "SELECT day, kind, helpful, count FROM daily") == [
            ("1970-01-04", "feedback", helpful, 1)
        ]


async def test_a_new_database_has_the_newest_schema_and_works(storage):
    log = await UsageLog.open(storage, b"k")
    await log.close()
    tables = {"users", "events", "daily", "user_days", "subscribers", "deliveries", "cases", "meta", "tracked"}
    for table in tables:
        assert await query(storage, f"SELECT count(*) FROM {table}") == [(0,)]
    if is_postgres(storage):
        assert await query(storage, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    else:
        assert await query(storage, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


async def test_migrations_from_empty_and_from_the_previous_schema(tmp_path):
    async with aiosqlite.connect(tmp_path / "new.sqlite3") as db:
        assert await migrate_sqlite(db) == 0
        assert (await (await db.execute("PRAGMA user_version")).fetchone())[0] == SCHEMA_VERSION
    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as conn:
        conn.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
        conn.execute("INSERT INTO events (ts, user_hash, kind) VALUES (1, 'h', 'start')")
    async with aiosqlite.connect(old) as db:
        assert await migrate_sqlite(db) == 1
        columns = [r[1] for r in await (await db.execute("PRAGMA table_info(events)")).fetchall()]
        assert "latency_ms" in columns
        assert (await (await db.execute("SELECT count(*) FROM events")).fetchone())[0] == 1
    previous = tmp_path / "previous.sqlite3"
    with sqlite3.connect(previous) as conn:
        conn.executescript(MIGRATIONS[0] + MIGRATIONS[1] + "PRAGMA user_version = 2;")
        conn.execute("""INSERT INTO events (ts, user_hash, kind, topic, data)
                        VALUES (1, 'h', 'feedback', 'work-russia', '{"helpful": false}')""")
        conn.execute("""INSERT INTO events (ts, user_hash, kind, decision, data)
                        VALUES (2, 'h', 'question', 'none', '{"smalltalk": "thanks"}')""")
    async with aiosqlite.connect(previous) as db:
        assert await migrate_sqlite(db) == 2
        rows = await (await db.execute("SELECT helpful, smalltalk FROM events ORDER BY ts")).fetchall()
        assert rows == [(0, None), (None, "thanks")]  # the new columns are filled from the old data
        daily = await (await db.execute("SELECT kind, helpful, count FROM daily ORDER BY kind")).fetchall()
        assert daily == [("feedback", 0, 1), ("question", -1, 1)]  # and the roll-ups from the events


async def test_the_old_where_now_or_going_answer_becomes_two_facts(tmp_path):
    """Before: one answer for "where are you now, or going". People who chose "going" meant the destination."""
    path = tmp_path / "v7.sqlite3"
    going_to_migrate = MIGRATIONS.index(next(m for m in MIGRATIONS if "ADD COLUMN going" in m))
    with sqlite3.connect(path) as conn:
        conn.executescript("".join(MIGRATIONS[:going_to_migrate]) + f"PRAGMA user_version = {going_to_migrate};")
        conn.executemany(
            "INSERT INTO users (user_hash, lang, home, current, stage, updated) VALUES (?, 'ru', ?, ?, ?, 0)",
            [("going", "TJ", "AE", "before"), ("abroad", "KG", "RU", None), ("home", "KG", "KG", "before")],
        )
    log = await UsageLog.open(path, b"s" * 32)
    try:
        rows = await log._db.fetch("SELECT user_hash, home, current, going FROM users ORDER BY 1")
    finally:
        await log.close()
    assert rows == [("abroad", "KG", "RU", None), ("going", "TJ", "TJ", "AE"), ("home", "KG", "KG", None)]


def test_both_dialects_have_every_step():
    assert len(MIGRATIONS) == len(POSTGRES_MIGRATIONS) == SCHEMA_VERSION
    for sql in POSTGRES_MIGRATIONS:
        assert "WITHOUT ROWID" not in sql and "json_extract" not in sql and "unixepoch" not in sql


def test_placeholders_for_postgresql_leave_literals_alone():
    assert numbered("SELECT coalesce(lang, '?'), 'it''s ?' FROM t WHERE a = ? AND b = ?") == (
        "SELECT coalesce(lang, '?'), 'it''s ?' FROM t WHERE a = $1 AND b = $2"
    )


def test_urls():
    assert sqlite_path("sqlite:///data/safar.sqlite3").as_posix() == "data/safar.sqlite3"
    assert sqlite_path("sqlite:////var/lib/safar/s.sqlite3").as_posix() == "/var/lib/safar/s.sqlite3"
    assert redacted("postgresql://safar:hunter2@db:5432/safar") == "postgresql://safar:***@db:5432/safar"
    with pytest.raises(ValueError):
        sqlite_path("mysql://x")
