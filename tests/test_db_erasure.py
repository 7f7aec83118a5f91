"""The one erasure on both engines: every table holding a person is covered, and erasing leaves none of them."""

from __future__ import annotations

import math

from bot.db import broadcasts, cases, erasure, events, settings, subscribers, tracked
from bot.db.erasure import erase_person
from bot.db.events import Row
from bot.replies import Event, UserState


async def tables_with_a_user_hash(engine) -> set[str]:
    """Read from the schema itself, so a table added by a new migration is seen here without editing this test."""
    if engine.dialect == "postgresql":
        rows = await engine.fetch(
            "SELECT table_name FROM information_schema.columns"
            " WHERE column_name = 'user_hash' AND table_schema = current_schema()"
        )
        return {name for (name,) in rows}
    tables = [name for (name,) in await engine.fetch("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t for t in tables if any(col[1] == "user_hash" for col in await engine.fetch(f"PRAGMA table_info({t})"))}


async def test_every_table_with_a_user_hash_belongs_to_a_repository_the_erasure_calls(engine):
    covered = {table for repository in erasure.PERSONAL for table in repository.TABLES}
    found = await tables_with_a_user_hash(engine)
    assert found  # the query sees the schema at all
    assert found <= covered, f"not erased by bot.db.erasure: {sorted(found - covered)}"


async def leave_traces(engine, user: str, at: float) -> None:
    """One row of ``user`` in every repository that holds people, written at ``at``."""
    async with engine.transaction() as db:
        await events.add(db, [Row(at, user, Event("question", {"lang": "ru", "home": "KG"}), "text")])
        await settings.save(db, [(user, UserState("ru", "KG", "RU"))], at)
        await subscribers.subscribe(db, user, "sealed", "ru", at)
        await broadcasts.enqueue(db, f"campaign-{at}", [user], at)
        await cases.add(db, f"CASE{int(at)}{user}"[:16], user, "sealed", "ru", at)
        await tracked.add(db, f"chat-of-{user}", [int(at)], at)


async def count_rows(engine, user: str) -> dict[str, int]:
    counts = {}
    for table in sorted(await tables_with_a_user_hash(engine)):
        counts[table] = (await engine.fetch(f"SELECT count(*) FROM {table} WHERE user_hash = ?", (user,)))[0][0]
    counts["tracked"] = (await engine.fetch("SELECT count(*) FROM tracked WHERE chat = ?", (f"chat-of-{user}",)))[0][0]
    return counts


async def test_an_erased_person_is_gone_from_every_table_and_nobody_else_is_touched(engine):
    await leave_traces(engine, "erased", at=100.0)
    await leave_traces(engine, "other", at=100.0)
    async with engine.transaction() as db:
        await erase_person(db, "erased", before=150.0, chat="chat-of-erased")
    assert set((await count_rows(engine, "erased")).values()) == {0}
    assert 0 not in (await count_rows(engine, "other")).values()


async def test_what_the_person_did_after_asking_stays_unless_everything_is_erased(engine):
    await leave_traces(engine, "h", at=100.0)
    await leave_traces(engine, "h", at=300.0)
    async with engine.transaction() as db:
        await erase_person(db, "h", before=200.0, chat="chat-of-h")
    after = await count_rows(engine, "h")
    assert after["events"] == 1 and after["cases"] == 1 and after["tracked"] == 1 and after["deliveries"] == 1
    async with engine.transaction() as db:
        await erase_person(db, "h", before=math.inf, chat="chat-of-h")
    assert set((await count_rows(engine, "h")).values()) == {0}


def test_an_announced_erasure_is_understood_by_the_other_instances():
    assert erasure.parse_announcement("abc 1700000000.25") == ("abc", 1700000000.25)
    assert erasure.parse_announcement("from a newer version") is None
