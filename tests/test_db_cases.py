"""The cases repository on both engines: a case opened is found, its number never reused, closed or erased for good."""

from __future__ import annotations

import pytest

from bot.db import IntegrityError, cases


async def test_a_case_opened_is_found_until_it_is_closed(engine):
    async with engine.transaction() as db:
        await cases.add(db, "ABCDEFGH", "h1", "sealed-chat", "ky", at=100.0)
    async with engine.reading() as db:
        assert await cases.find(db, "ABCDEFGH") == ("sealed-chat", "ky")
        assert await cases.find(db, "ZZZZZZZZ") is None
    async with engine.transaction() as db:
        assert await cases.close(db, "ABCDEFGH") is True
        assert await cases.close(db, "ABCDEFGH") is False  # closing twice says it was not open
    async with engine.reading() as db:
        assert await cases.find(db, "ABCDEFGH") is None


async def test_a_taken_number_is_refused_and_the_first_case_keeps_its_chat(engine):
    async with engine.transaction() as db:
        await cases.add(db, "ABCDEFGH", "h1", "first-chat", "ru", at=100.0)
    with pytest.raises(IntegrityError):
        async with engine.transaction() as db:
            await cases.add(db, "ABCDEFGH", "h2", "second-chat", "en", at=200.0)
    async with engine.reading() as db:
        assert await cases.find(db, "ABCDEFGH") == ("first-chat", "ru")


async def test_retention_and_erasure_forget_cases(engine):
    async with engine.transaction() as db:
        await cases.add(db, "OLDCASE1", "h1", "c", "ru", at=100.0)
        await cases.add(db, "NEWCASE1", "h1", "c", "ru", at=1000.0)
        await cases.add(db, "NEWCASE2", "h2", "c", "ru", at=1000.0)
        await cases.add(db, "LATECASE", "h2", "c", "ru", at=3000.0)
    async with engine.transaction() as db:
        assert await cases.purge(db, before=500.0) == 1
        await cases.erase(db, "h2", before=2000.0)  # a case opened after the request stays
    async with engine.reading() as db:
        found = {case: await cases.find(db, case) for case in ("OLDCASE1", "NEWCASE1", "NEWCASE2", "LATECASE")}
    assert [case for case, row in found.items() if row] == ["NEWCASE1", "LATECASE"]


async def test_a_rotation_reseals_a_case_under_the_new_hash(engine):
    async with engine.transaction() as db:
        await cases.add(db, "ABCDEFGH", "old", "old-seal", "ky", at=1.0)
        assert await cases.everyone(db) == [("ABCDEFGH", "old", "old-seal")]
        await cases.reseal(db, "ABCDEFGH", "new", "new-seal")
        assert await cases.everyone(db) == [("ABCDEFGH", "new", "new-seal")]
        assert await cases.find(db, "ABCDEFGH") == ("new-seal", "ky")
