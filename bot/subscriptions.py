"""Opt-in subscriptions: who asked for the weekly message, and where to deliver it.

To deliver a weekly message the bot must know where to send it: the one
place a chat id is kept is the `subscribers` table, encrypted (Fernet) with
a key derived from the hash secret, which lives outside the database. It is
erased by /unsubscribe, /delete, /exit, and when the person blocks the bot.
Both directions are written at once, with retries, and say whether they
landed, so the person is never told "subscribed" or "unsubscribed" falsely.
Broadcasts live in bot/broadcast.py.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from bot.chats import ChatStore, WriteFailed
from bot.db import subscribers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscriber:
    """One recipient of a broadcast, the chat already opened with the secret."""

    user_hash: str
    chat_id: int
    lang: str


class Subscriptions(ChatStore):
    """Who asked for the weekly message. Without a usable database it is empty and says so in the log."""

    async def subscribe(self, user_hash: str, chat_id: int, lang: str) -> bool:
        """Keep the (sealed) chat to write to; False if it could not be kept."""
        token, now = self.seal(chat_id), time.time()
        try:
            await self.database.run(lambda db: subscribers.subscribe(db, user_hash, token, lang, now))
            return True
        except WriteFailed as error:
            log.warning("a subscription could not be kept (%s)", error)
            return False

    async def unsubscribe(self, user_hash: str) -> bool:
        """Forget the chat; True once no subscription is left, False if the database could not be written."""
        try:
            await self.database.run(lambda db: subscribers.unsubscribe(db, user_hash))
            return True
        except WriteFailed as error:
            log.warning("an unsubscription could not be written (%s)", error)
            return False

    async def all(self) -> list[Subscriber]:
        """Every subscriber whose chat this secret opens (the others are skipped with a warning)."""
        found = []
        for user_hash, token, lang in await self.database.read(subscribers.everyone, []):
            chat_id = self.open_seal(token)
            if chat_id is not None:
                found.append(Subscriber(user_hash, chat_id, lang))
        return found


def should_unsubscribe(chat_type: str, status: str) -> bool:
    """Whether a change of the bot's membership ends a subscription: only a private chat blocking the bot.

    Removing the bot from a group says nothing about the remover's own private subscription.
    """
    return chat_type == "private" and status in ("kicked", "left")
