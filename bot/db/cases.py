"""Cases repository: the `cases` table, one row per open "talk to a person" case, with its sealed chat.

The only code with SQL for `cases`. Sealing and opening the chat id is
bot/handoff.py's (the key never reaches the database); this module keeps
the sealed token and forgets it when the case is closed, erased or too old.
"""

from __future__ import annotations

from bot.db.engine import Connection

#: The tables this repository owns.
TABLES = ("cases",)


async def add(db: Connection, case: str, user_hash: str, sealed_chat: str, lang: str, at: float) -> None:
    """Open a case under a number; a number already taken raises the engine's IntegrityError, never overwrites."""
    await db.execute(
        "INSERT INTO cases (id, user_hash, chat, lang, created) VALUES (?, ?, ?, ?, ?)",
        (case, user_hash, sealed_chat, lang, at),
    )


async def find(db: Connection, case: str) -> tuple[str, str] | None:
    """The sealed chat and the language of an open case; None once it is closed or erased."""
    row = await (await db.execute("SELECT chat, lang FROM cases WHERE id = ?", (case,))).fetchone()
    return (row[0], row[1]) if row else None


async def everyone(db: Connection) -> list[tuple[str, str, str]]:
    """(case, user hash, sealed chat) of every open case: what a secret rotation re-seals."""
    rows = await (await db.execute("SELECT id, user_hash, chat FROM cases")).fetchall()
    return [(case, user_hash, chat) for case, user_hash, chat in rows]


async def reseal(db: Connection, case: str, new_user_hash: str, sealed_chat: str) -> None:
    """Move an open case to a new hash and a chat sealed under a new secret (a secret rotation)."""
    await db.execute("UPDATE cases SET user_hash = ?, chat = ? WHERE id = ?", (new_user_hash, sealed_chat, case))


async def close(db: Connection, case: str) -> bool:
    """Forget a case and its sealed chat, so later replies are refused; False if it was not open."""
    return (await db.execute("DELETE FROM cases WHERE id = ?", (case,))).rowcount > 0


async def purge(db: Connection, before: float) -> int:
    """Forget cases opened before ``before`` (retention): an unanswered case does not keep a chat for ever."""
    return (await db.execute("DELETE FROM cases WHERE created < ?", (before,))).rowcount


async def erase(db: Connection, user_hash: str, before: float, chat: str | None = None) -> None:
    """Forget a person's cases opened up to ``before``: no volunteer's answer can reach them afterwards."""
    await db.execute("DELETE FROM cases WHERE user_hash = ? AND created <= ?", (user_hash, before))
