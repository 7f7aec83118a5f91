"""`eval`: how well matching does on a labelled set, overall, per language and per style.

Rows look like ``{"text", "lang", "expect": topic id or null, "emergency": bool, "style"}``.
``emergency_recall`` counts the full emergency card on the rows labelled emergencies;
``false_alarm`` counts the full card on every other row (in dev-safety.jsonl these are the hard
non-emergencies: hypotheticals, past events, films, rules questions, idioms); ``possible_line``
counts, on those same rows, the lighter "possible danger" line, which is not a false alarm.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from bot.matching import Decision, Matcher

METRICS = ("answer@1", "hit@3", "wrong", "abstain", "emergency_recall", "false_alarm", "possible_line", "lang_id")
TARGETS = {
    "answer@1": (">=", 0.85),
    "hit@3": (">=", 0.95),
    "wrong": ("<=", 0.05),
    "abstain": (">=", 0.90),
    "emergency_recall": (">=", 0.97),
    "false_alarm": ("<=", 0.02),
    "possible_line": ("<=", 1.00),  # informational: a short line with the number costs little
    "lang_id": (">=", 0.95),
}


@dataclass
class Tally:
    """Hits and totals per metric; a metric nothing was scored on has no rate."""

    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, metric: str, ok: bool) -> None:
        """Count one scored message for ``metric``."""
        self.totals[metric] += 1
        self.hits[metric] += ok

    def rate(self, metric: str) -> float | None:
        """Share of hits, or None when no message was scored on ``metric`` (not 0: nothing was measured)."""
        total = self.totals.get(metric)
        return self.hits[metric] / total if total else None


@dataclass
class Evaluation:
    """An evaluation run: tallies overall, per language and per style, the misses and the time taken."""

    overall: Tally
    by_lang: dict[str, Tally]
    by_style: dict[str, Tally]
    misses: list[tuple[dict, Decision, str]]
    rows: int
    seconds: float


def score_row(row: dict, decision: Decision, tallies: list[Tally]) -> list[str]:
    """Add one row to every tally; return what went wrong with it."""
    expect = row.get("expect")
    answered = decision.decision == "answer"
    # What the person can open with one tap: the answer and the topics offered under it, or the suggestions.
    candidates = [decision.topic, *decision.also] if decision.topic else list(decision.suggestions)
    problems = []
    checks: list[tuple[str, bool]] = []
    if expect:
        checks += [("answer@1", answered and decision.topic == expect), ("hit@3", expect in candidates)]
        if not (answered and decision.topic == expect):
            problems.append("not answered" if not answered else "wrong topic")
    else:
        checks.append(("abstain", not answered))
        if answered:
            problems.append("answered off-topic")
    wrong = answered and decision.topic != expect
    checks.append(("wrong", wrong))
    if row.get("emergency"):
        checks.append(("emergency_recall", decision.emergency))
        if not decision.emergency:
            problems.append("missed emergency")
    else:
        checks.append(("false_alarm", decision.emergency))
        checks.append(("possible_line", decision.danger == "possible"))
        if decision.emergency:
            problems.append("false alarm")
    if row.get("lang"):
        checks.append(("lang_id", decision.lang == row["lang"]))
        if decision.lang != row["lang"]:
            problems.append(f"language {decision.lang}")
    for tally in tallies:
        for metric, ok in checks:
            tally.add(metric, ok)
    return problems


def evaluate(matcher: Matcher, rows: list[dict]) -> Evaluation:
    """Run every row through the matcher without its language, as a real message arrives, and score it."""
    overall = Tally()
    by_lang: dict[str, Tally] = defaultdict(Tally)
    by_style: dict[str, Tally] = defaultdict(Tally)
    misses = []
    started = time.perf_counter()
    for row in rows:
        decision = matcher.decide(row["text"], None)
        tallies = [overall, by_lang[row.get("lang", "?")], by_style[row.get("style", "?")]]
        problems = score_row(row, decision, tallies)
        if problems:
            misses.append((row, decision, "; ".join(problems)))
    return Evaluation(overall, dict(by_lang), dict(by_style), misses, len(rows), time.perf_counter() - started)


def _cell(rate: float | None) -> str:
    return "  —  " if rate is None else f"{rate:5.3f}"


def format_evaluation(result: Evaluation, misses: int = 60) -> str:
    """Overall rates against their targets, per-language and per-style tables, then up to ``misses`` misses."""
    lines = [f"{result.rows} messages in {result.seconds:.2f} s", ""]
    lines.append("overall")
    for metric in METRICS:
        rate = result.overall.rate(metric)
        op, target = TARGETS[metric]
        met = rate is not None and (rate >= target if op == ">=" else rate <= target)
        total = result.overall.totals.get(metric, 0)
        lines.append(
            f"  {metric:<17} {_cell(rate)}   target {op} {target:.2f}  {'ok' if met else 'MISSED'}   (n={total})"
        )
    for title, groups in (("per language", result.by_lang), ("per style", result.by_style)):
        lines += ["", f"{title:<18}" + "".join(f"{m:>17}" for m in METRICS) + "      n"]
        for name, tally in sorted(groups.items()):
            n = max(tally.totals.values(), default=0)
            lines.append(f"  {name:<16}" + "".join(f"{_cell(tally.rate(m)):>17}" for m in METRICS) + f"  {n:5d}")
    lines += ["", f"misses ({len(result.misses)}; showing {min(misses, len(result.misses))}):"]
    for row, decision, problem in result.misses[:misses]:
        got = decision.topic or ",".join(decision.suggestions) or "-"
        lines.append(
            f"  [{row.get('lang')}/{row.get('style')}] {problem}: expected {row.get('expect')}, "
            f"got {decision.decision} {got} ({decision.score:.0f}) :: {row['text'][:90]}"
        )
    return "\n".join(lines)
