"""Storage: one owner per table, on SQLite and PostgreSQL alike.

- engine.py      the two engines behind one `Connection`; `Engine.transaction()` is a unit of work
- schema.py      the numbered migrations (per-dialect SQL where the engines differ)
- settings.py    `users`: a person's language, countries, stage, what the bot waits for
- events.py      `events`, `daily`, `user_days`: the usage log, its roll-ups, and the report's reads
- subscribers.py `subscribers`: who asked for the weekly message, with the sealed chat
- broadcasts.py  `deliveries`, `campaign_locks`: each recipient's delivery, one sender per campaign
- cases.py       `cases`: "talk to a person" cases, with the sealed chat
- tracked.py     `tracked`: message ids of private chats for a quick exit (48 h)
- meta.py        `meta`: the hash secret's key check
- erasure.py     the one erasure, composed of the repositories above that hold people
- rekey.py       moving a table's rows to new user hashes, for the repositories' ``rename`` (secret rotation)

A repository is the only code with SQL for its tables: functions taking a
`Connection`, so a caller composes several in one transaction. The modules
that use them (usage_log, chats, handoff, subscriptions, broadcast, keys,
rotate, services, stats) add caching, batching, sealing and retries, never SQL.
"""

from bot.db.engine import (
    DEFAULT_URL,
    Connection,
    DatabaseError,
    Engine,
    IntegrityError,
    PostgresEngine,
    SqliteEngine,
    connect_sqlite,
    is_postgres,
    migrate_postgres,
    migrate_sqlite,
    open_engine,
    redacted,
    sqlite_path,
)
from bot.db.schema import MIGRATIONS, POSTGRES_MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "DEFAULT_URL",
    "MIGRATIONS",
    "POSTGRES_MIGRATIONS",
    "SCHEMA_VERSION",
    "Connection",
    "DatabaseError",
    "Engine",
    "IntegrityError",
    "PostgresEngine",
    "SqliteEngine",
    "connect_sqlite",
    "is_postgres",
    "migrate_postgres",
    "migrate_sqlite",
    "open_engine",
    "redacted",
    "sqlite_path",
]
