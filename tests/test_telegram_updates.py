"""Two quick taps of one person are handled one after the other; other people are not held up."""

from __future__ import annotations

import asyncio

from telegram import CallbackQuery, Update, User

from bot.telegram_updates import PerPersonUpdates


def tap(update_id: int, user_id: int) -> Update:
    user = User(user_id, "Person", False)
    return Update(update_id, callback_query=CallbackQuery(str(update_id), user, chat_instance="c", data="x"))


async def run_all(processor: PerPersonUpdates, updates: list[Update], log: list[str]) -> None:
    async def handle(update: Update) -> None:
        log.append(f"start {update.update_id}")
        await asyncio.sleep(0)  # the handler waits on the database or Telegram here
        await asyncio.sleep(0)
        log.append(f"end {update.update_id}")

    await asyncio.gather(*(processor.process_update(u, handle(u)) for u in updates))


async def test_one_persons_taps_are_handled_in_order():
    log: list[str] = []
    processor = PerPersonUpdates()
    await run_all(processor, [tap(1, 7), tap(2, 7), tap(3, 7)], log)
    assert log == ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]
    assert processor.people == 0  # no lock is kept once a person's updates are done


async def test_different_people_are_handled_side_by_side():
    log: list[str] = []
    await run_all(PerPersonUpdates(), [tap(1, 7), tap(2, 8)], log)
    assert log.index("start 2") < log.index("end 1")


async def test_an_update_without_a_person_is_not_held_up():
    log: list[str] = []
    channel_post = Update(9)  # no effective user
    await run_all(PerPersonUpdates(), [tap(1, 7), channel_post], log)
    assert log.index("start 9") < log.index("end 1")
