"""Talk to a person: a question goes to the operators' chat under a case number, the answer comes back.

Operators see the case number, the language and the countries, never a
name or a username. The case keeps the sealed chat id so the answer can
reach the person; /delete and /exit erase the person's cases.
"""

from __future__ import annotations

import html
import re
import secrets
import time

from bot.chats import ChatStore

CASE = re.compile(r"#([0-9A-F]{6})\b")


def new_case_id() -> str:
    return secrets.token_hex(3).upper()


class Cases(ChatStore):
    async def open_case(self, case: str, user_hash: str, chat_id: int, lang: str) -> bool:
        if self._db is None:
            return False
        await self._db.execute(
            "INSERT OR REPLACE INTO cases (id, user_hash, chat, lang, created) VALUES (?, ?, ?, ?, ?)",
            (case, user_hash, self.seal(chat_id), lang, time.time()),
        )
        await self._db.commit()
        return True

    async def find(self, case: str) -> tuple[int, str] | None:
        """The chat and language of a case, if it is still open."""
        if self._db is None:
            return None
        row = await (await self._db.execute("SELECT chat, lang FROM cases WHERE id = ?", (case,))).fetchone()
        if row is None:
            return None
        chat_id = self.open_seal(row[0])
        return (chat_id, row[1]) if chat_id is not None else None


def operator_card(case: str, text: str, lang: str, home: str | None, current: str | None, urgent: bool) -> str:
    """What operators see: the case, where the person is from and is, and the question, escaped."""
    flag = "🆘 URGENT · " if urgent else ""
    route = f"{home or '?'} → {current or '?'}"
    return (
        f"{flag}<b>Case #{case}</b> · {html.escape(lang)} · {html.escape(route)}\n\n{html.escape(text)}\n\n"
        "<i>Reply to this message to answer; the person sees only your text.</i>"
    )


def case_in(text: str | None) -> str | None:
    found = CASE.search(text or "")
    return found.group(1) if found else None
