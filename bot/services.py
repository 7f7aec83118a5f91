"""The services a conversation needs, opened once and shared by every adapter."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from bot.config import Config
from bot.content import Content, Problem, load_content
from bot.content_check import cross_check
from bot.dialogue import Dialogue
from bot.handoff import Cases
from bot.i18n import I18n
from bot.matching import Matcher
from bot.replies import Turn, UserState
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
        """Log the turn; act on (un)subscriptions, which need the chat to deliver to."""
        try:
            self.usage_log.record(user_id, turn.events, turn.state)
            user_hash = self.usage_log.user_hash(user_id)
            for event in turn.events:
                if event.kind == "subscribe" and chat_id is not None:
                    await self.subscriptions.subscribe(user_hash, chat_id, turn.state.lang or self.i18n.default)
                elif event.kind in ("unsubscribe", "delete"):
                    await self.subscriptions.unsubscribe(user_hash)
        except Exception:  # the log must never cost an answer
            log.exception("usage log record failed")

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
