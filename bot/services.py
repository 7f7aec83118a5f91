"""The services a conversation needs, opened once and shared by every adapter."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from bot import metrics
from bot.config import Config
from bot.content import Content, Problem, load_content
from bot.content_check import cross_check
from bot.dialogue import Dialogue
from bot.handoff import Cases, new_case_id
from bot.i18n import I18n
from bot.matching import Matcher
from bot.replies import Erase, EraseChat, Event, Turn, UserState
from bot.subscriptions import Subscriptions
from bot.usage_log import UsageLog, load_secret

log = logging.getLogger(__name__)


class ContentError(RuntimeError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("content has errors:\n" + "\n".join(map(str, problems)))


@dataclass
class Services:
    config: Config
    i18n: I18n
    dialogue: Dialogue
    usage_log: UsageLog
    subscriptions: Subscriptions
    cases: Cases
    loaded_at: float

    @classmethod
    async def open(cls, config: Config) -> Services:
        content = _load(config)
        i18n = I18n(config.locales_dir, content.languages, config.default_language)
        dialogue = Dialogue(content, Matcher(content, config.thresholds), i18n, can_talk=bool(config.operator_chat_id))
        secret = load_secret(config.hash_secret, config.db_path)
        usage_log = await UsageLog.open(config.db_path, secret)
        subscriptions = await Subscriptions.open(config.db_path, secret)
        cases = await Cases.open(config.db_path, secret)
        return cls(config, i18n, dialogue, usage_log, subscriptions, cases, time.time())

    @property
    def content(self) -> Content:
        return self.dialogue.content

    def reload(self) -> list[Problem]:
        """Re-read the content; on any error keep the content that is live and return the errors."""
        try:
            content = _load(self.config)
            i18n = I18n(self.config.locales_dir, content.languages, self.config.default_language)
        except ContentError as error:
            log.warning("content reload refused: %d errors", len(error.problems))
            return error.problems
        self.i18n = i18n
        self.dialogue = Dialogue(
            content, Matcher(content, self.config.thresholds), i18n, can_talk=bool(self.config.operator_chat_id)
        )
        self.loaded_at = time.time()
        return []

    async def load_state(self, user_id: int | str) -> UserState:
        return await self.usage_log.load_state(user_id)

    async def record(self, user_id: int | str, turn: Turn, chat_id: int | None = None) -> None:
        """Log the turn's events and keep its settings: best-effort, never costs an answer."""
        if turn.effect(Erase) or turn.effect(EraseChat):
            return  # nothing about a person who asked to be erased is kept, not even the emptied settings
        try:
            self.usage_log.record(user_id, turn.events, turn.state)
        except Exception:  # the log must never cost an answer
            log.exception("usage log record failed")

    # --- effects: written at once, and reported honestly ---------------------------------------

    async def erase_user(self, user_id: int | str) -> bool:
        """Erase settings, events, cases and subscription; True only once it is written."""
        before = self.usage_log.dropped
        try:
            self.usage_log.record(user_id, [Event("delete")])
            await self.usage_log.flush()
        except Exception:
            metrics.database_error("erase")
            log.exception("erase failed")
            return False
        return self.usage_log.dropped == before

    async def subscribe(self, user_id: int | str, chat_id: int | None, lang: str) -> bool:
        if chat_id is None:
            return False
        try:
            return await self.subscriptions.subscribe(self.usage_log.user_hash(user_id), chat_id, lang)
        except Exception:
            metrics.database_error("subscribe")
            log.exception("subscribe failed")
            return False

    async def unsubscribe(self, user_id: int | str) -> bool:
        try:
            return await self.subscriptions.unsubscribe(self.usage_log.user_hash(user_id))
        except Exception:
            metrics.database_error("unsubscribe")
            log.exception("unsubscribe failed")
            return False

    async def open_case(self, user_id: int | str, chat_id: int, lang: str) -> str | None:
        """A new case for the person's question, or None if it could not be kept."""
        case = new_case_id()
        try:
            kept = await self.cases.open_case(case, self.usage_log.user_hash(user_id), chat_id, lang)
        except Exception:
            metrics.database_error("case")
            log.exception("case not opened")
            return None
        return case if kept else None

    async def ping(self) -> bool:
        """Whether the database answers now: /healthz reports it."""
        return await self.usage_log.ping()

    async def close(self) -> None:
        await self.usage_log.close()
        await self.subscriptions.close()
        await self.cases.close()


def _load(config: Config) -> Content:
    result = load_content(config.content_dir)
    errors = result.errors + [p for p in cross_check(result) if p.severity == "error"]
    if errors:
        raise ContentError(errors)
    return result.content
