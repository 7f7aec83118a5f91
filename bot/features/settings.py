"""Start and settings: the greeting, deep links, the language and the person's countries."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from bot import wire
from bot.features import answers, job_check, ui
from bot.hotlines import OTHER, PICKER_COUNTRIES
from bot.normalize import skeleton_words
from bot.replies import Event, Message, Turn, UserState
from bot.wire import EventKind

if TYPE_CHECKING:
    from bot.dialogue import Dialogue

PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CAMPAIGN_SEPARATOR = "-src-"
#: A campaign tag names a campaign ("osh2026"), never a person: a letter first, short, no long digit runs.
CAMPAIGN_TAG = re.compile(r"^(?!.*\d{5})[A-Za-z][A-Za-z0-9_-]{0,31}$")
#: A typed answer to "where are you now?" is a few words ("в Москве", "я гражданин Кыргызстана"); a longer
#: message is a question that happens to name a country, and is answered as one.
TYPED_COUNTRY_WORDS = 4


def parse_payload(d: Dialogue, payload: str | None) -> tuple[str | None, str | None, str | None]:
    """(language, topic id, campaign tag) from a deep-link payload; unknown parts are ignored."""
    if not payload or not PAYLOAD.match(payload):
        return None, None, None
    # Links get retyped from posters: "EN-Myth-Debt-src-OSH" is the same link as "en-myth-debt-src-osh".
    payload = payload.lower()
    campaign = None
    if CAMPAIGN_SEPARATOR in f"-{payload}":
        payload, _sep, campaign = f"-{payload}".partition(CAMPAIGN_SEPARATOR)
        payload = payload[1:]
    lang, _sep, rest = payload.partition("-")
    if lang not in d.i18n.languages:
        lang, rest = None, payload
    topic = rest if rest in d.content.topic_ids else None
    if campaign and not CAMPAIGN_TAG.match(campaign):
        campaign = "invalid"  # counted, so operators see broken links, but not kept as typed
    return lang, topic, (campaign or None)


def start(d: Dialogue, state: UserState, payload: str | None, telegram_lang: str | None) -> Turn:
    """/start, with an optional deep-link payload like ``ky-trouble-passport-taken-src-osh2026``."""
    lang, topic_id, campaign = parse_payload(d, payload)
    state = replace(state, lang=lang or state.lang or d.i18n.negotiate(telegram_lang))
    turn = Turn([], state, [Event(EventKind.START, {"campaign": campaign, "topic": topic_id, "lang": state.lang})])
    if topic_id:
        turn.add(*ui.topic_messages(d, state, topic_id))
        if not state.knows_countries:
            turn.add(*ui.ask_country(d, turn.state, "home"))
        return turn
    _ = ui.gettext(d, state)
    greeting = _(
        "Hello! I am Safar. I answer questions about working abroad safely: job offers, "
        "documents, your rights, and where to call for help. It is anonymous.\n\n"
        "Choose your language:"
    )
    return turn.add(Message(html.escape(greeting), ui.language_buttons(d, state.lang)))


def restart(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """A /start typed again (or from a menu), without Telegram's language hint."""
    return start(d, state, arg or None, None)


def choose_language(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """/language: the language buttons, the current one ticked."""
    _ = ui.gettext(d, state)
    return Turn([ui.say(_("Choose your language:"), *ui.language_buttons(d, state.lang))], state)


def set_language(d: Dialogue, state: UserState, payload: wire.PickLanguage | wire.SwitchLanguage) -> Turn:
    """Speak this language from now on; the question just asked is answered again in it."""
    if payload.lang not in d.i18n.languages:
        return choose_language(d, state)
    changed = payload.lang != state.lang
    state = replace(state, lang=payload.lang)
    _ = ui.gettext(d, state)
    turn = Turn([], state, [Event(EventKind.SETTINGS, {"lang": payload.lang})])
    if changed and state.checking is not None:  # in the middle of /check: the same question, in the new language
        turn.add(ui.say(_("Done. I will answer in this language."), menu=ui.menu_labels(d, state)))
        return turn.add(*job_check.answer(d, state, wire.CheckAnswers(state.checking)).messages)
    if changed and state.last_question:
        again = answers.answer(d, state, state.last_question, offer_switch=False)
        turn.add(*again.messages)
        turn.events += [e for e in again.events if e.kind != EventKind.QUESTION]  # it was counted once already
    if not state.home:
        text = _("Two short questions, so that I can give you the right phone numbers.")
        turn.add(ui.say(text, menu=ui.menu_labels(d, state)))
        return turn.add(*ui.ask_country(d, state, "home"))
    return turn.add(ui.say(_("Done. I will answer in this language."), menu=ui.menu_labels(d, state)))


def change_country(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """/country: ask the onboarding questions again, from citizenship — and where the person is now, which is
    what changes (someone who moved from Russia to Turkey needs Turkey's numbers, not the old ones)."""
    state = replace(state, current=None, going=None)
    return Turn(ui.ask_country(d, state, "home"), state)


def set_country(d: Dialogue, state: UserState, payload: wire.PickHome | wire.PickCurrent) -> Turn:
    """Citizenship, then where the person is now, then (only if at home) where they are going."""
    which = "home" if isinstance(payload, wire.PickHome) else "current"
    code = payload.country
    if code != OTHER and code not in PICKER_COUNTRIES:
        return Turn(ui.ask_country(d, state, which), state)
    state = replace(state, **{which: code}, asking=None)
    if which == "current" and code != state.home:
        state = replace(state, going=None)  # abroad: "going" no longer applies
    turn = Turn([], state, [Event(EventKind.SETTINGS, {which: code})])
    if which == "home" and not state.current:
        return turn.add(*ui.ask_country(d, state, "current"))
    if which == "home":  # where they are is known already (the emergency card asked it first)
        return turn.add(*ui.hotline_messages(d, state))
    if state.at_home:
        return turn.add(*ui.ask_country(d, state, "going"))
    return _settled(d, turn)


def typed_country(d: Dialogue, state: UserState, text: str) -> Turn | None:
    """A country typed instead of tapped while the bot asks for one ("Uzbekistan", "в Москве"): the same as the
    button. None when it is not a short answer naming one country of the picker, or when it is a cry for help."""
    which = state.asking
    if which not in ("home", "current", "going") or len(text.split()) > TYPED_COUNTRY_WORDS:
        return None
    words = skeleton_words(text)
    codes = d.content.places.named(words) & set(PICKER_COUNTRIES)
    if len(codes) != 1 or d.matcher.emergency.assess(text) is not None:  # danger words: answered as such
        return None
    code = next(iter(codes))
    if which == "going":
        return set_going(d, state, wire.PickGoing(code))
    return set_country(d, state, wire.PickHome(code) if which == "home" else wire.PickCurrent(code))


def set_going(d: Dialogue, state: UserState, payload: wire.PickGoing) -> Turn:
    """Where a person at home plans to go (or that they came back): the numbers and the topic order follow."""
    code = payload.country
    if code not in (OTHER, "none", "back") and code not in PICKER_COUNTRIES:
        return Turn(ui.ask_country(d, state, "going"), state)
    going = code if code not in ("none", "back") else None
    stage = "returned" if code == "back" else ("before" if going else state.stage)
    state = replace(state, going=going, stage=stage, asking=None)
    return _settled(d, Turn([], state, [Event(EventKind.SETTINGS, {"going": going})]))


def _settled(d: Dialogue, turn: Turn) -> Turn:
    _ = ui.gettext(d, turn.state)
    text = _("Thank you. Now ask me anything about working abroad, in your own words, or choose a topic.")
    turn.add(ui.say(text, menu=ui.menu_labels(d, turn.state)))
    return turn.add(*ui.browse(d, turn.state))


def set_stage(d: Dialogue, state: UserState, payload: wire.PickStage) -> Turn:
    """Keep the chosen stage (before, abroad, returned) and show the topic menu ordered for it."""
    state = replace(state, stage=payload.stage)
    return Turn(ui.browse(d, state), state)
