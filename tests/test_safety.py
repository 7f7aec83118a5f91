"""The emergency detector: recall first, and the traps that must not raise an alarm."""

from __future__ import annotations

import pytest

from bot.content import EmergencyPhrases
from bot.normalize import skeleton_words
from bot.safety import EmergencyDetector, compile_phrase, find


@pytest.fixture(scope="module")
def detector(real_content) -> EmergencyDetector:
    return EmergencyDetector(real_content.emergency.values())


@pytest.mark.parametrize(
    "message",
    [
        # Russian, Cyrillic and Latin, with typos and capitals
        "ПОМОГИТЕ!!! нас заперли на складе",
        "pomogite nas zaperli",
        "хозяин бьет нас каждый день",
        "нас держат силой на ферме, телефоны отобрали",
        "меня заставляют заниматься проституцией",
        "он сказал что убьет меня",
        "sos",
        # Kyrgyz, with and without its special letters
        "жардам бериңиз, бизди камап коюшту",
        "жардам бериниз",
        "кожоюн бизди уруп жатат",
        "мени сыртка чыгарбай жатышат",
        # Tajik, with and without its special letters, and in Latin letters
        "ёрӣ диҳед, моро қулф карданд",
        "ёри дихед",
        "yori dihed",
        "маро мезананд, наметавонам равам",
        "моро бо зӯр нигоҳ медоранд",
        # English
        "help me please they locked us in",
        "they beat us and took our phones",
        "HELP!!",
        # a threat in the main clause of a conditional is still a threat
        "если не заплатишь, мы убьем тебя, сказал он. он убьет меня",
        "agar pul nadihi, maro mekushand",
    ],
)
def test_danger_is_recognised(detector, message):
    assert detector.detect(message), message


@pytest.mark.parametrize(
    "message",
    [
        "может ли работодатель держать мой паспорт?",
        "can an employer keep my passport?",
        "помогите разобраться с патентом",
        "помогите найти работу в Москве",
        "can you help me with my visa",
        "патент алууга жардам бериңиз",
        "если нас запрут на складе, куда звонить?",
        "what if they lock us in the dorm, who do I call?",
        "агар моро қулф кунанд, ба куҷо занг занам?",
        "эгер бизди камап коюшса, кимге кайрылабыз?",
        "слышал, что на стройках бьют рабочих, это правда?",
        "сколько стоит патент в 2026 году",
        "thanks for the help",
        "жабырлануучуга жардам",
        "",
        "🙏🙏",
    ],
)
def test_ordinary_questions_are_not_emergencies(detector, message):
    assert detector.detect(message) is None, message


def test_a_cancel_covers_only_its_own_words(detector):
    assert detector.detect("помогите разобраться с патентом") is None
    assert detector.detect("помогите разобраться с патентом, нас заперли")


def test_prefix_words_and_gaps():
    pattern = compile_phrase("заперл* нас", "ru")
    assert find(pattern, skeleton_words("они заперли всех нас")) == [(1, 3)]
    assert find(pattern, skeleton_words("заперли а потом через много много слов нас")) == []


def test_one_typo_in_a_long_word_is_tolerated():
    detector = EmergencyDetector([EmergencyPhrases("ru", phrases=(), not_emergency=(), cries=("помогите",))])
    assert detector.detect("помагите")
    assert detector.detect("помогити")
    assert detector.detect("помощи") is None


def test_every_language_has_cries_and_danger_words(real_content):
    for lang in ("ru", "ky", "tg", "en"):
        phrases = real_content.emergency[lang]
        assert len(phrases.cries) >= 5 and sum(map(len, phrases.danger.values())) >= 60 and phrases.not_emergency
    assert {"uz", "kk"} <= set(real_content.emergency)  # typed, though not answered in


# --- evidence, one kind at a time, per language (sentences written for these tests) ---------------

ALARMS = {
    "violence": ["прораб меня сильно избил", "кожоюн бизди сабап жатат", "хоҷаин моро мезанад", "the foreman beat me"],
    "weapon": ["он ходит с ножом и кричит", "бычак менен коркутуп жатат", "бо корд таҳдид мекунад", "he has a gun"],
    "confinement": ["нас заперли в бытовке", "бизди камап коюшту", "моро дар хона қулф карданд", "they locked us in"],
    "forced_sex": [
        "меня заставляют спать с клиентами",
        "секске мажбурлап жатышат",
        "маро маҷбур мекунанд бо мардҳо бошам",
        "they force me to have sex with guests",
    ],
    "pursuit": [
        "за мной идут двое мужчин",
        "бир киши артымдан келе жатат",
        "як мард аз паси ман меояд",
        "a car is following me",
    ],
    "injury": ["рука сломана и кровь идет", "кан агып жатат", "дастам шикаст, хун меравад", "I am bleeding a lot"],
    "family_threat": [
        "угрожают маме что сожгут дом",
        "апамды коркутуп жатышат",
        "ба оилаам таҳдид мекунанд",
        "they threaten my family back home",
    ],
}


@pytest.mark.parametrize(("kind", "message"), [(k, m) for k, ms in ALARMS.items() for m in ms])
def test_each_kind_of_danger_with_a_person_raises_the_alarm(detector, kind, message):
    found = detector.assess(message)
    assert found and found.level == "alarm", "\n".join(detector.explain(message))


@pytest.mark.parametrize(
    "message",
    [
        "памагите",
        "pamagite pajalusta",
        "🆘",
        "🆘🆘🆘",
        "🚨 тут",
        "jardam beriniz",
        "yori dihed",
        "yordam bering",
        "ёрдам беринглар",
        "көмектесіңдер",
        "komektesinder",
        "help!!",
        "наҷотам диҳед",
    ],
)
def test_a_cry_alone_is_enough_in_every_script(detector, message):
    assert detector.detect(message), "\n".join(detector.explain(message))


@pytest.mark.parametrize(
    "message",
    [
        "bizni qamab qo'yishdi",
        "мени урушту, азыр эмне кылам",
        "маро задан, ҳозир чӣ кор кунам",
        "xojayin meni urdi",
        "бізді қамап қойды, қазір",
    ],
)
def test_uzbek_kazakh_and_no_special_letters_are_read(detector, message):
    assert detector.detect(message), "\n".join(detector.explain(message))


@pytest.mark.parametrize(
    "message",
    [
        # hypothetical
        "если хозяин меня изобьет, куда звонить?",
        "эгер кожоюн бизди камап коюшса, эмне кылабыз?",
        "агар маро қулф кунанд, ба куҷо равам?",
        "if my boss hits me, can I go to the police?",
        # resolved past
        "пять лет назад меня избили на стройке, сейчас хочу снова поехать, нужна ли виза?",
        "былтыр мени урушкан, азыр баары жакшы. патент канча турат?",
        "се сол пеш маро заданд, ҳоло ҳамааш хуб. виза чанд пул?",
        "years ago I was locked in a dorm. How do I check an agency now?",
        # films and the news
        "в сериале девушку заперли в подвале, так бывает в жизни?",
        "кинодо бир кызды камап коюшту, ушундай болобу?",
        "дар филм духтарро қулф карданд, ин рост аст?",
        "in a movie they locked workers in a factory, is that real?",
        # a question about the rules
        "имеет ли право работодатель запирать общежитие на ночь?",
        "кожоюндун бизди камап коюуга укугу барбы?",
        "оё корфармо ҳақ дорад моро қулф кунад?",
        "is it legal for an employer to lock the dorm at night?",
        # idioms and jokes
        "начальник меня убьет если опоздаю 😅",
        "this heat is killing me lol, what time is the midday break?",
        "ин кор маро мекушад, рӯзи истироҳат нест?",
    ],
)
def test_cancelling_contexts_are_not_an_alarm(detector, message):
    assert detector.detect(message) is None, "\n".join(detector.explain(message))


def test_now_in_the_same_sentence_outweighs_a_past_context(detector):
    assert detector.detect("в прошлом году меня обманули. Сейчас хозяин меня избил") is not None
    assert detector.detect("в прошлом году меня избили. Сейчас я дома, хочу вернуться") is None


def test_a_cry_is_not_cancelled_by_a_context(detector):
    assert detector.detect("в фильме кричали помогите, я тоже кричу: помогите, нас заперли")


# --- the two tiers --------------------------------------------------------------------------


def test_a_question_about_someone_elses_danger_is_only_possible(detector):
    found = detector.assess("на соседней стройке рабочих избивают, что с этим можно сделать?")
    assert found and found.level == "possible"
    assert detector.detect("на соседней стройке рабочих избивают, что с этим можно сделать?") is None


def test_a_concern_is_only_possible(detector):
    found = detector.assess("хозяин забрал паспорт и не отдает, уже месяц, что можно сделать?")
    assert found and found.level == "possible"


def test_help_words_need_a_now(detector):
    assert detector.detect("мне нужна помощь с переводом договора") is None
    assert detector.detect("срочно нужна помощь, он стоит у двери")


def test_decision_carries_both_tiers(matcher):
    alarm = matcher.decide("хозяин бьет нас каждый день, заперли на складе")
    assert alarm.emergency and alarm.danger == "alarm" and alarm.alarm.kind
    possible = matcher.decide("на соседней стройке рабочих избивают, что с этим можно сделать?")
    assert not possible.emergency and possible.danger == "possible"
    plain = matcher.decide("сколько стоит патент в Москве")
    assert not plain.emergency and plain.danger is None


def test_after_an_alarm_only_urgent_topics_are_suggested(matcher):
    urgent = {
        "trouble-locked-in",
        "trouble-violence",
        "trouble-passport-taken",
        "trouble-forced-sex",
        "trouble-debt-threats",
        "help-hotline",
    }
    for message in ("ёрӣ диҳед", "памагите", "маро мезананд, ёрӣ диҳед", "меня избили, помогите"):
        decision = matcher.decide(message)
        assert decision.emergency
        shown = {decision.topic} if decision.topic else set(decision.suggestions)
        assert shown and shown <= urgent | {
            "trouble-detained",
            "about-child-trafficking",
            "trouble-relative-missing",
        }, (message, shown)


def test_explain_names_the_lists_and_the_verdict(detector):
    lines = detector.explain("если нас заперли на складе, куда звонить?")
    assert lines[0].startswith("verdict: no danger")
    assert any("danger/confinement" in line and "hypothetical" in line for line in lines)
    lines = detector.explain("нас заперли, срочно")
    assert lines[0].startswith("verdict: alarm") and any("immediacy" in line for line in lines)


def test_a_volunteer_fixes_a_miss_by_adding_one_word():
    before = EmergencyDetector([EmergencyPhrases("ru", danger={"violence": ("бьют",)}, person=("меня",))])
    assert before.detect("меня лупцуют") is None
    after = EmergencyDetector([EmergencyPhrases("ru", danger={"violence": ("бьют", "лупцу*")}, person=("меня",))])
    assert after.detect("меня лупцуют")


# --- content check guards, on small broken fixtures --------------------------------------------


def _errors(root) -> list[str]:
    from bot.content_check import check

    return [str(p) for p in check(root).errors]


def test_guard_a_language_without_emergency_words_is_an_error(mini_content):
    assert not any("emergency" in e for e in _errors(mini_content))
    (mini_content / "ru" / "emergency.yaml").unlink()
    found = [e for e in _errors(mini_content) if "no emergency.yaml for 'ru'" in e]
    assert found and "ru/emergency.yaml:1" in found[0]


def test_guard_a_cry_under_a_cancelling_list_is_an_error(mini_content):
    (mini_content / "en" / "emergency.yaml").write_text(
        "cries:\n  - help me\nnot_emergency:\n  - help me understand\n  - help me\n", encoding="utf-8"
    )
    found = [e for e in _errors(mini_content) if "'help me' is listed under 'not_emergency'" in e]
    assert len(found) == 1
    assert "en/emergency.yaml:5" in found[0] and "en/emergency.yaml:2" in found[0]  # both lines


def test_guard_a_danger_word_silenced_by_another_list_names_both_lines(mini_content):
    (mini_content / "en" / "emergency.yaml").write_text(
        "cries:\n  - help me\ndanger:\n  confinement:\n    - not allowed to leave\nrules:\n  - allowed to\n",
        encoding="utf-8",
    )
    found = [e for e in _errors(mini_content) if "'not allowed to leave' (danger) no longer raises" in e]
    assert len(found) == 1
    assert "emergency.yaml:5" in found[0] and "emergency.yaml:7" in found[0]


def test_a_polite_cry_before_an_everyday_question_only_gets_the_short_line(detector):
    for message in ("помогите пожалуйста, как продлить регистрацию?", "help me please, which visa for Korea?"):
        found = detector.assess(message)
        assert found and found.level == "possible", "\n".join(detector.explain(message))
    assert detector.detect("помогите, патент отобрали и бьют")  # a danger word: the full card
    assert detector.detect("помогите срочно, с визой беда")  # "now": the full card


def test_an_if_inside_a_told_threat_still_raises_the_alarm(detector):
    assert detector.detect("он сказал что если уйду, убьет") is not None
    assert detector.detect("they said if I go to the police they will kill me") is not None
    assert detector.detect("если хозяин угрожает убить, куда звонить?") is None


def test_after_a_violence_alarm_the_violence_topic_leads_when_it_exists(mini_content):
    from bot.content import load_content
    from bot.matching import Matcher
    from tests.conftest import write_topic

    (mini_content / "en" / "emergency.yaml").write_text(
        "cries:\n  - help me\ndanger:\n  violence:\n    - beat*\nperson:\n  - me\n", encoding="utf-8"
    )
    without = Matcher(load_content(mini_content).content).decide("the boss beat me")
    assert without.emergency and without.suggestions[0] == "help-hotline"
    for lang in ("en", "ru"):
        questions = ["boss hits workers", "violence at work", "hit at work", "beaten at home", "threatened", "abuse"]
        write_topic(
            mini_content, lang, "trouble-violence", "Violence", "trouble", "hotline, urgent", "", questions, "x"
        )
    with_topic = Matcher(load_content(mini_content).content).decide("the boss beat me")
    assert with_topic.emergency
    assert (with_topic.topic or with_topic.suggestions[0]) == "trouble-violence"


def test_guard_a_very_short_stem_is_a_warning(mini_content):
    from bot.content_check import check

    (mini_content / "en" / "emergency.yaml").write_text(
        "cries:\n  - help me\ndanger:\n  violence:\n    - hi*\n", encoding="utf-8"
    )
    warnings = [str(p) for p in check(mini_content).warnings]
    assert any("'hi*': a stem this short" in w and "emergency.yaml:5" in w for w in warnings)


# --- Uzbek hitting verbs, a child made to work, forced sex in ky/uz: the full card, generally -----------


@pytest.mark.parametrize(
    "message",
    [
        # urmoq "to hit": present continuous, past, habitual; Latin with and without apostrophes, Cyrillic
        "brigadir bizni uryapti",
        "xojayin meni urishyapti, qochib ketdim",
        "хўжайин бизни уряпти",
        "хужайин мени уришяпти",
        "o'g'lim yozdi, uni urishmoqda",
        "xo‘jayin meni har kuni uradi",
        "kecha bizni do'pposlashdi, hali ham shu yerdamiz",
        "meni tepishyapti",
        "uy egasi singlimni savalabdi",
    ],
)
def test_uzbek_hitting_verbs_raise_the_alarm(detector, message):
    found = detector.detect(message)
    assert found and found.kind == "violence", "\n".join(detector.explain(message))


@pytest.mark.parametrize(
    "message",
    [
        # Kyrgyz: my child / daughter / son is made to work, not released
        "кызымды талаада иштетип жатышат",
        "уулум 13 жашта, аны базарда иштетип жатышат",
        "баламды мажбурлап иштетишет, коё беришпейт",
        # Uzbek, Latin and Cyrillic
        "qizimni dalada ishlatishyapti",
        "ўғлимни заводда ишлатишяпти",
        "bolam 12 yoshda, uni majburan ishlatishadi",
        "o'g'limni qo'yib yuborishmayapti",
        # English
        "my daughter 15 years old is forced to work in a kitchen",
        "they forced my son to work and won't let him leave",
        # Russian and Tajik: the same kind, not "locked in" or "threats to the family"
        "дочь заставляют работать на кухне, домой не отпускают",
        "духтарамро дар бозор кор мефармоянд",
        "писарамро маҷбур мекунанд, ба хона намемонанд",
    ],
)
def test_a_child_made_to_work_or_kept_is_the_child_alarm(detector, message):
    found = detector.detect(message)
    assert found and found.kind == "child", "\n".join(detector.explain(message))


@pytest.mark.parametrize(
    "message",
    [
        "бизди сексуалдык кызматка мажбурлашат",
        "карындашымды сойкулукка мажбурлап жатышат",
        "singlimni fohishalikka majburlashmoqda",
        "bizni erkaklar bilan yotishga majbur qilishadi",
        "мени жинсий хизматга мажбурлашяпти",
    ],
)
def test_forced_sex_told_in_kyrgyz_or_uzbek_raises_the_full_card(detector, message):
    found = detector.detect(message)
    assert found and found.kind == "forced_sex", "\n".join(detector.explain(message))


@pytest.mark.parametrize(
    "message",
    [
        # a question about the rules, an "if", a film, the past
        "agar xo'jayin ursa nima qilish kerak?",
        "agar brigadir urib qo'ysa qayerga boraman?",
        "ishchini urish qonuniymi?",
        "kinoda bir yigitni urishyapti",
        "uch yil oldin xo'jayin urdi, hozir hammasi yaxshi",
        "fohishalikka majburlash jinoyatmi?",
        "Dubayda qizlarni fohishalikka majburlashadimi?",
        "Сексуалдык зомбулук деген эмне?",
        "Казакстанда балдарды мажбурлап иштетишеби?",
        # ordinary words that share a stem: a city, a clock, a phone, questions, school
        "Urganchdan Moskvaga poezd bormi?",
        "soat nechada uradi?",
        "o'g'lim telefonni ko'p ishlatadi",
        "savolar bor edi",
        "балам телефонду иштетип жатат",
        "баламды мектепке жиберишпейт",
        "my son wants to work abroad, is it safe?",
        # "I am afraid" is not "they threaten me"
        "Koreyaga ishga borishga qo'rqyapman",
    ],
)
def test_uzbek_and_kyrgyz_non_emergencies_stay_quiet(detector, message):
    assert detector.detect(message) is None, "\n".join(detector.explain(message))


def test_urgent_topics_give_sos_for_the_emergency_number(real_content):
    # The emergency number is /sos; /hotline is the hotline card. An urgent answer that says "call the local
    # emergency number (/hotline)" sends a person in danger to the wrong card.
    for lang, topics in real_content.topics.items():
        for topic in topics.values():
            if "urgent" not in topic.flags:
                continue
            first = topic.answer_markdown.strip().split("\n\n")[0]
            assert "/sos" in first and "/hotline" not in first, f"{lang}/{topic.id}: {first}"


def test_uzbek_content_promises_no_more_than_the_others(real_content):
    uz = real_content.topics["uz"]
    # a hotline never comes to you: the police or emergency services do, through /sos
    locked_in = uz["trouble-locked-in"].answer_markdown
    assert "o‘zi keladi" not in locked_in and "/sos" in locked_in.strip().split("\n\n")[-1]
    # help after return "may be available", never a promise of free help
    punished = uz["myth-victim-punished"].answer_markdown
    assert "bepul" not in punished and "bo‘lishi mumkin" in punished


# --- Second round of gaps: danger said in other words, in every language ------------------------------------


@pytest.fixture(scope="module")
def located(real_content) -> EmergencyDetector:
    """The detector as the matcher builds it: it knows place names, so "Dubai, help" is a cry."""
    return EmergencyDetector(real_content.emergency.values(), real_content.places)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        # being moved tonight / tomorrow, nobody says where
        ("нас сегодня ночью перевозят в другой город", "moved"),
        ("меня завтра увезут, куда не говорят", "moved"),
        ("they are moving us to another city tonight", "moved"),
        ("bugun kechasi bizni boshqa shaharga ko'chirishadi", "moved"),
        ("бүгүн түнү бизди башка жакка көчүрүшөт", "moved"),
        ("имшаб моро ба ҷои дигар мебаранд", "moved"),
        # followed, watched, hunted
        ("за нами ходят какие-то люди", "pursuit"),
        ("за мной следит мужчина с работы", "pursuit"),
        ("меня ищут люди хозяина", "pursuit"),
        ("someone is following me home", "pursuit"),
        ("маро пайгирӣ мекунанд, метарсам", "pursuit"),
        ("мени издешип жүрүшөт", "pursuit"),
        ("ortimdan kimdir yuribdi", "pursuit"),
        # being sold
        ("нас хотят продать другому хозяину", "moved"),
        ("they want to sell us to another boss", "moved"),
        ("mara mefurushand ba kasi digar", "moved"),
        ("bizni boshqa xo'jayinga sotishmoqchi", "moved"),
        ("мени башка кожоюнга сатышат", "moved"),
        # a threat to kill if the person leaves, told
        ("гуфтанд агар гурезӣ мекушем", "weapon"),
        ("he said he'll kill me if I run away", "weapon"),
        ("хозяин сказал, если уйдешь, закопаю", "weapon"),
        ("кетсең өлтүрөм деди кожоюн", "weapon"),
        ("ketsang o'ldirib yuboraman dedi", "weapon"),
        # documents burned or torn up
        ("хозяин сжёг наши паспорта", "documents"),
        ("the boss burned our passports", "documents"),
        ("шиносномаҳои моро сӯзонданд", "documents"),
        ("pasportimni yirtib tashlashdi", "documents"),
        ("документтеримди өрттөп жиберишти", "documents"),
        # someone close calling, crying
        ("сестра звонит и плачет, просит её забрать", "relative"),
        ("my sister called me crying from the flat", "relative"),
        ("синглим йиғлаб қўнғироқ қилди", "relative"),
        ("хоҳарам гирякунон занг зад", "relative"),
    ],
)
def test_second_round_dangers_are_alarms_of_their_kind(detector, message, kind):
    found = detector.assess(message)
    assert found and found.level == "alarm" and found.kind == kind, "\n".join(detector.explain(message))


@pytest.mark.parametrize(
    "message",
    [
        # the bot's own menu label typed without its emoji, and a plain call for the police
        "Экстренная помощь",
        "срочно нужна экстренная помощь!!",
        "EMERGENCY",
        "emergency help please",
        "favqulodda yordam kerak",
        "фавқулодда ёрдам",
        "шашылыш жардам керек",
        "кӯмаки фаврӣ",
        "kumaki favri",
        "ёрии фаврӣ лозим",
        "вызовите полицию пожалуйста",
        "please call the police",
        "полиция чакыргыла",
        "politsiya chaqiring",
        "полисро ҷеғ занед",
    ],
)
def test_asking_for_emergency_help_in_plain_words_is_a_cry(detector, message):
    found = detector.assess(message)
    assert found and found.level == "alarm", "\n".join(detector.explain(message))


@pytest.mark.parametrize(
    "message",
    ["Dubai, help", "help! Istanbul", "Turkiya yordam", "Маскав кӯмак", "Орусия жардам", "Москва, помогите"],
)
def test_a_lone_cry_beside_a_place_name_is_an_alarm(located, message):
    assert located.detect(message), "\n".join(located.explain(message))


@pytest.mark.parametrize("message", ["Dubai", "Москва", "Turkiya", "help me understand Dubai visas", "Dubai work"])
def test_a_place_name_alone_or_in_a_question_is_not_a_cry(located, message):
    assert located.detect(message) is None, "\n".join(located.explain(message))


@pytest.mark.parametrize(
    "message",
    [
        # rules, hypotheticals, selling things, moving by choice, the police as a subject
        "можно ли продать человека?",
        "хочу продать телефон, где лучше?",
        "меня никто не продаст, я не дурак",
        "как перевезти вещи в другой город?",
        "компания перевозит грузы в Казахстан",
        "мой друг переехал в другой город",
        "полиция вчера проверяла мои документы",
        "я боюсь полиции",
        "если за мной будут следить, куда звонить?",
        "в фильме ей сожгли паспорт",
        "паспорт порвался, как заменить?",
        "привет",
        "can people be sold?",
        "I want to sell my phone",
        "can you sell me a SIM card?",
        "nobody will sell me, I'm a grown man",
        "my friend moved to another city",
        "I'm afraid of the police",
        "if someone follows me, what should I do?",
        "my manager is watching me at work",
        "оё одамонро фурӯхтан мумкин аст?",
        "телефонамро мефурӯшам",
        "мекӯшам кор ёбам",
        "пагоҳ моро ба кор мебаранд",
        "ман аз полиса метарсам",
        "досум башка шаарга көчүп кетти",
        "досум мага акча көчүрөт",
        "алар бизге клиенттерди алып келишет",
        "мен полициядан корком",
        "odamlarni sotish mumkinmi?",
        "telefonimni sotmoqchiman",
        "do'stim boshqa shaharga ko'chdi",
        "matnni ko'chirib bering",
    ],
)
def test_second_round_non_emergencies_stay_quiet(located, message):
    assert located.detect(message) is None, "\n".join(located.explain(message))


@pytest.mark.parametrize(("message", "lang"), [("Dubai, help", "en"), ("Moskvada yordam", "ru"), ("Русия кумак", "tg")])
def test_the_matcher_gives_the_card_for_a_cry_and_a_place(matcher, message, lang):
    # the matcher passes its place names to the detector: without them these were a refusal or a greeting
    assert matcher.decide(message, lang).emergency


@pytest.mark.parametrize(
    "message",
    [
        # an "if" inside a threat that is told is not a hypothetical: Kyrgyz and Uzbek put "he said" last
        "эгер кетсең өлтүрөм деди",
        "agar ketsang o'ldiraman dedi",
        # other verb forms of the same kinds
        "полицию вызовите!",
        "they tore up our passports",
        "нас куда-то повезут ночью",
        "завтра меня отправят в другую страну, я не хочу",
    ],
)
def test_told_threats_and_other_verb_forms_are_alarms(detector, message):
    assert detector.detect(message), "\n".join(detector.explain(message))


@pytest.mark.parametrize("message", ["эгер мени урушса эмне кылам?", "agar meni urishsa nima qilay?"])
def test_a_real_if_question_in_kyrgyz_and_uzbek_stays_quiet(detector, message):
    assert detector.detect(message) is None, "\n".join(detector.explain(message))


@pytest.mark.parametrize(
    "message",
    [
        # third round: hunger behind a lock, a relative's name in danger, a kidnapping, a sale told in the
        # third person, a call with crying in the other order, typed without special letters or in Latin
        "нас не кормят уже третий день",
        "дочку украли",
        "брат позвонил, плакал, его держат",
        "брата продали на стройку",
        "я в багажнике",
        "мени кууп келе жатат",
        "агам чалып ыйлады",
        "иним коркунучта",
        "кызымды уурдап кетишти",
        "suu berbey jatat, chygarbay jatat",
        "хӯҷаин маро зада истодааст",
        "maro zada istodaast",
        "бародарам занг зада гирист",
        "хохарам дар хатар аст",
        "аз ферма намегузоранд равам",
        "xurok namedihand",
        "najot dihed",
        "писарамро дуздиданд",
        "they starve us",
        "locked inside with no water",
        "my son was sold",
        "plz help",
        "hlep me",
        "akam qo'ng'iroq qilib yig'ladi",
        "qo'lim sindi, doktorga olib bormayapti",
        "fermadan chiqarishmayapti",
        "bizga ovqat bermayapti",
        "qizimni o'g'irlab ketishdi",
        "он с топором",
        "хозяин трогает меня, мне страшно",
        "хотят отправить в Турцию силой",
        "у ребенка температура, не дают вызвать врача",
        "фермадан чыгарышпайт",
        "кожоюн мага тийишип жатат",
        "бутум шишип кетти, доктурга алып барбайт",
        "туфанг дорад",
        "хоҷаин ба ман даст мерасонад",
        "маро зада ба кӯча партофтанд",
        "xo'jayin menga tegajoqlik qilyapti",
        "the boss touches me, im scared",
        "he has a rifle",
        "im scared for my life",
        "они выломали дверь",
        "мою дочь продают замуж",
        "сестра написала «спаси» и пропала",
        "хозяин не везет в больницу",
        "jardam beriner",
        "ба ман ҳамла карданд",
        "кызымды күйөөгө сатып жатышат",
        "талаада суу беришпейт",
        "qizimni erga sotishyapti",
        "dalada suv berishmayapti",
        "someone broke in",
        "they are selling my daughter to marry",
    ],
)
def test_third_round_emergencies_are_alarms(located, message):
    assert located.detect(message), "\n".join(located.explain(message))


@pytest.mark.parametrize(
    "message",
    [
        # a debt that keeps someone, told without a lock or a blow: the short line, not the card
        "говорят пока долг не отработаешь не уйдешь",
        "карызды иштеп бүтмөйүнчө кетпейсиң дейт",
        "qarzni uzmaguncha ketolmaysan deyishyapti",
    ],
)
def test_a_debt_that_keeps_someone_gets_the_short_line(located, message):
    found = located.assess(message)
    assert found and found.level == "possible", "\n".join(located.explain(message))


@pytest.mark.parametrize(
    "message",
    [
        # job help, a stolen phone, a lock that broke, a fine, an entry ban, a child fetched from school
        "помогите с работой пожалуйста",
        "можно ли работодателю забирать паспорт?",
        "закрыли въезд в Россию, что делать",
        "у меня украли телефон в метро",
        "забрали ребенка из садика, все хорошо",
        "мне грозит депортация?",
        "жумушка жардам керек",
        "телефонумду уурдап кетишти",
        "кор лозим аст кумак кунед",
        "ӯ ба ман занг зада истодааст",
        "мағоза баста аст",
        "ish kerak yordam bering",
        "telefonimni o'g'irlab ketishdi",
        "eshik qulfi buzildi, usta kerak",
        "i was sold a fake ticket",
        "help me find a job please",
        "my phone was stolen",
        "как купить ружье для охоты",
        "какие бывают формы эксплуатации",
        "как записаться на программу в Корею",
        "работаю без разрешения, чем это грозит",
        "how i know if someone is trafficked, pls help",
        "мехоҳам аз кор равам, хоҷаин намегузорад",
        "спаси нашу компанию от кризиса",
        "спаси и сохрани",
        "мне не везет в жизни с работой",
        "what is forced marriage?",
        "чек арадан кантип өтөм?",
    ],
)
def test_third_round_non_emergencies_get_no_card(located, message):
    assert located.detect(message) is None, "\n".join(located.explain(message))
