"""Matching on the real content: decisions, languages, thresholds and the `match` protocol."""

from __future__ import annotations

import json

import pytest

from bot.config import PROJECT_ROOT, MatchThresholds
from bot.dialogue import Dialogue
from bot.i18n import I18n
from bot.matching import Matcher
from bot.replies import UserState
from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("работодатель забрал паспорт и не отдает", "trouble-passport-taken"),
        ("rabotodatel zabral pasport i ne otdaet", "trouble-passport-taken"),
        ("кожоюн паспортумду алып алды, бербей жатат", "trouble-passport-taken"),
        ("кожоюн паспортумду алып алды бербей жатат".replace("ө", "о"), "trouble-passport-taken"),
        ("корфармо шиносномаамро гирифт ва намедиҳад", "trouble-passport-taken"),
        ("корфармо шиносномаамро гирифт ва намедихад", "trouble-passport-taken"),
        ("my employer took my passport and won't give it back", "trouble-passport-taken"),
        ("ЗАРПЛАТУ НЕ ПЛАТЯТ УЖЕ 3 МЕСЯЦА", "trouble-unpaid-wages"),
        ("айлыкты бербей жатышат", "trouble-unpaid-wages"),
        ("what is human trafficking", "about-what-is-trafficking"),
    ],
)
def test_clear_questions_are_answered_in_any_language_and_script(matcher, message, topic):
    decision = matcher.decide(message)
    assert (decision.decision, decision.topic) == ("answer", topic), decision.ranking


@pytest.mark.parametrize(
    ("message", "lang"),
    [
        ("где получить патент в Москве", "ru"),
        ("gde poluchit patent v moskve", "ru"),
        ("патент алыш керекпи", "ky"),
        ("Орусияда иштөө үчүн эмне керек", "ky"),
        ("oruseyada ishtoo uchun emne kerek", "ky"),
        ("барои кор дар Русия чӣ лозим аст", "tg"),
        ("baroi kor dar rusiya chi lozim ast", "tg"),
        ("do I need a work permit in Turkey", "en"),
    ],
)
def test_language_of_the_message(matcher, message, lang):
    assert matcher.decide(message).lang == lang


def test_a_very_short_question_finds_its_topic(matcher):
    decision = matcher.decide("патент?")
    assert "work-russia" in ([decision.topic] if decision.topic else list(decision.suggestions))


def test_a_long_story_with_the_question_inside(matcher):
    story = (
        "Салам. Мен Бишкектен келдим, эки жылдан бери Москвада стройкада иштейм, балдарым үйдө калды. "
        "Баары жакшы эле, бирок бригадир бардык паспортторду чогултуп алды, каттоо үчүн деди, "
        "азыр сурасак бербей жатат. Эмне кылсам болот?"
    )
    decision = matcher.decide(story)
    assert "trouble-passport-taken" in ((decision.topic,) if decision.topic else decision.suggestions)[:1]


def test_a_4000_character_message_is_handled_quickly(matcher):
    decision = matcher.decide("паспорт " + "бла " * 1000)
    assert decision.decision in ("answer", "suggest", "none")


def test_noise_and_small_talk_are_not_answered(matcher):
    for message in ("🙂🙂🙂", "!!!", "asdkjh qwelkj", "привет", "рахмат", "thanks a lot"):
        decision = matcher.decide(message)
        assert decision.decision == "none" and decision.topic is None, (message, decision.ranking)
    assert matcher.decide("спасибо большое").smalltalk == "thanks"


def test_thresholds_are_configurable(real_content):
    strict = Matcher(real_content, MatchThresholds(answer=99, margin=50, suggest=98))
    assert strict.decide("работодатель забрал паспорт").decision == "none"
    eager = Matcher(real_content, MatchThresholds(answer=1, margin=0, suggest=1))
    assert eager.decide("паспорт").decision == "answer"


def test_suggestions_are_at_most_three_real_topics(matcher):
    decision = matcher.decide("документы")
    assert len(decision.suggestions) <= 3
    assert all(not s.startswith("~") for s in decision.suggestions)


def test_emergency_is_independent_of_the_score(matcher):
    decision = matcher.decide("помогите")
    assert decision.emergency and decision.topic is None


def test_match_protocol_reads_and_writes_json_lines():
    lines = [
        {"text": "хозяин забрал паспорт", "lang": "ru"},
        {"text": "ёрӣ диҳед, моро қулф карданд"},
        {"text": "погода в Бишкеке"},
    ]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\nnot json\n"
    out = run_cli("match", input=stdin).stdout.splitlines()
    results = [json.loads(line) for line in out]
    assert len(results) == 4
    first, second, third, broken = results
    assert set(first) == {"topic", "decision", "score", "suggestions", "emergency", "lang"}
    assert first["topic"] == "trouble-passport-taken" and first["decision"] == "answer"
    assert 0 <= first["score"] <= 100
    assert second["emergency"] is True and second["lang"] == "tg"
    assert third["decision"] == "none" and third["topic"] is None and third["emergency"] is False
    assert "error" in broken


def test_ask_shows_the_answer_that_would_be_sent():
    out = run_cli("ask", "my boss took my passport", "--lang", "en").stdout
    assert "decision: answer" in out and "[trouble-passport-taken]" in out


@pytest.mark.parametrize(
    ("message", "current", "topic"),
    [
        ("как оформить регистрацию в Казахстане", "KZ", "work-kazakhstan"),
        ("нужен ли узбекам патент в Казахстане", "KZ", "work-kazakhstan"),
        ("нужен ли узбекам патент в Казахстане", "RU", "work-kazakhstan"),
        ("сколько стоит патент в России", "KZ", "work-russia"),
        ("Qozog'istonda ishlash uchun ruxsat kerakmi", None, "work-kazakhstan"),
    ],
)
def test_the_country_named_in_the_question_decides_between_country_topics(matcher, message, current, topic):
    decision = matcher.decide(message, current=current)
    assert (decision.decision, decision.topic) == ("answer", topic), decision.ranking


def test_the_country_the_person_is_in_leans_towards_its_topic(matcher):
    question = "какие документы нужны для работы"
    in_turkey = [tid for tid, _ in matcher.rank(question, current="TR")]
    in_russia = [tid for tid, _ in matcher.rank(question, current="RU")]
    assert in_turkey.index("work-turkey") < in_russia.index("work-turkey")
    assert in_russia.index("work-russia") < in_turkey.index("work-russia")


@pytest.mark.parametrize(
    ("message", "current", "topic"),
    [
        ("как сделать регистрацию", "KZ", "work-kazakhstan"),
        ("как сделать регистрацию", "RU", "work-russia"),
        ("как зарегистрироваться", "KZ", "work-kazakhstan"),  # a person registering, not an agency
        ("нужен ли мне патент", "KZ", "work-kazakhstan"),
        ("how do i get registered", "TR", "work-turkey"),
    ],
)
def test_a_question_naming_no_country_is_about_where_the_person_is(matcher, message, current, topic):
    decision = matcher.decide(message, current=current)
    assert decision.ranking[0][0] == topic, decision.ranking


def test_a_person_at_home_asks_about_where_they_plan_to_go():
    assert UserState(home="UZ", current="UZ", going="KZ").country_of_interest == "KZ"
    assert UserState(home="UZ", going="KZ").country_of_interest == "KZ"
    assert UserState(home="UZ", current="RU", going="KZ").country_of_interest == "RU"  # abroad: where they are


@pytest.mark.parametrize(
    "message",
    ["патент канчага чыгат", "patent kancha boladi", "сколько стоит патент, как его получить"],
)
def test_a_topic_keyword_is_not_brushed_off_as_small_talk(matcher, message):
    decision = matcher.decide(message)
    assert decision.smalltalk is None
    assert "work-russia" in ((decision.topic,) if decision.topic else decision.suggestions), decision.ranking


def test_everyday_questions_without_a_topic_keyword_are_still_small_talk(matcher):
    decision = matcher.decide("курс доллара канча болду")
    assert decision.smalltalk == "offtopic" and decision.topic is None, decision.ranking


def test_a_long_story_is_answered_by_its_question(matcher):
    story = (
        "Здравствуйте. Я из Оша, работаю на складе уже полгода, живём в общежитии вшестером. "
        "Кормят плохо, но это ладно, терпим. Главное другое. "
        "Хозяин уже четвёртый месяц не платит зарплату, говорит подождите. Что мне делать?"
    )
    decision = matcher.decide(story)
    assert (decision.decision, decision.topic) == ("answer", "trouble-unpaid-wages"), decision.ranking


def test_kazakh_is_recognised_and_matched_across_languages(matcher):
    decision = matcher.decide("Жұмыс беруші төлқұжатымды алып қойды, қайтармайды")
    assert decision.lang == "kk"
    assert "trouble-passport-taken" in ((decision.topic,) if decision.topic else decision.suggestions)


@pytest.fixture(scope="module")
def real_dialogue(real_content, matcher):
    return Dialogue(real_content, matcher, I18n(PROJECT_ROOT / "locales", real_content.languages, "ru"))


def test_a_person_in_kazakhstan_asking_about_kazakhstan_gets_the_kazakhstan_answer(real_dialogue, real_content):
    state = UserState(lang="ru", home="UZ", current="KZ")
    turn = real_dialogue.text(state, "нужно ли оформлять разрешение на работу в Казахстане")
    assert real_content.topic("work-kazakhstan", "ru").title in "\n".join(m.html for m in turn.messages)


def test_kazakh_gets_a_russian_answer_with_one_line_in_kazakh(real_dialogue, real_content):
    state = UserState(lang="ru", home="KZ", current="RU")
    turn = real_dialogue.text(state, "Жұмыс беруші төлқұжатымды алып қойды, қайтармайды, не істеймін")
    text = "\n".join(m.html for m in turn.messages)
    assert "қазақша" in text and "орысша" in text  # one line in Kazakh saying the answer is in Russian
    assert not any("kk" in b.data for m in turn.messages for row in m.buttons for b in row)  # no switch to Kazakh
    kazakh_lines = [m for m in turn.messages if "қазақша" in m.html]
    assert len(kazakh_lines) == 1


@pytest.mark.parametrize(
    "message",
    [
        "two months without salary and the boss also holds my passport",
        "зарплату обещают через неделю, а паспорт у бригадира уже месяц",
    ],
)
def test_a_passport_kept_is_not_drowned_by_a_wage_story(matcher, message):
    decision = matcher.decide(message)
    assert decision.topic != "trouble-unpaid-wages", decision.ranking  # never confidently only about wages
    assert "trouble-passport-taken" in ((decision.topic,) if decision.topic else decision.suggestions)


def test_an_answer_about_no_country_offers_the_country_the_question_names(matcher):
    decision = matcher.decide("какая виза нужна чтобы работать в Дубае")
    assert (decision.decision, decision.topic) == ("answer", "prepare-visa-type"), decision.ranking
    assert decision.also == ("work-uae",)
    assert matcher.decide("what visa do I need to work in Korea").also == ()  # answered with the country's page
    assert matcher.decide("какая виза нужна для работы").also == ()  # no country named


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("патент канча турат", "work-russia"),  # a topic keyword beats small talk about prices
        ("patent kantip alam, kancha turat?", "work-russia"),
        ("экзамен по русскому языку где сдать", "work-russia"),
        ("3 ай болду айлык бербей жатат хозяин кийин берем дейт, эмне кылсам болот", "trouble-unpaid-wages"),
        ("ish beruvchi pasportimni bermayapti yordam bering", "trouble-passport-taken"),
    ],
)
def test_the_questions_the_issue_names_are_answered(matcher, message, topic):
    decision = matcher.decide(message)
    assert (decision.decision, decision.topic) == ("answer", topic), decision.ranking


def test_a_passport_held_for_weeks_is_not_answered_as_wages_alone(matcher):
    decision = matcher.decide("boss has had my passport for 3 weeks now, keeps saying next week")
    assert decision.decision == "suggest" and "trouble-passport-taken" in decision.suggestions


def test_a_country_page_answer_offers_the_topic_the_words_were_about(matcher):
    decision = matcher.decide("дочь 15 лет зовут работать официанткой в Алматы")
    assert (decision.topic, decision.also) == ("work-kazakhstan", ("about-child-trafficking",)), decision.ranking
    assert matcher.decide("нужен ли узбекам патент в Казахстане").also == ()  # nothing else close
