"""Moving a table's rows from one user hash to another, for the repositories' ``rename`` (a secret rotation).

A rotation renames every person at once; one UPDATE per person would scan
an unindexed table once per person, so the pairs go to a temporary table
and each repository's table is updated in one pass (on either engine; the
rotation itself works on the SQLite file, see bot/rotate.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.db.engine import Connection


async def rename_users(db: Connection, table: str, renames: Mapping[str, str]) -> None:
    """Give ``table``'s rows of each old hash in ``renames`` the new hash; called by the table's own repository."""
    await db.execute("CREATE TEMP TABLE IF NOT EXISTS renames (old TEXT PRIMARY KEY, new TEXT NOT NULL)")
    await db.execute("DELETE FROM renames")
    await db.executemany("INSERT INTO renames VALUES (?, ?)", list(renames.items()))
    await db.execute(
        f"UPDATE {table} SET user_hash = (SELECT new FROM renames WHERE old = {table}.user_hash)"
        " WHERE user_hash IN (SELECT old FROM renames)"
    )
    await db.execute("DELETE FROM renames")
