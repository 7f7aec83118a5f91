"""Tracked messages repository: the `tracked` table, message ids of private chats for a quick exit.

The only code with SQL for `tracked`. Rows are filed under a keyed hash of
the chat (bot/chats.py computes it), never the chat id, and live 48 hours.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.db.engine import Connection

#: The tables this repository owns.
TABLES = ("tracked",)


async def add(db: Connection, chat: str, message_ids: Iterable[int], at: float) -> None:
    """Keep message ids of one chat (a turn's messages in one write); an id kept already is left as it was."""
    await db.executemany(
        "INSERT INTO tracked (chat, message_id, ts) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [(chat, int(message_id), at) for message_id in message_ids],
    )


async def since(db: Connection, chat: str, after: float) -> list[int]:
    """The chat's message ids kept after ``after``, oldest first: what a quick exit deletes."""
    rows = await (
        await db.execute("SELECT message_id FROM tracked WHERE chat = ? AND ts > ? ORDER BY message_id", (chat, after))
    ).fetchall()
    return [row[0] for row in rows]


async def forget(db: Connection, chat: str) -> None:
    """Forget every id of one chat (after a quick exit deleted the messages)."""
    await db.execute("DELETE FROM tracked WHERE chat = ?", (chat,))


async def prune(db: Connection, before: float) -> int:
    """Forget ids kept before ``before``: Telegram no longer lets the bot delete those messages anyway."""
    return (await db.execute("DELETE FROM tracked WHERE ts < ?", (before,))).rowcount


async def forget_everything(db: Connection) -> int:
    """Forget every kept id (they are filed under the old secret's chat hash after a rotation); how many."""
    return (await db.execute("DELETE FROM tracked")).rowcount


async def erase(db: Connection, user_hash: str, before: float, chat: str | None = None) -> None:
    """Forget the ids of the person's private ``chat`` kept up to ``before`` (rows know no user, only a chat)."""
    if chat is not None:
        await db.execute("DELETE FROM tracked WHERE chat = ? AND ts <= ?", (chat, before))
