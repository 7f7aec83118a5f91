"""The settings repository on both engines: what a person chose is found again, and erased when asked."""

from __future__ import annotations

from bot.db import settings
from bot.replies import UserState


async def test_settings_kept_are_read_back_without_what_stays_in_memory(engine):
    chosen = UserState("ky", "KG", "RU", asking="person", stage="abroad", going=None, card_shown=5.0, last_question="q")
    async with engine.transaction() as db:
        await settings.save(db, [("h1", chosen)], at=100.0)
    async with engine.reading() as db:
        assert await settings.read(db, "h1") == UserState("ky", "KG", "RU", asking="person", stage="abroad")
        assert await settings.read(db, "someone else") is None


async def test_a_newer_choice_replaces_the_older_one(engine):
    async with engine.transaction() as db:
        await settings.save(db, [("h1", UserState("ru", "TJ", "TJ")), ("h2", UserState("en"))], at=100.0)
    async with engine.transaction() as db:
        await settings.save(db, [("h1", UserState("tg", "TJ", "RU"))], at=200.0)
    async with engine.reading() as db:
        assert await settings.read(db, "h1") == UserState("tg", "TJ", "RU")
        assert await settings.read(db, "h2") == UserState("en")


async def test_erasure_forgets_settings_up_to_the_request_and_keeps_later_ones(engine):
    async with engine.transaction() as db:
        await settings.save(db, [("early", UserState("ru")), ("late", UserState("ky"))], at=100.0)
        await settings.save(db, [("late", UserState("ky"))], at=300.0)
    async with engine.transaction() as db:
        await settings.erase(db, "early", before=200.0)
        await settings.erase(db, "late", before=200.0)  # chosen again after asking: that choice stays
    async with engine.reading() as db:
        assert await settings.read(db, "early") is None
        assert await settings.read(db, "late") == UserState("ky")


async def test_a_rotation_keeps_and_moves_only_the_people_it_can_rekey(engine):
    async with engine.transaction() as db:
        await settings.save(
            db, [("old-a", UserState("ru")), ("old-b", UserState("ky")), ("old-c", UserState("tg"))], 1.0
        )
        assert await settings.keep_only(db, {"old-a"}) == 2
        await settings.rename(db, {"old-a": "new-a"})
    async with engine.reading() as db:
        assert [await settings.read(db, user) for user in ("new-a", "old-a", "old-b")] == [UserState("ru"), None, None]
