"""Simulate a week of traffic through the real dialogue into a usage log, then report on it.

Run: .venv/bin/python benchmarks/simulate_week.py [--users 400] [--db data/simulated.sqlite3]
Users pick languages and countries, arrive from campaign links, ask questions
(content paraphrases with typos and Latin spelling, questions the FAQ does
not cover, small talk and off-topic chat, a few emergencies), press suggestions and
feedback, and run /check.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Config
from bot.normalize import skeleton
from bot.replies import UserState
from bot.services import Services
from bot.wire import CheckAnswers

UNCOVERED = [
    "как открыть ИП в России мигранту",
    "нужна ли справка о несудимости для работы в Корее",
    "можно ли взять кредит в банке с патентом",
    "how to get a medical insurance in Russia as a migrant",
    "Орусияда балдар мектепке кантип барат",
    "балдарды Орусиядагы мектепке кантип жазам",
    "дар Русия фарзандонро ба мактаб чӣ тавр мегиранд",
    "can i bring my wife on a work visa to korea",
    "сколько стоит экзамен по русскому языку для патента",
    "экзамен по русскому языку где сдать",
]
SMALL_TALK = ["привет", "спасибо", "рахмат", "салом", "thanks", "ok"]
VAGUE = ["1", "🙂", "дорога дом что делать"]  # no answer, or one just above the threshold
OFF_TOPIC = ["курс доллара какой", "какая погода завтра в москве", "where to buy cheap sneakers", "ты дурак"]
EMERGENCIES = [
    "помогите нас заперли",
    "жардам бериңиз, бизди камап коюшту",
    "ёрӣ диҳед, маро мезананд",
    "help me they beat us",
]
CAMPAIGNS = ["osh2026", "khujand-bus", "tiktok-myths", None, None, None]
PAIRS = [
    ("KG", "RU"),
    ("TJ", "RU"),
    ("UZ", "RU"),
    ("KG", "KZ"),
    ("TJ", "TR"),
    ("KG", "KG"),
    ("UZ", "KR"),
    ("KZ", "AE"),
]
LANG_OF = {"KG": "ky", "TJ": "tg", "UZ": "ru", "KZ": "ru"}


def typo(text: str, rng: random.Random) -> str:
    if len(text) < 6 or rng.random() < 0.5:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1 :]


async def simulate(config: Config, users: int, seed: int) -> int:
    rng = random.Random(seed)
    services = await Services.open(config)
    content, dialogue, log = services.content, services.dialogue, services.usage_log
    start = time.time() - 7 * 86400
    events = 0
    for user_id in range(1, users + 1):
        home, current = rng.choice(PAIRS)
        lang = LANG_OF[home] if rng.random() < 0.7 else rng.choice(["ru", "en", "ky", "tg"])
        at = start + rng.random() * 7 * 86400
        campaign = rng.choice(CAMPAIGNS)
        state = UserState()
        steps = [
            ("start", f"{lang}-src-{campaign}" if campaign else None),
            ("button", f"lang:{lang}"),
            ("button", f"home:{home}"),
            ("button", f"cur:{current}"),
        ]
        for _ in range(rng.randint(1, 6)):
            roll = rng.random()
            if roll < 0.70:
                topic = rng.choice(list(content.topics[lang].values()))
                text = typo(rng.choice(topic.questions), rng)
                steps.append(("text", skeleton(text) if rng.random() < 0.1 else text))
            elif roll < 0.82:
                steps.append(("text", rng.choice(UNCOVERED)))
            elif roll < 0.85:
                steps.append(("text", rng.choice(VAGUE)))
            elif roll < 0.92:
                steps.append(("text", rng.choice(SMALL_TALK)))
            elif roll < 0.97:
                steps.append(("text", rng.choice(OFF_TOPIC)))
            else:
                steps.append(("text", rng.choice(EMERGENCIES)))
            if rng.random() < 0.3:
                steps.append(("hotline", None))
        if rng.random() < 0.15:  # /check, each answer a red flag with its own likelihood
            questions = content.checks["en"].questions
            flagged = [rng.random() < 0.1 + 0.5 * i / len(questions) for i in range(len(questions))]
            answers = "".join("yn"[q.red_flag != f] for q, f in zip(questions, flagged, strict=True))
            steps += [("button", CheckAnswers(answers[:i]).encode()) for i in range(1, len(answers) + 1)]
        for kind, value in steps:
            if kind == "start":
                turn = dialogue.start(state, value, lang)
            elif kind == "button":
                turn = dialogue.button(state, value)
            elif kind == "hotline":
                turn = dialogue.command(state, "hotline")
            else:
                turn = dialogue.text(state, value)
                question = next((e for e in turn.events if e.kind == "question"), None)
                if question and question.data["decision"] == "suggest" and rng.random() < 0.6:
                    log.record(user_id, turn.events, turn.state, at=at)
                    events += len(turn.events)
                    state = turn.state
                    turn = dialogue.button(state, f"s:{question.data['suggestions'][0]}")
                elif question and question.data["decision"] == "answer" and rng.random() < 0.25:
                    log.record(user_id, turn.events, turn.state, at=at)
                    events += len(turn.events)
                    state = turn.state
                    turn = dialogue.button(state, f"fb:{question.data['topic']}:{int(rng.random() < 0.8)}")
            log.record(user_id, turn.events, turn.state, at=at)
            events += len(turn.events)
            state = turn.state
            at += rng.uniform(5, 120)
    await services.close()
    return events


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--db", type=Path, default=Path("data/simulated.sqlite3"))
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    for path in args.db.parent.glob(args.db.name + "*"):
        path.unlink()
    config = replace(Config.from_env(), db_path=args.db, hash_secret=None)
    started = time.perf_counter()
    events = asyncio.run(simulate(config, args.users, args.seed))
    elapsed = time.perf_counter() - started
    print(f"simulated {args.users} users, {events} events in {elapsed:.1f} s -> {args.db}")
    print(f"report: .venv/bin/python -m bot stats --days 8 (with SAFAR_DB_PATH={args.db})")


if __name__ == "__main__":
    main()
