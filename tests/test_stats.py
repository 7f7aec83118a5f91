"""Operator statistics: every outcome, what the bot could not answer well, safety, /check, CSV, the HTML page."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field

import pytest
from PIL import Image

from bot.config import PROJECT_ROOT, MatchThresholds
from bot.dialogue import Dialogue
from bot.features.answers import question_event
from bot.i18n import I18n
from bot.matching import Decision
from bot.replies import Event, UserState
from bot.stats import (
    CLOSEST_TOPIC_LEAD,
    FEEDBACK_MIN_VOTES,
    Cluster,
    build_report,
    closest_topic,
    cluster_unanswered,
    percentages,
    render_html,
    short_summary,
    write_csv,
)
from bot.usage_log import UsageLog
from tests.conftest import execute, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
YESTERDAY = dt.date.today() - dt.timedelta(days=1)


def question(decision: str, text: str | None = None, **data) -> list[Event]:
    return [Event("question", {"decision": decision, "text": text} | data)]


@pytest.fixture
async def usage_db(storage):
    """A small usage log written through the real UsageLog, on SQLite and on PostgreSQL."""
    log = await UsageLog.open(storage, b"secret")
    kg_ru = UserState(lang="ky", home="KG", current="RU")
    tj_tr = UserState(lang="tg", home="TJ", current="TR")
    log.record(1, [Event("start", {"campaign": "osh2026"})], kg_ru)
    log.record(2, [Event("start", {"campaign": "osh2026"})], tj_tr)
    log.record(3, [Event("start", {})], tj_tr, at=time.time() - 86400)  # yesterday: a whole day
    for user, topic, state in (
        (1, "trouble-passport-taken", kg_ru),
        (2, "trouble-passport-taken", tj_tr),
        (3, "work-russia", tj_tr),
    ):
        log.record(user, question("answer", topic=topic, lang="ky"), state)
    for text in ("как открыть ИП в России", "как открыть ИП в россии?", "можно ли взять кредит с патентом"):
        log.record(1, question("none", text, lang="ru"), kg_ru)
    log.record(1, question("suggest", "патент для жены", lang="ru", suggestions=["work-russia"]), kg_ru)
    brush_off = "где купить дешёвые кроссовки, пишите +7 912 345 67 89 или shop@mail.ru"
    log.record(2, question("none", brush_off, lang="ky", smalltalk="offtopic"), tj_tr)
    log.record(3, question("answer", "балдар мектепке", lang="ky", topic="work-russia", low_confidence=True), tj_tr)
    log.record(2, question("none", "спасибо", smalltalk="thanks"), tj_tr)
    log.record(2, question("none", "помогите нас заперли", emergency=True, lang="ru"), tj_tr)
    log.record(2, [Event("emergency", {"lang": "ru"})], tj_tr)
    log.record(1, [Event("hotline_shown", {"numbers": ["ru-emergency"]})], kg_ru)
    log.record(1, [Event("handoff", {"urgent": False})], kg_ru)
    for helpful in (True, False, False, False, False):
        log.record(1, [Event("feedback", {"topic": "work-russia", "helpful": helpful})], kg_ru)
    for helpful in (True, True, True, True, False):
        log.record(2, [Event("feedback", {"topic": "trouble-passport-taken", "helpful": helpful})], tj_tr)
    log.record(3, [Event("feedback", {"topic": "myth-debt", "helpful": False})], tj_tr)
    log.record(1, [Event("job_check", {"red_flags": 2, "flagged": ["passport", "contract"]})], kg_ru)
    log.record(2, [Event("job_check", {"red_flags": 1, "flagged": ["passport"]})], tj_tr)
    log.record(3, [Event("job_check", {"red_flags": 0, "flagged": []})], tj_tr)
    await log.close()
    return storage


def db_env(usage_db, tmp_path) -> dict[str, str]:
    """What an operator sets for the command line to read this database."""
    if isinstance(usage_db, str):
        return {"SAFAR_DATABASE_URL": usage_db, "SAFAR_DB_PATH": str(tmp_path / "x" / "unused.sqlite3")}
    return {"SAFAR_DB_PATH": str(usage_db)}


@pytest.fixture
def report(usage_db, matcher):
    return build_report(usage_db, YESTERDAY, matcher=matcher)


def test_report_counts(report):
    assert report.totals["users"] == 3
    assert report.campaigns == [("osh2026", 2)]
    assert report.top_topics[0] == ("trouble-passport-taken", "My employer took my passport", 2)
    assert report.outcomes["answered"] == 3 and report.outcomes["greeting / thanks"] == 1
    assert report.country_pairs == [("TJ", "TR", 2), ("KG", "RU", 1)]
    assert sum(day.emergencies for day in report.days) == 1


def test_every_question_has_one_outcome_and_the_shares_add_up_to_100(report):
    assert sum(report.outcomes.values()) == report.totals["questions"] == 11
    assert sum(report.shares().values()) == 100
    assert percentages({"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert report.outcomes["emergency card"] == 1  # the emergency is not "not answered"
    assert report.outcomes["not answered"] == 3


async def test_listing_unanswered_texts_while_saying_not_answered_0_is_impossible(tmp_path):
    """Answers and "did you mean" only: the listed texts are the share that was not answered well."""
    log = await UsageLog.open(tmp_path / "u.sqlite3", b"k")
    for user in range(3):
        log.record(user, question("answer", topic="work-russia", lang="ru"))
    for text in ("патент жене", "патент для жены"):
        log.record(9, question("suggest", text, lang="ru"))
    await log.close()
    report = build_report(log.db_path, YESTERDAY)
    assert sum(c.count for c in report.unanswered) == report.missed() == 2
    assert report.shares()["did you mean"] == 40 and "did you mean 40%" in short_summary(report)
    assert "did you mean 40%" in render_html(report)


def test_an_off_topic_brush_off_appears_in_the_could_not_answer_list_with_its_language(report):
    (brush_off,) = [c for c in report.unanswered if "кроссовки" in c.representative]
    assert brush_off.language == "ky" and brush_off.why == "off-topic brush-off"
    assert "[phone]" in brush_off.representative and "[email]" in brush_off.representative
    assert "912" not in brush_off.representative and "mail.ru" not in brush_off.representative


def test_a_low_confidence_answer_is_listed_and_counted_apart(report):
    assert report.outcomes["low-confidence answer"] == 1 and report.outcomes["answered"] == 3
    assert [c.why for c in report.unanswered if "мектеп" in c.representative] == ["low-confidence answer"]


def test_greetings_and_emergencies_are_never_listed(report):
    texts = [e for c in report.unanswered for e in c.examples]
    assert "спасибо" not in texts and not any("заперли" in t for t in texts)
    assert [c.count for c in report.unanswered][:1] == [2]  # the two "ИП" questions, grouped


def test_an_answer_just_above_the_threshold_is_flagged_low_confidence():
    def event(score: float) -> dict:
        decision = Decision("answer", "work-russia", score, (), False, "ru")
        return question_event(decision, "text", MatchThresholds(answer=20.0)).data

    assert event(21.0)["low_confidence"] is True
    assert event(40.0)["low_confidence"] is False


async def test_the_log_keeps_brush_off_and_low_confidence_texts_but_not_greetings(tmp_path):
    log = await UsageLog.open(tmp_path / "u.sqlite3", b"k")
    log.record(1, question("none", "курс доллара", smalltalk="offtopic"))
    log.record(1, question("none", "ты плохой бот", smalltalk="complaint"))
    log.record(1, question("answer", "почти угадал", topic="x", low_confidence=True))
    log.record(1, question("answer", "уверенный ответ", topic="x", low_confidence=False))
    log.record(1, question("none", "привет", smalltalk="greeting"))
    await log.close()
    with sqlite3.connect(log.db_path) as db:
        kept = [text for (text,) in db.execute("SELECT text FROM events WHERE text IS NOT NULL ORDER BY id")]
    assert kept == ["курс доллара", "ты плохой бот", "почти угадал"]


def test_today_is_marked_partial(report):
    *earlier, today = report.days
    assert today.day == dt.datetime.now(dt.UTC).date().isoformat() and today.partial
    assert "partial" in today.label and earlier and not any(d.partial for d in earlier)
    page = render_html(report)
    assert "(today, partial)" in page and 'fill="url(#hatch)"' in page


def test_feedback_is_a_rate_with_titles_worst_first_and_needs_enough_votes(report):
    assert [(v.title, v.votes, f"{v.rate:.0%}") for v in report.feedback] == [
        ("Working in Russia: patent, registration", 5, "20%"),
        ("My employer took my passport", 5, "80%"),
    ]
    assert report.feedback_few == 1 and FEEDBACK_MIN_VOTES == 5  # myth-debt's one vote is no rate


def test_emergencies_and_hotline_hand_offs_by_country_and_language(report):
    by_country = {s.key: (s.emergencies, s.hotline_cards, s.handoffs) for s in report.by_country}
    assert by_country == {"TR": (1, 0, 0), "RU": (0, 1, 1)}
    by_language = {s.key: (s.emergencies, s.hotline_cards, s.handoffs) for s in report.by_language}
    assert by_language == {"ru": (1, 0, 0), "ky": (0, 1, 1)}


def test_check_completions_and_the_most_frequent_red_flags_in_english(report):
    assert report.checks.completed == 3 and report.checks.with_flags == 2
    flag, text, count = report.checks.top_flags[0]
    assert (flag, count) == ("passport", 2) and text.startswith("Do they want you to hand over your passport")


def test_a_completed_check_records_which_questions_were_red_flags(real_content, matcher):
    dialogue = Dialogue(real_content, matcher, I18n(PROJECT_ROOT / "locales", real_content.languages))
    state = UserState(lang="ru", home="KG", current="RU")
    turn = dialogue.command(state, "check")
    for answers in ("y", "yy", "yyn", "yynn", "yynnn", "yynnnu", "yynnnun", "yynnnunn"):
        turn = dialogue.button(state, f"chk:{answers}")
    (event,) = [e for e in turn.events if e.kind == "job_check"]
    assert event.data["flagged"][:2] == ["pay-to-get-job", "passport"]  # ids from check.yaml, any language
    assert event.data["unsure"] == ["social-or-acquaintance"]  # "not sure" is counted apart from the flags


@dataclass
class FakeMatcher:
    scores: list[tuple[str, float]]
    thresholds: MatchThresholds = field(default_factory=MatchThresholds)

    def rank(self, text):
        return self.scores


def test_the_closest_topic_is_shown_only_when_the_matcher_clearly_prefers_one():
    close_call = FakeMatcher([("prepare-marriage-offers", 30.3), ("work-russia", 28.7)])
    assert closest_topic(close_call, "medical insurance in Russia") is None
    clear = FakeMatcher([("~offtopic", 60.0), ("work-russia", 30.0), ("work-korea", 30.0 - CLOSEST_TOPIC_LEAD)])
    assert closest_topic(clear, "патент жене") == "work-russia"
    too_weak = FakeMatcher([("work-russia", 8.0)])
    assert closest_topic(too_weak, "что-то") is None


def test_clustering_suggests_the_closest_topic(matcher):
    clusters = cluster_unanswered(
        [
            ("хозяин не отдаёт паспорт уже месяц", 3, "ru", "did you mean"),
            ("хозяин не отдает паспорт уже месяц!!", 1, "ky", "did you mean"),
            ("🙂", 1, "ru", "not answered"),
            ("🙂", 1, "ky", "not answered"),
        ],
        matcher,
    )
    assert clusters[0].count == 4 and clusters[0].closest_topic == "trouble-passport-taken"
    assert clusters[0].language == "ru 3, ky 1"
    assert [(c.representative, c.count) for c in clusters[1:]] == [("🙂", 2)]  # an emoji joins only itself


def test_csv_for_volunteers(report, tmp_path):
    path = tmp_path / "unanswered.csv"
    write_csv(report, path)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["count"] == "2" and "ИП" in rows[0]["representative"] and rows[0]["language"] == "ru"


def test_csv_cells_never_run_as_spreadsheet_formulas(tmp_path, usage_db):
    texts = [('=HYPERLINK("http://x","click")', 3), ("+7 звоните", 2), ("-5 градусов работа?", 1), ("@a привет", 1)]
    clusters = cluster_unanswered([(text, count, "ru", "none") for text, count in texts])
    clusters.append(Cluster("\tвопрос", 1, ["\tвопрос"]))
    report = build_report(usage_db, dt.date.today())
    report.unanswered = clusters
    path = tmp_path / "unanswered.csv"
    write_csv(report, path)
    with path.open(encoding="utf-8") as handle:
        cells = [cell for row in list(csv.reader(handle))[1:] for cell in row[3:]]
    assert cells and all(not cell or cell[0] not in "=+-@\t" for cell in cells), cells
    assert '\'=HYPERLINK("http://x","click")' in cells  # the text stays readable


def test_events_outside_the_window_are_not_counted(usage_db):
    report = build_report(usage_db, dt.date.today() + dt.timedelta(days=1), dt.date.today() + dt.timedelta(days=2))
    assert report.totals["users"] == 0 and report.unanswered == []
    assert "users 0" in short_summary(report)


def test_stats_command_prints_the_report(usage_db, tmp_path):
    out = run_cli("stats", "--days", "2", env=db_env(usage_db, tmp_path)).stdout
    assert "3 users" in out and "osh2026" in out and "off-topic brush-off" in out


def test_stats_html_writes_the_page_and_prints_one_line(usage_db, tmp_path):
    html_path = tmp_path / "r.html"
    out = run_cli("stats", "--days", "2", "--html", str(html_path), env=db_env(usage_db, tmp_path)).stdout
    assert out.splitlines() == [f"HTML report written to {html_path}"]
    assert html_path.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_purge_command(usage_db, tmp_path):
    asyncio.run(execute(usage_db, "UPDATE events SET ts = ? WHERE kind = 'start'", (time.time() - 200 * 86400,)))
    env = db_env(usage_db, tmp_path) | {"SAFAR_HASH_SECRET": "a-test-secret-of-some-length"}
    out = run_cli("log", "purge", "--older-than", "90d", env=env).stdout
    assert out.startswith("3 events older than 90 days deleted")


def test_html_report_renders_in_headless_chromium(report, tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make test` installs it")
        pytest.skip("chromium is not installed (make test installs it)")
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [CHROMIUM, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert '<p id="summary">3 users' in dom
    assert dom.count("<svg") >= 8 and "<rect" in dom
    assert "<script" not in dom and "http" not in dom.replace('"http://www.w3.org/2000/svg"', "")
    sections = ("outcomes", "days", "missed", "safety-country", "safety-language", "check", "feedback")
    for anchor in sections:
        assert f'id="{anchor}"' in dom, anchor
    assert "off-topic brush-off" in dom and "My employer took my passport" in dom and "(today, partial)" in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1400,1600", page.as_uri()],
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert shot.stat().st_size > 20_000  # a real page, not a blank one
    with Image.open(shot) as image:  # the page uses the whole width: the right quarter is not empty
        right = image.convert("L").crop((image.width * 3 // 4, 0, image.width - 40, image.height))
        assert right.getextrema()[0] < 100
