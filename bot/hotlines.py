"""Which numbers to give a person, in which order, and how to show them.

The routing follows the campaign's hotline facts, by rules a volunteer can
read (and ``python -m bot hotlines`` prints for every case):

1. the emergency number of the country the person **is** in;
2. that country's lines for trafficking victims and migrants;
3. the home country's lines reachable from there: at home, the domestic
   lines; abroad, the home country's embassy, consulate or ministry lines
   *in that country* and home lines marked ``from_abroad`` (never a number
   that only works inside the home country);
4. an IOM office of the country the person is in;
5. for someone at home who is about to leave, the destination's lines,
   each marked as callable from abroad or "only there — save it".

A number from a country that is neither the person's home, where they are,
nor where they are going is never shown, and a line whose status is not
``active`` (probably discontinued) is never shown at all.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import phonenumbers
from babel.dates import format_date

from bot.content import ABROAD, Content, Hotline
from bot.i18n import N_, Gettext, country_name, language_display

ORIGIN_COUNTRIES = ("KG", "TJ", "UZ", "KZ", "TM")
DESTINATION_COUNTRIES = ("RU", "KZ", "TR", "AE", "KR")
PICKER_COUNTRIES = ("KG", "TJ", "UZ", "KZ", "TM", "RU", "TR", "AE", "KR")
OTHER = "other"
CONTACT_NAME_LIMIT = 64
CONTACT_LIMIT = 3
ROLES = ("emergency", "local", "home", "iom", "going")


# TRANSLATORS: the one-line button under later answers that opens the full hotline card.
HELP_BUTTON = N_("☎️ Where to get help")
# TRANSLATORS: the button that shows where the card's numbers come from.
SOURCES_BUTTON = N_("Sources")


@dataclass(frozen=True)
class Listing:
    """A hotline as it appears on one person's card: its number as they should dial it and why it is there."""

    hotline: Hotline
    number: str  # as the person should dial it from where they are (as written, when not dialable there)
    role: str  # one of ROLES
    dialable_here: bool = True
    e164: str | None = None  # for tap-to-call; short numbers stay short

    @property
    def how(self) -> str:
        """call | whatsapp | telegram: a WhatsApp or Telegram line is a link, never a call button."""
        return self.hotline.channel

    @property
    def tap(self) -> str | None:
        """What a tap-to-call contact dials: E.164, or a short number as it is (112)."""
        if self.how != "call" or not self.dialable_here:
            return None
        return self.e164 or re.sub(r"\D", "", self.number) or None

    @property
    def link(self) -> str | None:
        """The wa.me or t.me link for a WhatsApp or Telegram line; None for a phone line."""
        if self.how == "whatsapp" and self.hotline.e164:
            return "https://wa.me/" + self.hotline.e164.lstrip("+")
        if self.how == "telegram":
            return "https://t.me/" + self.hotline.number.lstrip("@")
        return None


@dataclass(frozen=True)
class Contact:
    """A contact card Telegram can send: one tap saves or dials the number."""

    phone_number: str
    name: str


@dataclass(frozen=True)
class Routing:
    """The lines for one person, in card order, and what the card must say about where they are."""

    listings: tuple[Listing, ...]
    home_unreachable: tuple[Hotline, ...]  # home lines that only work inside the home country
    home: str | None
    current: str | None  # the country the person is in, if it is one the bot knows
    going: str | None = None  # where a person at home is about to go
    place: str | None = None  # what the person said: a country, "other", or None (not asked yet)

    @property
    def now(self) -> str | None:
        """Where the person is now: another name for ``current``."""
        return self.current

    @property
    def place_unknown(self) -> bool:
        """In "another country" (or not said): the bot has no local numbers for them."""
        return self.current is None

    @property
    def abroad(self) -> bool:
        """Not known to be at home: in another country, one the bot does not know, or not said yet."""
        return self.home is not None and self.current != self.home

    @property
    def emergency(self) -> Listing | None:
        """The first emergency number dialable where the person is, if any."""
        return next((i for i in self.listings if i.role == "emergency" and i.dialable_here), None)

    @property
    def no_mission(self) -> bool:
        """Abroad in a known country without any line of the home country's mission there."""
        return (
            self.abroad
            and self.current is not None
            and not any(i.role == "home" and isinstance(i.hotline.for_people_in, tuple | list) for i in self.listings)
        )

    @property
    def has_numbers(self) -> bool:
        """True when the card lists a line the person can use from where they are ("numbers below")."""
        return any(i.dialable_here and i.role != "going" for i in self.listings)


@dataclass(frozen=True)
class Card:
    """A hotline card ready to send: HTML body, tap-to-call contacts, and the sources behind a button."""

    html: str
    contacts: tuple[Contact, ...]
    sources_html: str
    notes: tuple[str, ...] = ()  # the honest sentences, as plain text, for tools and the matrix


def _escape(text: str) -> str:
    """Text for Telegram's HTML: quotes and apostrophes stay readable."""
    return html.escape(text, quote=False)


def _known(country: str | None) -> str | None:
    return country if country and country != OTHER else None


def _international(hotline: Hotline) -> str:
    if hotline.international:
        return hotline.international
    if hotline.number.startswith("+") or not hotline.e164 or hotline.short:
        return hotline.number
    parsed = phonenumbers.parse(hotline.e164, None)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def reach(hotline: Hotline, where: str | None) -> tuple[bool, str, str | None]:
    """(dialable from ``where``, the number to show, its E.164) — from explicit data, never a guess.

    A WhatsApp or Telegram line works wherever there is internet; a phone line
    works inside its country, and from elsewhere only when marked ``from_abroad``.
    """
    if hotline.channel in ("whatsapp", "telegram"):
        return True, hotline.number, hotline.e164
    if where == hotline.country:
        return True, hotline.number, None if hotline.short else hotline.e164
    if hotline.from_abroad:
        return True, _international(hotline), hotline.international_e164 or hotline.e164
    return False, hotline.number, hotline.e164


def _relevant(hotline: Hotline, place: str | None, home: str | None) -> bool:
    """Is the line meant for a person who is in ``place`` (None: somewhere the bot does not know)?"""
    if hotline.for_citizens and home not in hotline.for_citizens:
        return False
    if hotline.for_people_in == ABROAD:
        return place != home
    return place in (hotline.for_people_in or (hotline.country,))


def _lines_for(lines: list[Hotline], home: str | None, place: str | None) -> list[tuple[Hotline, str]]:
    """Rules 1–4 for a person from ``home`` who is in ``place``: (line, role), in order."""
    chosen: list[tuple[Hotline, str]] = []
    if place:
        chosen += [(h, "emergency") for h in lines if h.country == place and h.kind == "emergency"]
        chosen += [
            (h, "local")
            for h in lines
            if h.country == place and h.kind not in ("emergency", "iom") and not h.for_citizens
        ]
    if home:
        missions = [
            h for h in lines if h.for_citizens and h.kind not in ("emergency", "iom") and _relevant(h, place, home)
        ]
        # The home country's lines *in this country* first, then those that serve its citizens anywhere.
        missions.sort(key=lambda h: h.for_people_in == ABROAD)
        chosen += [(h, "home") for h in missions]
    if home and place != home:
        chosen += [
            (h, "home")
            for h in lines
            if h.country == home and not h.for_citizens and h.kind not in ("emergency", "iom") and h.from_abroad
        ]
    if place:
        chosen += [(h, "iom") for h in lines if h.country == place and h.kind == "iom"]
    return [(h, role) for h, role in chosen if _relevant(h, place, home) or role == "home"]


def route(content: Content, home: str | None, now: str | None, going: str | None = None) -> Routing:
    """The lines for a citizen of ``home`` who is ``now`` in a country (or "other"), maybe ``going`` elsewhere.

    ``going`` counts only for a person at home. Called with the old ``(content, home, current)``
    arguments it gives the card for where the person is, which is what the old callers meant.
    """
    home = _known(home)
    here = _known(now)
    going = _known(going) if here is not None and here == home and going != home else None
    lines = [h for h in content.hotlines if h.shown]
    listings: list[Listing] = []

    def add(hotline: Hotline, role: str) -> None:
        if any(item.hotline.id == hotline.id for item in listings):
            return
        dialable, number, e164 = reach(hotline, here)
        if role != "going" and not dialable:
            return
        listings.append(Listing(hotline, number, role, dialable, e164))

    for hotline, role in _lines_for(lines, home, here):
        add(hotline, role)
    if going:
        for hotline, _role in _lines_for(lines, home, going):
            if hotline.country in (going, home):
                add(hotline, "going")
    unreachable: list[Hotline] = []
    if home and here != home:
        unreachable = [
            h
            for h in lines
            if h.country == home and not h.for_citizens and h.kind not in ("emergency", "iom") and not reach(h, here)[0]
        ]
    return Routing(tuple(listings), tuple(unreachable), home, here, going, now)


def emergency_numbers(content: Content) -> list[tuple[str, str]]:
    """(country, emergency number) for every country the content knows."""
    return [(h.country, h.number) for h in content.hotlines if h.kind == "emergency" and h.shown]


# --- the card -----------------------------------------------------------------------------


def _date(day, lang: str) -> str:
    try:
        return format_date(day, format="long", locale=lang)
    except (ValueError, LookupError):
        return day.isoformat()


def card_contacts(routing: Routing, lang: str, limit: int = CONTACT_LIMIT) -> tuple[Contact, ...]:
    """Tap-to-call cards in E.164: the emergency number, then the home country's line, then a local line."""
    chosen: list[Contact] = []
    for role in ("emergency", "home", "local", "iom"):
        item = next((i for i in routing.listings if i.role == role and i.tap), None)
        if item and item.tap:
            chosen.append(Contact(item.tap, _contact_name(item.hotline.text(item.hotline.name, lang))))
    return tuple(chosen[:limit])


def _contact_name(name: str, limit: int = CONTACT_NAME_LIMIT) -> str:
    """Telegram's contact name is at most 64 characters: cut at a word, not inside one."""
    if len(name) <= limit:
        return name
    return name[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—-– ") + "…"


def _heading(item: Listing, lang: str) -> str:
    hotline = item.hotline
    name = _escape(hotline.text(hotline.name, lang))
    number = _escape(item.number)
    if item.how == "whatsapp" and item.link:
        return f'💬 <a href="{item.link}">WhatsApp {number}</a> — {name}'
    if item.how == "telegram" and item.link:
        return f'✈️ <a href="{item.link}">{number}</a> — {name}'
    icon = "🆘" if hotline.kind == "emergency" else "📞"
    if not item.dialable_here:
        return f"{icon} {number} — {name}"
    return f"{icon} <b>{number}</b> — {name}"


def _details(item: Listing, routing: Routing, lang: str, _: Gettext) -> list[str]:
    hotline = item.hotline
    inside = routing.current == hotline.country
    facts = []
    if hotline.hours:
        facts.append(_escape(hotline.text(hotline.hours, lang)))
    if hotline.languages:
        names = ", ".join(language_display(code, lang) for code in hotline.languages)
        facts.append(_escape(_("languages: {names}").format(names=names)))
    if hotline.toll_free and inside and item.how == "call":
        facts.append(_escape(_("free call")))
    if hotline.confidential:
        facts.append(_escape(_("confidential")))
    lines = ["   " + " · ".join(facts)] if facts else []
    if hotline.note:
        lines.append("   " + _escape(hotline.text(hotline.note, lang)))
    if hotline.also and item.how == "call":
        lines.append("   " + _escape(_("also: {numbers}").format(numbers=", ".join(hotline.also))))
    where = country_name(hotline.country, lang)
    if item.how == "whatsapp":
        lines.append("   " + _escape(_("WhatsApp only: write or call in WhatsApp.")))
    elif not item.dialable_here:
        only_there = _("Works only in {country}: save it for when you are there.").format(country=where)
        lines.append("   ⚠️ " + _escape(only_there))
    elif item.role == "going" and not inside and item.how == "call":
        lines.append("   " + _escape(_("Can be called from abroad.")))
    if hotline.verified:
        checked = _("checked by a call on {date}").format(date=_date(hotline.verified, lang))
        lines.append("   ✓ " + _escape(checked))
    return lines


def describe_listing(item: Listing, routing: Routing, lang: str, _: Gettext) -> str:
    """One line of the card, in the person's language: never a source, a file name or an English note."""
    return "\n".join([_heading(item, lang), *_details(item, routing, lang, _)])


def card_notes(routing: Routing, lang: str, _: Gettext) -> list[str]:
    """The honest sentences of the card (plain text): what the bot does not have, and plain advice."""
    notes = []
    if routing.place_unknown:
        notes.append(_("I have no local numbers for the country you are in."))
        notes.append(
            _(
                "Advice: in many countries, 112 reaches the emergency services from a mobile phone. "
                "If it does not work, ask people nearby to call the police."
            )
        )
    elif routing.no_mission:
        emergency = routing.emergency
        notes.append(
            _("I have no number for your country's embassy or consulate in {country}.").format(
                country=country_name(routing.current or "", lang)
            )
            + (" " + _("In an emergency, call {number}.").format(number=emergency.number) if emergency else "")
        )
    if routing.current and not routing.emergency:
        notes.append(
            _(
                "I have no emergency number for {country}. If you are in danger, ask people nearby to call the police."
            ).format(country=country_name(routing.current, lang))
        )
    if not routing.has_numbers:
        notes.append(_("I have no number for you that works from where you are."))
    return notes


def _who(routing: Routing, lang: str, _: Gettext) -> str:
    parts = []
    if routing.home:
        parts.append(_("citizenship: {country}").format(country=country_name(routing.home, lang)))
    if routing.current:
        parts.append(_("now in: {country}").format(country=country_name(routing.current, lang)))
    else:
        parts.append(_("now in: another country"))
    if routing.going:
        parts.append(_("going to: {country}").format(country=country_name(routing.going, lang)))
    return " · ".join(parts)


def sources(routing: Routing, lang: str, _: Gettext) -> str:
    """Where the card's numbers come from, as HTML for the "sources" button: public names and dates only."""
    title = _("Where these numbers come from")
    lines = [f"<b>{_escape(title)}</b>"]
    for item in routing.listings:
        hotline = item.hotline
        cite = hotline.cite or _("source not named")
        lines.append(f"{_escape(item.number)} — {_escape(cite)}")
    if any(not i.hotline.verified for i in routing.listings):
        lines.append(
            _escape(
                _(
                    "Volunteers check every number by calling it; until then it comes only from the "
                    "public sources above."
                )
            )
        )
    return "\n".join(lines)


def card(routing: Routing, lang: str, _: Gettext, title: str | None = None) -> Card:
    """The full hotline card, in the person's language throughout.

    Show it once per conversation, when asked, and in an emergency; later
    answers get :func:`one_line` and the :data:`HELP_BUTTON`.
    """
    heading = title or _("Where to get help")
    parts = [f"<b>{_escape(heading)}</b>\n{_escape(_who(routing, lang, _))}"]
    main = [i for i in routing.listings if i.role != "going"]
    parts += [describe_listing(item, routing, lang, _) for item in main]
    going = [i for i in routing.listings if i.role == "going"]
    if going and routing.going:
        header = _("If you go to {country}: save these numbers").format(country=country_name(routing.going, lang))
        parts.append(f"<b>{_escape(header)}</b>")
        parts += [describe_listing(item, routing, lang, _) for item in going]
    notes = card_notes(routing, lang, _)
    parts += [_escape(note) for note in notes]
    footer = []
    if routing.listings and not any(i.hotline.verified for i in routing.listings):
        footer.append(_("These numbers come from public sources and are not yet checked by a call."))
    elif any(not i.hotline.verified for i in routing.listings):
        footer.append(_("Numbers without ✓ are not yet checked by a call."))
    emergency = routing.emergency
    if emergency and len(main) > 1:
        footer.append(_("If a number does not answer, call {number}.").format(number=emergency.number))
    if footer:
        parts.append("<i>" + _escape(" ".join(footer)) + "</i>")
    return Card("\n\n".join(parts), card_contacts(routing, lang), sources(routing, lang, _), tuple(notes))


def one_line(routing: Routing, lang: str, _: Gettext) -> str:
    """The short reminder under later answers: the emergency number here, or the plain 112 advice."""
    emergency = routing.emergency
    if emergency:
        where = country_name(emergency.hotline.country, lang)
        return "🆘 " + _escape(_("Emergency in {country}:").format(country=where)) + f" <b>{emergency.number}</b>"
    return "🆘 " + _escape(
        _("In many countries, 112 reaches the emergency services from a mobile phone (advice, not a guarantee).")
    )


def generic_card(content: Content, lang: str, _: Gettext, title: str | None = None) -> Card:
    """When the countries are unknown: every known country's emergency number, and the plain advice."""
    heading = title or _("Where to get help")
    numbers = "\n".join(
        f"🆘 {_escape(country_name(country, lang))}: <b>{_escape(number)}</b>"
        for country, number in emergency_numbers(content)
        if country in PICKER_COUNTRIES
    )
    advice = _(
        "Advice: in many countries, 112 reaches the emergency services from a mobile phone. "
        "If it does not work, ask people nearby to call the police."
    )
    body = f"<b>{_escape(heading)}</b>\n\n{numbers}\n\n{_escape(advice)}"
    return Card(body, (), "", (advice,))


def card_for(
    content: Content,
    home: str | None,
    now: str | None,
    going: str | None,
    lang: str,
    _: Gettext,
    title: str | None = None,
) -> Card:
    """The card the dialogue sends: routed when the bot knows either country, else the generic one."""
    if not _known(home) and not _known(now) and now != OTHER:
        return generic_card(content, lang, _, title)
    return card(route(content, home, now, going), lang, _, title)


# --- the matrix: every citizenship x where-now (x going) ------------------------------------


def matrix_cases() -> list[tuple[str, str, str | None]]:
    """(home, now, going) for every origin country: at home (and going to each destination), abroad, other."""
    cases: list[tuple[str, str, str | None]] = []
    for home in ORIGIN_COUNTRIES:
        cases.append((home, home, None))
        cases += [(home, home, going) for going in DESTINATION_COUNTRIES if going != home]
        cases += [(home, now, None) for now in DESTINATION_COUNTRIES if now != home]
        cases.append((home, OTHER, None))
    return cases


def matrix_row(content: Content, home: str, now: str, going: str | None, lang: str, _: Gettext) -> dict:
    """What the card shows for one case, as the JSON ``python -m bot hotlines --json`` prints."""
    routing = route(content, home, now, going)
    shown = card(routing, lang, _)
    return {
        "home": home,
        "now": now,
        "going": routing.going,  # ignored unless the person is at home
        "lang": lang,
        "numbers": [
            {
                "id": item.hotline.id,
                "number": item.number,
                "e164": item.e164,
                "kind": item.hotline.kind,
                "role": item.role,
                "how": item.how,
                "dialable_here": item.dialable_here,
            }
            for item in routing.listings
        ],
        "contacts": [c.phone_number for c in shown.contacts],
        "notes": list(shown.notes),
    }


def matrix_line(row: dict) -> str:
    """One readable line per case: numbers in card order; (…) = not dialable from here, saved for later."""
    case = f"{row['home']} now {row['now']}" + (f" going {row['going']}" if row["going"] else "")
    numbers = []
    for number in row["numbers"]:
        text = f"{number['number']} [{number['kind']}]"
        if number["how"] != "call":
            text = f"{number['how']}:{text}"
        if number["role"] == "going":
            text = "→" + text
        if not number["dialable_here"]:
            text = f"({text} only there)"
        numbers.append(text)
    shown = " · ".join(numbers) or "—"
    notes = " | ".join(row["notes"])
    return f"{case:<22} {shown}" + (f"  || {notes}" if notes else "")


def matrix(content: Content, lang: str, _: Gettext, cases=None) -> list[dict]:
    """One row per (home, now, going) case, every case by default: the whole routing table for review."""
    return [matrix_row(content, home, now, going, lang, _) for home, now, going in (cases or matrix_cases())]
