"""The tracked-messages repository on both engines: what a quick exit deletes, and what it no longer can."""

from __future__ import annotations

from bot.db import tracked


async def test_ids_are_kept_once_per_chat_oldest_first(engine):
    async with engine.transaction() as db:
        await tracked.add(db, "chat-a", [12, 10], at=100.0)
        await tracked.add(db, "chat-a", [10, 11], at=150.0)  # 10 again: kept once
        await tracked.add(db, "chat-b", [99], at=100.0)
    async with engine.reading() as db:
        assert await tracked.since(db, "chat-a", after=0.0) == [10, 11, 12]
        assert await tracked.since(db, "chat-a", after=120.0) == [11]  # the older ones are no longer deletable
        assert await tracked.since(db, "chat-b", after=0.0) == [99]


async def test_forget_prune_and_erase(engine):
    async with engine.transaction() as db:
        await tracked.add(db, "chat-a", [1, 2], at=100.0)
        await tracked.add(db, "chat-b", [3], at=100.0)
        await tracked.add(db, "chat-b", [4], at=500.0)
        await tracked.add(db, "chat-c", [5], at=100.0)
        await tracked.add(db, "chat-c", [6], at=500.0)
    async with engine.transaction() as db:
        await tracked.forget(db, "chat-a")
        await tracked.erase(db, "h-of-c", before=300.0, chat="chat-c")  # only the ids up to the request
        await tracked.erase(db, "h-of-b", before=1000.0)  # without a chat there is nothing to find
        assert await tracked.prune(db, before=200.0) == 1  # chat-b's id 3
    async with engine.reading() as db:
        kept = {chat: await tracked.since(db, chat, after=0.0) for chat in ("chat-a", "chat-b", "chat-c")}
    assert kept == {"chat-a": [], "chat-b": [4], "chat-c": [6]}


async def test_a_rotation_forgets_every_id(engine):
    async with engine.transaction() as db:
        await tracked.add(db, "chat-a", [1, 2], at=100.0)
        await tracked.add(db, "chat-b", [3], at=100.0)
        assert await tracked.forget_everything(db) == 3
        assert await tracked.since(db, "chat-a", after=0.0) == []
