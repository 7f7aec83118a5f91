"""Talk to a person: a question goes to the operators' chat under a case number, the answer comes back.

Operators see the case number, the language and the countries, never a
name or a username. The case keeps the sealed chat id so the answer can
reach the person until the case is closed; /delete and /exit erase the
person's cases.
"""

from __future__ import annotations

import html
import logging
import re
import secrets
import time

from bot.chats import ChatStore, WriteFailed
from bot.db import IntegrityError
from bot.db import cases as case_rows

log = logging.getLogger(__name__)

#: Case numbers: no 0/O, 1/I/L to misread; 31**8 (almost a trillion) numbers for years of cases.
CASE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CASE_LENGTH = 8
#: The one definition of a case number in text: today's, or the six hex digits of older cases.
CASE_ID = rf"[{CASE_ALPHABET}]{{{CASE_LENGTH}}}|[0-9A-F]{{6}}"
CASE = re.compile(rf"#({CASE_ID})\b")
NEW_CASE_ATTEMPTS = 5


def new_case_id() -> str:
    """A random case number in the unambiguous alphabet: operators read it aloud and type it."""
    return "".join(secrets.choice(CASE_ALPHABET) for _ in range(CASE_LENGTH))


class Cases(ChatStore):
    """Open cases with their sealed chats: the only way a volunteer's answer finds the person."""

    async def open_case(self, user_hash: str, chat_id: int, lang: str, case: str | None = None) -> str | None:
        """A new case with a number no other case has; None if it could not be kept (tell the person).

        ``case`` proposes the number; if another case has it, None (it is never overwritten).
        """
        sealed = self.seal(chat_id)
        proposed = case
        for _ in range(1 if proposed else NEW_CASE_ATTEMPTS):
            case = proposed or new_case_id()
            try:
                await self.database.run(
                    lambda db, case=case: case_rows.add(db, case, user_hash, sealed, lang, time.time())
                )
                return case
            except IntegrityError:
                continue  # that number is taken: draw another
            except WriteFailed as error:
                log.warning("a case could not be kept (%s)", error)
                return None
        return None

    async def close_case(self, case: str) -> bool:
        """Close a case: its sealed chat is forgotten and later replies are refused. False if not kept."""

        try:
            return await self.database.run(lambda db: case_rows.close(db, case))
        except WriteFailed as error:
            log.warning("a case could not be closed (%s)", error)
            return False

    async def find(self, case: str) -> tuple[int, str] | None:
        """The chat and language of a case, if it is still open."""
        found = await self.database.read(lambda db: case_rows.find(db, case), None)
        if found is None:
            return None
        chat_id = self.open_seal(found[0])
        return (chat_id, found[1]) if chat_id is not None else None


def operator_card(case: str, text: str, lang: str, home: str | None, current: str | None, urgent: bool) -> str:
    """What operators see: the case, where the person is from and is, and the question, escaped."""
    flag = "🆘 URGENT · " if urgent else ""
    route = f"{home or '?'} → {current or '?'}"
    return (
        f"{flag}<b>Case #{case}</b> · {html.escape(lang)} · {html.escape(route)}\n\n{html.escape(text)}\n\n"
        "<i>Reply to this message to answer; the person sees only your text.</i>"
    )


def case_in(text: str | None) -> str | None:
    """The case number in an operator card (new eight-letter numbers and older six-hex ones)."""
    found = CASE.search(text or "")
    return found.group(1) if found else None
