"""Metrics: each turn counted where an operator looks for it, with labels from small fixed sets."""

from __future__ import annotations

from bot import metrics
from bot.replies import Event, Turn, UserState
from bot.wire import EventKind


def value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def question(**data) -> Event:
    return Event(EventKind.QUESTION, {"decision": "none", "text": "whatever they wrote", **data})


def test_decisions_tell_brush_offs_and_small_talk_from_misses():
    before = {d: value("safar_decisions_total", decision=d) for d in ("answer", "none", "off-topic", "smalltalk")}
    state = UserState(lang="ky", home="KG", current="RU")
    metrics.observe_turn("text", Turn([], state, [question(decision="answer", topic="t")]), 0.1)
    metrics.observe_turn("text", Turn([], state, [question(smalltalk="offtopic")]), 0.1)
    metrics.observe_turn("text", Turn([], state, [question(decision="answer", smalltalk="thanks")]), 0.1)
    metrics.observe_turn("text", Turn([], state, [question()]), 0.1)
    after = {d: value("safar_decisions_total", decision=d) for d in before}
    assert {d: after[d] - before[d] for d in before} == {"answer": 1, "none": 1, "off-topic": 1, "smalltalk": 1}


def test_emergencies_and_hotline_cards_by_language_and_country():
    state = UserState(lang="tg", home="TJ", current="RU")
    emergencies = value("safar_emergencies_total", lang="tg")
    russia = value("safar_hotline_handoffs_total", country="RU")
    events = [
        Event(EventKind.EMERGENCY, {"lang": "tg"}),
        Event(EventKind.HOTLINE_SHOWN, {"home": "TJ", "current": "RU"}),
    ]
    metrics.observe_turn("command", Turn([], state, events), 0.2)
    assert value("safar_emergencies_total", lang="tg") == emergencies + 1
    assert value("safar_hotline_handoffs_total", country="RU") == russia + 1


def test_labels_outside_the_expected_shape_become_unknown_or_other():
    state = UserState(lang="en")
    odd = [Event(EventKind.HOTLINE_SHOWN, {"current": "5550001234"}), question(decision="Tell me about X")]
    unknown = value("safar_hotline_handoffs_total", country="unknown")
    metrics.observe_turn("my secret text", Turn([], state, odd), 0.05)
    page = metrics.scrape().decode()
    assert value("safar_hotline_handoffs_total", country="unknown") == unknown + 1
    assert "5550001234" not in page and "Tell me about X" not in page and "my secret text" not in page
    assert value("safar_turns_total", kind="other") >= 1


def test_reply_latency_lands_in_its_bucket():
    fast = value("safar_reply_seconds_bucket", le="0.05")
    slow = value("safar_reply_seconds_bucket", le="2.5")
    metrics.observe_turn("text", Turn([], UserState()), 1.2)
    assert value("safar_reply_seconds_bucket", le="0.05") == fast
    assert value("safar_reply_seconds_bucket", le="2.5") == slow + 1


def test_errors_are_counted_by_type_never_by_message():
    before = value("safar_update_errors_total", error="ValueError")
    metrics.observe_error(ValueError("user 5550001234 wrote something"))
    assert value("safar_update_errors_total", error="ValueError") == before + 1
    assert "5550001234" not in metrics.scrape().decode()
