"""Routing, the card and the hotline checks: every citizenship x where the person is, on the real content."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from bot import hotlines
from bot.config import PROJECT_ROOT
from bot.content_check import check
from bot.hotlines import OTHER, card, generic_card, matrix_cases, one_line, route
from bot.i18n import I18n
from tests.conftest import run_cli

LANGUAGES = ("en", "ru", "ky", "tg")
CASES = matrix_cases()


@pytest.fixture(scope="module")
def i18n(real_content) -> I18n:
    return I18n(PROJECT_ROOT / "locales", real_content.languages)


def case_id(case) -> str:
    home, now, going = case
    return f"{home}-{now}" + (f"-{going}" if going else "")


def test_the_matrix_covers_every_citizenship_and_place():
    assert len(CASES) == 58
    assert ("TJ", "TJ", "AE") in CASES and ("KG", OTHER, None) in CASES and ("KZ", "KZ", "KZ") not in CASES


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_case_gives_a_number_that_works_here_or_says_honestly_it_has_none(real_content, i18n, case):
    home, now, going = case
    routing = route(real_content, home, now, going)
    shown = card(routing, "en", i18n.gettext("en"))
    here = None if now == OTHER else now
    dialable = [i for i in routing.listings if i.dialable_here and i.how == "call" and i.role != "going"]
    if not dialable:
        assert "I have no" in shown.html and "112 reaches the emergency services" in shown.html
    for item in routing.listings:
        # The person's own countries only.
        assert item.hotline.country in {home, here, going}, item.hotline.id
        if item.how != "call":
            continue
        if item.hotline.country != here:
            # Offered from abroad: only a line marked so, in a form that works from abroad.
            assert item.hotline.from_abroad or not item.dialable_here, item.hotline.id
            if item.dialable_here:
                assert item.number.startswith("+"), item.number
        if not item.dialable_here:
            name = html.escape(item.hotline.text(item.hotline.name, "en"))
            assert item.role == "going" and f" {item.number} — {name}" in shown.html  # not bold: not to call now
            assert "save it for when you are there" in shown.html
    for contact in shown.contacts:
        assert re.fullmatch(r"\+[1-9]\d{6,14}|\d{2,6}", contact.phone_number), contact
        if here != home:
            assert contact.phone_number.startswith("+") or contact.phone_number in {
                re.sub(r"\D", "", i.number) for i in routing.listings if i.hotline.country == here
            }
    if here != home:
        # The home country's in-country numbers (189, 0800 0000 189, 12-82) are not on a card abroad at all.
        listed = {i.number for i in routing.listings}
        domestic = {
            h.number
            for h in real_content.hotlines
            if h.country == home and h.kind != "emergency" and not h.from_abroad and h.channel == "call"
        }
        assert not [n for n in domestic - listed if re.search(rf"(?<![\d+]){re.escape(n)}(?!\d)", shown.html)]
    # Never a probably discontinued line, never the operators' notes.
    assert "8 800 333 00 16" not in shown.html
    assert "seed" not in shown.html + shown.sources_html and ".txt" not in shown.html + shown.sources_html


def test_at_home_going_to_the_uae_gets_home_112_first_and_uae_lines_marked(real_content, i18n):
    routing = route(real_content, "TJ", "TJ", "AE")
    assert (routing.listings[0].hotline.id, routing.listings[0].number) == ("tj-emergency", "112")
    shown = card(routing, "en", i18n.gettext("en"))
    uae = [i for i in routing.listings if i.hotline.country == "AE"]
    assert {i.number for i in uae} >= {"999", "800 7283", "80060"}
    assert all(i.role == "going" and not i.dialable_here for i in uae)
    before, trip = shown.html.split("If you go to United Arab Emirates")
    assert "<b>112</b>" in before and "999" not in before
    assert trip.count("Works only in United Arab Emirates: save it for when you are there.") == len(uae)
    assert [c.phone_number for c in shown.contacts] == ["112", "+992487010202"]  # nothing from the UAE to tap


def test_going_to_turkey_offers_the_line_that_works_from_abroad(real_content, i18n):
    routing = route(real_content, "KZ", "KZ", "TR")
    yimer = next(i for i in routing.listings if i.hotline.id == "tr-yimer-157")
    assert (yimer.number, yimer.e164, yimer.dialable_here) == ("+90 312 157 11 12", "+903121571112", True)
    assert "Can be called from abroad." in card(routing, "en", i18n.gettext("en")).html


def test_kyrgyz_citizen_in_russia_gets_112_and_the_embassy_as_contacts(real_content, i18n):
    shown = card(route(real_content, "KG", "RU"), "ru", i18n.gettext("ru"))
    assert [c.phone_number for c in shown.contacts] == ["112", "+79251155047"]
    assert "Посольство Кыргызстана в России" in shown.html and "+7 925 285 50 47" in shown.html
    assert "189" not in shown.html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_other_country_never_shows_a_domestic_kyrgyz_number(real_content, i18n, lang):
    routing = route(real_content, "KG", OTHER)
    shown = card(routing, lang, i18n.gettext(lang))
    assert "189" not in shown.html and "112</b>" not in shown.html
    assert [i.hotline.id for i in routing.listings] == ["kg-consular-department"]
    assert "112" in shown.html  # the advice, as advice


def test_whatsapp_and_telegram_lines_are_links_not_call_buttons(real_content, i18n):
    tj = card(route(real_content, "TJ", "RU"), "en", i18n.gettext("en"))
    assert '<a href="https://wa.me/79999125868">WhatsApp +7 999 912 58 68</a>' in tj.html
    assert "+79999125868" not in [c.phone_number for c in tj.contacts]
    uz = card(route(real_content, "UZ", OTHER), "en", i18n.gettext("en"))
    assert '<a href="https://t.me/huquqiyyordamuzbot">' in uz.html and uz.contacts == ()


def test_no_mission_is_said_plainly_with_the_local_emergency_number(real_content, i18n):
    shown = card(route(real_content, "KZ", "RU"), "en", i18n.gettext("en"))
    assert "I have no number for your country's embassy or consulate in Russia. In an emergency, call 112." in (
        shown.html
    )


@pytest.mark.parametrize("lang", ["ru", "ky", "tg"])
def test_the_card_speaks_the_persons_language_and_keeps_sources_behind_a_button(real_content, i18n, lang):
    routing = route(real_content, "KG", "TR")
    shown = card(routing, lang, i18n.gettext(lang))
    text = re.sub(r"<[^>]+>|https?://\S+", "", shown.html)
    names = {"MER", "WhatsApp", "Telegram", "MOHRE", "SAVE"}  # YİMER, 800SAVE: the lines' own names
    assert set(re.findall(r"[A-Za-z]{2,}", text)) <= names
    assert "kaktus.media" not in shown.html and "kaktus.media" in shown.sources_html
    assert "confidential" not in shown.html.lower()


def test_free_and_checked_only_where_the_data_says_so(real_content, i18n):
    _ = i18n.gettext("en")
    ru = card(route(real_content, "KG", "RU"), "en", _).html
    assert ru.count("free call") == 1  # Russia's 112, not the embassy
    assert "checked by a call on" not in ru
    assert ru.count("not yet checked by a call") == 1  # one quiet line for the whole card


def test_one_line_and_generic_card(real_content, i18n):
    _ = i18n.gettext("en")
    assert one_line(route(real_content, "KG", "RU"), "en", _) == "🆘 Emergency in Russia: <b>112</b>"
    assert "112 reaches the emergency services" in one_line(route(real_content, "KG", OTHER), "en", _)
    generic = generic_card(real_content, "en", _)
    assert "Russia: <b>112</b>" in generic.html and "United Arab Emirates: <b>999</b>" in generic.html


def test_card_for_unknown_countries_is_the_generic_card(real_content, i18n):
    _ = i18n.gettext("en")
    assert hotlines.card_for(real_content, None, None, None, "en", _) == generic_card(real_content, "en", _)
    other = hotlines.card_for(real_content, None, OTHER, None, "en", _)
    assert "I have no local numbers" in other.html and "I have no number for you" in other.html


def test_verified_line_says_when_it_was_checked(mini_content, i18n):
    from bot.content import load_content

    content = load_content(mini_content).content
    shown = card(route(content, "KG", "KG"), "en", i18n.gettext("en"))
    assert "✓ checked by a call on January 10, 2026" in shown.html
    assert "Numbers without ✓ are not yet checked by a call." in shown.html


def test_cli_prints_one_line_per_case_and_json_for_one():
    out = run_cli("hotlines", "--lang", "en").stdout.splitlines()
    assert len(out) == len(CASES)
    assert out[0].startswith("KG now KG") and "189 [hotline]" in out[0]
    row = json.loads(run_cli("hotlines", "--home", "KG", "--now", "RU", "--json").stdout)
    assert row["home"] == "KG" and row["now"] == "RU" and row["lang"] == "ru"
    assert {"id": "ru-emergency", "number": "112", "e164": None, "kind": "emergency"}.items() <= row["numbers"][
        0
    ].items()
    assert row["numbers"][0]["dialable_here"] is True


# --- the checks volunteers see ------------------------------------------------------------


def problems(root: Path) -> list[tuple[int, str, str]]:
    return [(p.line, p.message, p.severity) for p in check(root).problems if Path(p.path).name == "hotlines.yaml"]


def add_line(root: Path, entry: str) -> None:
    path = root / "hotlines.yaml"
    path.write_text(path.read_text(encoding="utf-8") + entry, encoding="utf-8")


def test_a_typo_in_a_number_is_an_error_at_its_line(mini_content):
    add_line(
        mini_content,
        '  - id: kg-embassy-russia\n    country: RU\n    number: "+7 925 115 50"\n    kind: embassy\n'
        '    name: {en: "Embassy"}\n    source: "s"\n    verified: null\n',
    )
    assert (35, "'+7 925 115 50' is not a valid phone number of RU: check the digits", "error") in problems(
        mini_content
    )


def test_a_number_where_a_text_is_expected_is_an_error_with_the_fix(mini_content):
    add_line(
        mini_content,
        '  - id: ae-mohre\n    country: AE\n    number: "80060"\n    kind: labour\n    name: {en: "MOHRE"}\n'
        '    hours:\n      ru: 24\n    source: "s"\n    verified: null\n',
    )
    assert (39, "'hours': the ru text is 24 (a number); write a text in quotes, like ru: \"24\"", "error") in (
        problems(mini_content)
    )


def test_unknown_field_suggests_the_closest_and_lists_the_known(mini_content):
    add_line(
        mini_content,
        '  - id: kg-x\n    country: KG\n    number: "+996 999 312 002"\n    kind: consular\n'
        '    name: {en: "X"}\n    from_abraod: true\n    source: "s"\n    verified: null\n',
    )
    found = [m for line, m, _s in problems(mini_content) if line == 38]
    assert found and found[0].startswith("unknown field 'from_abraod'; did you mean 'from_abroad'? (known: id,")


def test_a_short_number_must_be_declared(mini_content):
    add_line(
        mini_content,
        '  - id: kz-116\n    country: KZ\n    number: "116 16"\n    kind: hotline\n'
        '    name: {en: "X"}\n    source: "s"\n    verified: null\n',
    )
    assert (35, "'116 16' is not a full number of KZ: if it is a short number, add 'short: true'", "warning") in (
        problems(mini_content)
    )


def test_every_real_number_parses_and_tap_to_call_uses_e164(real_content):
    for hotline in real_content.hotlines:
        if hotline.channel == "telegram":
            continue
        assert hotline.e164, hotline.id
        if not hotline.short:
            assert re.fullmatch(r"\+[1-9]\d{6,14}", hotline.e164), hotline.id
    at_home = {i.hotline.id: i for i in hotlines.route(real_content, "KG", "KG").listings}
    assert at_home["kg-iom-hotline"].e164 == "+9968000000189"  # 0800 0000 189, toll-free inside Kyrgyzstan
    assert not [p for p in check(PROJECT_ROOT / "content").problems if "hotlines" in p.path and p.severity == "error"]


def test_a_tajik_in_russia_is_given_first_the_lines_that_answered_a_test_call(real_content, i18n):
    """hotlines.md: in a 2024 press test +7 495 967 98 44 often went unanswered, two representatives answered."""
    shown = hotlines.card_for(real_content, "TJ", "RU", None, "ru", i18n.gettext("ru"))
    taps = [c.phone_number for c in shown.contacts]
    assert taps[:2] == ["112", "+79660312222"]
    text = shown.html
    assert text.index("+7 966 031 22 22") < text.index("+7 926 311 52 53") < text.index("+7 495 967 98 44")
