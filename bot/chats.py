"""The only chat ids Safar keeps: encrypted, for people who asked to be written to.

Subscribers (weekly message) and open cases (a volunteer's answer) need a
chat to deliver to. The id is sealed with Fernet under a key derived from
the hash secret, which lives outside the database: the database alone says
nothing about who is behind a row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import sqlite3
from pathlib import Path

import aiosqlite
from cryptography.fernet import Fernet, InvalidToken

from bot.usage_log import migrate

log = logging.getLogger(__name__)


class ChatStore:
    """A table of sealed chat ids in the usage database; without a database it stays empty."""

    def __init__(self, db: aiosqlite.Connection | None, secret: bytes):
        self._db = db
        key = hmac.new(secret, b"safar subscribers", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    @classmethod
    async def open(cls, db_path: Path, secret: bytes):
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(db_path, timeout=5)
            await db.execute("PRAGMA journal_mode=WAL")
            await migrate(db)
        except (sqlite3.Error, OSError) as error:
            log.warning("%s unavailable (%s): nothing will be kept", cls.__name__, error)
            return cls(None, secret)
        return cls(db, secret)

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()

    def seal(self, chat_id: int) -> str:
        return self._fernet.encrypt(str(chat_id).encode()).decode()

    def open_seal(self, token: str) -> int | None:
        try:
            return int(self._fernet.decrypt(token.encode()))
        except (InvalidToken, ValueError):
            log.warning("a chat cannot be read with this secret: skipped")
            return None
