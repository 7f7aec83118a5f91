"""Sweep the matcher's constants over an eval set: the table docs/matching.md quotes.

    .venv/bin/python benchmarks/sweep_matching.py ../shared/eval/dev.jsonl [--current=KZ] \
        CLAUSE_WEIGHT=0,0.3,0.5 NAMED_COUNTRY_BONUS=0,8

Each NAME=v1,v2 is a constant of bot/matching.py; every combination is evaluated (index rebuilt
only when a keyword constant changes). Prints answer@1, hit@3, wrong, abstain and the long style.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import matching  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.evaluation import evaluate  # noqa: E402

INDEX_CONSTANTS = {"KEYWORD_MIN_QUESTIONS", "KEYWORD_SHARE", "SIGNATURE_SHARE"}


def _number(text: str) -> float | int:
    return int(text) if text.lstrip("-").isdigit() else float(text)


def main(argv: list[str]) -> None:
    rows = [json.loads(line) for line in Path(argv[0]).read_text(encoding="utf-8").splitlines() if line.strip()]
    current = None
    if argv and argv[1:2] and argv[1].startswith("--current="):
        current = argv.pop(1).split("=", 1)[1]
    grid = [(name, [_number(v) for v in values.split(",")]) for name, values in (a.split("=") for a in argv[1:])]
    content = load_content(ROOT / "content").content
    matcher = matching.Matcher(content)
    if current:  # every message as if sent from this country: what the current-country prior costs
        decide = matcher.decide
        matcher.decide = lambda text, lang=None: decide(text, lang, current)  # type: ignore[method-assign]
    names = [name for name, _ in grid]
    print(" ".join(f"{n:>22}" for n in names), "answer@1  hit@3  wrong abstain   long")
    for values in itertools.product(*(v for _, v in grid)):
        for name, value in zip(names, values, strict=True):
            setattr(matching, name, value)
        if INDEX_CONSTANTS & set(names):
            matcher._build_index()
        result = evaluate(matcher, rows)
        o, long = result.overall, result.by_style.get("long")
        cells = [o.rate(m) for m in ("answer@1", "hit@3", "wrong", "abstain")] + [long and long.rate("answer@1")]
        shown = "  ".join(f"{c:6.3f}" if c is not None else "   —  " for c in cells)
        print(" ".join(f"{v:>22g}" for v in values), shown)


if __name__ == "__main__":
    main(sys.argv[1:])
