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
re-keys its own tables), on either engine. Stop every instance first.

- SQLite: the new secret is written to `<db>.secret.new` first and moved
  over `<db>.secret` after the commit; with SAFAR_HASH_SECRET the operator
  copies it from that file into the environment.
- PostgreSQL: there is no secret file (every instance reads
  SAFAR_HASH_SECRET), so the operator names one (``--new-secret-file``,
  written 0600 before the commit). The transaction holds an advisory lock
  (a second operator is refused) and first compares SAFAR_HASH_SECRET with
  the key check in `meta`: a wrong one is refused before anything changes.
  After the commit, instances still on the old secret refuse to start
  (bot/keys.py `check_secret_in`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import hmac
import os
import secrets
from collections import Counter
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
from cryptography.fernet import Fernet, InvalidToken

from bot.chats import fernet_for
from bot.config import Config
from bot.db import (
    Connection,
    DatabaseError,
    Engine,
    broadcasts,
    cases,
    events,
    meta,
    open_engine,
    redacted,
    settings,
    subscribers,
    tracked,
)
from bot.keys import KEY_CHECK, SecretError, key_check, load_secret, secret_path, write_private

#: PostgreSQL's advisory lock held by a rotation's transaction: one operator at a time.
ROTATION_LOCK = 0x5AFA7002

T = TypeVar("T")


def _user_hash(secret: bytes, user_id: int) -> str:
    return hmac.new(secret, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


def rotate(config: Config, new_secret_file: Path | None = None) -> list[str]:
    """Re-key the database under a new secret; return a report to print (the secret itself is never shown).

    ``new_secret_file``: where the new secret goes on PostgreSQL (required there, refused on SQLite,
    whose secret lives beside the database). Raises SecretError (one line) for a missing, wrong or
    unverifiable current secret, a rotation already running, or a file that would be overwritten.
    """
    if config.database_url:
        if new_secret_file is None:
            raise SecretError(
                "with PostgreSQL the new secret needs a place to go: add --new-secret-file FILE "
                "(a new file, readable by you only; its content becomes SAFAR_HASH_SECRET on every instance)"
            )
        return _run(_rotate_postgres(config, new_secret_file))
    if new_secret_file is not None:
        raise SecretError(
            f"--new-secret-file is for PostgreSQL: with SQLite the new secret goes to {secret_path(config.db_path)}"
        )
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
        counts = _run(_rekey(db_path, old, new))
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    lines = _summary(str(db_path), counts)
    if config.hash_secret is not None:
        lines.append(
            f"SAFAR_HASH_SECRET is set: put the content of {staged} into it now (the old one no longer opens "
            "this database), then delete that file."
        )
    else:
        os.replace(staged, path)
        lines.append(f"the new secret is in {path}; the old one is gone (keep a backup of the new one).")
    return lines


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end in a thread of its own: asyncio.run needs a thread without a running loop
    (a caller may have one)."""
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, work).result()


def _summary(where: str, counts: Counter[str]) -> list[str]:
    return [
        f"re-keyed {where}: {counts['chats']} subscriptions and cases re-sealed with their owners' data,",
        f"  {counts['dropped']} dropped (owner unknown), {counts['settings reset']} people's settings reset,",
        f"  {counts['pseudonyms']} other pseudonyms re-drawn at random, {counts['tracked']} quick-exit ids forgotten.",
    ]


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
    async with aiosqlite.connect(db_path, timeout=30, isolation_level=None) as db:
        await db.execute("PRAGMA secure_delete=ON")
        await db.execute("BEGIN IMMEDIATE")
        try:
            counts = await _rekey_in(db, old, new)
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
    return counts


async def _rotate_postgres(config: Config, target: Path) -> list[str]:
    """The rotation on PostgreSQL: one transaction under an advisory lock, the current secret checked first.

    The new secret is written to ``target`` before the commit, so a committed rotation always leaves it
    behind; a rotation that did not commit takes it away again.
    """
    url = str(config.database_url)
    old = load_secret(config.hash_secret, config.db_path, url)  # set, and long enough
    if target.exists():
        raise SecretError(f"{target} exists already: name a new file (it may hold a secret still in use)")
    new_value = secrets.token_hex(32)
    engine = await open_engine(url)
    written = committing = False
    try:
        async with engine.transaction() as db:
            (held,) = await (await db.execute("SELECT pg_try_advisory_xact_lock(?)", (ROTATION_LOCK,))).fetchone()
            if not held:
                raise SecretError("another `secret rotate` is running on this database: let it finish first")
            # Read through the repository: an absent key check comes back as the "" written here, which
            # the refusal below rolls back with everything else.
            kept = await meta.keep_first(db, KEY_CHECK, "")
            if not kept:
                raise SecretError(
                    "this database has no key check yet (the bot never started on it): nothing is sealed "
                    "with a secret, nothing to re-key"
                )
            if not hmac.compare_digest(kept, key_check(old)):
                raise SecretError(
                    "SAFAR_HASH_SECRET is not the secret the data in this database was sealed with: "
                    "nothing was changed (set the current one and run again)"
                )
            others = await _other_sessions(db)
            write_private(target, new_value)
            written = True
            counts = await _rekey_in(db, old, new_value.encode())
            committing = True  # leaving the block commits: from here on the outcome may be unknown
    except BaseException:
        if written and not committing:
            target.unlink(missing_ok=True)  # rolled back: the old secret still opens everything
        elif committing:
            raise SecretError(
                f"the commit's outcome is unknown (the connection failed): the new secret is kept in {target}; "
                "start one instance with the old SAFAR_HASH_SECRET: if it is refused, the rotation went through "
                "and the new one is in that file"
            ) from None
        raise
    else:
        vacuumed = await _vacuum(engine)
    finally:
        await engine.close()
    lines = _summary(redacted(url), counts)
    if not vacuumed:
        lines.append("VACUUM failed: autovacuum will reclaim the old row versions later (see docs/deploy.md).")
    if others:
        lines.append(
            f"warning: {others} other connections to this database were open: a bot instance still running "
            "keeps the old secret until it is restarted — stop it now."
        )
    lines += [
        f"the new secret is in {target} (readable by you only); it is not shown here.",
        "Now set SAFAR_HASH_SECRET to the content of that file on EVERY instance and restart them all: "
        "an instance still on the old secret refuses to start.",
        "Keep the new secret where you keep secrets (a backup of the database is useless without it), "
        f"then delete {target}.",
    ]
    return lines


#: Every table a rotation rewrites, from the repositories that own them.
REKEYED_TABLES = (
    *subscribers.TABLES,
    *cases.TABLES,
    *settings.TABLES,
    *events.TABLES,
    *broadcasts.TABLES,
    *tracked.TABLES,
    *meta.TABLES,
)


async def _vacuum(engine: Engine) -> bool:
    """Reclaim the old row versions (old hashes, chats sealed under the old secret) now, not at autovacuum's
    leisure: PostgreSQL keeps them in its files until a VACUUM. False if it failed (the rotation stands)."""
    try:
        async with engine.reading() as db:  # VACUUM cannot run inside a transaction
            await db.execute(f"VACUUM {', '.join(REKEYED_TABLES)}")
    except DatabaseError:
        return False
    return True


async def _other_sessions(db: Connection) -> int:
    """How many other sessions use this database now (a bot instance left running would be one of them)."""
    (count,) = await (
        await db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    ).fetchone()
    return int(count)


async def _rekey_in(db: Connection, old: bytes, new: bytes) -> Counter[str]:
    """Every step of the rotation, on either engine, inside the caller's transaction; what was done, counted."""
    sealing = _Sealing(old, new)
    counts: Counter[str] = Counter(chats=0, dropped=0)
    known: dict[str, str] = {}  # old hash -> new hash, for the people whose id is known
    # (key, owner's hash, sealed chat) of every subscription and case, with how to drop or re-seal one.
    sealed_rows = [
        ((user_hash, user_hash, token), subscribers.unsubscribe, subscribers.reseal)
        for user_hash, token, _lang in await subscribers.everyone(db)
    ] + [((case, user_hash, token), cases.close, cases.reseal) for case, user_hash, token in await cases.everyone(db)]
    for (key, user_hash, token), drop, reseal in sealed_rows:
        chat_id = sealing.owner(user_hash, token)
        if chat_id is None:  # a group chat: its owner cannot be recomputed
            await drop(db, key)
            counts["dropped"] += 1
            continue
        new_hash, sealed = sealing.reseal(chat_id)
        known.setdefault(user_hash, new_hash)
        await reseal(db, key, new_hash, sealed)
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
    return counts
