"""Settings repository: the `users` table, one row per person (language, countries, stage, what is asked).

The only code with SQL for `users`. The usage log caches and batches these
writes; this module only says how a person's settings are kept and erased.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from bot.db.engine import Connection
from bot.db.rekey import rename_users
from bot.replies import UserState

#: The tables this repository owns.
TABLES = ("users",)


async def read(db: Connection, user_hash: str) -> UserState | None:
    """A person's kept settings, or None for someone the bot has not kept (or has erased)."""
    row = await (
        await db.execute(
            "SELECT lang, home, current, stage, going, asking FROM users WHERE user_hash = ?", (user_hash,)
        )
    ).fetchone()
    if row is None:
        return None
    lang, home, current, stage, going, asking = row
    return UserState(lang, home, current, asking=asking, stage=stage, going=going)


async def save(db: Connection, settings: Iterable[tuple[str, UserState]], at: float) -> None:
    """Keep the newest settings of several people at once (a batch of the writer), replacing older ones.

    Only what outlives a conversation is kept; the card shown and the last question stay in memory.
    """
    await db.executemany(
        "INSERT INTO users (user_hash, lang, home, current, stage, going, asking, updated)"
        " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (user_hash) DO UPDATE SET lang=excluded.lang,"
        " home=excluded.home, current=excluded.current, stage=excluded.stage, going=excluded.going,"
        " asking=excluded.asking, updated=excluded.updated",
        [(user, s.lang, s.home, s.current, s.stage, s.going, s.asking, at) for user, s in settings],
    )


async def keep_only(db: Connection, users: Collection[str]) -> int:
    """Forget the settings of everyone not in ``users`` (a rotation cannot re-key them); how many were forgotten."""
    kept = set(users)
    everyone = [user for (user,) in await (await db.execute("SELECT user_hash FROM users")).fetchall()]
    forgotten = [(user,) for user in everyone if user not in kept]
    await db.executemany("DELETE FROM users WHERE user_hash = ?", forgotten)
    return len(forgotten)


async def rename(db: Connection, renames: Mapping[str, str]) -> None:
    """Move settings to new hashes (old → new), e.g. a subscriber's after a secret rotation."""
    await rename_users(db, "users", renames)


async def erase(db: Connection, user_hash: str, before: float, chat: str | None = None) -> None:
    """Forget a person's settings written up to ``before``; settings chosen after the request stay."""
    await db.execute("DELETE FROM users WHERE user_hash = ? AND updated <= ?", (user_hash, before))
