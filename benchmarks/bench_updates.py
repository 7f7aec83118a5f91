"""In-process throughput: updates/s through the real Application.process_update.

Run: .venv/bin/python benchmarks/bench_updates.py [--updates 3000]
Telegram is faked at PTB's request layer (tests/telegram_fake.py); the usage
log is a real SQLite file. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Config
from bot.content import load_content
from bot.telegram_app import build_application
from tests.telegram_fake import FakeTelegram, Updates, to_update


async def run(count: int) -> None:
    rng = random.Random(3)
    content = load_content(Config().content_dir).content
    questions = [q for t in content.all_topics() for q in t.questions]
    with tempfile.TemporaryDirectory() as folder:
        config = replace(Config(), db_path=Path(folder) / "bench.sqlite3", hash_secret=None)
        fake = FakeTelegram()
        app = build_application(config, request=fake)
        async with app:
            await app.post_init(app)
            users = [Updates(user_id=1000 + i, language_code=rng.choice(["ru", "ky", "tg", "en"])) for i in range(200)]
            for user in users:  # onboarded users, as most traffic is
                for data in (
                    user.message("/start"),
                    user.press("lang:ru"),
                    user.press("home:KG"),
                    user.press("cur:RU"),
                ):
                    await app.process_update(to_update(data, app.bot))
            updates = []
            for _ in range(count):
                user = rng.choice(users)
                roll = rng.random()
                if roll < 0.8:
                    updates.append(user.message(rng.choice(questions)))
                elif roll < 0.9:
                    updates.append(user.press(f"t:{rng.choice(content.topic_ids)}"))
                else:
                    updates.append(user.message(rng.choice(["/hotline", "/help", "/sos"])))
            parsed = [to_update(u, app.bot) for u in updates]
            fake.clear()
            latencies = []
            started = time.perf_counter()
            for update in parsed:
                t0 = time.perf_counter()
                await app.process_update(update)
                latencies.append((time.perf_counter() - t0) * 1000)
            elapsed = time.perf_counter() - started
            await app.bot_data.services.usage_log.flush()
            await app.post_shutdown(app)
        latencies.sort()
        print(f"{count} updates in {elapsed:.2f} s: {count / elapsed:.0f} updates/s on one core (target >= 500)")
        print(
            f"  per update p50 {statistics.median(latencies):.2f} ms,"
            f" p99 {latencies[int(0.99 * len(latencies))]:.2f} ms"
        )
        print(f"  Bot API calls made: {len(fake.calls)} ({len(fake.calls) / count:.1f} per update)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=3000)
    asyncio.run(run(parser.parse_args().updates))


if __name__ == "__main__":
    main()
