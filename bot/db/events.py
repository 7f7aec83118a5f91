"""Usage events repository: the `events` log and its roll-ups `daily` and `user_days`, and the reads of the report.

The only code with SQL for these three tables. The writer (bot/usage_log.py)
batches rows here off the reply path; each batch adds to the roll-ups in the
same transaction, so a report over millions of events reads thousands of
rows. The report's queries (bot/stats.py) are this repository's read model:
`report` returns the rows, stats only arranges them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.db.engine import Connection
from bot.db.rekey import rename_users
from bot.replies import Event

#: The tables this repository owns.
TABLES = ("events", "daily", "user_days")

#: Event data kept as columns (reports group by them); anything else goes to the JSON `data` column.
COLUMNS = (
    "lang",
    "topic",
    "decision",
    "score",
    "home",
    "current",
    "campaign",
    "latency_ms",
    "smalltalk",
    "helpful",
)


@dataclass(frozen=True)
class Row:
    """One event as the writer keeps it: when, whose (a keyed hash), what, and the redacted text if any."""

    ts: float
    user_hash: str
    event: Event
    text: str | None


async def add(db: Connection, rows: Sequence[Row]) -> int:
    """Keep a batch of events and add them to the daily roll-ups, in the caller's transaction; the count."""
    await db.executemany(
        f"INSERT INTO events (ts, user_hash, kind, {', '.join(COLUMNS)}, text, data)"
        f" VALUES ({', '.join('?' * (len(COLUMNS) + 5))})",
        [_event_row(row) for row in rows],
    )
    daily, user_days = rollups(rows)
    await db.executemany(
        "INSERT INTO daily VALUES (?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (day, kind, lang, decision, smalltalk, topic, campaign, country, helpful)"
        " DO UPDATE SET count = daily.count + excluded.count",
        [(*key, count) for key, count in daily.items()],
    )
    await db.executemany(
        "INSERT INTO user_days VALUES (?,?,?,?) ON CONFLICT (day, user_hash) DO UPDATE SET"
        " home = coalesce(excluded.home, user_days.home),"
        " current = coalesce(excluded.current, user_days.current)",
        [(*key, home, current) for key, (home, current) in user_days.items()],
    )
    return len(rows)


async def erase(db: Connection, user_hash: str, before: float, chat: str | None = None) -> None:
    """Forget a person's events up to ``before`` and every day they were counted as a user.

    The daily counts keep no one's hash, so they stay: erasing a person does not change yesterday's totals.
    """
    await db.execute("DELETE FROM events WHERE user_hash = ? AND ts <= ?", (user_hash, before))
    await db.execute("DELETE FROM user_days WHERE user_hash = ?", (user_hash,))


async def old_days(db: Connection, before_day: str) -> list[tuple[str, str]]:
    """(table, day) of every roll-up day before ``before_day`` ('YYYY-MM-DD'): retention deletes them a day each."""
    days = []
    for table in ("daily", "user_days"):
        rows = await (await db.execute(f"SELECT DISTINCT day FROM {table} WHERE day < ?", (before_day,))).fetchall()
        days += [(table, day) for (day,) in rows]
    return days


async def purge_day(db: Connection, table: str, day: str) -> int:
    """Delete one roll-up day (``table`` from `old_days`): a small transaction the bot's writes slip between."""
    if table not in ("daily", "user_days"):
        raise ValueError(f"not a roll-up table: {table}")
    return (await db.execute(f"DELETE FROM {table} WHERE day = ?", (day,))).rowcount


async def purge_chunk(db: Connection, before: float, limit: int) -> int:
    """Delete up to ``limit`` events older than ``before``; fewer than ``limit`` means none are left."""
    cursor = await db.execute(
        "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < ? LIMIT ?)", (before, limit)
    )
    return cursor.rowcount


async def people(db: Connection) -> set[str]:
    """Every user hash the log and the roll-ups hold: the pseudonyms a secret rotation re-draws."""
    found: set[str] = set()
    for table in ("events", "user_days"):
        found |= {user for (user,) in await (await db.execute(f"SELECT DISTINCT user_hash FROM {table}")).fetchall()}
    return found


async def rename(db: Connection, renames: Mapping[str, str]) -> None:
    """Move events and roll-up days to new hashes (old → new), in one pass per table (a secret rotation)."""
    for table in ("events", "user_days"):
        await rename_users(db, table, renames)


# --- the report's read model ---------------------------------------------------------------

#: Reading a JSON flag of the `data` column, the one place the two dialects differ here.
_FLAG = {
    "sqlite": "coalesce(json_extract(data, '$.{0}'), 0)",
    "postgresql": "CASE WHEN (data::jsonb) ->> '{0}' IN ('true', '1') THEN 1 ELSE 0 END",
}
_QUERIES = (
    "SELECT day, kind, lang, decision, smalltalk, topic, campaign, country, helpful, count"
    " FROM daily WHERE day BETWEEN ? AND ?",
    "SELECT day, count(*) FROM user_days WHERE day BETWEEN ? AND ? GROUP BY day",
    """SELECT home, current, count(DISTINCT user_hash) FROM user_days
       WHERE day BETWEEN ? AND ? AND home IS NOT NULL AND current IS NOT NULL
       GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 20""",
    "SELECT count(DISTINCT user_hash) FROM user_days WHERE day BETWEEN ? AND ?",
    # The roll-ups know neither emergencies nor low confidence: one pass over the window's questions gives
    # every outcome and the kept texts (rows without text collapse into a handful of groups).
    """SELECT text, coalesce(lang, '?'), decision, smalltalk, {emergency}, {low_confidence}, count(*)
       FROM events WHERE kind = 'question' AND ts >= ? AND ts < ? GROUP BY 1, 2, 3, 4, 5, 6""",
    "SELECT data FROM events WHERE kind = 'job_check' AND ts >= ? AND ts < ?",
)


@dataclass(frozen=True)
class ReportRows:
    """What the usage report reads for a window of UTC days, as rows; bot/stats.py makes the report of them."""

    grouped: list[tuple]  # the daily roll-ups: day, kind, lang, decision, smalltalk, topic, campaign, country, …
    day_users: dict[str, int]  # people seen per day
    pairs: list[tuple]  # (home, current, people), the 20 most common routes
    users: int  # people seen in the window
    questions: list[tuple]  # (text, lang, decision, smalltalk, emergency, low confidence, count)
    checks: list[tuple]  # (data,) of every job check


def _queries(dialect: str) -> list[str]:
    flags = {name: _FLAG[dialect].format(name) for name in ("emergency", "low_confidence")}
    return [sql.format(**flags) if "{emergency}" in sql else sql for sql in _QUERIES]


async def report(db: Connection, dialect: str, days: tuple[str, str], span: tuple[float, float]) -> ReportRows:
    """Every row the report needs: ``days`` as 'YYYY-MM-DD' (inclusive), ``span`` the same window in Unix time.

    ``dialect`` is the engine's ("sqlite" or "postgresql"): only reading the JSON flags differs.
    """
    params = (days, days, days, days, span, span)
    results = [
        [tuple(row) for row in await (await db.execute(sql, p)).fetchall()]
        for sql, p in zip(_queries(dialect), params, strict=True)
    ]
    grouped, day_users, pairs, users, questions, checks = results
    return ReportRows(grouped, dict(day_users), pairs, users[0][0], questions, checks)


# --- rows and roll-ups ---------------------------------------------------------------------


def _event_row(row: Row) -> tuple:
    data = dict(row.event.data)
    data.pop("text", None)
    columns = [data.pop(key, None) for key in COLUMNS]
    extra = json.dumps(data, ensure_ascii=False) if data else None
    return (row.ts, row.user_hash, row.event.kind, *columns, row.text, extra)


def rollups(rows: Sequence[Row]) -> tuple[dict[tuple, int], dict[tuple, tuple]]:
    """What a batch adds to the daily counts and to the users seen per day (UTC days)."""
    daily: dict[tuple, int] = defaultdict(int)
    user_days: dict[tuple, tuple] = {}
    for row in rows:
        data = row.event.data
        day = dt.datetime.fromtimestamp(row.ts, dt.UTC).date().isoformat()
        helpful = data.get("helpful")
        key = (
            day,
            row.event.kind,
            data.get("lang") or "",
            data.get("decision") or "",
            data.get("smalltalk") or "",
            data.get("topic") or "",
            data.get("campaign") or "",
            data.get("current") or data.get("home") or "",
            -1 if helpful is None else int(helpful),
        )
        daily[key] += 1
        previous = user_days.get((day, row.user_hash), (None, None))
        user_days[(day, row.user_hash)] = (
            data.get("home") or previous[0],
            data.get("current") or previous[1],
        )
    return daily, user_days
