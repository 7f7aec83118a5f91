"""Prometheus metrics and the one log line per turn: what an operator watches, never who asked.

Labels take only values from small fixed sets (update kinds, decisions, languages, country
codes): no user id, no chat id, no text, so a metrics scrape or a log shipper learns nothing
about a person. Anything outside the expected shape is counted under ``other``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from bot import usage_log
from bot.replies import Turn
from bot.wire import EventKind

log = logging.getLogger("bot.turns")

#: Our own registry, so two applications in one process (tests) never register a name twice.
REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

UPDATE_KINDS = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "inline_query",
        "chosen_inline_result",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "command",
        "text",
        "location",
        "media",
    }
)
DECISIONS = frozenset({"answer", "suggest", "none", "off-topic", "smalltalk"})
_COUNTRY = re.compile(r"^(?:[A-Z]{2}|other)$")
_LANG = re.compile(r"^[a-z]{2,3}$")

UPDATES = Counter("safar_updates", "Updates received from Telegram, by kind", ["kind"], registry=REGISTRY)
TURNS = Counter("safar_turns", "Conversation turns answered, by what started them", ["kind"], registry=REGISTRY)
DECISIONS_TOTAL = Counter(
    "safar_decisions", "Questions by the matcher's decision (off-topic: brushed off)", ["decision"], registry=REGISTRY
)
EMERGENCIES = Counter("safar_emergencies", "Emergency cards shown, by language", ["lang"], registry=REGISTRY)
HOTLINES = Counter(
    "safar_hotline_handoffs", "Hotline cards shown, by the country the person is in", ["country"], registry=REGISTRY
)
OPERATOR_HANDOFFS = Counter("safar_operator_handoffs", "Questions passed to a person (cases)", registry=REGISTRY)
LATENCY = Histogram(
    "safar_reply_seconds",
    "From reading an update to the last reply sent",
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
ERRORS = Counter(
    "safar_update_errors", "Errors while handling an update, by exception type", ["error"], registry=REGISTRY
)
DATABASE_ERRORS = Counter(
    "safar_database_errors", "Failed database operations, by operation", ["operation"], registry=REGISTRY
)
FORBIDDEN = Counter("safar_webhook_refused", "Webhook posts refused (wrong or missing secret)", registry=REGISTRY)
_last_update: list[float | None] = [None]
LAST_UPDATE = Gauge(
    "safar_last_update_timestamp_seconds", "When the last update arrived (Unix time)", registry=REGISTRY
)


def update_kind(update: Any) -> str:
    """What kind of update started a turn: command, text, location, media, callback_query…; no content."""
    message = getattr(update, "message", None)
    if message is not None:
        if message.location is not None:
            return "location"
        words = message.text or message.caption
        if words is not None:
            return "command" if (message.text or "").startswith("/") else "text"
        return "media"
    for kind in ("callback_query", "inline_query", "my_chat_member", "edited_message"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def observe_update(kind: str) -> None:
    """An update arrived (called by the webhook server for every accepted post)."""
    UPDATES.labels(kind if kind in UPDATE_KINDS else "other").inc()
    _last_update[0] = time.time()
    LAST_UPDATE.set(_last_update[0])


def last_update() -> float | None:
    """When the last update arrived, or None if none has since the start."""
    return _last_update[0]


def observe_turn(kind: str, turn: Turn, latency: float) -> None:
    """Count one answered turn (latency in seconds) and log it as one line without user data."""
    kind = kind if kind in UPDATE_KINDS else "other"
    TURNS.labels(kind).inc()
    LATENCY.observe(latency)
    decision = None
    for event in turn.events:
        data = event.data
        if event.kind == EventKind.QUESTION:
            decision = _decision(data)
            DECISIONS_TOTAL.labels(decision).inc()
        elif event.kind == EventKind.EMERGENCY:
            EMERGENCIES.labels(_label(data.get("lang") or turn.state.lang, _LANG)).inc()
        elif event.kind == EventKind.HOTLINE_SHOWN:
            HOTLINES.labels(_label(data.get("current") or data.get("home"), _COUNTRY)).inc()
        elif event.kind == EventKind.HANDOFF:
            OPERATOR_HANDOFFS.inc()
    fields = {"update_kind": kind, "latency_ms": round(latency * 1000, 1), "decision": decision}
    fields["emergency"] = any(e.kind == EventKind.EMERGENCY for e in turn.events)
    log.info(
        "turn %s%s in %.0f ms", kind, f" ({decision})" if decision else "", latency * 1000, extra={"fields": fields}
    )


def observe_error(error: BaseException | None) -> None:
    """An update's handler failed: counted by exception type (a class name, never its message)."""
    ERRORS.labels(type(error).__name__ if error else "unknown").inc()


def database_error(operation: str) -> None:
    """A read or write failed; ``operation`` is a fixed word such as ``write``, ``read`` or ``ping``."""
    DATABASE_ERRORS.labels(operation).inc()


def refused() -> None:
    """A post to the webhook without the right secret."""
    FORBIDDEN.inc()


def _decision(data: dict) -> str:
    if data.get("smalltalk") in usage_log.BRUSH_OFF_INTENTS:
        return "off-topic"
    if data.get("smalltalk"):
        return "smalltalk"
    decision = data.get("decision")
    return decision if decision in DECISIONS else "other"


def _label(value: Any, shape: re.Pattern) -> str:
    return value if isinstance(value, str) and shape.match(value) else "unknown"


class LogQueueCollector(Collector):
    """The usage log's counters, read at scrape time from whatever log the application has open."""

    def __init__(self, usage_log: Callable[[], Any]):
        self._usage_log = usage_log

    def collect(self) -> Iterable:
        """The usage log's counters and queue length, read at scrape time; nothing before the log is open."""
        usage_log = self._usage_log()
        if usage_log is None:
            return
        for name, help_ in (
            ("queued", "Usage-log events queued"),
            ("written", "Usage-log events written"),
            ("dropped", "Usage-log events dropped (database unavailable, locked or full)"),
        ):
            value = getattr(usage_log, name, None)
            if value is not None:
                yield CounterMetricFamily(f"safar_log_events_{name}", help_, value=value)
        pending = getattr(usage_log, "pending", None)
        if pending is not None:
            yield GaugeMetricFamily("safar_log_queue_length", "Usage-log items waiting to be written", value=pending)

    def describe(self) -> Iterable:
        """Nothing up front, so registering does not call ``collect`` before the usage log exists."""
        return []


_source: list[Callable[[], Any]] = [lambda: None]
REGISTRY.register(LogQueueCollector(lambda: _source[0]()))
ProcessCollector(registry=REGISTRY)  # memory, CPU and open files of this process (Linux)


def watch_usage_log(source: Callable[[], Any]) -> None:
    """Read the usage log's counters from ``source()`` at every scrape (the latest source wins)."""
    _source[0] = source


def scrape() -> bytes:
    """Every metric in the Prometheus text format."""
    return generate_latest(REGISTRY)
