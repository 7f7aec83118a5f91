"""The secrets Safar keeps beside its database: the hash secret, and the webhook's secret token.

The hash secret keys every pseudonymous user hash and seals every chat id
(see chats.py). Losing it silently would orphan all of that: settings come
back empty, subscribers can neither be written to nor erased. So a missing,
empty or short secret is refused with one line that says what to do, and a
secret that does not match the data already sealed is refused too (a key
check is kept in the database's `meta` table, never the secret itself).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import re
import secrets
import sqlite3
from dataclasses import replace
from pathlib import Path

from bot.config import Config, Secret
from bot.db import meta

log = logging.getLogger(__name__)

MIN_SECRET_LENGTH = 16
KEY_CHECK = "key_check"
WEBHOOK_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,256}$")  # what Telegram accepts as secret_token, 16 or more
SEALED_TABLES = ("users", "events", "subscribers", "cases")


class SecretError(RuntimeError):
    """The bot must not start with this secret; the message says why and what to do, in one line."""


def secret_path(db_path: Path) -> Path:
    """Where a generated hash secret is kept: beside the database, so a backup takes both."""
    return db_path.with_name(db_path.name + ".secret")


def webhook_secret_path(db_path: Path) -> Path:
    """Where a generated webhook token is kept, so a restart re-registers the same one."""
    return db_path.with_name(db_path.name + ".webhook-secret")


def key_check(secret: bytes) -> str:
    """What the database keeps to recognise its secret; reveals nothing about it."""
    return hmac.new(secret, b"safar key check", hashlib.sha256).hexdigest()[:32]


def write_private(path: Path, value: str) -> None:
    """Write a secret file readable by its owner only, atomically: a full disk leaves no empty file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _checked(value: str, where: str) -> bytes:
    value = value.strip()
    if len(value) < MIN_SECRET_LENGTH:
        what = "empty" if not value else f"too short ({len(value)} characters)"
        raise SecretError(
            f"{where} is {what}: use at least {MIN_SECRET_LENGTH} random characters, "
            "e.g. from `python -c 'import secrets; print(secrets.token_hex(32))'` "
            "(or restore the one your data was sealed with)"
        )
    return value.encode()


def load_secret(config_secret: str | None, db_path: Path, database_url: str | None = None) -> bytes:
    """The HMAC key: from the configuration, or generated once and kept beside the database (0600).

    Refuses (SecretError) an empty or short secret, and a secret that is not the one the
    existing data was sealed with; never generates a new one over existing data. With
    PostgreSQL (``database_url``) every instance must hash alike: SAFAR_HASH_SECRET is required,
    and `check_secret_in` compares it with the database's key check once it is open.
    """
    if database_url:
        if config_secret is None:
            raise SecretError(
                "with PostgreSQL every instance needs the same SAFAR_HASH_SECRET: set it (never generated)"
            )
        return _checked(config_secret, "SAFAR_HASH_SECRET")
    if config_secret is not None:
        secret = _checked(config_secret, "SAFAR_HASH_SECRET")
        verify_secret(secret, db_path, source="SAFAR_HASH_SECRET")
        return secret
    path = secret_path(db_path)
    if path.exists():
        secret = _checked(path.read_text(encoding="utf-8"), f"the secret file {path}")
        verify_secret(secret, db_path, source=str(path))
        return secret
    if _sealed_data(db_path):
        raise SecretError(
            f"the secret file {path} is missing, but {db_path} holds data sealed with it: restore the file "
            f"from a backup (or set SAFAR_HASH_SECRET); without it that data cannot be read or erased. "
            f"To start over instead, move {db_path}* away"
        )
    value = secrets.token_hex(32)
    write_private(path, value)
    verify_secret(value.encode(), db_path, source=str(path))
    return value.encode()


def _sealed_data(db_path: Path) -> bool:
    """Whether the database holds anything made with a secret (a key check, users, events, chats)."""
    if not db_path.exists():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)) as db:
            if meta.sqlite_get(db, KEY_CHECK) is not None:
                return True
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return any(db.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in SEALED_TABLES if t in tables)
    except sqlite3.Error as error:
        raise SecretError(
            f"cannot tell whether {db_path} holds sealed data ({error}); not generating a new secret over it"
        ) from error


def verify_secret(secret: bytes, db_path: Path, source: str) -> None:
    """Refuse a secret that is not the one the database's data was sealed with; record it on first use."""
    if not db_path.exists():  # a first start: create it (private) to record which secret seals it
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT, 0o600))
        except OSError:
            return  # a read-only folder: nothing will be sealed there either
    mine = key_check(secret)
    try:
        with contextlib.closing(sqlite3.connect(db_path, timeout=5)) as db:
            kept = meta.sqlite_keep_first(db, KEY_CHECK, mine)
    except sqlite3.Error as error:  # a read-only or locked database: nothing to compare with, nothing written
        log.warning("the secret could not be checked against %s (%s)", db_path, error)
        return
    if not hmac.compare_digest(kept, mine):
        raise SecretError(
            f"{source} is not the secret the data in {db_path} was sealed with: restore the right one "
            f"(a backup of {secret_path(db_path).name}, or the old SAFAR_HASH_SECRET). If a `secret rotate` "
            f"was interrupted, the new secret is in {secret_path(db_path).name}.new"
        )


async def check_secret_in(database, secret: bytes) -> None:
    """The key check of a shared database (`bot.chats.Database`): recorded on first use, else compared.

    Raises SecretError when the data there was sealed with another secret.
    """
    mine = key_check(secret)
    kept = await database.run(lambda db: meta.keep_first(db, KEY_CHECK, mine))
    if kept is not None and not hmac.compare_digest(kept, mine):
        raise SecretError(
            "SAFAR_HASH_SECRET is not the secret the data in this database was sealed with: set the one it was"
        )


def webhook_secret(config: Config) -> str:
    """The webhook's secret token: SAFAR_WEBHOOK_SECRET, else generated once and kept beside the hash secret.

    A read-only data folder gets a token for this run only (set_webhook sends it again at every start).
    """
    if config.webhook_secret:
        if not WEBHOOK_TOKEN.match(config.webhook_secret):
            raise SecretError(
                "SAFAR_WEBHOOK_SECRET must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)"
            )
        return str(config.webhook_secret)
    path = webhook_secret_path(config.db_path)
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if WEBHOOK_TOKEN.match(value):
            return value
        log.warning("%s is not a usable webhook secret: a new one is made", path)
    value = secrets.token_urlsafe(32)
    try:
        write_private(path, value)
    except OSError as error:
        log.warning("the webhook secret could not be kept (%s): a new one is used for this run", error)
    return value


def with_webhook_secret(config: Config) -> Config:
    """The config with its webhook token settled once, so every part of the process uses the same one."""
    return replace(config, webhook_secret=Secret(webhook_secret(config)))
