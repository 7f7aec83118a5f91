"""Usage log: sustained write rate, reply latency with the database locked, stats over 1M events.

Run: .venv/bin/python benchmarks/bench_usage_log.py [--events 100000] [--stats-events 1000000]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Config
from bot.content import load_content
from bot.db.schema import ROLLUP_BACKFILL
from bot.matching import Matcher
from bot.replies import Event, UserState
from bot.stats import build_report
from bot.usage_log import UsageLog, migrate


async def sustained(folder: Path, count: int) -> None:
    log = await UsageLog.open(folder / "rate.sqlite3", b"k")
    state = UserState(lang="ky", home="KG", current="RU")
    event = Event("question", {"decision": "answer", "topic": "work-russia", "score": 55.0, "lang": "ky"})
    started = time.perf_counter()
    for i in range(count):
        log.record(i % 5000, [event], state)
        if i % 1000 == 0:
            await asyncio.sleep(0)  # the bot's event loop keeps turning between replies
    queued = time.perf_counter() - started
    await log.flush()
    total = time.perf_counter() - started
    await log.close()
    with sqlite3.connect(folder / "rate.sqlite3") as db:
        stored = db.execute("SELECT count(*) FROM events").fetchone()[0]
    print(
        f"sustained logging: {count} events queued in {queued:.2f} s, written in {total:.2f} s "
        f"= {count / total:.0f} events/s (target >= 5000); {stored} stored, {log.dropped} dropped"
    )


async def latency_with_lock(folder: Path, matcher: Matcher) -> None:
    from bot.dialogue import Dialogue
    from bot.i18n import I18n

    config = Config()
    dialogue = Dialogue(matcher.content, matcher, I18n(config.locales_dir, matcher.content.languages))
    questions = [q for t in matcher.content.all_topics() for q in t.questions][:500]
    path = folder / "locked.sqlite3"
    log = await UsageLog.open(path, b"k")

    async def replies() -> list[float]:
        latencies = []
        for i, question in enumerate(questions):
            t0 = time.perf_counter()
            state = await log.load_state(i % 50)
            turn = dialogue.text(state, question)
            log.record(i % 50, turn.events, turn.state)
            latencies.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(0)
        return latencies

    free = await replies()
    locker = sqlite3.connect(path, timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    locked = await replies()
    await log.flush()
    locker.rollback()
    locker.close()
    await log.close()
    for name, values in (("database free", free), ("database locked", locked)):
        values.sort()
        print(
            f"reply latency, {name:<15}: p50 {statistics.median(values):.2f} ms, "
            f"p99 {values[int(0.99 * len(values))]:.2f} ms"
        )
    print(f"  events lost while locked (with a warning): {log.dropped}")


def stats_over(folder: Path, count: int, matcher: Matcher) -> None:
    path = folder / "million.sqlite3"
    rng = random.Random(5)
    topics = matcher.content.topic_ids
    now = time.time()
    with sqlite3.connect(path) as db:
        asyncio.run(_migrate(path))
        rows = []
        for _ in range(count):
            kind = rng.choices(["question", "start", "hotline_shown", "feedback", "emergency"], [80, 8, 7, 4, 1])[0]
            decision = rng.choices(["answer", "suggest", "none"], [80, 12, 8])[0] if kind == "question" else None
            text = f"вопрос номер {rng.randrange(3000)} про что-то" if decision in ("suggest", "none") else None
            helpful = int(rng.random() < 0.8) if kind == "feedback" else None
            smalltalk = "thanks" if decision == "none" and rng.random() < 0.3 else None
            rows.append(
                (
                    now - rng.random() * 30 * 86400,
                    f"u{rng.randrange(40000)}",
                    kind,
                    rng.choice(["ru", "ky", "tg", "en"]),
                    rng.choice(topics),
                    decision,
                    50.0,
                    rng.choice(["KG", "TJ", "UZ"]),
                    rng.choice(["RU", "KZ", "TR"]),
                    "osh2026" if kind == "start" and rng.random() < 0.3 else None,
                    text,
                    None,
                    3.0,
                    smalltalk,
                    helpful,
                )
            )
            if len(rows) == 100_000:
                db.executemany(
                    "INSERT INTO events (ts, user_hash, kind, lang, topic, decision, score, home, current,"
                    " campaign, text, data, latency_ms, smalltalk, helpful)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    rows,
                )
                rows = []
    started = time.perf_counter()
    with sqlite3.connect(path) as db:  # what the writer keeps up to date as events arrive
        db.executescript(ROLLUP_BACKFILL)
    print(
        f"  (roll-ups rebuilt from scratch in {time.perf_counter() - started:.1f} s; the writer keeps them"
        " current as events arrive)"
    )
    started = time.perf_counter()
    report = build_report(path, dt.date.today() - dt.timedelta(days=30), matcher=matcher)
    elapsed = time.perf_counter() - started
    print(
        f"stats over {count} events (30 days): {elapsed:.2f} s (target <= 5 s); "
        f"{report.totals['questions']} questions, {len(report.unanswered)} groups of unanswered questions"
    )


async def _migrate(path: Path) -> None:
    import aiosqlite

    async with aiosqlite.connect(path) as db:
        await migrate(db)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--stats-events", type=int, default=1_000_000)
    args = parser.parse_args()
    matcher = Matcher(load_content(Config().content_dir).content)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        asyncio.run(sustained(folder, args.events))
        asyncio.run(latency_with_lock(folder, matcher))
        stats_over(folder, args.stats_events, matcher)


if __name__ == "__main__":
    main()
