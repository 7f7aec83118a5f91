"""Subscriptions repository: the `subscribers` table, who asked for the weekly message and their sealed chat.

The only code with SQL for `subscribers`. The chat id arrives sealed
(bot/subscriptions.py holds the key); a row is one person's opt-in.
"""

from __future__ import annotations

from bot.db.engine import Connection

#: The tables this repository owns.
TABLES = ("subscribers",)


async def subscribe(db: Connection, user_hash: str, sealed_chat: str, lang: str, at: float) -> None:
    """Keep (or renew, in a new language or chat) one person's subscription."""
    await db.execute(
        "INSERT INTO subscribers (user_hash, chat, lang, since) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (user_hash) DO UPDATE SET chat = excluded.chat, lang = excluded.lang,"
        " since = excluded.since",
        (user_hash, sealed_chat, lang, at),
    )


async def unsubscribe(db: Connection, user_hash: str) -> None:
    """Forget one person's subscription whenever it was made (/unsubscribe, a blocked bot)."""
    await db.execute("DELETE FROM subscribers WHERE user_hash = ?", (user_hash,))


async def everyone(db: Connection) -> list[tuple[str, str, str]]:
    """(user hash, sealed chat, language) of every subscriber: the recipients of a broadcast."""
    rows = await (await db.execute("SELECT user_hash, chat, lang FROM subscribers")).fetchall()
    return [(user_hash, chat, lang) for user_hash, chat, lang in rows]


async def reseal(db: Connection, user_hash: str, new_user_hash: str, sealed_chat: str) -> None:
    """Move a subscription to a new hash and a chat sealed under a new secret (a secret rotation)."""
    await db.execute(
        "UPDATE subscribers SET user_hash = ?, chat = ? WHERE user_hash = ?", (new_user_hash, sealed_chat, user_hash)
    )


async def erase(db: Connection, user_hash: str, before: float, chat: str | None = None) -> None:
    """Forget a subscription made up to ``before``; one made after the erasure request stays."""
    await db.execute("DELETE FROM subscribers WHERE user_hash = ? AND since <= ?", (user_hash, before))
