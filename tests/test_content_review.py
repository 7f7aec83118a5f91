"""`content review`: where a native reviewer should start."""

from __future__ import annotations

from pathlib import Path

from bot.content_review import review
from tests.conftest import REAL_CONTENT, run_cli, write_topic

TERMS = """\
ky:
  - use: жалдоочу
    not: [вербовщик]
  - use: полиция
    not: [милиция]
    note: милиция only for Kyrgyzstan
    except_near: [Кыргызстан]
"""


def ky_topic(root: Path, topic_id: str, answer: str, flags: str = "", reviewed: bool = False) -> Path:
    questions = ["вербовщик паспортту алды", "вербовщик алдады", "милицияга барсам", "паспорт", "жумуш", "кантем"]
    path = write_topic(root, "ky", topic_id, "Аталышы", "trouble", flags, "", questions, answer)
    if reviewed:
        path.write_text(path.read_text(encoding="utf-8").replace("reviewed: false", "reviewed: true"), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if text in line)


def ky_review(root: Path):
    return next(language for language in review(root).languages if language.lang == "ky")


def test_a_russian_word_in_an_answer_is_reported_on_its_line_but_not_in_questions_or_brackets(mini_content):
    (mini_content / "terms.yaml").write_text(TERMS, encoding="utf-8")
    passport = ky_topic(
        mini_content,
        "trouble-passport-taken",
        "Эч бир жалдоочу (вербовщик) паспортту кармай албайт.\n\nВербовщикке паспортуңузду бербеңиз.",
    )
    ky_topic(mini_content, "help-hotline", "Жалдоочуга акча бербеңиз.")
    found = ky_review(mini_content).inconsistencies
    assert [(Path(i.path).name, i.line, i.word) for i in found] == [
        ("trouble-passport-taken.md", line_of(passport, "Вербовщикке"), "Вербовщикке")
    ]
    assert str(found[0]).endswith(
        f"trouble-passport-taken.md:{found[0].line}: uses «Вербовщикке», elsewhere «жалдоочу»"
    )


def test_a_word_right_for_one_country_is_fine_where_the_line_names_that_country(mini_content):
    (mini_content / "terms.yaml").write_text(TERMS, encoding="utf-8")
    path = ky_topic(
        mini_content, "help-hotline", "Кыргызстанда милицияга кайрылыңыз.\n\nМилицияга же полицияга барыңыз."
    )
    found = ky_review(mini_content).inconsistencies
    assert [(i.line, i.word) for i in found] == [(line_of(path, "Милицияга же"), "Милицияга")]
    assert "милиция only for Kyrgyzstan" in str(found[0])


def test_unreviewed_topics_are_listed_urgent_first(mini_content):
    ky_topic(mini_content, "help-hotline", "Ишеним телефону.", flags="hotline")
    ky_topic(mini_content, "trouble-passport-taken", "Паспорт.", flags="hotline, urgent")
    ky_topic(mini_content, "about-signs", "Белгилер.")
    ky_topic(mini_content, "myth-debt", "Карыз.", reviewed=True)
    language = ky_review(mini_content)
    assert language.topics == 4
    assert language.unreviewed == ["trouble-passport-taken", "help-hotline", "about-signs"]


def test_a_mistyped_terms_file_is_reported_on_its_line_by_the_command(mini_content):
    (mini_content / "terms.yaml").write_text(
        "kg:\n  - use: жалдоочу\n    not: [вербовщик]\nru:\n  - use: вербовщик\n    nott: [вербовщик]\n",
        encoding="utf-8",
    )
    result = run_cli("--content-dir", str(mini_content), "content", "review", check=False)
    assert result.returncode == 1
    assert "terms.yaml:1: unknown language 'kg'" in result.stdout
    assert "terms.yaml:6: unknown field 'nott' (known: use, not, note, except_near)" in result.stdout
    assert "== ru: 2 of 2 topics not reviewed yet" in result.stdout


def test_kyrgyz_and_tajik_answers_say_recruiter_in_their_own_language():
    for language in review(REAL_CONTENT).languages:
        russian = [str(i) for i in language.inconsistencies if i.group.use in ("жалдоочу", "ҷалбкунанда")]
        assert russian == [], language.lang
