"""Operator statistics: counts, grouped unanswered questions, CSV, and the HTML report in a browser."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import time

import pytest

from bot.replies import Event, UserState
from bot.stats import Cluster, Report, build_report, cluster_unanswered, render_html, short_summary, write_csv
from bot.usage_log import UsageLog
from tests.conftest import run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture
async def usage_db(tmp_path):
    """A small usage log written through the real UsageLog."""
    log = await UsageLog.open(tmp_path / "usage.sqlite3", b"secret")
    kg_ru = UserState(lang="ky", home="KG", current="RU")
    tj_tr = UserState(lang="tg", home="TJ", current="TR")
    log.record(1, [Event("start", {"campaign": "osh2026"})], kg_ru)
    log.record(2, [Event("start", {"campaign": "osh2026"})], tj_tr)
    log.record(3, [Event("start", {})], tj_tr)
    for user, topic, state in (
        (1, "trouble-passport-taken", kg_ru),
        (2, "trouble-passport-taken", tj_tr),
        (3, "work-russia", tj_tr),
    ):
        log.record(user, [Event("question", {"decision": "answer", "topic": topic, "lang": "ky"})], state)
    for text in ("как открыть ИП в России", "как открыть ИП в россии?", "можно ли взять кредит с патентом"):
        log.record(1, [Event("question", {"decision": "none", "text": text, "lang": "ru"})], kg_ru)
    log.record(2, [Event("question", {"decision": "none", "text": "спасибо", "smalltalk": "thanks"})], tj_tr)
    log.record(2, [Event("question", {"decision": "none", "text": "помогите нас заперли", "emergency": True})])
    log.record(2, [Event("emergency", {})], tj_tr)
    log.record(1, [Event("feedback", {"topic": "work-russia", "helpful": False})], kg_ru)
    log.record(1, [Event("hotline_shown", {"numbers": ["ru-emergency"]})], kg_ru)
    await log.close()
    return log.db_path


def test_report_counts(usage_db):
    report = build_report(usage_db, dt.date.today() - dt.timedelta(days=1))
    assert report.totals["users"] == 3
    assert report.campaigns == [("osh2026", 2)]
    assert report.top_topics[0] == ("trouble-passport-taken", 2)
    assert report.decisions["small talk"] == 1 and report.decisions["answer"] == 3
    assert report.country_pairs == [("TJ", "TR", 2), ("KG", "RU", 1)]
    assert report.feedback == [("work-russia", 0, 1)]
    assert report.hotlines == [("RU", 1)]
    assert sum(day[3] for day in report.days) == 1


def test_unanswered_are_grouped_and_never_include_small_talk_or_emergencies(usage_db):
    report = build_report(usage_db, dt.date.today() - dt.timedelta(days=1))
    assert [c.count for c in report.unanswered] == [2, 1]
    texts = [e for c in report.unanswered for e in c.examples]
    assert "спасибо" not in texts and not any("заперли" in t for t in texts)


def test_clustering_suggests_the_closest_topic(matcher):
    clusters = cluster_unanswered(
        [
            ("хозяин не отдаёт паспорт уже месяц", 3),
            ("хозяин не отдает паспорт уже месяц!!", 1),
            ("что-то", 1),
        ],
        matcher,
    )
    assert clusters[0].count == 4 and clusters[0].closest_topic == "trouble-passport-taken"


def test_csv_for_volunteers(usage_db, tmp_path):
    report = build_report(usage_db, dt.date.today() - dt.timedelta(days=1))
    path = tmp_path / "unanswered.csv"
    write_csv(report, path)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["count"] == "2" and "ИП" in rows[0]["representative"]


def test_csv_cells_never_run_as_spreadsheet_formulas(tmp_path):
    clusters = cluster_unanswered(
        [('=HYPERLINK("http://x","click")', 3), ("+7 звоните", 2), ("-5 градусов работа?", 1), ("@a привет", 1)]
    )
    clusters.append(Cluster("\tвопрос", 1, ["\tвопрос"]))
    report = Report(dt.date.today(), dt.date.today(), [], [], [], [], {}, [], [], [], clusters, {})
    path = tmp_path / "unanswered.csv"
    write_csv(report, path)
    with path.open(encoding="utf-8") as handle:
        cells = [cell for row in list(csv.reader(handle))[1:] for cell in row[2:]]
    assert cells and all(not cell or cell[0] not in "=+-@\t" for cell in cells), cells
    assert '\'=HYPERLINK("http://x","click")' in cells  # the text stays readable


def test_events_outside_the_window_are_not_counted(usage_db):
    report = build_report(usage_db, dt.date.today() + dt.timedelta(days=1), dt.date.today() + dt.timedelta(days=2))
    assert report.totals["users"] == 0 and report.unanswered == []
    assert "users 0" in short_summary(report)


def test_stats_command(usage_db, tmp_path):
    html_path, csv_path = tmp_path / "r.html", tmp_path / "u.csv"
    args = ("stats", "--days", "2", "--html", str(html_path), "--unanswered", str(csv_path))
    out = run_cli(*args, env={"SAFAR_DB_PATH": str(usage_db)}).stdout
    assert "3 users" in out and "osh2026" in out
    assert html_path.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert csv_path.exists()


def test_purge_command(usage_db):
    import sqlite3

    with sqlite3.connect(usage_db) as db:
        db.execute("UPDATE events SET ts = ? WHERE kind = 'start'", (time.time() - 200 * 86400,))
    env = {"SAFAR_DB_PATH": str(usage_db), "SAFAR_HASH_SECRET": "a-test-secret-of-some-length"}
    out = run_cli("log", "purge", "--older-than", "90d", env=env).stdout
    assert out.startswith("3 events older than 90 days deleted")


def test_html_report_renders_in_headless_chromium(usage_db, tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make test` installs it")
        pytest.skip("chromium is not installed (make test installs it)")
    report = build_report(usage_db, dt.date.today() - dt.timedelta(days=1))
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
    shot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1000,1600", page.as_uri()],
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert shot.stat().st_size > 20_000  # a real page, not a blank one
