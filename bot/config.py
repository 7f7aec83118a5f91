"""Configuration, built once from the environment and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Secret(str):
    """A string that never shows itself in a repr, a log line or a traceback."""

    def __repr__(self) -> str:
        return "Secret('***')" if self else "Secret('')"


@dataclass(frozen=True)
class MatchThresholds:
    """Scores (0-100) that turn a ranking into a decision; calibrated in docs/matching.md."""

    answer: float = 25.0
    margin: float = 4.0
    suggest: float = 12.0


@dataclass(frozen=True)
class Config:
    """Every setting, read once at start-up and passed down: no other module reads the environment."""

    token: Secret = field(default_factory=Secret)
    api_base_url: str | None = None
    content_dir: Path = PROJECT_ROOT / "content"
    locales_dir: Path = PROJECT_ROOT / "locales"
    db_path: Path = PROJECT_ROOT / "data" / "safar.sqlite3"
    #: ``postgresql://…`` for PostgreSQL (many instances); None: SQLite at ``db_path``. The secret and
    #: webhook-secret files stay beside ``db_path`` either way.
    database_url: Secret | None = None
    operator_ids: frozenset[int] = frozenset()
    operator_chat_id: int | None = None  # where "talk to a person" questions go; hidden without it
    hash_secret: Secret | None = None
    webhook_secret: Secret | None = None  # Telegram's X-Telegram-Bot-Api-Secret-Token; see bot/keys.py
    retention_days: int = 90
    default_language: str = "ru"
    thresholds: MatchThresholds = field(default_factory=MatchThresholds)
    bot_username: str | None = None  # for links on printed materials; else asked from Telegram (getMe)
    log_format: str = "text"  # "json": one JSON object per line, for a log shipper
    webhook_url: str | None = None  # the public HTTPS base URL; set, `safar run` uses a webhook
    listen: str = "127.0.0.1"  # webhook mode: where the web server listens (0.0.0.0 in a container)
    port: int = 8443

    @property
    def database(self) -> str | Path:
        """What the storage opens: the PostgreSQL URL, else the SQLite file."""
        return str(self.database_url) if self.database_url else self.db_path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """The settings from ``env`` (default: the process environment); a malformed value raises ValueError
        naming the setting and what it should look like."""
        env = os.environ if env is None else env
        defaults = cls()

        def number(name: str, default: float | int | None, kind: type = int):
            value = (env.get(name) or "").strip()
            if not value:
                return default
            try:
                return kind(value)
            except ValueError:
                what = "a whole number" if kind is int else "a number"
                raise ValueError(f"{name}={value!r} is not {what}: fix it or leave it unset") from None

        thresholds = MatchThresholds(
            answer=number("SAFAR_ANSWER_THRESHOLD", defaults.thresholds.answer, float),
            margin=number("SAFAR_ANSWER_MARGIN", defaults.thresholds.margin, float),
            suggest=number("SAFAR_SUGGEST_THRESHOLD", defaults.thresholds.suggest, float),
        )
        try:
            operators = frozenset(
                int(part) for part in env.get("SAFAR_OPERATOR_IDS", "").replace(" ", "").split(",") if part
            )
        except ValueError:
            raise ValueError(
                "SAFAR_OPERATOR_IDS must be Telegram user ids separated by commas, like 12345,67890"
            ) from None
        secret = env.get("SAFAR_HASH_SECRET")
        webhook = env.get("SAFAR_WEBHOOK_SECRET", "").strip()
        url = env.get("SAFAR_DATABASE_URL", "").strip()
        db_path = Path(env.get("SAFAR_DB_PATH", defaults.db_path))
        if url.startswith("sqlite:///"):  # SQLAlchemy's spelling: sqlite:///relative, sqlite:////absolute
            db_path, url = Path(url.removeprefix("sqlite:///")), ""
        elif url and not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("SAFAR_DATABASE_URL must start with sqlite:/// or postgresql://")
        return cls(
            token=Secret(env.get("TELEGRAM_BOT_TOKEN", "").strip()),
            api_base_url=env.get("TELEGRAM_API_BASE_URL") or None,
            content_dir=Path(env.get("SAFAR_CONTENT_DIR", defaults.content_dir)),
            locales_dir=Path(env.get("SAFAR_LOCALES_DIR", defaults.locales_dir)),
            db_path=db_path,
            database_url=Secret(url) if url else None,
            operator_ids=operators,
            operator_chat_id=number("SAFAR_OPERATOR_CHAT_ID", None),
            hash_secret=Secret(secret) if secret else None,
            webhook_secret=Secret(webhook) if webhook else None,
            retention_days=number("SAFAR_RETENTION_DAYS", defaults.retention_days),
            default_language=env.get("SAFAR_DEFAULT_LANGUAGE", defaults.default_language),
            thresholds=thresholds,
            bot_username=env.get("SAFAR_BOT_USERNAME", "").strip().lstrip("@") or None,
            log_format=env.get("SAFAR_LOG_FORMAT", defaults.log_format).strip().lower() or defaults.log_format,
            webhook_url=env.get("SAFAR_WEBHOOK_URL", "").strip() or None,
            listen=env.get("SAFAR_LISTEN", "").strip() or defaults.listen,
            port=number("SAFAR_PORT", defaults.port),
        )
