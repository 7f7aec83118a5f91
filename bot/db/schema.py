"""The schema: numbered migrations, one list, with per-dialect SQL where SQLite and PostgreSQL differ.

Both engines run the same numbers in the same order; PostgreSQL's text is
derived from SQLite's by `postgres_sql` (types, `WITHOUT ROWID`, dates) except
where a step needs its own (JSON). SQLite keeps its version in
`PRAGMA user_version`, PostgreSQL in the one-row table `schema_version`.
"""

from __future__ import annotations

import re

#: What a day of events adds to the roll-ups; '' and -1 stand for "none" so keys compare equal.
ROLLUP_KEY = """date(ts, 'unixepoch'), kind, coalesce(lang, ''), coalesce(decision, ''),
    coalesce(smalltalk, ''), coalesce(topic, ''), coalesce(campaign, ''), coalesce(current, home, ''),
    coalesce(helpful, -1)"""
ROLLUP_BACKFILL = f"""
    DELETE FROM daily;
    INSERT INTO daily SELECT {ROLLUP_KEY}, count(*) FROM events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
    DELETE FROM user_days;
    INSERT INTO user_days SELECT date(ts, 'unixepoch'), user_hash, max(home), max(current)
        FROM events GROUP BY 1, 2;
"""

MIGRATIONS: tuple[str, ...] = (
    # 1: settings and events
    """
    CREATE TABLE users (
        user_hash TEXT PRIMARY KEY, lang TEXT, home TEXT, current TEXT, updated REAL NOT NULL
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY, ts REAL NOT NULL, user_hash TEXT NOT NULL, kind TEXT NOT NULL,
        lang TEXT, topic TEXT, decision TEXT, score REAL, home TEXT, current TEXT,
        campaign TEXT, text TEXT, data TEXT
    );
    CREATE INDEX events_ts ON events (ts);
    CREATE INDEX events_user ON events (user_hash);
    """,
    # 2: the reply latency, and subscriptions' opt-in flag for later campaigns
    """
    ALTER TABLE events ADD COLUMN latency_ms REAL;
    CREATE INDEX events_kind_ts ON events (kind, ts);
    """,
    # 3: small talk and feedback as columns, so reports need not parse JSON a million times
    """
    ALTER TABLE events ADD COLUMN smalltalk TEXT;
    ALTER TABLE events ADD COLUMN helpful INTEGER;
    UPDATE events SET smalltalk = json_extract(data, '$.smalltalk'), helpful = json_extract(data, '$.helpful')
        WHERE data IS NOT NULL;
    """,
    # 4: daily roll-ups kept by the writer, so a report over millions of events reads thousands of rows
    """
    CREATE TABLE daily (
        day TEXT NOT NULL, kind TEXT NOT NULL, lang TEXT NOT NULL, decision TEXT NOT NULL,
        smalltalk TEXT NOT NULL, topic TEXT NOT NULL, campaign TEXT NOT NULL, country TEXT NOT NULL,
        helpful INTEGER NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (day, kind, lang, decision, smalltalk, topic, campaign, country, helpful)
    ) WITHOUT ROWID;
    CREATE TABLE user_days (
        day TEXT NOT NULL, user_hash TEXT NOT NULL, home TEXT, current TEXT,
        PRIMARY KEY (day, user_hash)
    ) WITHOUT ROWID;
    CREATE INDEX user_days_user ON user_days (user_hash);
    """
    + ROLLUP_BACKFILL,
    # 5: where the person is in the journey (before, abroad, returned), for the topic menu
    """
    ALTER TABLE users ADD COLUMN stage TEXT;
    """,
    # 6: opt-in subscriptions (the chat id encrypted, see subscriptions.py) and broadcast deliveries
    """
    CREATE TABLE subscribers (
        user_hash TEXT PRIMARY KEY, chat TEXT NOT NULL, lang TEXT NOT NULL, since REAL NOT NULL
    );
    CREATE TABLE deliveries (
        campaign TEXT NOT NULL, user_hash TEXT NOT NULL, status TEXT NOT NULL, updated REAL NOT NULL,
        PRIMARY KEY (campaign, user_hash)
    );
    """,
    # 7: cases handed to a person (the chat id sealed, see chats.py)
    """
    CREATE TABLE cases (
        id TEXT PRIMARY KEY, user_hash TEXT NOT NULL, chat TEXT NOT NULL, lang TEXT, created REAL NOT NULL
    );
    CREATE INDEX cases_user ON cases (user_hash);
    """,
    # 8: "where are you now" and "where are you going" are two facts; the old single answer was
    # "where you are now, or where you are going": for people who chose the "going" stage it was the destination
    """
    ALTER TABLE users ADD COLUMN going TEXT;
    UPDATE users SET going = current, current = home
        WHERE stage = 'before' AND home IS NOT NULL AND current IS NOT NULL AND current != home;
    """,
    # 9: the key check, message ids for a quick exit (chat hashed), and one sender per campaign
    """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE tracked (
        chat TEXT NOT NULL, message_id INTEGER NOT NULL, ts REAL NOT NULL, PRIMARY KEY (chat, message_id)
    ) WITHOUT ROWID;
    CREATE INDEX tracked_ts ON tracked (ts);
    CREATE TABLE campaign_locks (campaign TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL);
    """,
    # 10: what the bot is waiting for ("person" before a hand-off, a country while onboarding), so another
    # instance behind the same proxy takes the next message the same way
    """
    ALTER TABLE users ADD COLUMN asking TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

#: A UTC day as 'YYYY-MM-DD' from a Unix time, as SQLite's date(ts, 'unixepoch') gives it.
PG_DAY = "to_char(to_timestamp(ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

#: Steps whose PostgreSQL text cannot be derived (SQLite's json_extract).
_PG_OVERRIDES = {
    3: """
    ALTER TABLE events ADD COLUMN smalltalk TEXT;
    ALTER TABLE events ADD COLUMN helpful INTEGER;
    UPDATE events SET smalltalk = (data::jsonb) ->> 'smalltalk',
        helpful = CASE jsonb_typeof((data::jsonb) -> 'helpful')
            WHEN 'boolean' THEN ((data::jsonb) ->> 'helpful')::boolean::int
            WHEN 'number' THEN ((data::jsonb) ->> 'helpful')::numeric::int END
        WHERE data IS NOT NULL;
    """,
}


def postgres_sql(number: int) -> str:
    """Migration ``number`` (1-based) in PostgreSQL's dialect."""
    if number in _PG_OVERRIDES:
        return _PG_OVERRIDES[number]
    sql = MIGRATIONS[number - 1]
    sql = sql.replace("id INTEGER PRIMARY KEY,", "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,")
    sql = sql.replace("message_id INTEGER", "message_id BIGINT")
    sql = sql.replace("WITHOUT ROWID", "")
    sql = sql.replace("date(ts, 'unixepoch')", PG_DAY)
    return re.sub(r"\bREAL\b", "DOUBLE PRECISION", sql)


POSTGRES_MIGRATIONS: tuple[str, ...] = tuple(postgres_sql(n) for n in range(1, SCHEMA_VERSION + 1))
