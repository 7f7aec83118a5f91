"""The usage events repository on both engines: what the report counts, what erasure and retention remove."""

from __future__ import annotations

import datetime as dt

from bot.db import events
from bot.db.events import Row
from bot.replies import Event

DAY1 = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC).timestamp()
DAY2 = DAY1 + 86400
WINDOW = ("2026-03-02", "2026-03-03")
SPAN = (DAY1 - 43200, DAY2 + 43200)


def question(ts: float, user: str, decision: str, text: str | None = None, **data) -> Row:
    context = {"lang": "ru", "home": "KG", "current": "RU", "decision": decision}
    return Row(ts, user, Event("question", context | data), text)


async def report(engine) -> events.ReportRows:
    async with engine.reading() as db:
        return await events.report(db, engine.dialect, WINDOW, SPAN)


async def test_batches_add_up_in_the_report(engine):
    async with engine.transaction() as db:
        assert await events.add(db, [question(DAY1, "a", "answer"), question(DAY1 + 1, "b", "none", "где работа")]) == 2
    async with engine.transaction() as db:
        await events.add(db, [question(DAY1 + 2, "a", "answer"), question(DAY2, "a", "none", emergency=True)])
    rows = await report(engine)
    answered = [row for row in rows.grouped if row[1] == "question" and row[3] == "answer"]
    assert [(row[0], row[7], row[-1]) for row in answered] == [("2026-03-02", "RU", 2)]  # one roll-up row, added to
    assert rows.day_users == {"2026-03-02": 2, "2026-03-03": 1}
    assert rows.users == 2 and rows.pairs == [("KG", "RU", 2)]
    by_text = {(text, emergency): count for text, _, _, _, emergency, _, count in rows.questions}
    assert by_text == {(None, 0): 2, ("где работа", 0): 1, (None, 1): 1}


async def test_an_erased_person_leaves_the_counts_but_no_trace(engine):
    async with engine.transaction() as db:
        await events.add(
            db, [question(DAY1, "a", "answer"), question(DAY2, "a", "answer"), question(DAY1, "b", "none")]
        )
        await events.erase(db, "a", before=DAY2 - 1)  # the event after the request stays
    rows = await report(engine)
    assert sum(row[-1] for row in rows.grouped) == 3  # yesterday's totals do not change
    assert rows.day_users == {"2026-03-02": 1} and rows.users == 1  # the person is no longer among the users
    async with engine.reading() as db:
        left = await (await db.execute("SELECT user_hash, ts FROM events ORDER BY ts, user_hash")).fetchall()
    assert [tuple(row) for row in left] == [("b", DAY1), ("a", DAY2)]


async def test_retention_deletes_old_events_and_days_in_chunks(engine):
    old = [question(DAY1 - 86400 * 40 + n, f"u{n}", "answer") for n in range(5)]
    async with engine.transaction() as db:
        await events.add(db, [*old, question(DAY1, "new", "answer")])
    async with engine.reading() as db:
        days = await events.old_days(db, "2026-03-01")
    assert sorted(days) == [("daily", "2026-01-21"), ("user_days", "2026-01-21")]
    async with engine.transaction() as db:
        for table, day in days:
            await events.purge_day(db, table, day)
        assert await events.purge_chunk(db, before=DAY1 - 86400, limit=3) == 3
        assert await events.purge_chunk(db, before=DAY1 - 86400, limit=3) == 2  # fewer than asked: done
    rows = await report(engine)
    assert rows.day_users == {"2026-03-02": 1}
    async with engine.reading() as db:
        assert (await (await db.execute("SELECT count(*) FROM events")).fetchone())[0] == 1


async def test_a_rotation_moves_every_event_and_day_of_a_person_to_the_new_pseudonym(engine):
    async with engine.transaction() as db:
        await events.add(db, [question(DAY1, "a", "answer"), question(DAY2, "a", "none"), question(DAY1, "b", "none")])
        assert await events.people(db) == {"a", "b"}
        await events.rename(db, {"a": "z", "b": "y"})
        assert await events.people(db) == {"z", "y"}
    rows = await report(engine)
    assert rows.users == 2 and rows.day_users == {"2026-03-02": 2, "2026-03-03": 1}  # the counts do not change
