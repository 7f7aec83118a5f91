"""`content check`: every error class names the file and the line; the real content passes."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.content import Problem
from bot.content_check import check, dump, format_report
from tests.conftest import REAL_CONTENT, run_cli

BRIEF = PROJECT_ROOT.parent / "shared" / "content-brief.md"
LANGUAGES = ("ru", "ky", "tg", "en")


def problems_for(root: Path, path: Path) -> list[tuple[int, str, str]]:
    report = check(root, today=dt.date(2026, 11, 24))
    return [(p.line, p.message, p.severity) for p in report.problems if Path(p.path) == path]


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_mini_content_is_valid(mini_content):
    report = check(mini_content)
    assert report.errors == []


def test_unparseable_front_matter_names_the_line(mini_content):
    path = mini_content / "en" / "help-hotline.md"
    replace_in(path, "category: help", "category: [help")
    found = problems_for(mini_content, path)
    assert found == [(4, "a '[' on this line is never closed: finish the list on the same line, like [a, b]", "error")]


def test_missing_front_matter(mini_content):
    path = mini_content / "en" / "help-hotline.md"
    path.write_text("The hotline is free.\n", encoding="utf-8")
    assert (1, "the file must start with a line '---' (the fields block)", "error") in problems_for(mini_content, path)


def test_missing_and_unknown_fields(mini_content):
    path = mini_content / "en" / "help-hotline.md"
    replace_in(path, "reviewed: false\n", "reveiwed: false\n")
    messages = {(line, message) for line, message, _ in problems_for(mini_content, path)}
    assert messages == {(7, "`reveiwed`: unknown field — did you mean `reviewed`?")}  # not also "missing"
    replace_in(path, "reveiwed: false\n", "")
    messages = {(line, message) for line, message, _ in problems_for(mini_content, path)}
    assert messages == {(2, "`reviewed` is missing: add a line 'reviewed: …'")}


def test_id_must_match_file_name(mini_content):
    path = mini_content / "ru" / "help-hotline.md"
    replace_in(path, "id: help-hotline", "id: help-hotlines")
    message = (
        "the id `help-hotlines` must be the file name without .md: write 'id: help-hotline' "
        "(an id never changes; to start a new topic, make a new file named after its id)"
    )
    assert check(mini_content).errors == [Problem(str(path), 2, message)]  # once: not "missing" elsewhere


def test_a_copied_topic_file_cannot_reuse_the_id(mini_content):
    copy = mini_content / "en" / "help-hotline-copy.md"
    copy.write_text((mini_content / "en" / "help-hotline.md").read_text(encoding="utf-8"), encoding="utf-8")
    errors = check(mini_content).errors
    assert [(Path(p.path).name, p.line) for p in errors] == [("help-hotline-copy.md", 2)]
    assert "write 'id: help-hotline-copy'" in errors[0].message


def test_same_question_under_two_topics_after_normalisation(mini_content):
    path = mini_content / "en" / "help-hotline.md"
    replace_in(path, "  - hotline hours\n", "  - My BOSS took my passport!!\n")
    found = problems_for(mini_content, path)
    assert any(line == 14 and "also under topic 'trouble-passport-taken'" in message for line, message, _ in found), (
        found
    )


def test_answer_over_telegram_limit(mini_content):
    path = mini_content / "en" / "help-hotline.md"
    replace_in(path, "The hotline is free and confidential.", "word " * 900)
    found = problems_for(mini_content, path)
    assert any(line == 16 and "Telegram's limit is 4096" in message for line, message, _ in found), found


def test_markup_telegram_would_reject(mini_content):
    path = mini_content / "ru" / "help-hotline.md"
    replace_in(path, "Горячая линия бесплатная", "Горячая <span>линия</span> бесплатная\n\n![logo](x.png)")
    found = problems_for(mini_content, path)
    assert (16, "raw HTML is not allowed in an answer: use Markdown", "error") in found
    assert (18, "images cannot be shown in a Telegram answer", "error") in found


def test_related_topic_that_does_not_exist(mini_content):
    path = mini_content / "en" / "help-hotline.md"
    replace_in(path, "related: [trouble-passport-taken]", "related: [trouble-pasport-taken]")
    assert (6, "related topic 'trouble-pasport-taken' does not exist", "error") in problems_for(mini_content, path)


def test_a_per_topic_hotlines_field_is_unknown(mini_content):
    """The bot routes numbers by the person's countries; a topic cannot pick its own (the field was never used)."""
    path = mini_content / "en" / "help-hotline.md"
    replace_in(path, "reviewed: false\n", "reviewed: false\nhotlines: [kg-stop-trafic]\n")
    assert any("`hotlines`: unknown field" in message for _, message, _ in problems_for(mini_content, path))


def test_topic_missing_in_a_language(mini_content):
    (mini_content / "ru" / "help-hotline.md").unlink()
    report = check(mini_content)
    missing = [p for p in report.errors if "missing in ru" in p.message]
    assert len(missing) == 1 and missing[0].path.endswith("ru/help-hotline.md") and missing[0].line == 0


def test_title_too_long_for_a_button(mini_content):
    path = mini_content / "en" / "help-hotline.md"
    replace_in(path, "title: What is the hotline?", "title: " + "x" * 41)
    assert (3, "title is 41 characters; a button fits at most 40", "error") in problems_for(mini_content, path)


def test_hotline_file_errors_name_the_line(mini_content):
    path = mini_content / "hotlines.yaml"
    replace_in(path, "country: RU", "country: XX")
    replace_in(path, "verified: 2026-01-10", "verified: last week")
    found = problems_for(mini_content, path)
    assert (17, "unknown country code 'XX'; use two capital letters like KG", "error") in found
    assert (15, "'verified' has the wrong type (a date like 2026-05-01, or null)", "error") in found


def test_warnings_do_not_fail_the_check(mini_content):
    path = mini_content / "en" / "help-hotline.md"
    replace_in(path, "  - hotline hours\n", "")
    report = check(mini_content, today=dt.date(2027, 3, 1))
    warnings = {(Path(p.path).name, p.line, p.message) for p in report.warnings}
    assert ("help-hotline.md", 8, "only 5 questions; add at least 8 ways people ask this") in warnings
    assert (
        "hotlines.yaml",
        9,
        "kg-stop-traffic (189) was last verified on 2026-01-10, more than 12 months ago",
    ) in warnings
    assert ("hotlines.yaml", 2, "kg-emergency (112) has never been verified by a call") in warnings
    assert report.errors == []


def test_short_translation_is_flagged(mini_content):
    path = mini_content / "ru" / "trouble-passport-taken.md"
    replace_in(path, "**Миф:** паспорт можно отдать.\n\n**На самом деле:** никто не вправе его держать.", "Нет.")
    found = problems_for(mini_content, path)
    assert any(severity == "warning" and "is the translation complete?" in message for _, message, severity in found)


def test_all_problems_reported_in_one_run(mini_content):
    replace_in(mini_content / "en" / "help-hotline.md", "category: help", "category: helps")
    replace_in(mini_content / "ru" / "help-hotline.md", "title: Что", "title: " + "Ы" * 50 + " Что")
    assert len(check(mini_content).errors) >= 2


def test_cli_exit_code_and_summary(mini_content):
    ok = run_cli("--content-dir", str(mini_content), "content", "check", check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "2 topics in 2 languages" in ok.stdout
    replace_in(mini_content / "en" / "help-hotline.md", "id: help-hotline", "id: nope")
    broken = run_cli("--content-dir", str(mini_content), "content", "check", check=False)
    assert broken.returncode == 1
    assert "help-hotline.md:2: the id `nope` must be the file name without .md" in broken.stdout


def test_dump_is_one_json_document(mini_content):
    out = run_cli("--content-dir", str(mini_content), "content", "dump").stdout
    document = json.loads(out)
    topic = next(t for t in document["topics"] if t["id"] == "trouble-passport-taken" and t["lang"] == "en")
    assert topic["urgent"] and topic["hotline"]
    assert topic["answer_html"].startswith("<b>Myth:</b>")
    assert {"id", "lang", "title", "category", "questions", "answer_html", "answer_text"} <= topic.keys()
    assert document["hotlines"][0]["source"] == "test source"


# --- the real content ---------------------------------------------------------------------


def brief_topic_ids() -> list[str]:
    if not BRIEF.exists():
        return []
    ids = []
    for line in BRIEF.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 2 and cells[1] and "-" in cells[1] and " " not in cells[1] and cells[1] != "---":
            ids.append(cells[1])
    return ids


def test_real_content_passes_the_check():
    report = check(REAL_CONTENT)
    assert report.errors == [], format_report(report)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_brief_topic_exists_in_every_language(real_content, lang):
    ids = brief_topic_ids()
    if not ids:
        pytest.skip("the content brief is not beside the project")
    assert set(ids) <= set(real_content.topics[lang]), sorted(set(ids) - set(real_content.topics[lang]))


@pytest.mark.parametrize("path", sorted(REAL_CONTENT.glob("*/*.md")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_topic_file(real_content, path):
    topic = real_content.topics[path.parent.name][path.stem]
    assert len(topic.questions) >= 8
    assert len(topic.answer_text) <= 1000
    digits = re.sub(r"(?<=\d)[ ()-](?=\d)", "", topic.answer_text)
    numbers = {re.sub(r"\D", "", h.number) for h in real_content.hotlines}
    found = set(re.findall(r"\d+", digits))
    assert not found & numbers and not any(len(n) >= 7 for n in found), (
        "phone numbers live in hotlines.yaml, not in answers"
    )


def test_every_hotline_has_a_source_and_a_verification_field():
    text = (REAL_CONTENT / "hotlines.yaml").read_text(encoding="utf-8")
    document = dump(check(REAL_CONTENT).result.content)
    assert document["hotlines"]
    for hotline in document["hotlines"]:
        assert hotline["source"].strip()
    assert len(re.findall(r"(?m)^\s+verified:", text)) == len(document["hotlines"])


def test_job_check_must_match_across_languages(mini_content):
    check_yaml = (REAL_CONTENT / "en" / "check.yaml").read_text(encoding="utf-8")
    (mini_content / "en" / "check.yaml").write_text(check_yaml, encoding="utf-8")
    ru = mini_content / "ru" / "check.yaml"
    ru.write_text(check_yaml.replace('red_flag: "no"', 'red_flag: "maybe"', 1), encoding="utf-8")
    found = problems_for(mini_content, ru)
    assert (17, "`questions → red_flag`: `maybe` is not one of: yes, no", "error") in found  # the red_flag line
    ru.write_text(check_yaml.replace("id: passport", "id: pasport"), encoding="utf-8")
    found = problems_for(mini_content, ru)
    assert any(line == 11 and "question ids" in message for line, message, _ in found), found  # "- id: pasport"
