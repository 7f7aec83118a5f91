"""The conversation, as plain data in and plain data out: no Telegram here.

The Telegram handlers and the terminal chat are thin adapters over
:class:`Dialogue`: they turn what the person did into a call here and send
back the :class:`Message` list of the :class:`Turn`. The order inside a
turn is the product's promise: danger first, then the answer, then where
to get help.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable
from dataclasses import replace

from bot import hotlines, job_check
from bot.content import Content, Topic
from bot.hotlines import OTHER, PICKER_COUNTRIES
from bot.i18n import Gettext, I18n, country_name, use_country_names
from bot.matching import Decision, Matcher
from bot.replies import N_, Button, Event, Message, ShareCard, Turn, UserState

__all__ = ["Button", "Dialogue", "Event", "Message", "Turn", "UserState"]

MENU_ACTIONS = ("ask", "browse", "check", "hotline", "sos", "language", "about")
STAGES = ("before", "abroad", "returned")
#: Which categories come first at each stage of the journey.
STAGE_ORDER = {
    "before": ("prepare", "myth", "work", "about", "help", "trouble", "bot"),
    "abroad": ("trouble", "help", "work", "myth", "about", "prepare", "bot"),
    "returned": ("help", "myth", "about", "trouble", "prepare", "work", "bot"),
}
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CAMPAIGN_SEPARATOR = "-src-"
SWITCH_MIN_WORDS = 3


MENU_LABELS = {
    # TRANSLATORS: persistent menu buttons; keep them short, the emoji stay.
    "ask": N_("❓ Ask a question"),
    "browse": N_("📚 Myths and realities"),
    "check": N_("✅ Check a job offer"),
    "hotline": N_("☎️ Hotline"),
    "sos": N_("🆘 Emergency"),
    "language": N_("🌐 Language"),
    "about": N_("🔒 About & privacy"),
    "talk": N_("🙋 Talk to a person"),
}
NOTHING_DELETED = N_("Nothing was deleted.")
STAGE_LABELS = {
    # TRANSLATORS: where the person is in their journey; three short buttons in one row.
    "before": N_("🧳 Going"),
    "abroad": N_("🌍 Abroad"),
    "returned": N_("🏠 Back home"),
}
QUICK_EXIT = N_("🚪 Quick exit")
#: The command menu Telegram shows, with descriptions in each language.
COMMANDS = {
    # TRANSLATORS: descriptions in Telegram's command menu, lower case, short.
    "start": N_("start over"),
    "help": N_("what I can do"),
    "topics": N_("myths and realities by topic"),
    "check": N_("check a job offer"),
    "hotline": N_("where to call for help"),
    "sos": N_("emergency numbers"),
    "country": N_("change your countries"),
    "language": N_("change the language"),
    "privacy": N_("what I store about you"),
    "delete": N_("erase everything stored about you"),
    "exit": N_("quick exit: delete this chat's messages"),
    "subscribe": N_("a myth and its reality every week"),
    "unsubscribe": N_("stop the weekly message"),
}
CATEGORY_LABELS = {
    "myth": N_("Myths and realities"),
    "prepare": N_("Before you go"),
    "work": N_("Working legally abroad"),
    "trouble": N_("Trouble abroad"),
    "help": N_("Help and rights"),
    "about": N_("About trafficking"),
    "bot": N_("About this bot"),
}


class Dialogue:
    """Everything the bot says; built over one content version and its matcher."""

    def __init__(self, content: Content, matcher: Matcher, i18n: I18n, *, can_talk: bool = False):
        """``can_talk``: an operators' chat is configured, so a person can ask for a person."""
        self.content = content
        self.matcher = matcher
        self.i18n = i18n
        self.can_talk = can_talk
        use_country_names(content.country_names)
        self._menu_actions = {
            self.i18n.gettext(lang)(label): action for lang in i18n.languages for action, label in MENU_LABELS.items()
        }

    # --- entry points -------------------------------------------------------------------

    def start(self, state: UserState, payload: str | None, telegram_lang: str | None) -> Turn:
        """/start, with an optional deep-link payload like ``ky-trouble-passport-taken-src-osh2026``."""
        lang, topic_id, campaign = self.parse_payload(payload)
        state = replace(state, lang=lang or state.lang or self.i18n.negotiate(telegram_lang))
        turn = Turn([], state, [Event("start", {"campaign": campaign, "topic": topic_id, "lang": state.lang})])
        if topic_id:
            turn.add(*self.topic_messages(state, topic_id))
            if not state.knows_countries:
                turn.add(*self.ask_country(turn.state, "home"))
            return turn
        _ = self.gettext(state)
        greeting = _(
            "Hello! I am Safar. I answer questions about working abroad safely: job offers, "
            "documents, your rights, and where to call for help. It is anonymous.\n\n"
            "Choose your language:"
        )
        return turn.add(Message(html.escape(greeting), self.language_buttons(state.lang)))

    def command(self, state: UserState, name: str, arg: str = "") -> Turn:
        state = self.ensure_lang(state)
        handler: Callable[[UserState], Turn] | None = {
            "help": self.help,
            "language": self.choose_language,
            "country": self.change_country,
            "hotline": self.hotline,
            "sos": self.sos,
            "privacy": self.privacy,
            "about": self.privacy,
            "delete": self.confirm_delete,
            "menu": self.browse,
            "topics": self.browse,
            "check": self.job_check,
            "exit": self.quick_exit,
            "subscribe": self.subscribe,
            "unsubscribe": self.unsubscribe,
            "person": self.ask_for_person,
        }.get(name)
        if handler:
            return handler(state)
        _ = self.gettext(state)
        text = _("I don't know this command. Here is what I can do:")
        return Turn([Message(html.escape(text))], state).add(*self.help(state).messages)

    def text(self, state: UserState, text: str) -> Turn:
        state = self.ensure_lang(state)
        action = self._menu_actions.get(text.strip())
        if action:
            return self.menu_action(state, action)
        decision = self.matcher.decide(text, state.lang)
        turn = Turn([], state)
        if decision.emergency:
            turn.events.append(Event("emergency", {"lang": decision.lang}))
            turn.add(*self.emergency_messages(state))
        if state.asking == "person" and self.can_talk:
            return turn.add(*self.hand_off(turn, text, urgent=decision.emergency))
        turn.events.append(
            Event(
                "question",
                {
                    "decision": decision.decision,
                    "topic": decision.topic,
                    "score": round(decision.score, 1),
                    "lang": decision.lang,
                    "suggestions": list(decision.suggestions),
                    "emergency": decision.emergency,
                    "smalltalk": decision.smalltalk,
                    "text": text,
                },
            )
        )
        _ = self.gettext(state)
        if decision.decision == "answer" and decision.topic:
            # After an emergency card the numbers are already on screen: don't repeat them.
            turn.add(*self.topic_messages(state, decision.topic, feedback=True, hotline=not decision.emergency))
        elif decision.decision == "suggest":
            buttons = [(Button(self.title(state, tid), f"s:{tid}"),) for tid in decision.suggestions]
            buttons.append((Button(_("None of these"), "none"),))
            turn.add(Message(html.escape(_("Did you mean:")), tuple(buttons)))
        elif decision.smalltalk and not decision.emergency:
            turn.add(*self.small_talk(state, decision.smalltalk))
        elif not decision.emergency:
            turn.add(*self.no_match(state))
        switch = self.switch_offer(state, decision, text)
        if switch:
            turn.add(switch)
        return turn

    def button(self, state: UserState, data: str) -> Turn:
        state = self.ensure_lang(state)
        kind, _sep, value = data.partition(":")
        match kind:
            case "lang" | "sw":
                return self.set_language(state, value)
            case "home" | "cur":
                return self.set_country(state, "home" if kind == "home" else "current", value)
            case "t" | "s":
                turn = Turn(self.topic_messages(state, value, feedback=True), state)
                if kind == "s":
                    turn.events.append(Event("suggestion_picked", {"topic": value}))
                return turn
            case "none":
                turn = Turn([], state, [Event("suggestion_rejected")])
                _ = self.gettext(state)
                turn.add(Message(html.escape(_("Sorry. Try to ask in other words, or choose a topic below."))))
                return turn.add(*self.no_match(state, apologise=False))
            case "fb":
                topic_id, _sep, vote = value.partition(":")
                _ = self.gettext(state)
                text = (
                    _("Thank you! This helps us improve the answers.")
                    if vote == "1"
                    else _(
                        "Thank you. We will improve this answer. You can also ask in other words "
                        "or call the hotline: /hotline"
                    )
                )
                return Turn(
                    [Message(html.escape(text))],
                    state,
                    [Event("feedback", {"topic": topic_id, "helpful": vote == "1"})],
                )
            case "cat":
                return self.category(state, value)
            case "menu":
                return self.menu_action(state, value)
            case "chk":
                return self.job_check(state, value)
            case "exit":
                return self.quick_exit(state)
            case "stage":
                return self.browse(replace(state, stage=value) if value in STAGES else state)
            case "del":
                return (
                    self.delete(state)
                    if value == "yes"
                    else Turn([Message(html.escape(self.gettext(state)(NOTHING_DELETED)))], state)
                )
        return self.help(state)

    # --- building blocks ----------------------------------------------------------------

    def gettext(self, state: UserState) -> Gettext:
        return self.i18n.gettext(state.lang or self.i18n.default)

    def ensure_lang(self, state: UserState) -> UserState:
        return state if state.lang in self.i18n.languages else replace(state, lang=self.i18n.default)

    def menu_labels(self, state: UserState) -> tuple[str, ...]:
        _ = self.gettext(state)
        actions = (*MENU_ACTIONS, "talk") if self.can_talk else MENU_ACTIONS
        return tuple(_(MENU_LABELS[action]) for action in actions)

    def parse_payload(self, payload: str | None) -> tuple[str | None, str | None, str | None]:
        """(language, topic id, campaign tag) from a deep-link payload; unknown parts are ignored."""
        if not payload or not PAYLOAD.match(payload):
            return None, None, None
        campaign = None
        if CAMPAIGN_SEPARATOR in f"-{payload}":
            payload, _sep, campaign = f"-{payload}".partition(CAMPAIGN_SEPARATOR)
            payload = payload[1:]
        lang, _sep, rest = payload.partition("-")
        if lang not in self.i18n.languages:
            lang, rest = None, payload
        topic = rest if rest in self.content.topic_ids else None
        return lang, topic, (campaign or None)

    def title(self, state: UserState, topic_id: str) -> str:
        topic = self.content.topic(topic_id, state.lang or self.i18n.default)
        return topic.title if topic else topic_id

    def language_buttons(self, selected: str | None) -> tuple[tuple[Button, ...], ...]:
        buttons = [
            Button(("✓ " if lang == selected else "") + self.i18n.language_name(lang), f"lang:{lang}")
            for lang in self.ordered_languages()
        ]
        return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))

    def ordered_languages(self) -> list[str]:
        preferred = [lang for lang in ("ky", "tg", "ru", "en") if lang in self.i18n.languages]
        return preferred + [lang for lang in self.i18n.languages if lang not in preferred]

    def country_buttons(self, state: UserState, which: str) -> tuple[tuple[Button, ...], ...]:
        _ = self.gettext(state)
        prefix = "home" if which == "home" else "cur"
        buttons = [Button(country_name(code, state.lang or "en"), f"{prefix}:{code}") for code in PICKER_COUNTRIES]
        buttons.append(Button(_("Other country"), f"{prefix}:{OTHER}"))
        return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))

    def ask_country(self, state: UserState, which: str) -> list[Message]:
        _ = self.gettext(state)
        state.asking = which
        question = (
            _("Which country are you a citizen of?")
            if which == "home"
            else _("Where are you now, or where are you going?")
        )
        return [Message(html.escape(question), self.country_buttons(state, which))]

    def topic_messages(
        self, state: UserState, topic_id: str, feedback: bool = False, hotline: bool = True
    ) -> list[Message]:
        lang = state.lang or self.i18n.default
        topic = self.content.topic(topic_id, lang)
        _ = self.gettext(state)
        if topic is None:
            return self.no_match(state)
        buttons = [
            (Button("↪ " + self.title(state, rid), f"t:{rid}"),)
            for rid in topic.related
            if rid in self.content.topic_ids
        ][:4]
        if feedback:
            buttons.append(
                (Button(_("👍 Helpful"), f"fb:{topic.id}:1"), Button(_("👎 Not helpful"), f"fb:{topic.id}:0"))
            )
        messages = [
            Message(
                f"<b>{html.escape(topic.title)}</b>\n\n{topic.answer_html}",
                tuple(buttons),
                menu=self.menu_labels(state),
            )
        ]
        if topic.hotline and hotline:
            messages += self.hotline_messages(state)
        return messages

    def hotline_messages(self, state: UserState, title: str | None = None) -> list[Message]:
        _ = self.gettext(state)
        if not state.home and not state.current:
            text = _("To give you the right phone numbers, tell me your citizenship and where you are: /country")
            return [Message(html.escape(text), ((Button(_("Choose countries"), "menu:country"),),))]
        routing = hotlines.route(self.content, state.home, state.current)
        card = hotlines.render_card(routing, state.lang or "en", _, title)
        return [Message(card, contacts=tuple(hotlines.contacts(routing, state.lang or "en")))]

    def emergency_messages(self, state: UserState) -> list[Message]:
        _ = self.gettext(state)
        safety = _(
            "If you are in danger now, call the emergency number first. If you cannot talk, "
            "send your location and address to someone you trust. If someone may check your "
            "phone, delete this chat afterwards."
        )
        if state.current or state.home:
            routing = hotlines.route(self.content, state.home, state.current)
            card = hotlines.render_card(routing, state.lang or "en", _, _("Emergency: get help now"))
            return [
                Message(
                    f"🆘 {html.escape(safety)}\n\n{card}",
                    ((Button(_(QUICK_EXIT), "exit"),),),
                    contacts=tuple(hotlines.contacts(routing, state.lang or "en")),
                )
            ]
        numbers = "\n".join(
            f"🆘 {html.escape(country_name(country, state.lang or 'en'))}: <b>{html.escape(number)}</b>"
            for country, number in hotlines.emergency_numbers(self.content)
        )
        where = _("Tell me where you are, and I will show the local hotline:")
        return [
            Message(
                f"🆘 {html.escape(safety)}\n\n{numbers}\n\n{html.escape(where)}",
                (*self.country_buttons(state, "current"), (Button(_(QUICK_EXIT), "exit"),)),
            )
        ]

    def no_match(self, state: UserState, apologise: bool = True) -> list[Message]:
        _ = self.gettext(state)
        messages = []
        if apologise:
            text = _(
                "Sorry, I don't have an answer to that yet. I have passed the question on (without "
                "your name) so that volunteers can add it. You can choose a topic below, or talk to "
                "a person on the hotline."
            )
            messages.append(Message(html.escape(text), menu=self.menu_labels(state)))
        messages += self.browse(state).messages
        if state.home or state.current:
            messages += self.hotline_messages(state)
        return messages

    def small_talk(self, state: UserState, intent: str) -> list[Message]:
        """A greeting, thanks or an everyday question: answer politely, then show what the bot can do."""
        lang = state.lang or self.i18n.default
        talk = self.content.smalltalk.get(lang, {}).get(intent) or self.content.smalltalk.get("en", {}).get(intent)
        if talk is None:
            return self.no_match(state)
        messages = [Message(html.escape(talk.reply), menu=self.menu_labels(state))]
        if intent in ("complaint", "offtopic"):
            messages += self.browse(state).messages
        return messages

    def switch_offer(self, state: UserState, decision: Decision, text: str) -> Message | None:
        if decision.lang == state.lang or decision.lang not in self.i18n.languages:
            return None
        if len(text.split()) < SWITCH_MIN_WORDS:
            return None
        _ = self.i18n.gettext(decision.lang)  # the offer speaks the language it offers
        label = _("Switch to {language}").format(language=self.i18n.language_name(decision.lang))
        return Message(html.escape(_("Shall I speak your language?")), ((Button(label, f"sw:{decision.lang}"),),))

    # --- screens ------------------------------------------------------------------------

    def menu_action(self, state: UserState, action: str) -> Turn:
        _ = self.gettext(state)
        match action:
            case "ask":
                text = _(
                    "Write your question in your own words, in any language. For example: "
                    '"Can the employer keep my passport?"'
                )
                return Turn([Message(html.escape(text), menu=self.menu_labels(state))], state)
            case "browse":
                return self.browse(state)
            case "check":
                return self.job_check(state)
            case "talk":
                return self.ask_for_person(state)
            case "hotline":
                return self.hotline(state)
            case "sos":
                return self.sos(state)
            case "language":
                return self.choose_language(state)
            case "country":
                return self.change_country(state)
            case _:
                return self.privacy(state)

    def help(self, state: UserState) -> Turn:
        _ = self.gettext(state)
        text = _(
            "Ask me anything about working abroad, in your own words. Or use:\n"
            "/topics: myths and realities, by topic\n"
            "/hotline: where to call for help\n"
            "/sos: emergency numbers\n"
            "/country: change your countries\n"
            "/language: change the language\n"
            "/privacy: what I store about you\n"
            "/delete: erase everything stored about you"
        )
        more = _("/check: check a job offer\n/exit: quick exit, deletes this chat's messages")
        more += "\n" + _("/subscribe: a myth and its reality every week")
        return Turn([Message(html.escape(f"{text}\n{more}"), menu=self.menu_labels(state))], state)

    def stage(self, state: UserState) -> str:
        """Where the person is in the journey: their choice, else what their countries say."""
        if state.stage in STAGES:
            return state.stage
        known = state.home and state.current and OTHER not in (state.home, state.current)
        return "abroad" if known and state.home != state.current else "before"

    def browse(self, state: UserState) -> Turn:
        _ = self.gettext(state)
        present = {t.category for t in self.content.all_topics()}
        stage = self.stage(state)
        stages = tuple(Button(("✓ " if key == stage else "") + _(STAGE_LABELS[key]), f"stage:{key}") for key in STAGES)
        categories = tuple((Button(_(CATEGORY_LABELS[c]), f"cat:{c}"),) for c in STAGE_ORDER[stage] if c in present)
        return Turn([Message(html.escape(_("Choose a topic:")), (stages, *categories))], state)

    def job_check(self, state: UserState, answers: str = "") -> Turn:
        """/check: the next question about a job offer, or the verdict and the hotline."""
        check = self.content.checks.get(state.lang or "") or self.content.checks.get("en")
        if check is None:
            return self.help(state)
        _ = self.gettext(state)
        if not job_check.valid(answers):
            answers = ""
        if not job_check.is_complete(check, answers):
            return Turn([job_check.question(check, answers, _)], state)
        flags = len(job_check.red_flags(check, answers))
        turn = Turn([job_check.verdict(check, answers)], state, [Event("job_check", {"red_flags": flags})])
        return turn.add(*self.hotline_messages(state))

    def ask_for_person(self, state: UserState) -> Turn:
        """Offer a volunteer; the next message goes to the operators' chat under a case number."""
        if not self.can_talk:
            return self.help(state)
        _ = self.gettext(state)
        text = _(
            "Write your question in one message. A volunteer will answer here, in this chat. "
            "They will not see your name or username; do not write your name or phone number. "
            "If you are in danger now, call the emergency number: /sos"
        )
        return Turn([Message(html.escape(text))], replace(state, asking="person"))

    def hand_off(self, turn: Turn, text: str, urgent: bool = False) -> list[Message]:
        """Pass the message to a person under a new case number; nothing identifies who wrote it."""
        case = secrets.token_hex(3).upper()
        turn.state = replace(turn.state, asking=None)
        turn.events.append(Event("handoff", {"case": case, "text": text[:3000], "urgent": urgent}))
        _ = self.gettext(turn.state)
        reply = _("Sent to a volunteer as case #{case}. The answer will come here.").format(case=case)
        return [Message(html.escape(reply), menu=self.menu_labels(turn.state))]

    def subscribe(self, state: UserState) -> Turn:
        _ = self.gettext(state)
        text = _(
            "Subscribed: once a week, one myth and the reality, in this language. /unsubscribe stops it at any time."
        )
        return Turn([Message(html.escape(text))], state, [Event("subscribe", {"lang": state.lang})])

    def unsubscribe(self, state: UserState) -> Turn:
        _ = self.gettext(state)
        text = _("Unsubscribed: no more weekly messages. /subscribe to start again.")
        return Turn([Message(html.escape(text))], state, [Event("unsubscribe")])

    def weekly_myth(self, lang: str, week: int) -> str | None:
        """The myth of the week, in one language: the same topic for everyone that week."""
        myths = [tid for tid in self.content.topic_ids if tid.startswith("myth-")]
        topic = self.content.topic(myths[week % len(myths)], lang) if myths else None
        if topic is None:
            return None
        _ = self.i18n.gettext(lang)
        footer = html.escape(_("Myth of the week from Safar. /unsubscribe stops these messages."))
        return f"<b>{html.escape(topic.title)}</b>\n\n{topic.answer_html}\n\n<i>{footer}</i>"

    def quick_exit(self, state: UserState) -> Turn:
        """Erase what is stored and ask the adapter to delete the chat's messages; say nothing telling."""
        return Turn([Message("👍")], UserState(), [Event("delete")], quick_exit=True)

    def category(self, state: UserState, category: str) -> Turn:
        lang = state.lang or self.i18n.default
        topics: list[Topic] = [
            t for tid in self.content.topic_ids if (t := self.content.topic(tid, lang)) and t.category == category
        ]
        if not topics:
            return self.browse(state)
        _ = self.gettext(state)
        buttons = tuple((Button(t.title, f"t:{t.id}"),) for t in topics)
        label = _(CATEGORY_LABELS.get(category, category))
        return Turn([Message(f"<b>{html.escape(label)}</b>", buttons)], state)

    def hotline(self, state: UserState) -> Turn:
        turn = Turn(self.hotline_messages(state), state)
        if state.home or state.current:
            turn.events.append(Event("hotline_shown", self._hotline_event(state)))
        return turn

    def sos(self, state: UserState) -> Turn:
        turn = Turn(self.emergency_messages(state), state, [Event("emergency", {"command": True})])
        if state.home or state.current:
            turn.events.append(Event("hotline_shown", self._hotline_event(state)))
        return turn

    def _hotline_event(self, state: UserState) -> dict:
        routing = hotlines.route(self.content, state.home, state.current)
        return {
            "home": state.home,
            "current": state.current,
            "numbers": [item.hotline.id for item in routing.listings],
        }

    def choose_language(self, state: UserState) -> Turn:
        _ = self.gettext(state)
        return Turn([Message(html.escape(_("Choose your language:")), self.language_buttons(state.lang))], state)

    def set_language(self, state: UserState, lang: str) -> Turn:
        if lang not in self.i18n.languages:
            return self.choose_language(state)
        state = replace(state, lang=lang)
        _ = self.gettext(state)
        turn = Turn([], state, [Event("settings", {"lang": lang})])
        if not state.home:
            turn.add(
                Message(
                    html.escape(_("Two short questions, so that I can give you the right phone numbers.")),
                    menu=self.menu_labels(state),
                )
            )
            return turn.add(*self.ask_country(state, "home"))
        return turn.add(Message(html.escape(_("Done. I will answer in this language.")), menu=self.menu_labels(state)))

    def change_country(self, state: UserState) -> Turn:
        return Turn(self.ask_country(state, "home"), state)

    def set_country(self, state: UserState, which: str, code: str) -> Turn:
        if code != OTHER and code not in PICKER_COUNTRIES:
            return Turn(self.ask_country(state, which), state)
        state = replace(state, **{which: code}, asking=None)
        turn = Turn([], state, [Event("settings", {which: code})])
        _ = self.gettext(state)
        if which == "home":
            return turn.add(*self.ask_country(state, "current"))
        text = _("Thank you. Now ask me anything about working abroad, in your own words, or choose a topic.")
        turn.add(Message(html.escape(text), menu=self.menu_labels(state)))
        return turn.add(*self.browse(state).messages)

    def privacy(self, state: UserState) -> Turn:
        _ = self.gettext(state)
        text = _(
            "What I store, in plain words:\n"
            "• not your name, username or phone number;\n"
            "• your language and the countries you chose, so that I remember them;\n"
            "• anonymous statistics: which topics are asked, under a code that cannot be traced "
            "back to you;\n"
            "• questions I could not answer, with phone numbers, e-mails, links and document "
            "numbers removed, so that volunteers can add answers;\n"
            "• never the text of an emergency message.\n\n"
            "/delete erases everything stored about you. To remove this chat from your phone, "
            "delete it in Telegram (Delete chat)."
        )
        more = _(
            "/exit deletes at once this chat's messages, where Telegram still allows it, "
            "and everything stored about you."
        )
        more += "\n\n" + _(
            "Only if you /subscribe or ask to talk to a person, your chat number is kept, encrypted, "
            "so that the messages can reach you. /unsubscribe, /delete and /exit remove it."
        )
        return Turn([Message(html.escape(f"{text}\n\n{more}"), menu=self.menu_labels(state))], state)

    def confirm_delete(self, state: UserState) -> Turn:
        _ = self.gettext(state)
        return Turn(
            [
                Message(
                    html.escape(_("Erase everything stored about you: your settings and statistics?")),
                    ((Button(_("Yes, erase"), "del:yes"), Button(_("Cancel"), "del:no")),),
                )
            ],
            state,
        )

    def delete(self, state: UserState) -> Turn:
        fresh = UserState(lang=state.lang)
        _ = self.gettext(fresh)
        text = _("Done: everything stored about you has been erased. Send /start to begin again.")
        return Turn([Message(html.escape(text))], fresh, [Event("delete")])


SHARE_CAMPAIGN = "share"
SHARE_LIMIT = 8


def share_cards(dialogue: Dialogue, query: str, lang: str) -> list[ShareCard]:
    """Topic cards for "@bot <words>" in any chat: the best matches, or the myths when empty."""
    content = dialogue.content
    if query.strip():
        ranked = [tid for tid, _ in dialogue.matcher.rank(query) if not tid.startswith("~")]
    else:
        ranked = [tid for tid in content.topic_ids if tid.startswith("myth-")]
    cards = []
    for topic_id in ranked[:SHARE_LIMIT]:
        topic = content.topic(topic_id, lang)
        if topic is None:
            continue
        description = topic.answer_text.replace("\n", " ")
        cards.append(
            ShareCard(
                topic_id,
                topic.title,
                description[:120],
                f"<b>{html.escape(topic.title)}</b>\n\n{topic.answer_html}",
                f"{topic.lang}-{topic_id}{CAMPAIGN_SEPARATOR}{SHARE_CAMPAIGN}",
            )
        )
    return cards


def describe_decision(content: Content, decision: Decision, lang: str) -> str:
    """A human-readable account of a decision, for `python -m bot ask`."""
    lines = [
        f"decision: {decision.decision}   score: {decision.score:.1f}   language: {decision.lang}"
        f"   emergency: {decision.emergency}" + (f" ({decision.alarm.phrase!r})" if decision.alarm else "")
    ]
    lines.append("ranking: " + ", ".join(f"{tid} {score:.0f}" for tid, score in decision.ranking))
    if decision.topic:
        topic = content.topic(decision.topic, lang)
        if topic:
            lines += ["", f"== {topic.title} [{topic.id}]", topic.answer_text]
    elif decision.suggestions:
        lines += ["", "did you mean: " + ", ".join(decision.suggestions)]
    return "\n".join(lines)
