"""The one erasure: every repository that holds something of a person, erased in one unit of work.

`erase_person` composes the repositories' own ``erase`` functions: no
module deletes rows from a table it does not own, and a new table with a
``user_hash`` column must be added to `PERSONAL` (a test compares this list
with the schema). On PostgreSQL the erasure is also announced to the other
instances, so none of them writes what it had queued for that person.
"""

from __future__ import annotations

from types import ModuleType

from bot.db import broadcasts, cases, events, settings, subscribers, tracked
from bot.db.engine import Connection

#: Every repository holding something of one person (each has ``erase`` and ``TABLES``).
PERSONAL: tuple[ModuleType, ...] = (events, settings, subscribers, broadcasts, cases, tracked)
#: PostgreSQL: an erasure anywhere tells every instance (payload "user_hash asked_at").
ERASED_CHANNEL = "safar_erased"


async def erase_person(db: Connection, user_hash: str, before: float, chat: str | None = None) -> None:
    """Delete what is stored about one person up to ``before`` (what they did after the request stays).

    ``chat`` is the keyed hash of their private chat, for the quick-exit message ids; ``math.inf`` as
    ``before`` erases everything the person has.
    """
    for repository in PERSONAL:
        await repository.erase(db, user_hash, before, chat)


async def announce(db: Connection, user_hash: str, asked: float) -> None:
    """PostgreSQL only: tell every listening instance, at commit, that this person asked at ``asked`` to be erased."""
    await db.execute("SELECT pg_notify(?, ?)", (ERASED_CHANNEL, f"{user_hash} {asked!r}"))


def parse_announcement(payload: str) -> tuple[str, float] | None:
    """The person and the time of an `announce` payload; None for a payload this version does not understand."""
    user, _, at = payload.partition(" ")
    try:
        return user, float(at)
    except ValueError:
        return None
