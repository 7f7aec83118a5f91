"""`python -m bot secret rotate`: re-key everything under a new hash secret, e.g. after a leak.

A user hash is a one-way HMAC of a Telegram id: it can be recomputed under
the new secret only where the id is known, and the only ids Safar knows are
the sealed chats of subscribers and open cases (a private chat's id is the
person's id). So rotation:

- re-seals those chats and moves their owners' settings, events and
  deliveries to the new hash (they can still /unsubscribe and /delete);
- drops subscriptions and cases whose owner cannot be recomputed (group
  chats), and everyone else's settings (they pick a language again);
- gives every other person's events a new random pseudonym that no secret
  links to anyone (the counts in reports stay right);
- forgets the quick-exit message ids (they are keyed by the old secret).

It runs in one transaction, through the repositories of `bot.db` (each
re-keys its own tables). The new secret is written to `<db>.secret.new`
first and moved over `<db>.secret` after the commit; with SAFAR_HASH_SECRET
the operator copies it from that file into the environment. Stop the bot first.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import hmac
import os
import secrets
from collections import Counter
from pathlib import Path

import aiosqlite
from cryptography.fernet import Fernet, InvalidToken

from bot.chats import fernet_for
from bot.config import Config
from bot.db import broadcasts, cases, events, meta, settings, subscribers, tracked
from bot.keys import KEY_CHECK, key_check, load_secret, secret_path, write_private


def _user_hash(secret: bytes, user_id: int) -> str:
    return hmac.new(secret, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


def rotate(config: Config) -> list[str]:
    """Re-key the database under a new secret; return a report to print (the secret itself is never shown)."""
    db_path = config.db_path
    if not db_path.exists():
        return [f"no database at {db_path}: nothing to re-key (a secret is made at the first start)"]
    old = load_secret(config.hash_secret, db_path)  # refuses a secret that does not match the data
    new_value = secrets.token_hex(32)
    new = new_value.encode()
    path = secret_path(db_path)
    staged = path.with_name(path.name + ".new")
    write_private(staged, new_value)
    try:
        # A thread of its own: asyncio.run needs a thread without a running loop (a caller may have one).
        with concurrent.futures.ThreadPoolExecutor(1) as worker:
            counts = worker.submit(asyncio.run, _rekey(db_path, old, new)).result()
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    lines = [
        f"re-keyed {db_path}: {counts['chats']} subscriptions and cases re-sealed with their owners' data,",
        f"  {counts['dropped']} dropped (owner unknown), {counts['settings reset']} people's settings reset,",
        f"  {counts['pseudonyms']} other pseudonyms re-drawn at random, {counts['tracked']} quick-exit ids forgotten.",
    ]
    if config.hash_secret is not None:
        lines.append(
            f"SAFAR_HASH_SECRET is set: put the content of {staged} into it now (the old one no longer opens "
            "this database), then delete that file."
        )
    else:
        os.replace(staged, path)
        lines.append(f"the new secret is in {path}; the old one is gone (keep a backup of the new one).")
    return lines


class _Sealing:
    """Opening a chat under the old secret and sealing it under the new one, for one rotation."""

    def __init__(self, old: bytes, new: bytes):
        self.old, self.new = old, new
        self.old_fernet: Fernet = fernet_for(old)
        self.new_fernet: Fernet = fernet_for(new)

    def owner(self, user_hash: str, token: str) -> int | None:
        """The private chat (= the person's id) a row was sealed for, if it checks out against its hash."""
        try:
            chat_id = int(self.old_fernet.decrypt(token.encode()))
        except (InvalidToken, ValueError):
            return None
        return chat_id if chat_id > 0 and _user_hash(self.old, chat_id) == user_hash else None

    def reseal(self, chat_id: int) -> tuple[str, str]:
        """The person's hash and their chat sealed, under the new secret."""
        return _user_hash(self.new, chat_id), self.new_fernet.encrypt(str(chat_id).encode()).decode()


async def _rekey(db_path: Path, old: bytes, new: bytes) -> Counter[str]:
    """Every step of the rotation in one SQLite transaction (``BEGIN IMMEDIATE``: no writer gets in between)."""
    sealing = _Sealing(old, new)
    counts: Counter[str] = Counter(chats=0, dropped=0)
    known: dict[str, str] = {}  # old hash -> new hash, for the people whose id is known
    async with aiosqlite.connect(db_path, timeout=30, isolation_level=None) as db:
        await db.execute("PRAGMA secure_delete=ON")
        await db.execute("BEGIN IMMEDIATE")
        try:
            for user_hash, token, _lang in await subscribers.everyone(db):
                chat_id = sealing.owner(user_hash, token)
                if chat_id is None:
                    await subscribers.unsubscribe(db, user_hash)
                    counts["dropped"] += 1
                    continue
                new_hash, sealed = sealing.reseal(chat_id)
                known.setdefault(user_hash, new_hash)
                await subscribers.reseal(db, user_hash, new_hash, sealed)
                counts["chats"] += 1
            for case, user_hash, token in await cases.everyone(db):
                chat_id = sealing.owner(user_hash, token)
                if chat_id is None:
                    await cases.close(db, case)
                    counts["dropped"] += 1
                    continue
                new_hash, sealed = sealing.reseal(chat_id)
                known.setdefault(user_hash, new_hash)
                await cases.reseal(db, case, new_hash, sealed)
                counts["chats"] += 1
            others = (await events.people(db) | await broadcasts.people(db)) - known.keys()
            renames = {user: secrets.token_hex(16) for user in others} | known
            counts["pseudonyms"] = len(others)
            counts["settings reset"] = await settings.keep_only(db, known.keys())
            await events.rename(db, renames)
            await broadcasts.rename(db, renames)
            await settings.rename(db, known)
            counts["tracked"] = await tracked.forget_everything(db)
            await meta.put(db, KEY_CHECK, key_check(new))
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
    return counts
