"""The only chat ids Safar keeps: sealed, and message ids for a quick exit under a keyed hash, on either backend."""

from __future__ import annotations

from bot.chats import DELETABLE_FOR, TRACKED_KEPT_FOR, ChatStore, TrackedMessages, chat_key

SECRET = b"s" * 32


def test_a_sealed_chat_opens_only_with_the_same_secret():
    store, other = ChatStore(None, SECRET), ChatStore(None, b"t" * 32)
    token = store.seal(123456789)
    assert "123456789" not in token  # the database alone says nothing about who is behind a row
    assert store.open_seal(token) == 123456789
    assert other.open_seal(token) is None and store.open_seal("not a token") is None


def test_a_chat_is_filed_under_a_keyed_hash_that_changes_with_the_secret():
    assert chat_key(SECRET, 5) == chat_key(SECRET, 5) != chat_key(SECRET, 6)
    assert chat_key(SECRET, 5) != chat_key(b"t" * 32, 5) and chat_key(SECRET, 5) != "5"


async def test_quick_exit_ids_are_deletable_for_47_hours_then_forgotten(storage):
    tracked = await TrackedMessages.open(storage, SECRET)
    try:
        now = 1_800_000_000.0
        assert await tracked.track(77, 1, 2, at=now)
        assert await tracked.track(77, 3, at=now + 10)
        assert await tracked.recent(77, now=now + 60) == [1, 2, 3]
        assert await tracked.recent(88, now=now + 60) == []  # another chat's ids are not mixed in
        assert await tracked.recent(77, now=now + DELETABLE_FOR + 5) == [3]  # Telegram no longer lets 1, 2 go
        assert await tracked.prune(now=now + TRACKED_KEPT_FOR + 5) == 2
        assert await tracked.forget(77)
        assert await tracked.recent(77, now=now + 60) == []
    finally:
        await tracked.close()


async def test_without_a_database_a_quick_exit_says_it_kept_nothing():
    tracked = TrackedMessages(None, SECRET)
    assert not await tracked.track(77, 1)
    assert await tracked.recent(77) == []
