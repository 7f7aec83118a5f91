"""Hand-off to a person: case numbers operators can read aloud, cases kept with a sealed chat on either backend."""

from __future__ import annotations

import re

from bot.handoff import CASE_ALPHABET, CASE_LENGTH, Cases, case_in, new_case_id, operator_card

SECRET = b"k" * 32


def test_case_numbers_avoid_letters_people_confuse():
    numbers = {new_case_id() for _ in range(200)}
    assert len(numbers) == 200  # no two people share a number in practice
    for number in numbers:
        assert len(number) == CASE_LENGTH and set(number) <= set(CASE_ALPHABET)
        assert not set(number) & set("O0I1L")  # read aloud over a phone line without mix-ups


def test_the_operator_card_escapes_the_persons_text_and_flags_danger():
    card = operator_card("ABCD2345", "<b>help</b> me", "ky", "KG", "RU", urgent=True)
    assert card.startswith("🆘 URGENT") and "#ABCD2345" in card and "KG → RU" in card
    assert "<b>help</b>" not in card and "&lt;b&gt;help&lt;/b&gt;" in card
    assert case_in(card) == "ABCD2345"
    assert "URGENT" not in operator_card("ABCD2345", "question", "ru", None, None, urgent=False)


def test_a_case_number_is_found_in_an_operators_reply_or_not_at_all():
    assert case_in("re: Case #ABCD2345 · ky") == "ABCD2345"
    assert case_in("old card #0A1B2C") == "0A1B2C"  # six-hex numbers of earlier versions
    assert case_in("no number here") is None and case_in(None) is None
    assert re.fullmatch(r"[A-Z2-9]{8}", new_case_id())


async def test_an_open_case_finds_the_person_and_a_closed_one_does_not(storage):
    cases = await Cases.open(storage, SECRET)
    try:
        case = await cases.open_case("user-hash", 424242, "tg")
        assert case is not None and await cases.find(case) == (424242, "tg")
        assert await cases.close_case(case)
        assert await cases.find(case) is None  # a late reply is refused, the chat is forgotten
    finally:
        await cases.close()


async def test_a_taken_number_is_refused_and_the_first_case_keeps_its_person(storage):
    cases = await Cases.open(storage, SECRET)
    try:
        assert await cases.open_case("first", 1, "ru", case="ABCD2345") == "ABCD2345"
        assert await cases.open_case("second", 2, "ky", case="ABCD2345") is None
        assert await cases.find("ABCD2345") == (1, "ru")
    finally:
        await cases.close()


async def test_without_a_database_nothing_is_promised():
    cases = Cases(None, SECRET)
    assert await cases.open_case("user-hash", 1, "ru") is None  # the person is told it could not be sent
    assert await cases.find("ABCD2345") is None
