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

It runs in one transaction. The new secret is written to `<db>.secret.new`
first and moved over `<db>.secret` after the commit; with SAFAR_HASH_SECRET
the operator copies it from that file into the environment. Stop the bot first.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import sqlite3

from cryptography.fernet import InvalidToken

from bot.chats import fernet_for
from bot.config import Config
from bot.db import meta
from bot.keys import KEY_CHECK, key_check, load_secret, secret_path, write_private

REKEYED_TABLES = ("events", "user_days", "deliveries")


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
    old_fernet, new_fernet = fernet_for(old), fernet_for(new)
    counts = {"chats": 0, "dropped": 0, "settings reset": 0, "pseudonyms": 0, "tracked": 0}
    with contextlib.closing(sqlite3.connect(db_path, timeout=30, isolation_level=None)) as db:
        db.execute("PRAGMA secure_delete=ON")
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TEMP TABLE rekey (old TEXT PRIMARY KEY, new TEXT NOT NULL, known INTEGER NOT NULL)")
            for table, key in (("subscribers", "user_hash"), ("cases", "id")):
                for row_key, user_hash, token in db.execute(f"SELECT {key}, user_hash, chat FROM {table}").fetchall():
                    try:
                        chat_id = int(old_fernet.decrypt(token.encode()))
                    except (InvalidToken, ValueError):
                        chat_id = None
                    if chat_id is None or chat_id <= 0 or _user_hash(old, chat_id) != user_hash:
                        db.execute(f"DELETE FROM {table} WHERE {key} = ?", (row_key,))
                        counts["dropped"] += 1
                        continue
                    new_hash = _user_hash(new, chat_id)
                    db.execute("INSERT OR IGNORE INTO rekey VALUES (?, ?, 1)", (user_hash, new_hash))
                    sealed = new_fernet.encrypt(str(chat_id).encode()).decode()
                    db.execute(
                        f"UPDATE {table} SET user_hash = ?, chat = ? WHERE {key} = ?", (new_hash, sealed, row_key)
                    )
                    counts["chats"] += 1
            for table in REKEYED_TABLES:
                db.execute(
                    f"INSERT OR IGNORE INTO rekey SELECT DISTINCT user_hash, lower(hex(randomblob(16))), 0 FROM {table}"
                )
            counts["pseudonyms"] = db.execute("SELECT count(*) FROM rekey WHERE known = 0").fetchone()[0]
            counts["settings reset"] = db.execute(
                "DELETE FROM users WHERE user_hash NOT IN (SELECT old FROM rekey WHERE known = 1)"
            ).rowcount
            for table in (*REKEYED_TABLES, "users"):
                db.execute(
                    f"UPDATE {table} SET user_hash = (SELECT new FROM rekey WHERE old = {table}.user_hash)"
                    f" WHERE user_hash IN (SELECT old FROM rekey)"
                )
            counts["tracked"] = db.execute("DELETE FROM tracked").rowcount
            meta.sqlite_set(db, KEY_CHECK, key_check(new))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
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
