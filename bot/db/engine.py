"""One small connection interface, two engines: SQLite (one file, one machine) and PostgreSQL (a pool).

Repositories write SQL once, with ``?`` placeholders and statements both
engines accept (``ON CONFLICT (...) DO ...``, table-qualified columns in an
upsert); the PostgreSQL engine rewrites ``?`` to ``$n``. A unit of work is
``async with engine.transaction() as db:`` — ``db.execute`` returns a cursor
with ``rowcount`` and ``fetchone()``/``fetchall()`` on both engines; leaving
the block commits, an exception rolls back.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import aiosqlite
import asyncpg

from bot.db.schema import MIGRATIONS, POSTGRES_MIGRATIONS

#: Every error an engine raises for "the database did not do it" (locked, full, gone, refused).
DatabaseError: tuple[type[BaseException], ...] = (
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)
#: A constraint said no (a duplicate key): the caller's to handle, never retried.
IntegrityError: tuple[type[BaseException], ...] = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
#: Held while PostgreSQL migrates, so two instances starting at once do not both run a step.
MIGRATION_LOCK = 0x5AFA7001

DEFAULT_URL = "sqlite:///data/safar.sqlite3"


class Cursor(Protocol):
    """What a statement gives back on both engines: rows to read, or how many rows a write touched."""

    rowcount: int

    async def fetchone(self) -> Sequence[Any] | None:
        """The first row, or None: a lookup by key needs no list."""
        ...

    async def fetchall(self) -> Iterable[Sequence[Any]]:
        """Every row: the engines differ in row types, so callers unpack tuples."""
        ...


class Connection(Protocol):
    """What a unit of work sees: the same two calls on both engines."""

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """One statement with ``?`` placeholders, inside the caller's unit of work."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """One statement for many rows: a batch costs one round trip, not one per row."""
        ...


def is_postgres(target: str | Path) -> bool:
    """Whether a target names a PostgreSQL server (shared by many processes) rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def sqlite_path(url: str) -> Path:
    """``sqlite:///relative/file`` or ``sqlite:////absolute/file`` (as SQLAlchemy spells them)."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a database URL Safar knows: {url.split(':', 1)[0]}:… (sqlite:/// or postgresql://)")
    return Path(url.removeprefix("sqlite:///"))


def redacted(url: str) -> str:
    """The URL without its password, for log lines and reports."""
    return re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", url)


class Engine:
    """A database both engines open the same way; see the module docstring."""

    dialect = ""
    shared = False  # whether other processes may use the same database (PostgreSQL): no caches

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        """A unit of work: repositories called on it commit together or not at all."""
        raise NotImplementedError

    def reading(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        """A connection for reads only: on PostgreSQL without BEGIN/COMMIT round trips on the reply path."""
        return self.transaction()

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Rows of one query, for tests and health checks (repositories read through `reading`)."""
        async with self.reading() as db:
            return [tuple(row) for row in await (await db.execute(sql, params)).fetchall()]

    async def close(self) -> None:
        """Release the file or the pool: the last thing a process does with its database."""
        raise NotImplementedError


# --- SQLite ---------------------------------------------------------------------------------


async def connect_sqlite(db_path: Path, busy_timeout: float) -> aiosqlite.Connection:
    """Open the database private (0600, erased pages overwritten) and migrated."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if not db_path.exists():  # SQLite gives the -wal and -shm files the database file's mode
        os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT, 0o600))
    for path in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm"))):
        if path.exists() and path.stat().st_mode & 0o077:
            with contextlib.suppress(OSError):
                path.chmod(0o600)
    db = await aiosqlite.connect(db_path, timeout=busy_timeout)
    try:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("PRAGMA secure_delete=ON")  # erased text does not linger in free pages
        await migrate_sqlite(db)
    except BaseException:
        await db.close()
        raise
    return db


async def migrate_sqlite(db: aiosqlite.Connection, upto: int | None = None) -> int:
    """Bring the schema to the newest version (or ``upto``); return the version it was at."""
    cursor = await db.execute("PRAGMA user_version")
    (version,) = await cursor.fetchone()
    for number, script in enumerate(MIGRATIONS[version:upto], start=version + 1):
        await db.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")
    return version


class SqliteEngine(Engine):
    """One connection, one transaction at a time (SQLite has one writer anyway)."""

    dialect = "sqlite"

    def __init__(self, raw: aiosqlite.Connection, path: Path):
        self.raw = raw
        self.path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, busy_timeout: float) -> SqliteEngine:
        """The file, private and migrated, behind one connection."""
        return cls(await connect_sqlite(path, busy_timeout), path)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """One unit of work at a time on the one connection; committed on leaving, rolled back on an error."""
        async with self._lock:
            try:
                yield self.raw  # aiosqlite's cursor already has rowcount, fetchone and fetchall
                await self.raw.commit()
            except BaseException:
                with contextlib.suppress(sqlite3.Error, ValueError):
                    await self.raw.rollback()
                raise

    async def close(self) -> None:
        """Close the connection (its write-ahead log is checkpointed by SQLite)."""
        await self.raw.close()


# --- PostgreSQL -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2 …``; a ``?`` inside a quoted literal stays."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() != "?":
            return match.group()
        count += 1
        return f"${count}"

    return re.sub(r"'(?:[^']|'')*'|\?", number, sql)


def _returns_rows(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper()
    return head in ("SELECT", "WITH", "VALUES") or "RETURNING" in sql.upper()


class _PgCursor:
    def __init__(self, rows: list, rowcount: int):
        self._rows = [tuple(row) for row in rows]
        self.rowcount = rowcount

    async def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None

    async def fetchall(self) -> list[tuple]:
        return self._rows


class _PgConnection:
    def __init__(self, raw: asyncpg.Connection):
        self.raw = raw

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> _PgCursor:
        """Rows for a query, the row count for a write; both through asyncpg's statement cache."""
        if _returns_rows(sql):
            return _PgCursor(await self.raw.fetch(numbered(sql), *params), -1)
        status = (await self.raw.execute(numbered(sql), *params) or "").split()
        return _PgCursor([], int(status[-1]) if status and status[-1].isdigit() else -1)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            await self.raw.executemany(numbered(sql), rows)


async def migrate_postgres(raw: asyncpg.Connection, upto: int | None = None) -> int:
    """Bring the schema to the newest version (or ``upto``), one instance at a time; return the old version."""
    async with raw.transaction():
        await raw.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await raw.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        version = await raw.fetchval("SELECT version FROM schema_version")
        if version is None:
            await raw.execute("INSERT INTO schema_version VALUES (0)")
            version = 0
        for number, script in enumerate(POSTGRES_MIGRATIONS[version:upto], start=version + 1):
            await raw.execute(script)
            await raw.execute("UPDATE schema_version SET version = $1", number)
    return version


class PostgresEngine(Engine):
    """A pool of connections: transactions run side by side, PostgreSQL keeps them apart."""

    dialect = "postgresql"
    shared = True

    def __init__(self, pool: asyncpg.Pool, url: str):
        self.pool = pool
        self.url = url

    @classmethod
    async def open(cls, url: str, timeout: float, size: int = 5, migrate: bool = True) -> PostgresEngine:
        """A pool of ``size`` connections, the schema migrated first (one instance at a time)."""
        pool = await asyncpg.create_pool(url, min_size=1, max_size=size, timeout=max(timeout, 5.0), command_timeout=30)
        try:
            if migrate:
                async with pool.acquire() as raw:
                    await migrate_postgres(raw)
        except BaseException:
            await pool.close()
            raise
        return cls(pool, url)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A pooled connection inside a transaction: units of work run side by side, isolated by the server."""
        async with self.pool.acquire() as raw, raw.transaction():
            yield _PgConnection(raw)

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[Connection]:
        """A pooled connection in autocommit: a read on its own costs no BEGIN/COMMIT round trips."""
        async with self.pool.acquire() as raw:
            yield _PgConnection(raw)

    @contextlib.asynccontextmanager
    async def advisory_lock(self, name: str) -> AsyncIterator[bool]:
        """Try PostgreSQL's session advisory lock ``name``; yields whether this instance holds it.

        Held on one pooled connection for the whole block; if the process dies, PostgreSQL drops the
        connection and with it the lock (no expiry to wait for).
        """
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        async with self.pool.acquire() as raw:
            held = bool(await raw.fetchval("SELECT pg_try_advisory_lock($1)", key))
            try:
                yield held
            finally:
                if held:
                    with contextlib.suppress(*DatabaseError):
                        await raw.execute("SELECT pg_advisory_unlock($1)", key)

    async def close(self) -> None:
        """Close every pooled connection (releasing any advisory lock they held)."""
        await self.pool.close()


async def open_engine(target: str | Path, busy_timeout: float = 2.0, size: int = 5) -> Engine:
    """The engine for a URL (``sqlite:///…``, ``postgresql://…``) or a SQLite path, migrated."""
    if is_postgres(target):
        return await PostgresEngine.open(str(target), busy_timeout, size)
    path = sqlite_path(target) if isinstance(target, str) else Path(target)
    return await SqliteEngine.open(path, busy_timeout)
