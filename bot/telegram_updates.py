"""One person's updates one after the other; different people's side by side.

The bot handles updates concurrently (a slow reply to one person never holds up
another), but two quick taps of the same person must not both read the settings
before either has written them: the second would undo the first ("Kyrgyzstan",
then at once "Russia", and the citizenship is lost). PTB's update processor is
the place for it: each person's updates wait for a lock of their own, taken
before the handler runs, and the lock is dropped when nobody waits for it.

Per process: with several instances behind a proxy (PostgreSQL), two taps of one
person sent to two instances at once can still cross; docs/deploy.md says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

#: Updates handled at once across all people (PTB's default for ``concurrent_updates(True)``).
MAX_CONCURRENT = 256


class PerPersonUpdates(BaseUpdateProcessor):
    """Serialises each person's updates; see the module docstring."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine`` once the person's earlier updates are done (at once if nobody is known)."""
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        lock, waiting = self._locks.get(user.id, (asyncio.Lock(), 0))
        self._locks[user.id] = (lock, waiting + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, waiting = self._locks[user.id]
            if waiting <= 1:
                del self._locks[user.id]
            else:
                self._locks[user.id] = (lock, waiting - 1)

    @property
    def people(self) -> int:
        """People with an update in hand or waiting (for tests and metrics)."""
        return len(self._locks)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: the locks go with their last update."""
