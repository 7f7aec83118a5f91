"""Questions and answers: free text, topics, "did you mean", feedback, small talk, sharing."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import TYPE_CHECKING

from bot import wire
from bot.config import MatchThresholds
from bot.content import Content, Topic
from bot.features import ui
from bot.langid import ANSWERED_IN_RUSSIAN
from bot.matching import Decision
from bot.normalize import skeleton_words
from bot.replies import Button, Event, Message, ShareCard, Turn, UserState
from bot.wire import EventKind

if TYPE_CHECKING:
    from bot.dialogue import Dialogue

SWITCH_MIN_WORDS = 3
#: A language asked for by name, as skeleton words: whole words, and beginnings of words ("кыргызча",
#: "по-кыргызски", "qirg'izcha" all begin "kirgizch"/"kirgizsk"). Country names ("Кыргызстан") never match.
LANGUAGE_WORDS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "ky": (frozenset(), ("kirgizch", "kirgizsk", "kirgizche")),
    "tg": (frozenset({"tochiki", "tojiki"}), ("tojikch", "tajiksk", "tajikch")),
    "uz": (frozenset(), ("ozbekch", "uzbekch", "uzbeksk")),
    "ru": (frozenset({"rusha", "orusha", "rusi", "rusche"}), ("ruski", "ruskom", "orushch")),
    "en": (frozenset({"english", "angliiski"}), ("inglizch", "anglish", "angliisk")),
}
ASKED_LANGUAGE_WORDS = 6  # only a short request names the language it wants; a story may mention one in passing
SHARE_CAMPAIGN = "share"
SHARE_LIMIT = 8
#: An answer scoring less than this above the answer threshold is "low confidence": counted apart and its
#: (redacted) text kept for operators. On the dev set 4 points flag 6 % of answers and 5 of the 16 wrong ones;
#: 8 points flag 15 % for 8 (README, "Reading the report").
LOW_CONFIDENCE_BAND = 4.0


def answer(d: Dialogue, state: UserState, text: str, offer_switch: bool = True) -> Turn:
    """Free text: the emergency card first if needed, then the matcher's decision."""
    decision = d.matcher.decide(text, state.lang, state.country_of_interest)
    state.last_question = text  # kept in memory only, to answer again if the person switches language
    turn = Turn([], state)
    if decision.emergency:
        turn.events.append(Event(EventKind.EMERGENCY, {"lang": decision.lang}))
        turn.add(*ui.emergency_messages(d, state))
    elif decision.danger == "possible":  # missing a person in danger costs more than one extra line
        turn.add(ui.danger_line(d, state))
    turn.events.append(question_event(decision, text, d.matcher.thresholds))
    note = ANSWERED_IN_RUSSIAN.get(decision.lang)
    if note and decision.lang not in d.i18n.languages and ui.lang(d, state) == "ru":
        turn.add(ui.say(note))  # Kazakh: one line in Kazakh saying the answer comes in Russian
    _ = ui.gettext(d, state)
    if decision.decision == "answer" and decision.topic:
        # After an emergency card the numbers are already on screen: don't repeat them.
        turn.add(
            *ui.topic_messages(
                d,
                state,
                decision.topic,
                feedback=True,
                hotline=not decision.emergency,
                reminder=not decision.danger,
                also=decision.also,
            )
        )
    elif decision.decision == "suggest":
        buttons = [
            (Button(ui.title(d, state, tid), wire.PickSuggestion(tid).encode()),) for tid in decision.suggestions
        ]
        buttons.append((Button(_("None of these"), wire.NoneOfThese().encode()),))
        turn.add(ui.say(_("Did you mean:"), *buttons))
    elif decision.smalltalk == wire.NO_WORDS and not decision.emergency:
        turn.add(ui.say(_("Please write your question in words.")), *ui.browse(d, state))
    elif decision.smalltalk and not decision.emergency:
        turn.add(*small_talk(d, state, decision.smalltalk))
    elif not decision.emergency:
        turn.add(*ui.no_match(d, state))
    switch = switch_offer(d, state, decision, text) if offer_switch else None
    if switch:
        turn.add(switch)
    return turn


def question_event(decision: Decision, text: str, thresholds: MatchThresholds | None = None) -> Event:
    """What the usage log learns from a question; an answer close to the threshold is flagged for review."""
    answer_at = (thresholds or MatchThresholds()).answer
    return Event(
        EventKind.QUESTION,
        {
            "decision": decision.decision,
            "topic": decision.topic,
            "score": round(decision.score, 1),
            "lang": decision.lang,
            "suggestions": list(decision.suggestions),
            "emergency": decision.emergency,
            "smalltalk": decision.smalltalk,
            "low_confidence": decision.decision == "answer" and decision.score < answer_at + LOW_CONFIDENCE_BAND,
            "text": text,
        },
    )


def small_talk(d: Dialogue, state: UserState, intent: str) -> list[Message]:
    """A greeting, thanks or an everyday question: answer politely, then show what the bot can do."""
    lang = ui.lang(d, state)
    talk = d.content.smalltalk.get(lang, {}).get(intent) or d.content.smalltalk.get("en", {}).get(intent)
    if talk is None:
        return ui.no_match(d, state)
    messages = [ui.say(talk.reply, menu=ui.menu_labels(d, state))]
    if intent in ("complaint", "offtopic"):
        messages += ui.browse(d, state)
    return messages


def asked_language(text: str) -> str | None:
    """The language a message asks for by name ("кыргызча жазыңызчы", "по-русски", "in English"), if any."""
    for word in skeleton_words(text)[:ASKED_LANGUAGE_WORDS]:
        for lang, (exact, prefixes) in LANGUAGE_WORDS.items():
            if word in exact or word.startswith(prefixes):
                return lang
    return None


def switch_offer(d: Dialogue, state: UserState, decision: Decision, text: str) -> Message | None:
    """Offer the language the person wrote in (or asked for by name), in that language, when it is not the one
    chosen."""
    offered = asked_language(text)
    if offered is None:
        if len(text.split()) < SWITCH_MIN_WORDS:
            return None
        offered = decision.lang
    if offered == state.lang or offered not in d.i18n.languages:
        return None
    _ = d.i18n.gettext(offered)  # the offer speaks the language it offers
    label = _("Switch to {language}").format(language=d.i18n.language_name(offered))
    return ui.say(_("Shall I speak your language?"), (Button(label, wire.SwitchLanguage(offered).encode()),))


def ask(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """The "ask a question" menu button: how to ask."""
    _ = ui.gettext(d, state)
    text = _(
        'Write your question in your own words, in any language. For example: "Can the employer keep my passport?"'
    )
    return Turn([ui.say(text, menu=ui.menu_labels(d, state))], state)


def topics(d: Dialogue, state: UserState, arg: str = "") -> Turn:
    """/topics: the topic menu, for people who would rather browse than type."""
    return Turn(ui.browse(d, state), state)


def category(d: Dialogue, state: UserState, payload: wire.ShowCategory) -> Turn:
    """A category's topics as buttons; an empty or unknown category falls back to the topic menu."""
    lang = ui.lang(d, state)
    found: list[Topic] = [
        t for tid in d.content.topic_ids if (t := d.content.topic(tid, lang)) and t.category == payload.category
    ]
    if not found:
        return topics(d, state)
    _ = ui.gettext(d, state)
    buttons = tuple((Button(t.title, wire.ShowTopic(t.id).encode()),) for t in found)
    label = _(ui.CATEGORY_LABELS.get(payload.category, payload.category))
    return Turn([Message(f"<b>{html.escape(label)}</b>", buttons)], state)


def show_topic(d: Dialogue, state: UserState, payload: wire.ShowTopic | wire.PickSuggestion) -> Turn:
    """A topic from a button; a picked suggestion is logged, so the matcher can learn where it fell short."""
    if payload.topic not in d.content.topic_ids:
        return topics(d, state)
    turn = Turn(ui.topic_messages(d, state, payload.topic, feedback=True), state)
    if isinstance(payload, wire.PickSuggestion):
        turn.events.append(Event(EventKind.SUGGESTION_PICKED, {"topic": payload.topic}))
    return turn


def none_of_these(d: Dialogue, state: UserState, payload: wire.NoneOfThese) -> Turn:
    """No suggestion fitted: counted as a miss, and the person gets the topics and the hotline, not a dead end."""
    _ = ui.gettext(d, state)
    turn = Turn([], state, [Event(EventKind.SUGGESTION_REJECTED)])
    turn.add(ui.say(_("Sorry. Try to ask in other words, or choose a topic below.")))
    return turn.add(*ui.no_match(d, state, apologise=False))


def vote(d: Dialogue, state: UserState, payload: wire.Vote) -> Turn:
    """👍/👎 under an answer; a forged topic never reaches the log."""
    if payload.topic not in d.content.topic_ids:
        return topics(d, state)
    _ = ui.gettext(d, state)
    if payload.topic in state.voted:  # one vote per answer: pressing again changes nothing
        return Turn([ui.say(_("Thank you, your answer is already counted."))], state)
    state = replace(state, voted=(*state.voted, payload.topic))
    text = (
        _("Thank you! This helps us improve the answers.")
        if payload.helpful
        else _("Thank you. We will improve this answer. You can also ask in other words or call the hotline: /hotline")
    )
    return Turn(
        [ui.say(text)], state, [Event(EventKind.FEEDBACK, {"topic": payload.topic, "helpful": payload.helpful})]
    )


def share_cards(d: Dialogue, query: str, lang: str) -> list[ShareCard]:
    """Topic cards for "@bot <words>" in any chat: the best matches, or the myths when empty."""
    content = d.content
    if query.strip():
        ranked = [tid for tid, _ in d.matcher.rank(query) if wire.smalltalk_intent(tid) is None]
    else:
        ranked = [tid for tid in content.topic_ids if tid.startswith("myth-")]
    cards = []
    for topic_id in ranked[:SHARE_LIMIT]:
        topic = content.topic(topic_id, lang)
        if topic is None:
            continue
        cards.append(
            ShareCard(
                topic_id,
                topic.title,
                topic.answer_text.replace("\n", " ")[:120],
                f"<b>{html.escape(topic.title)}</b>\n\n{topic.answer_html}",
                f"{topic.lang}-{topic_id}-src-{SHARE_CAMPAIGN}",
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
