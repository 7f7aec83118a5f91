"""Meta repository: the `meta` table of small facts about the database itself (the hash secret's key check).

The only code with SQL for `meta`. Async for an open engine; the
``sqlite_*`` twins run on a plain `sqlite3` connection because the key
check must be read before the SQLite engine opens (bot/keys.py).
"""

from __future__ import annotations

import sqlite3

from bot.db.engine import Connection

#: The tables this repository owns.
TABLES = ("meta",)

_CREATE = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


async def keep_first(db: Connection, key: str, value: str) -> str | None:
    """Record ``value`` under ``key`` unless a value is there already; return the value kept (first one wins)."""
    await db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING", (key, value))
    row = await (await db.execute("SELECT value FROM meta WHERE key = ?", (key,))).fetchone()
    return row[0] if row else None


def sqlite_get(db: sqlite3.Connection, key: str) -> str | None:
    """The value under ``key`` in a SQLite file not opened by the engine yet; None if absent or no table."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "meta" not in tables:
        return None
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def sqlite_keep_first(db: sqlite3.Connection, key: str, value: str) -> str:
    """`keep_first` before the engine opens (the table is made if the file is new); commits."""
    db.execute(_CREATE)
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is not None:
        return row[0]
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
    db.commit()
    return value


async def put(db: Connection, key: str, value: str) -> None:
    """Replace the value under ``key`` in the caller's transaction (a secret rotation's new key check)."""
    await db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
