"""The broadcasts repository on both engines: a delivery is claimed by one run only, a campaign held by one sender."""

from __future__ import annotations

from bot.db import broadcasts


async def test_queueing_twice_keeps_one_row_per_person_and_never_requeues_a_sent_one(engine):
    async with engine.transaction() as db:
        assert not await broadcasts.started(db, "c1")
        await broadcasts.enqueue(db, "c1", ["a", "b"], at=1.0)
        await broadcasts.mark(db, "c1", "a", "sent", at=2.0)
        await broadcasts.enqueue(db, "c1", ["a", "b", "c"], at=3.0)  # a later run adds the new subscriber only
        assert await broadcasts.started(db, "c1")
        assert sorted(await broadcasts.queued(db, "c1")) == ["b", "c"]
        assert await broadcasts.counts(db, "c1") == {"sent": 1, "queued": 2}
        assert await broadcasts.counts(db, "another") == {}


async def test_a_delivery_claimed_twice_is_sent_once(engine):
    async with engine.transaction() as db:
        await broadcasts.enqueue(db, "c1", ["a"], at=1.0)
    async with engine.transaction() as db:
        first = await broadcasts.claim(db, "c1", "a", at=2.0)
    async with engine.transaction() as db:
        second = await broadcasts.claim(db, "c1", "a", at=2.0)
    assert (first, second) == (True, False)


async def test_rows_left_sending_by_a_dead_run_are_never_resent(engine):
    async with engine.transaction() as db:
        await broadcasts.enqueue(db, "c1", ["a", "b"], at=1.0)
        await broadcasts.claim(db, "c1", "a", at=2.0)  # the run dies while Telegram has the message
        await broadcasts.give_up_sending(db, "c1")
        assert await broadcasts.queued(db, "c1") == ["b"]
        assert await broadcasts.counts(db, "c1") == {"unknown": 1, "queued": 1}


async def test_one_sender_per_campaign_until_its_lock_expires(engine):
    async with engine.transaction() as db:
        assert await broadcasts.lock(db, "c1", "first", now=100.0, seconds=120.0)
        assert not await broadcasts.lock(db, "c1", "second", now=150.0, seconds=120.0)
        assert await broadcasts.lock(db, "c2", "second", now=150.0, seconds=120.0)  # another campaign is free
        assert await broadcasts.renew(db, "c1", "first", expires=400.0)
        assert not await broadcasts.lock(db, "c1", "second", now=300.0, seconds=120.0)  # renewed: still held
        assert await broadcasts.lock(db, "c1", "second", now=401.0, seconds=120.0)  # the holder died: taken over
        assert not await broadcasts.renew(db, "c1", "first", expires=600.0)  # the first learns it lost it
        await broadcasts.unlock(db, "c1", "first")  # not its lock any more: nothing happens
        assert not await broadcasts.lock(db, "c1", "third", now=402.0, seconds=120.0)
        await broadcasts.unlock(db, "c1", "second")
        assert await broadcasts.lock(db, "c1", "third", now=403.0, seconds=120.0)


async def test_erasure_forgets_the_persons_deliveries(engine):
    async with engine.transaction() as db:
        await broadcasts.enqueue(db, "c1", ["a", "b"], at=1.0)
        await broadcasts.enqueue(db, "c2", ["a"], at=5.0)
        await broadcasts.erase(db, "a", before=3.0)  # c2's row was written after the request
        assert await broadcasts.queued(db, "c1") == ["b"]
        assert await broadcasts.queued(db, "c2") == ["a"]


async def test_a_rotation_moves_deliveries_to_the_new_pseudonym(engine):
    async with engine.transaction() as db:
        await broadcasts.enqueue(db, "c1", ["a", "b"], at=1.0)
        await broadcasts.rename(db, {"a": "z"})
        assert await broadcasts.people(db) == {"z", "b"}
        assert await broadcasts.claim(db, "c1", "z", at=2.0)  # the row moved with its status
