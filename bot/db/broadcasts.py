"""Broadcasts repository: `deliveries` (one row per campaign and recipient) and `campaign_locks` (one sender).

The only code with SQL for these two tables. A delivery's status moves
queued → sending → sent|blocked|failed (or unknown after a crash while
sending); `claim` is the compare-and-set that keeps two runs from sending
one row. The lock row is SQLite's way to hold a campaign; on PostgreSQL the
broadcaster takes the engine's advisory lock instead. The delivery logic
itself is bot/broadcast.py's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.db.engine import Connection
from bot.db.rekey import rename_users

#: The tables this repository owns.
TABLES = ("deliveries", "campaign_locks")


async def started(db: Connection, campaign: str) -> bool:
    """Whether any delivery of the campaign exists: a catch-up run resumes a started campaign, adding nobody."""
    return (
        await (await db.execute("SELECT 1 FROM deliveries WHERE campaign = ? LIMIT 1", (campaign,))).fetchone()
        is not None
    )


async def enqueue(db: Connection, campaign: str, users: Iterable[str], at: float) -> None:
    """Queue the campaign for these people; anyone already queued, sent or failed keeps their row (never twice)."""
    await db.executemany(
        "INSERT INTO deliveries (campaign, user_hash, status, updated) VALUES (?, ?, 'queued', ?)"
        " ON CONFLICT DO NOTHING",
        [(campaign, user, at) for user in users],
    )


async def give_up_sending(db: Connection, campaign: str) -> None:
    """Rows a dead run left in "sending" become "unknown": Telegram may have delivered them, so never resent."""
    await db.execute("UPDATE deliveries SET status = 'unknown' WHERE campaign = ? AND status = 'sending'", (campaign,))


async def queued(db: Connection, campaign: str) -> list[str]:
    """Who still waits for the campaign."""
    rows = await (
        await db.execute("SELECT user_hash FROM deliveries WHERE campaign = ? AND status = 'queued'", (campaign,))
    ).fetchall()
    return [user for (user,) in rows]


async def claim(db: Connection, campaign: str, user_hash: str, at: float) -> bool:
    """queued → sending, only if still queued: True for exactly one of two runs claiming the same row."""
    cursor = await db.execute(
        "UPDATE deliveries SET status = 'sending', updated = ?"
        " WHERE campaign = ? AND user_hash = ? AND status = 'queued'",
        (at, campaign, user_hash),
    )
    return cursor.rowcount == 1


async def mark(db: Connection, campaign: str, user_hash: str, status: str, at: float) -> None:
    """Record how a delivery ended (sent, blocked, failed), or put it back in the queue after a flood wait."""
    await db.execute(
        "UPDATE deliveries SET status = ?, updated = ? WHERE campaign = ? AND user_hash = ?",
        (status, at, campaign, user_hash),
    )


async def counts(db: Connection, campaign: str) -> dict[str, int]:
    """Deliveries of the campaign by status: the operator's report."""
    rows = await (
        await db.execute("SELECT status, count(*) FROM deliveries WHERE campaign = ? GROUP BY status", (campaign,))
    ).fetchall()
    return {status: count for status, count in rows}


async def lock(db: Connection, campaign: str, owner: str, now: float, seconds: float) -> bool:
    """Take the campaign's lock row for ``seconds`` unless a live holder has it; an expired one is taken over."""
    await db.execute("DELETE FROM campaign_locks WHERE campaign = ? AND expires < ?", (campaign, now))
    cursor = await db.execute(
        "INSERT INTO campaign_locks (campaign, owner, expires) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (campaign, owner, now + seconds),
    )
    return cursor.rowcount == 1


async def renew(db: Connection, campaign: str, owner: str, expires: float) -> bool:
    """Push the lock's expiry on; False if ``owner`` no longer holds it (it expired and another run took it)."""
    cursor = await db.execute(
        "UPDATE campaign_locks SET expires = ? WHERE campaign = ? AND owner = ?", (expires, campaign, owner)
    )
    return cursor.rowcount > 0


async def unlock(db: Connection, campaign: str, owner: str) -> None:
    """Release the lock row if ``owner`` still holds it."""
    await db.execute("DELETE FROM campaign_locks WHERE campaign = ? AND owner = ?", (campaign, owner))


async def people(db: Connection) -> set[str]:
    """Every user hash with a delivery: pseudonyms a secret rotation re-draws."""
    rows = await (await db.execute("SELECT DISTINCT user_hash FROM deliveries")).fetchall()
    return {user for (user,) in rows}


async def rename(db: Connection, renames: Mapping[str, str]) -> None:
    """Move deliveries to new hashes (old → new), in one pass (a secret rotation)."""
    await rename_users(db, "deliveries", renames)


async def erase(db: Connection, user_hash: str, before: float, chat: str | None = None) -> None:
    """Forget the person's deliveries written up to ``before``: which campaigns reached them is theirs too."""
    await db.execute("DELETE FROM deliveries WHERE user_hash = ? AND updated <= ?", (user_hash, before))
