"""Matching speed: messages/s and latency percentiles, against plain rapidfuzz WRatio.

Run: .venv/bin/python benchmarks/bench_matching.py [--scale 20]
Prints figures; asserts nothing. The messages are generated from the content's
own questions with typos, Latin spelling, extra words and (one in ten) long
messages of several questions, so the benchmark needs no evaluation data.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import PROJECT_ROOT
from bot.content import Content, load_content
from bot.matching import CLAUSE_MESSAGE_WORDS, Matcher
from bot.normalize import skeleton

FILLER = [
    "привет",
    "брат",
    "подскажи",
    "пожалуйста",
    "salom",
    "aka",
    "please",
    "tell",
    "me",
    "саломат",
    "бошед",
]


def messages(content: Content, count: int, rng: random.Random) -> list[str]:
    questions = [q for t in content.all_topics() for q in t.questions]
    out = []
    for _ in range(count):
        words = rng.choice(questions).split()
        if rng.random() < 0.3 and words:  # a typo
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) > 3:
                j = rng.randrange(1, len(w) - 1)
                words[i] = w[:j] + w[j + 1 :]
        if rng.random() < 0.3:  # a longer story around the question
            words = rng.sample(FILLER, 4) + words + rng.sample(FILLER, 3)
        if rng.random() < 0.1:  # a long message: a story of several questions, as the dev mix has
            words += " . ".join(rng.choice(questions) for _ in range(rng.randint(3, 6))).split()
        text = " ".join(words)
        out.append(skeleton(text) if rng.random() < 0.15 else text)  # Latin spelling
    return out


def scaled(content: Content, factor: int) -> Content:
    """A content `factor` times larger: each topic copied under new ids with shuffled questions."""
    if factor == 1:
        return content
    rng = random.Random(7)
    topics = {}
    for lang, by_id in content.topics.items():
        topics[lang] = dict(by_id)
        for copy in range(1, factor):
            for tid, topic in by_id.items():
                questions = tuple(
                    " ".join(rng.sample(q.split(), len(q.split()))) + f" v{copy}" for q in topic.questions
                )
                new_id = f"{tid}-copy{copy}"
                topics[lang][new_id] = replace(topic, id=new_id, questions=questions)
    return Content(topics, content.hotlines, content.emergency, content.root)


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def bench(name: str, decide, texts: list[str]) -> None:
    """Messages/s by the wall clock and by this process's CPU time (one core: what other processes on a
    busy machine take is not counted), and latency percentiles."""
    for text in texts[:50]:
        decide(text)  # warm caches as a running bot would
    latencies = []
    started, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        t0 = time.perf_counter()
        decide(text)
        latencies.append((time.perf_counter() - t0) * 1000)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"  {name:<38} {len(texts) / total:6.0f} msg/s ({len(texts) / cpu:5.0f} per CPU-s)"
        f"   p50 {statistics.median(latencies):5.2f} ms   p99 {percentile(latencies, 99):5.2f} ms"
        f"   max {max(latencies):6.2f} ms"
    )


def dev_mix(path: Path, count: int) -> list[str]:
    """The evaluation messages (every language and style, long stories included), repeated up to ``count``.

    Only their text is read, to time the matcher on real traffic; nothing of them goes into the content."""
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return (texts * (count // len(texts) + 1))[:count]


def protocol(texts: list[str]) -> None:
    """The `python -m bot match` process itself: JSON lines in and out, start-up measured apart."""
    lines = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
    command = [sys.executable, "-m", "bot", "match"]
    started = time.perf_counter()
    subprocess.run(command, input="", capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    startup = time.perf_counter() - started
    started = time.perf_counter()
    out = subprocess.run(command, input=lines, capture_output=True, text=True, check=True, cwd=PROJECT_ROOT).stdout
    total = time.perf_counter() - started
    assert out.count("\n") == len(texts)
    print(
        f"  python -m bot match, {len(texts)} lines: {total:.2f} s with {startup:.2f} s start-up"
        f" = {len(texts) / (total - startup):.0f} msg/s after start-up"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument(
        "--dev",
        type=Path,
        default=PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl",
        help="evaluation messages to time decide() on (the dev mix); skipped if the file is absent",
    )
    args = parser.parse_args()
    rng = random.Random(1)

    started = time.perf_counter()
    content = load_content(PROJECT_ROOT / "content").content
    loaded = time.perf_counter()
    matcher = Matcher(content)
    built = time.perf_counter()
    print(
        f"real content: {len(content.topic_ids)} topics, "
        f"{sum(len(t.questions) for t in content.all_topics())} questions"
    )
    print(f"  load {loaded - started:.2f} s + index {built - loaded:.2f} s = {built - started:.2f} s (target <= 1.5 s)")
    texts = messages(content, args.messages, rng)
    bench("safar decide() (emergency+lang+match)", lambda t: matcher.decide(t), texts)
    bench("  again, caches warm (steady state)", lambda t: matcher.decide(t), texts)
    if args.dev.exists():
        mix = dev_mix(args.dev, args.messages)
        long = [t for t in mix if len(t.split()) >= CLAUSE_MESSAGE_WORDS]
        print(f"  dev mix ({args.dev.name}): {len(mix)} messages, {len(long)} of {CLAUSE_MESSAGE_WORDS}+ words")
        bench("safar decide() on the dev mix", lambda t: matcher.decide(t), mix)
        bench("  its long messages only", lambda t: matcher.decide(t), long)
    bench("safar emergency check only", matcher.emergency.assess, texts)
    bench("safar rank() only", matcher.rank, texts)
    plain = [(t.id, q) for t in content.all_topics() for q in t.questions]
    choices = [q for _, q in plain]
    bench(  # slow: a few hundred messages are enough for its figure
        "plain WRatio over raw questions", lambda t: process.extractOne(t, choices, scorer=fuzz.WRatio), texts[:300]
    )

    protocol(texts)

    big = scaled(content, args.scale)
    started = time.perf_counter()
    big_matcher = Matcher(big)
    print(
        f"\n{args.scale}x content: {len(big.topic_ids)} topics, "
        f"{sum(len(t.questions) for t in big.all_topics())} questions;"
        f" index {time.perf_counter() - started:.2f} s"
    )
    few = texts[: max(300, args.messages // 5)]
    bench("safar decide() (emergency+lang+match)", lambda t: big_matcher.decide(t), few)
    big_choices = [q for t in big.all_topics() for q in t.questions]
    bench(
        "plain WRatio over raw questions",
        lambda t: process.extractOne(t, big_choices, scorer=fuzz.WRatio),
        few[:30],
    )


if __name__ == "__main__":
    main()
