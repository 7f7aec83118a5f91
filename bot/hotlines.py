"""Which numbers to give a person, in which order, and how to show them.

The routing follows the campaign's hotline facts: (1) the emergency number
of the country the person is in, (2) that country's line for trafficking
or migrants, (3) the home country's line, only in a form reachable from
where they are, (4) the IOM office. A number from a country that is
neither the person's home nor where they are is never shown.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.content import Content, Hotline
from bot.i18n import Gettext, country_name, language_display

ORIGIN_COUNTRIES = ("KG", "TJ", "UZ", "KZ", "TM")
DESTINATION_COUNTRIES = ("RU", "KZ", "TR", "AE", "KR")
PICKER_COUNTRIES = ("KG", "TJ", "UZ", "KZ", "TM", "RU", "TR", "AE", "KR")
OTHER = "other"
CONTACT_NAME_LIMIT = 64


@dataclass(frozen=True)
class Listing:
    hotline: Hotline
    number: str  # as the person should dial it from where they are
    role: str  # emergency | local | home | iom


@dataclass(frozen=True)
class Contact:
    phone_number: str
    name: str


@dataclass(frozen=True)
class Routing:
    listings: tuple[Listing, ...]
    home_unreachable: tuple[Hotline, ...]  # home lines that only work inside the home country
    home: str | None
    current: str | None


def _known(country: str | None) -> str | None:
    return country if country and country != OTHER else None


def dial_number(hotline: Hotline, where: str | None) -> str | None:
    """The number in the form that works from ``where``, or None if it cannot be reached."""
    if where is None or where == hotline.country:
        return hotline.number
    if hotline.international and (hotline.from_abroad or hotline.number.startswith("+")):
        return hotline.international
    return None


def route(content: Content, home: str | None, current: str | None) -> Routing:
    home, current = _known(home), _known(current)
    here = current or home  # before departure, a person is at home
    listings: list[Listing] = []
    unreachable: list[Hotline] = []

    def add(hotline: Hotline, role: str) -> None:
        number = dial_number(hotline, here)
        if number and all(item.hotline.id != hotline.id for item in listings):
            listings.append(Listing(hotline, number, role))

    def serves(hotline: Hotline) -> bool:
        return not hotline.for_citizens or (home in hotline.for_citizens)

    lines = content.hotlines
    if here:
        for hotline in lines:
            if hotline.country == here and hotline.kind == "emergency":
                add(hotline, "emergency")
        for hotline in lines:
            if hotline.country == here and hotline.kind in ("hotline", "labour", "ministry") and serves(hotline):
                add(hotline, "local")
    if home and home != here:
        for hotline in lines:
            if hotline.country == home and hotline.kind == "hotline":
                if dial_number(hotline, here):
                    add(hotline, "home")
                else:
                    unreachable.append(hotline)
    for country in dict.fromkeys(c for c in (here, home) if c):
        for hotline in lines:
            if hotline.country == country and hotline.kind == "iom":
                add(hotline, "iom")
        if any(item.role == "iom" for item in listings):
            break
    return Routing(tuple(listings), tuple(unreachable), home, current)


def emergency_numbers(content: Content) -> list[tuple[str, str]]:
    """(country, emergency number) for every country the content knows."""
    return [(h.country, h.number) for h in content.hotlines if h.kind == "emergency"]


def contacts(routing: Routing, lang: str, limit: int = 3) -> list[Contact]:
    """The main numbers as tap-to-call contact cards."""
    chosen: list[Contact] = []
    for role in ("emergency", "local", "home"):
        for item in routing.listings:
            if item.role == role:
                chosen.append(Contact(item.number, _contact_name(item.hotline.text(item.hotline.name, lang))))
                break
    return chosen[:limit]


def _contact_name(name: str, limit: int = CONTACT_NAME_LIMIT) -> str:
    """Telegram's contact name is at most 64 characters: cut at a word, not inside one."""
    if len(name) <= limit:
        return name
    return name[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—-– ") + "…"


def describe(item: Listing, lang: str, _: Gettext) -> str:
    hotline = item.hotline
    name = html.escape(hotline.text(hotline.name, lang))
    where = html.escape(country_name(hotline.country, lang))
    icon = "🆘" if item.role == "emergency" else "📞"
    lines = [f"{icon} <b>{html.escape(item.number)}</b> — {name} ({where})"]
    details = []
    if hotline.hours:
        details.append(html.escape(hotline.text(hotline.hours, lang)))
    if hotline.languages:
        names = ", ".join(language_display(code, lang) for code in hotline.languages)
        details.append(_("languages: {names}").format(names=html.escape(names)))
    if hotline.toll_free:
        details.append(_("free call"))
    if details:
        lines.append("   " + " · ".join(details))
    if hotline.note:
        lines.append("   " + html.escape(hotline.text(hotline.note, lang)))
    if hotline.verified:
        checked = _("checked by a call on {date}").format(date=hotline.verified.isoformat())
    else:
        checked = _("not yet checked by a call")
    # TRANSLATORS: where a phone number comes from, and whether a volunteer has called it.
    lines.append(
        "   <i>"
        + _("source: {source} · {checked}").format(source=html.escape(hotline.source), checked=checked)
        + "</i>"
    )
    return "\n".join(lines)


def render_card(routing: Routing, lang: str, _: Gettext, title: str | None = None) -> str:
    heading = title or _("Where to get help")
    parts = [f"<b>{html.escape(heading)}</b>"]
    if routing.home or routing.current:
        home = country_name(routing.home, lang) if routing.home else "—"
        current = country_name(routing.current, lang) if routing.current else home
        parts.append(html.escape(_("For a citizen of {home}, now in {current}.").format(home=home, current=current)))
    parts += [describe(item, lang, _) for item in routing.listings]
    for hotline in routing.home_unreachable:
        parts.append(
            html.escape(
                _(
                    "{name} works only inside {country}. From abroad, contact your country's consulate or embassy."
                ).format(name=hotline.text(hotline.name, lang), country=country_name(hotline.country, lang))
            )
        )
    if not any(item.role == "emergency" for item in routing.listings):
        parts.append(
            html.escape(
                _(
                    "We do not have a checked emergency number for this country. If you are in danger, ask "
                    "people nearby to call the police, or contact your consulate."
                )
            )
        )
    parts.append(
        html.escape(
            _(
                "Calls are confidential and you do not have to give your name. If a number does not "
                "answer, call the emergency number."
            )
        )
    )
    return "\n\n".join(parts)
