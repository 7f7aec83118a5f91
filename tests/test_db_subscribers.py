"""The subscriptions repository on both engines: one row per person, renewed, forgotten, erased."""

from __future__ import annotations

from bot.db import subscribers


async def test_subscribing_again_renews_the_one_subscription(engine):
    async with engine.transaction() as db:
        await subscribers.subscribe(db, "h1", "chat-a", "ru", at=100.0)
        await subscribers.subscribe(db, "h2", "chat-b", "ky", at=100.0)
        await subscribers.subscribe(db, "h1", "chat-a2", "tg", at=200.0)
    async with engine.reading() as db:
        assert sorted(await subscribers.everyone(db)) == [("h1", "chat-a2", "tg"), ("h2", "chat-b", "ky")]


async def test_unsubscribing_forgets_the_person_only(engine):
    async with engine.transaction() as db:
        await subscribers.subscribe(db, "h1", "chat-a", "ru", at=100.0)
        await subscribers.subscribe(db, "h2", "chat-b", "ky", at=100.0)
    async with engine.transaction() as db:
        await subscribers.unsubscribe(db, "h1")
        await subscribers.unsubscribe(db, "nobody")
    async with engine.reading() as db:
        assert await subscribers.everyone(db) == [("h2", "chat-b", "ky")]


async def test_erasure_keeps_a_subscription_made_after_the_request(engine):
    async with engine.transaction() as db:
        await subscribers.subscribe(db, "before", "chat-a", "ru", at=100.0)
        await subscribers.subscribe(db, "after", "chat-b", "ru", at=300.0)
    async with engine.transaction() as db:
        await subscribers.erase(db, "before", before=200.0)
        await subscribers.erase(db, "after", before=200.0)
    async with engine.reading() as db:
        assert await subscribers.everyone(db) == [("after", "chat-b", "ru")]


async def test_a_rotation_reseals_a_subscription_under_the_new_hash(engine):
    async with engine.transaction() as db:
        await subscribers.subscribe(db, "old", "old-seal", "ru", at=1.0)
        await subscribers.reseal(db, "old", "new", "new-seal")
        assert await subscribers.everyone(db) == [("new", "new-seal", "ru")]
