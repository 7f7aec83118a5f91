"""The meta repository: the first key check recorded wins, on both engines and before the engine opens."""

from __future__ import annotations

import contextlib
import sqlite3

from bot.db import meta


async def test_the_first_value_kept_is_the_one_every_instance_reads_until_it_is_replaced(engine):
    async with engine.transaction() as db:
        assert await meta.keep_first(db, "key_check", "first") == "first"
    async with engine.transaction() as db:
        assert await meta.keep_first(db, "key_check", "second") == "first"  # a second secret is not recorded
    async with engine.transaction() as db:
        await meta.put(db, "key_check", "rotated")  # a secret rotation replaces it on purpose
    async with engine.transaction() as db:
        assert await meta.keep_first(db, "key_check", "third") == "rotated"


def test_the_sqlite_twins_work_on_a_file_the_engine_has_not_opened(tmp_path):
    path = tmp_path / "new.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert meta.sqlite_get(db, "key_check") is None  # no table yet
        assert meta.sqlite_keep_first(db, "key_check", "first") == "first"
        assert meta.sqlite_keep_first(db, "key_check", "second") == "first"
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert meta.sqlite_get(db, "key_check") == "first"
