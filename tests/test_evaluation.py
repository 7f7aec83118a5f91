"""`python -m bot eval`: the figures a release is judged on must count what they say they count."""

from __future__ import annotations

import json

from bot.evaluation import Tally, evaluate, format_evaluation, score_row
from bot.matching import Decision
from tests.conftest import run_cli


def _decision(decision="answer", topic="t1", suggestions=(), emergency=False, danger=None, lang="ru") -> Decision:
    return Decision(decision, topic, 80.0, suggestions, emergency, lang, danger=danger)


def test_a_right_answer_counts_for_answer_and_hit():
    tally = Tally()
    problems = score_row({"expect": "t1", "lang": "ru"}, _decision(), [tally])
    assert problems == []
    assert tally.rate("answer@1") == 1.0 and tally.rate("hit@3") == 1.0 and tally.rate("wrong") == 0.0


def test_a_suggestion_is_a_hit_but_not_an_answer():
    tally = Tally()
    problems = score_row({"expect": "t2"}, _decision("suggest", None, ("t1", "t2")), [tally])
    assert tally.rate("answer@1") == 0.0 and tally.rate("hit@3") == 1.0
    assert problems == ["not answered"]


def test_a_missed_emergency_is_reported_and_counted():
    tally = Tally()
    problems = score_row({"expect": None, "emergency": True}, _decision("none", None), [tally])
    assert "missed emergency" in problems and tally.rate("emergency_recall") == 0.0
    assert tally.rate("false_alarm") is None


def test_only_the_full_card_is_a_false_alarm_the_possible_line_is_counted_apart():
    tally = Tally()
    score_row({"expect": "t1", "emergency": False}, _decision(danger="possible"), [tally])
    assert tally.rate("false_alarm") == 0.0 and tally.rate("possible_line") == 1.0
    problems = score_row({"expect": "t1", "emergency": False}, _decision(emergency=True, danger="alarm"), [tally])
    assert "false alarm" in problems and tally.rate("false_alarm") == 0.5


def test_a_wrong_language_is_reported():
    tally = Tally()
    problems = score_row({"expect": "t1", "lang": "ky"}, _decision(lang="ru"), [tally])
    assert problems == ["language ru"] and tally.rate("lang_id") == 0.0


def test_evaluate_groups_by_language_and_style(matcher):
    rows = [
        {"text": "помогите, нас заперли", "lang": "ru", "expect": None, "emergency": True, "style": "short"},
        {"text": "сколько стоит патент", "lang": "ru", "expect": None, "emergency": False, "style": "clean"},
    ]
    result = evaluate(matcher, rows)
    assert result.rows == 2
    assert result.overall.rate("emergency_recall") == 1.0 and result.overall.rate("false_alarm") == 0.0
    assert set(result.by_style) == {"short", "clean"} and set(result.by_lang) == {"ru"}
    text = format_evaluation(result)
    assert "emergency_recall" in text and "false_alarm" in text and "per language" in text and "per style" in text


def test_cli_eval_prints_the_tables(tmp_path):
    path = tmp_path / "set.jsonl"
    rows = [
        {"text": "ёрӣ диҳед", "lang": "tg", "expect": None, "emergency": True, "style": "short"},
        {"text": "what is the hotline", "lang": "en", "expect": "help-hotline", "emergency": False, "style": "clean"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = run_cli("eval", str(path)).stdout
    assert "2 messages" in out
    recall = next(line for line in out.splitlines() if line.strip().startswith("emergency_recall"))
    assert "1.000" in recall
