"""Reading volunteers' YAML: every mistake comes back as ``file:line: what to do``, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

from bot.schema import Field, Problem, Schema, display_path, parse_yaml, read_text

TOPIC_SCHEMA = Schema({"id": Field(str), "title": Field(str, nonempty=True), "questions": Field(list, items=str)})


def check(path: Path, text: str | bytes, schema: Schema = TOPIC_SCHEMA) -> list[str]:
    """The problems of one file, as a volunteer reads them."""
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    problems: list[Problem] = []
    doc = parse_yaml(path, read_text(path, problems), problems)
    if doc is not None:
        schema.validate(doc, problems)
    return [str(p) for p in problems]


def test_a_good_file_has_no_problems_and_keeps_the_line_of_every_key(tmp_path):
    path = tmp_path / "topic.yaml"
    assert check(path, "id: a\ntitle: A\nquestions:\n  - one\n  - two\n") == []
    problems: list[Problem] = []
    doc = parse_yaml(path, read_text(path, problems), problems, first_line=10)
    assert doc.line("questions", 1) == 14 and doc.written("title") == "A"


def test_a_syntax_error_names_the_file_and_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    [problem] = check(tmp_path / "topic.yaml", "id: a\ntitle: A\nquestions: [one, two\n")
    assert problem.startswith("topic.yaml:3: ") and "never closed" in problem


def test_bytes_that_are_not_utf8_are_reported_on_their_line(tmp_path):
    [problem] = check(tmp_path / "t.yaml", b"id: a\ntitle: \xe9t\xe9\n")
    assert ":2: " in problem and "UTF-8" in problem


def test_a_key_written_twice_is_an_error_not_a_silent_overwrite(tmp_path):
    [problem] = check(tmp_path / "t.yaml", "id: a\ntitle: A\ntitle: B\nquestions: []\n")
    assert ":3: " in problem and "`title` appears twice" in problem and "lines 2 and 3" in problem


def test_references_are_refused_with_advice_to_quote(tmp_path):
    [problem] = check(tmp_path / "t.yaml", "id: &x a\ntitle: *x\nquestions: []\n")
    assert ":1: " in problem and "put it in quotes" in problem


def test_an_impossible_date_is_named(tmp_path):
    [problem] = check(tmp_path / "t.yaml", "checked: 2026-02-30\n", Schema({"checked": Field(object)}))
    assert ":1: " in problem and "2026-02-30 is not a real date" in problem


def test_a_misspelt_key_gets_the_closest_known_one_and_a_missing_key_is_named(tmp_path):
    problems = check(tmp_path / "t.yaml", "id: a\ntitel: A\nquestions: []\n")
    assert problems == [f"{display_path(str(tmp_path / 't.yaml'))}:2: `titel`: unknown field — did you mean `title`?"]
    problems = check(tmp_path / "t.yaml", "id: a\nquestions: []\n")
    assert len(problems) == 1 and "`title` is missing" in problems[0]


def test_a_wrong_type_is_explained_on_its_line(tmp_path):
    [problem] = check(tmp_path / "t.yaml", "id: a\ntitle: A\nquestions: one question\n")
    assert ":3: " in problem and "questions" in problem


def test_a_missing_file_is_a_problem_not_an_exception(tmp_path):
    problems: list[Problem] = []
    assert read_text(tmp_path / "absent.yaml", problems) is None
    assert "cannot open the file" in str(problems[0])


def test_warnings_say_so_and_paths_are_relative_to_where_the_volunteer_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    problem = Problem(str(tmp_path / "content" / "en" / "a.md"), 4, "no questions", severity="warning")
    assert str(problem) == f"content{os.sep}en{os.sep}a.md:4: warning: no questions"
