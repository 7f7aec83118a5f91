"""Storage: the schema and its migrations (schema.py) and the two engines behind one interface (engine.py).

The modules that own a concern (usage_log: events, roll-ups and settings;
subscriptions; handoff: cases; chats: tracked messages; broadcast: deliveries
and locks; keys: meta) write their SQL against `Connection`, so the same code
runs on SQLite and on PostgreSQL.
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
