"""The real bot, in polling mode, talking to Telegram users through a local Bot API emulator.

Every test is a new user; see conftest.py for the processes and telegram_user.py for the driver.
"""

from __future__ import annotations

import re

import pytest

from bot.config import MatchThresholds
from bot.content import Content
from bot.hotlines import PICKER_COUNTRIES
from bot.matching import Matcher
from tests.e2e.conftest import CONTENT, OPERATOR_ID
from tests.e2e.telegram_user import Reply, TelegramUser, describe

pytestmark = pytest.mark.e2e

LANGUAGES = ("ky", "tg", "ru", "en")
PASSPORT_TOPIC = "trouble-passport-taken"
ERROR_SIGNS = ("something went wrong", "произошла ошибка")


def needs_language(content: Content, *langs: str) -> None:
    missing = [lang for lang in langs if lang not in content.languages]
    if missing:
        pytest.skip(f"the content in use has no {', '.join(missing)} (SAFAR_E2E_CONTENT)")


def answered_topic(replies: list[Reply]) -> str | None:
    """The topic of an answer: its feedback buttons carry the topic id (fb:<id>:1)."""
    for reply in replies:
        for data in reply.data_with_prefix("fb:"):
            return data.split(":")[1]
    return None


def suggested_topics(replies: list[Reply]) -> list[str]:
    return [data[2:] for reply in replies for data in reply.data_with_prefix("s:")]


def assert_no_error_reply(replies: list[Reply]) -> None:
    for reply in replies:
        assert not any(sign in reply.text for sign in ERROR_SIGNS), describe(replies)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# --- onboarding ------------------------------------------------------------------------------


async def test_start_language_and_countries(user: TelegramUser, content: Content, bot_api):
    replies = await user.ask("/start")
    assert_no_error_reply(replies)
    picker = replies[-1]
    assert sorted(picker.data_with_prefix("lang:")) == sorted(f"lang:{lang}" for lang in content.languages)
    if CONTENT == "real":
        assert set(LANGUAGES) <= set(content.languages), "the bot ships in all four languages"

    await user.press("lang:ru")
    replies = await user.wait_replies()
    assert any(reply.keyboard for reply in replies), "the persistent menu keyboard is shown"
    homes = replies[-1].data_with_prefix("home:")
    assert {f"home:{code}" for code in PICKER_COUNTRIES} <= set(homes), describe(replies)

    replies = await user.tap("home:KG")
    assert {f"cur:{code}" for code in PICKER_COUNTRIES} <= set(replies[-1].data_with_prefix("cur:"))

    replies = await user.tap("cur:RU")
    assert_no_error_reply(replies)
    assert replies[-1].data_with_prefix("cat:"), "the topic categories follow: " + describe(replies)

    await user.settle()
    answers = await user.callback_answers()
    assert set(answers) == set(user.pressed), "every pressed button is answered (no endless spinner)"

    commands = {c["command"] for c in await user.bot_commands()}
    assert {"start", "help", "hotline", "sos", "language"} <= commands


async def test_a_second_start_keeps_the_settings(user: TelegramUser):
    await user.onboard("ru", "TJ", "RU")
    replies = await user.ask("/start")
    assert replies[-1].data_with_prefix("lang:")
    assert "✓" in replies[-1].find_button("lang:ru").label, "the chosen language is ticked"


# --- questions ---------------------------------------------------------------------------------

QUESTIONS = [
    # (interface language, question, its topic when obvious; None: an answer or a suggestion)
    pytest.param("ru", "у меня забрали паспорт", PASSPORT_TOPIC, id="ru"),
    pytest.param("ru", "pasport zabrali", None, id="ru-latin"),
    pytest.param("en", "my boss took my passport", PASSPORT_TOPIC, id="en"),
    pytest.param("ky", "хозяин паспортту алып койду", None, id="ky"),
    pytest.param("ky", "hozyain pasportumdu alyp koidu", None, id="ky-latin"),
    pytest.param("ky", "хозяин паспортту алып койду бербей жатат", None, id="ky-no-special-letters"),
    pytest.param("tg", "корфармо шиносномаро гирифт", None, id="tg"),
    pytest.param("tg", "korfarmo shinosnomamro girift", None, id="tg-latin"),
]


@pytest.mark.parametrize(("lang", "text", "topic"), QUESTIONS)
async def test_questions_in_every_language(
    user: TelegramUser, content: Content, lang: str, text: str, topic: str | None
):
    needs_language(content, lang)
    await user.onboard(lang, "KG", "RU")
    replies = await user.ask(text)
    assert_no_error_reply(replies)
    found, suggested = answered_topic(replies), suggested_topics(replies)
    assert found or suggested, f"{text!r}: neither an answer nor 'did you mean':\n{describe(replies)}"
    if topic:
        assert found == topic, describe(replies)
        title = content.topic(topic, lang).title
        answer = next(r for r in replies if r.data_with_prefix("fb:"))
        assert title in answer.text, "the answer is in the chosen language"


def unsure_question(content: Content, lang: str) -> str:
    """A question the matcher is unsure about ("did you mean"), found in the content itself."""
    matcher = Matcher(content, MatchThresholds())
    preferred = ["работа", "деньги", "виза", "документы для работы", "агентство", "зарплата"]
    words = sorted(
        {
            word
            for topic_id in content.topic_ids
            if (topic := content.topic(topic_id, lang))
            for question in topic.questions
            for word in re.findall(r"[^\W\d_]{4,}", question.casefold())
        }
    )
    for text in [*preferred, *words]:
        decision = matcher.decide(text, lang)
        if decision.decision == "suggest" and not decision.emergency:
            return text
    pytest.fail(f"no word of the {lang} questions gets 'did you mean'")


async def test_did_you_mean_then_feedback(user: TelegramUser, content: Content):
    """Ask something the matcher is unsure about, take a suggestion, rate the answer."""
    question = unsure_question(content, "ru")

    await user.onboard("ru", "KG", "RU")
    replies = await user.ask(question)
    suggestions = suggested_topics(replies)
    assert suggestions, f"{question!r} should get 'did you mean':\n{describe(replies)}"
    assert set(suggestions) <= set(content.topic_ids)
    assert any("none" in r.callback_data for r in replies), describe(replies)

    choice = suggestions[0]
    replies = await user.tap(f"s:{choice}")
    assert answered_topic(replies) == choice, describe(replies)
    assert content.topic(choice, "ru").title in replies[0].text

    replies = await user.tap(f"fb:{choice}:1")
    assert len(replies) == 1 and not replies[0].buttons, describe(replies)
    assert_no_error_reply(replies)

    replies = await user.ask(question)
    replies = await user.tap("none")
    assert any(r.data_with_prefix("cat:") for r in replies), "after 'none', the topics:\n" + describe(replies)

    await user.settle()
    assert set(await user.callback_answers()) == set(user.pressed)


async def test_related_topic_button(user: TelegramUser, content: Content):
    await user.onboard("en", "KG", "RU")
    replies = await user.ask("my boss took my passport")
    related = [d for r in replies for d in r.data_with_prefix("t:")]
    if not related:
        pytest.skip("the passport topic has no related topics in this content")
    replies = await user.tap(related[0])
    assert answered_topic(replies) == related[0][2:]


# --- emergencies and hotlines ----------------------------------------------------------------


async def test_emergency_card_comes_first(user: TelegramUser):
    await user.onboard("ru", "KG", "RU")
    replies = await user.ask("помогите нас заперли")
    assert_no_error_reply(replies)
    first = replies[0]
    assert first.text.startswith("🆘"), "the emergency card is the first reply:\n" + describe(replies)
    assert "112" in first.text, "Russia's emergency number:\n" + first.text
    contacts = [r.contact for r in replies if r.contact]
    assert contacts and contacts[0]["phone_number"] == "112", describe(replies)


async def test_emergency_before_countries_lists_numbers_and_asks_where(user: TelegramUser):
    await user.send("/start")
    await user.wait_for_buttons("lang:")
    replies = await user.ask("помогите нас заперли")
    first = replies[0]
    assert first.text.startswith("🆘"), describe(replies)
    assert "112" in first.text
    assert first.data_with_prefix("sos:"), "the card asks where the person is"
    # The promise is kept on the next tap: Russia's card at once, then the citizenship question.
    await user.press("sos:RU")
    replies = await user.wait_replies()
    assert replies[0].text.startswith("🆘") and "112" in replies[0].text, describe(replies)
    assert "Росси" in replies[0].text, describe(replies)
    assert any(r.contact and r.contact["phone_number"] == "112" for r in replies), describe(replies)
    assert replies[-1].data_with_prefix("home:"), "then the citizenship, for the consulate lines"


async def test_a_photo_with_a_cry_for_help_in_its_caption_gets_the_emergency_card(user: TelegramUser):
    await user.onboard("ru", "KG", "RU")
    await user.send_media("photo", caption="помогите нас заперли")
    replies = await user.wait_replies()
    assert replies[0].text.startswith("🆘") and "112" in replies[0].text, describe(replies)


async def test_a_voice_note_gets_a_way_to_help(user: TelegramUser):
    await user.onboard("ky", "KG", "RU")
    await user.send_media("voice")
    replies = await user.wait_replies()
    assert_no_error_reply(replies)
    assert replies[0].data_with_prefix("menu:sos") and replies[0].data_with_prefix("menu:hotline"), describe(replies)
    await user.press("menu:sos")
    replies = await user.wait_replies()
    assert replies[0].text.startswith("🆘") and "112" in replies[0].text, describe(replies)


async def test_a_shared_location_brings_that_countrys_card(user: TelegramUser):
    await user.onboard("ru", "KG", "KG")
    await user.send_media("location", latitude=55.7558, longitude=37.6173)  # Moscow
    replies = await user.wait_replies()
    assert replies[0].text.startswith("🆘") and "Росси" in replies[0].text, describe(replies)


async def test_hotline_sends_a_card_and_contacts(user: TelegramUser):
    await user.onboard("ru", "KG", "RU")
    replies = await user.ask("/hotline")
    assert_no_error_reply(replies)
    cards = [r for r in replies if r.text]
    contacts = [r.contact for r in replies if r.contact]
    assert cards and contacts, describe(replies)
    assert replies.index(cards[0]) < replies.index(next(r for r in replies if r.contact))
    for contact in contacts:
        assert contact["first_name"].strip()
        assert digits(contact["phone_number"]) in digits(cards[0].text), (contact, cards[0].text)
    assert contacts[0]["phone_number"] == "112"


async def test_sos_command(user: TelegramUser, content: Content):
    needs_language(content, "ky")
    await user.onboard("ky", "KG", "RU")
    replies = await user.ask("/sos")
    assert replies[0].text.startswith("🆘") and "112" in replies[0].text
    assert any(r.contact for r in replies)


# --- odd input ---------------------------------------------------------------------------------


async def test_unknown_command_gets_help(user: TelegramUser):
    await user.onboard("ru", "KG", "RU")
    replies = await user.ask("/frobnicate")
    assert_no_error_reply(replies)
    assert any("/hotline" in r.text for r in replies), describe(replies)


async def test_operator_command_is_unknown_to_others(user: TelegramUser):
    await user.onboard("ru", "KG", "RU")
    assert user.user_id != OPERATOR_ID
    replies = await user.ask("/reload")
    assert_no_error_reply(replies)
    assert not any("reloaded" in r.text.lower() for r in replies)
    assert any("/hotline" in r.text for r in replies)


async def test_very_long_message(user: TelegramUser):
    await user.onboard("ru", "KG", "RU")
    sentence = "Работодатель забрал паспорт и не платит зарплату уже три месяца. "
    text = (sentence * 80)[:4000]
    replies = await user.ask(text)
    assert_no_error_reply(replies)
    assert all(len(r.text) <= 4096 for r in replies)


async def test_html_in_user_text_is_harmless(user: TelegramUser):
    await user.onboard("ru", "KG", "RU")
    text = '<b>паспорт</b> <script>alert("x")</script> & <a href="http://evil">забрали</a> </i>'
    replies = await user.ask(text)
    # The emulator parses every reply like Telegram does: a reply that echoed the tags
    # unescaped would have been refused (400) and the bot log checked by the fixture.
    assert_no_error_reply(replies)
    for reply in replies:
        assert "<script" not in (reply.html or ""), reply.html
        assert not any(e.get("url") == "http://evil" for e in reply.entities)


async def test_menu_buttons_are_understood(user: TelegramUser):
    replies = await user.onboard("ru", "KG", "RU")
    keyboard = next(r.keyboard for r in reversed(user.history) if r.keyboard)
    labels = [label for row in keyboard for label in row]
    hotline = next(label for label in labels if label.startswith("☎"))
    replies = await user.ask(hotline)
    assert any(r.contact for r in replies), describe(replies)


# --- deep links --------------------------------------------------------------------------------


async def test_deep_link_opens_the_topic_in_kyrgyz(make_user, content: Content):
    needs_language(content, "ky")
    user = make_user(language_code="ru")  # the link's language wins over the phone's
    replies = await user.ask(f"/start ky-{PASSPORT_TOPIC}")
    assert_no_error_reply(replies)
    topic = content.topic(PASSPORT_TOPIC, "ky")
    assert topic.title in replies[0].text, describe(replies)
    assert replies[-1].data_with_prefix("home:"), "then the bot asks for the citizenship"
    replies = await user.tap("home:KG")
    replies = await user.tap("cur:RU")
    replies = await user.ask("/hotline")
    assert any(r.contact for r in replies)


async def test_deep_link_with_unknown_topic_just_greets(user: TelegramUser):
    replies = await user.ask("/start xx-no-such-topic-src-flyer")
    assert replies[-1].data_with_prefix("lang:"), describe(replies)


async def test_phone_language_is_used_first(make_user, content: Content):
    needs_language(content, "en")
    user = make_user(language_code="en-GB")
    replies = await user.ask("/start")
    assert "✓" in replies[-1].find_button("lang:en").label


# --- settings ----------------------------------------------------------------------------------


async def test_browse_a_category_to_an_answer(user: TelegramUser):
    replies = await user.onboard("ru", "TJ", "RU")
    category = replies[-1].data_with_prefix("cat:")[0]
    replies = await user.tap(category)
    topics = replies[-1].data_with_prefix("t:")
    assert topics, describe(replies)
    replies = await user.tap(topics[0])
    assert answered_topic(replies) == topics[0][2:]


async def test_change_language_keeps_the_countries(user: TelegramUser, content: Content):
    needs_language(content, "en")
    await user.onboard("ru", "KG", "RU")
    replies = await user.ask("/language")
    assert replies[-1].data_with_prefix("lang:")
    replies = await user.tap("lang:en")
    assert not any(r.data_with_prefix("home:") for r in replies), "the countries are remembered"
    replies = await user.ask("/hotline")
    assert any(r.contact for r in replies), describe(replies)


async def test_delete_erases_the_settings_at_once(user: TelegramUser):
    await user.onboard("ru", "KG", "RU")
    replies = await user.ask("/delete")
    assert {"del:yes", "del:no"} <= set(replies[-1].callback_data)
    await user.press("del:yes")
    assert_no_error_reply(await user.wait_replies(1))
    replies = await user.ask("/hotline")  # at once, as a person would tap next
    assert not any(r.contact for r in replies), "the erased countries are back:\n" + describe(replies)
    assert any("menu:country" in r.callback_data for r in replies), describe(replies)


# --- the right number for every person -----------------------------------------------------------


async def test_a_tajik_at_home_going_to_the_uae_gets_numbers_she_can_dial(user: TelegramUser):
    await user.onboard("en", "TJ", "TJ", going="AE")
    replies = await user.ask("/hotline")
    card = replies[0].text
    assert card.index("112") < card.index("999"), "Tajik 112 first:\n" + card
    assert "If you go to United Arab Emirates" in card, card
    assert "only" in card[card.index("If you go to") :], "the UAE lines are marked as not callable from home"
    contacts = [r.contact["phone_number"] for r in replies if r.contact]
    assert contacts[0] == "112" and "999" not in contacts, describe(replies)


async def test_a_kyrgyz_citizen_in_russia_gets_112_and_the_embassy_as_a_contact(user: TelegramUser):
    await user.onboard("ky", "KG", "RU")
    replies = await user.ask("/hotline")
    contacts = [r.contact["phone_number"] for r in replies if r.contact]
    assert contacts[:2] == ["112", "+79251155047"], describe(replies)
    assert "189" not in replies[0].text


async def test_other_country_never_shows_numbers_that_only_work_at_home(user: TelegramUser):
    await user.onboard("ru", "KG", "other")
    replies = await user.ask("/sos")
    text = "\n".join(r.text for r in replies)
    assert "189" not in text and "0800" not in text, describe(replies)
    assert "112" in text  # as advice
    assert all("189" not in r.contact["phone_number"] for r in replies if r.contact)
