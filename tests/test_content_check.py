"""`content check` catches what would break people's help: one broken fixture per case.

Each test copies the small content tree (``mini_content``), breaks one thing
as a volunteer might, and asserts the file, the line and the words the
volunteer reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.content import TOPIC_ID_LIMIT, load_content
from bot.content_check import check
from bot.dialogue import Dialogue
from bot.i18n import I18n
from bot.matching import Matcher
from bot.replies import UserState
from bot.services import Services
from tests.conftest import REAL_CONTENT, run_cli, write_topic

# The mini topic files (tests/conftest.py): line 2 id, 3 title, 4 category, 5 flags, 6 related,
# 7 reviewed, 8 "questions:", 9-14 the six questions, 15 "---", 16 the answer.
EN = Path("en") / "help-hotline.md"
RU = Path("ru") / "help-hotline.md"


def errors(root: Path, relative: Path | str) -> list[tuple[int, str]]:
    report = check(root, today=dt.date(2026, 11, 24))
    return [(p.line, p.message) for p in report.errors if Path(p.path) == root / relative]


def warnings(root: Path, relative: Path | str) -> list[tuple[int, str]]:
    report = check(root, today=dt.date(2026, 11, 24))
    return [(p.line, p.message) for p in report.warnings if Path(p.path) == root / relative]


def edit(root: Path, relative: Path | str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def answer(root: Path, relative: Path | str, markdown: str) -> None:
    """Replace the answer (below the fields block, line 16) with ``markdown``."""
    path = root / relative
    head, _, _ = path.read_text(encoding="utf-8").rpartition("---\n")
    path.write_text(head + "---\n" + markdown + "\n", encoding="utf-8")


# --- YAML: the line of the actual mistake, in plain words ---------------------------------


def test_misindented_question_is_reported_on_its_own_line(mini_content):
    edit(mini_content, EN, "  - hotline hours\n", " - hotline hours\n")
    assert errors(mini_content, EN) == [
        (
            14,
            "this line is indented differently from the questions above it — "
            "use 2 spaces before the dash, as on line 13",
        )
    ]


def test_misindented_field(mini_content):
    edit(mini_content, EN, "reviewed: false", "  reviewed: false")
    assert errors(mini_content, EN) == [
        (
            7,
            "this line is indented differently from the lines above it — "
            "start the field at the beginning of the line, as on line 6",
        )
    ]


def test_colon_inside_a_text(mini_content):
    edit(mini_content, EN, "title: What is the hotline?", "title: Hotline: what is it?")
    assert errors(mini_content, EN) == [
        (
            3,
            "this text contains ': ' (a colon and a space), which YAML reads as a new field: put the whole text "
            'in quotes, like title: "Myth: easy money"',
        )
    ]


def test_question_with_a_colon_is_a_block_not_a_text(mini_content):
    edit(mini_content, EN, "  - hotline hours\n", "  - ad: hotline hours\n")
    assert errors(mini_content, EN) == [
        (
            14,
            "item 6 of `questions` must be a text, not a block of fields: the text has ': ' (a colon and a space) "
            "in it — put the whole text in quotes",
        )
    ]


def test_unclosed_quote_is_reported_where_it_opens(mini_content):
    edit(mini_content, EN, "title: What is the hotline?", 'title: "What is the hotline?')
    assert errors(mini_content, EN) == [
        (3, "a quote opened on this line is never closed: add the closing quote at the end of the text")
    ]


def test_text_after_a_closing_quote(mini_content):
    edit(mini_content, EN, "  - hotline hours\n", '  - "free" hotline hours\n')
    assert errors(mini_content, EN) == [
        (
            14,
            "a text in quotes must end at its closing quote: put the whole text in quotes, "
            "like - 'they keep it \"for safety\"'",
        )
    ]


def test_tab_character(mini_content):
    edit(mini_content, EN, "  - hotline hours\n", "\t- hotline hours\n")
    assert errors(mini_content, EN) == [
        (14, "this line has a Tab character: use spaces to indent (two spaces before a dash)")
    ]


def test_duplicate_key_names_both_lines(mini_content):
    path = mini_content / "en" / "emergency.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "phrases:\n  - they beat us\n", encoding="utf-8")
    assert errors(mini_content, "en/emergency.yaml") == [
        (
            7,
            "`phrases` appears twice in the same block (lines 1 and 7): "
            "only one of them would count — merge them into one",
        )
    ]


def test_duplicate_field_in_a_topic(mini_content):
    edit(mini_content, EN, "reviewed: false\n", "reviewed: false\ntitle: Hotline\n")
    assert errors(mini_content, EN) == [
        (
            8,
            "`title` appears twice in the same block (lines 3 and 8): "
            "only one of them would count — merge them into one",
        )
    ]


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [*{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}]\n"
    for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_alias_bomb_is_refused_at_its_first_anchor(mini_content):
    (mini_content / "en" / "smalltalk.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    assert errors(mini_content, "en/smalltalk.yaml") == [
        (
            1,
            "a value here starts with '&', which YAML reads as a reference to another part of the file; references "
            'are not allowed in content files: if it is text, put it in quotes, like "&a"',
        )
    ]


def test_a_star_at_the_start_of_a_question_is_a_reference(mini_content):
    edit(mini_content, EN, "  - hotline hours\n", "  - *free* hotline\n")
    assert errors(mini_content, EN) == [
        (
            14,
            "a value here starts with '*' or '&', which YAML reads as a reference to another part of the file: "
            "if it is text, put it in quotes",
        )
    ]


async def test_reload_refuses_an_alias_bomb_and_keeps_the_live_content(mini_content, config):
    services = await Services.open(replace(config, content_dir=mini_content))
    try:
        live = services.content
        (mini_content / "en" / "smalltalk.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
        problems = await services.reload()
        assert [(Path(p.path).name, p.line) for p in problems] == [("smalltalk.yaml", 1)]
        assert services.content is live
    finally:
        await services.close()


def test_bytes_that_are_not_utf8(mini_content):
    path = mini_content / EN
    path.write_bytes(path.read_bytes().replace(b"is free", b"is gratis \xe9t\xe9"))
    assert errors(mini_content, EN) == [
        (
            16,
            "this line has characters that are not UTF-8 text (byte 0xe9): "
            "retype them, or save the file with the encoding UTF-8",
        )
    ]


def test_impossible_date(mini_content):
    edit(mini_content, "hotlines.yaml", "verified: 2026-01-10", "verified: 2026-02-30")
    assert errors(mini_content, "hotlines.yaml") == [
        (15, "2026-02-30 is not a real date: write year-month-day, like 2026-05-01")
    ]
    edit(mini_content, EN, "reviewed: false", "reviewed: 2026-13-01")
    assert errors(mini_content, EN) == [(7, "2026-13-01 is not a real date: write year-month-day, like 2026-05-01")]


# --- schemas: known keys, types, the closest known key ------------------------------------


def test_misspelt_field_suggests_the_known_one(mini_content):
    edit(mini_content, EN, "questions:", "questons:")
    assert errors(mini_content, EN) == [(8, "`questons`: unknown field — did you mean `questions`?")]


def test_unknown_field_lists_the_known_ones(mini_content):
    edit(mini_content, EN, "reviewed: false\n", "reviewed: false\ncolour: blue\n")
    assert errors(mini_content, EN) == [
        (
            8,
            "`colour`: unknown field — the known fields are: id, title, category, flags, related, reviewed, "
            "questions, card_text",
        )
    ]


def test_wrong_types_say_what_to_write(mini_content):
    edit(mini_content, EN, "reviewed: false", 'reviewed: "no"')
    edit(mini_content, EN, "title: What is the hotline?", "title: 2026")
    assert errors(mini_content, EN) == [
        (3, '`title` must be a text, not the number 2026: put it in quotes, like "2026"'),
        (7, "`reviewed` must be true or false, not a text: write true or false"),
    ]


def test_unknown_category_and_flag(mini_content):
    edit(mini_content, EN, "category: help", "category: hepl")
    edit(mini_content, EN, "flags: [hotline]", "flags: [hotlne]")
    assert errors(mini_content, EN) == [
        (
            4,
            "`category`: `hepl` is not one of: myth, prepare, work, trouble, help, about, bot — did you mean `help`?",
        ),
        (5, "`flags`: `hotlne` is not one of: hotline, urgent — did you mean `hotline`?"),
    ]


def test_smalltalk_schema(mini_content):
    path = mini_content / "en" / "smalltalk.yaml"
    path.write_text("thanks:\n  reply: Welcome!\n  phrase: [thank you]\n", encoding="utf-8")
    assert errors(mini_content, "en/smalltalk.yaml") == [
        (3, "`thanks → phrase`: unknown field — did you mean `phrases`?")
    ]


def test_check_schema(mini_content):
    check_yaml = (REAL_CONTENT / "en" / "check.yaml").read_text(encoding="utf-8")
    (mini_content / "en" / "check.yaml").write_text(check_yaml.replace("verdicts:", "verdict:"), encoding="utf-8")
    [(line, message)] = errors(mini_content, "en/check.yaml")
    assert message == "`verdict`: unknown field — did you mean `verdicts`?"
    assert check_yaml.split("\n")[line - 1] == "verdicts:"


# --- topics -------------------------------------------------------------------------------


def test_phone_number_in_an_answer(mini_content):
    answer(mini_content, EN, "The hotline is free.\n\nCall +996 312 62 12 34 or the police.")
    assert errors(mini_content, EN) == [
        (
            18,
            "'+996 312 62 12 34' looks like a phone number: never write numbers in an answer — they live in "
            "hotlines.yaml, and the bot adds the right one for the user's country (add 'hotline' to flags)",
        )
    ]


def test_short_hotline_number_in_an_answer(mini_content):
    answer(mini_content, EN, "The hotline is free.\n\nIn Kyrgyzstan dial 189. Since 2006 it helped 30 000 people.")
    assert errors(mini_content, EN) == [
        (
            18,
            "'189' is the number of kg-stop-traffic in hotlines.yaml: never write numbers in an answer — the bot "
            "adds the right hotline for the user's country (add 'hotline' to flags)",
        )
    ]


def test_numbers_in_links_are_not_phone_numbers(mini_content):
    answer(mini_content, EN, "See [the list](https://example.org/list/189/1234567).")
    assert errors(mini_content, EN) == []


def test_same_question_twice_in_one_topic(mini_content):
    edit(mini_content, EN, "  - hotline hours\n", "  - What is the hotline?\n")
    assert errors(mini_content, EN) == [
        (14, "the question 'What is the hotline?' is already on line 9 of this topic: remove one of them")
    ]


def test_topic_id_too_long_for_telegram_buttons(mini_content):
    assert len("fb::1") + TOPIC_ID_LIMIT == 64  # the feedback button carries the longest prefix
    long_id = "help-" + "x" * (TOPIC_ID_LIMIT - 4)
    for lang in ("en", "ru"):
        write_topic(mini_content, lang, long_id, "Long", "help", "", "", ["a", "b", "c"], "Text.")
    assert errors(mini_content, f"en/{long_id}.md") == [
        (
            2,
            "the id is 60 characters; at most 59 fit in Telegram's buttons: choose a shorter id and rename the file "
            "in every language",
        )
    ]
    fitting = long_id[:-1]
    for lang in ("en", "ru"):
        (mini_content / lang / f"{long_id}.md").unlink()
        write_topic(mini_content, lang, fitting, "Long", "help", "", "", ["a", "b", "c"], "Text.")
    assert errors(mini_content, f"en/{fitting}.md") == []


def test_fewer_than_eight_questions_is_a_warning(mini_content):
    assert (8, "only 6 questions; add at least 8 ways people ask this") in warnings(mini_content, EN)
    readme = (REAL_CONTENT / "README.md").read_text(encoding="utf-8")
    assert "**at least 8**" in readme


def test_answer_whose_html_is_over_telegrams_limit(mini_content):
    links = " ".join(f"[{n}](https://example.org/{'a' * 80}/{n})" for n in range(40))
    answer(mini_content, EN, links)
    [(line, message)] = errors(mini_content, EN)
    assert line == 16
    assert message.startswith("the answer is ") and message.endswith(
        "characters once formatted for Telegram (bold, links and quotes count too); Telegram's limit is 4096: "
        "shorten it"
    )


# --- Markdown Telegram would show raw -----------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        (
            "[site](javascript:alert(1))",
            "the link 'javascript:alert(1)' cannot be used: a link in an answer must start with https:// "
            "(or tg:// for Telegram)",
        ),
        (
            "[site](http://example.org)",
            "the link http://example.org is not secure: write it with https://, like https://example.org",
        ),
        (
            "[mail us](mailto:a@example.org)",
            "the link 'mailto:a@example.org' cannot be used: a link in an answer must start with https:// "
            "(or tg:// for Telegram)",
        ),
        (
            "[ТИМ] (https://example.org)",
            "a space between ']' and '(' breaks the link: write [ТИМ](https://example.org) with no space",
        ),
        ("[broken link(https://example.org)", "a '[' opens a link but its ']' is missing: write [text](https://…)"),
        (
            "[site](https://example.org",
            "the link to https://example.org is missing its closing ')': write [text](https://example.org)",
        ),
        (
            "an **unclosed bold",
            "a '*' here is not closed, so Telegram would show the star: close bold as **like this** "
            "(or write \\* for a real star)",
        ),
    ],
)
def test_markdown_telegram_would_show_raw(mini_content, markdown, message):
    answer(mini_content, EN, f"The hotline is free.\n\nFirst line,\nthen {markdown} here.")
    assert errors(mini_content, EN) == [(19, message)]


# --- small talk and /check ----------------------------------------------------------------


def test_empty_smalltalk_reply(mini_content):
    edit(mini_content, "en/smalltalk.yaml", "reply: You're welcome!", 'reply: ""')
    assert errors(mini_content, "en/smalltalk.yaml") == [
        (2, "`thanks → reply` is empty: write the short reply the bot gives")
    ]


def test_topic_title_as_smalltalk(mini_content):
    edit(mini_content, "en/smalltalk.yaml", "many thanks]", "many thanks, What is the hotline]")
    assert errors(mini_content, "en/smalltalk.yaml") == [
        (
            3,
            "'What is the hotline' is the title of the topic help-hotline (en): as small talk it would get the "
            "reply for 'thanks' instead of the answer — remove it from this file",
        )
    ]


def test_topic_question_as_smalltalk(mini_content):
    path = mini_content / "ru" / "smalltalk.yaml"
    path.write_text(
        "thanks:\n  reply: Пожалуйста!\n  phrases:\n    - спасибо\n    - Забрали паспорт!\n", encoding="utf-8"
    )
    assert errors(mini_content, "ru/smalltalk.yaml") == [
        (
            5,
            "'Забрали паспорт!' is the title of the topic trouble-passport-taken (ru): as small talk it would get "
            "the reply for 'thanks' instead of the answer — remove it from this file",
        )
    ]


def test_unknown_placeholder_in_a_check_verdict(mini_content):
    check_yaml = (REAL_CONTENT / "en" / "check.yaml").read_text(encoding="utf-8")
    assert "{count}" in check_yaml
    broken = check_yaml.replace("{count}", "{total}", 1)
    (mini_content / "en" / "check.yaml").write_text(broken, encoding="utf-8")
    [(line, message)] = errors(mini_content, "en/check.yaml")
    assert "{total}" in broken.split("\n")[line - 1]
    assert message == "{total} is not a placeholder the bot knows: use {count} (the number of red flags)"
    (mini_content / "en" / "check.yaml").write_text(check_yaml.replace("{count}", "{count", 1), encoding="utf-8")
    [(line, message)] = errors(mini_content, "en/check.yaml")
    assert message == "a '{' or '}' without its pair: the verdicts can use {count} (the number of red flags)"


# --- the command line: one plain line, no traceback ---------------------------------------


def test_starting_on_broken_content_prints_one_line_per_problem(mini_content):
    edit(mini_content, EN, "category: help", "category: [help")
    edit(mini_content, RU, "  - часы работы линии\n", " - часы работы линии\n")
    env = {"TELEGRAM_BOT_TOKEN": "", "SAFAR_DB_PATH": str(mini_content.parent / "safar.sqlite3")}
    started = run_cli("--content-dir", str(mini_content), "chat", env=env, input="", check=False)
    assert started.returncode == 1
    lines = started.stderr.strip().split("\n")
    assert lines[0].endswith(
        "en/help-hotline.md:4: a '[' on this line is never closed: finish the list on the same line, like [a, b]"
    )
    assert lines[1].endswith(
        "ru/help-hotline.md:14: this line is indented differently from the questions above it — "
        "use 2 spaces before the dash, as on line 13"
    )
    assert (
        lines[2] == "The bot did not start: the content has 2 errors (listed above). "
        "Fix them; `python -m bot content check` checks again."
    )
    assert len(lines) == 3 and "Traceback" not in started.stderr
    debug = run_cli("--debug", "--content-dir", str(mini_content), "chat", env=env, input="", check=False)
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "ContentError" in debug.stderr


def test_the_real_content_loads_without_duplicate_keys_or_references():
    result = load_content(REAL_CONTENT)
    assert not [p for p in result.problems if "appears twice" in p.message or "reference" in p.message]


def test_the_longest_allowed_id_fits_in_every_button_that_carries_it(mini_content):
    longest = "help-" + "x" * (TOPIC_ID_LIMIT - 5)
    for lang in ("en", "ru"):
        write_topic(mini_content, lang, longest, "Long", "help", "", "help-hotline", ["a", "b"], "Text.")
        edit(mini_content, f"{lang}/help-hotline.md", "related: [trouble-passport-taken]", f"related: [{longest}]")
    content = load_content(mini_content).content
    dialogue = Dialogue(content, Matcher(content), I18n(PROJECT_ROOT / "locales", content.languages, "en"))
    state = UserState(lang="en", home="KG", current="KG")
    turns = [dialogue.button(state, data) for data in (f"t:{longest}", "t:help-hotline", "cat:help")]
    turns.append(dialogue.text(state, "what is the hotline"))
    data = [b.data for turn in turns for m in turn.messages for row in m.buttons for b in row]
    carrying = [d for d in data if longest in d]
    assert {d.split(":")[0] for d in carrying} >= {"t", "fb"}
    assert max(len(d.encode()) for d in carrying) == 64


def test_yes_or_no_as_a_question_must_be_quoted(mini_content):
    edit(mini_content, EN, "  - hotline hours\n", "  - no\n")
    assert errors(mini_content, EN) == [
        (14, 'item 6 of `questions` must be a text, not a yes/no value: put it in quotes, like "no"')
    ]


def test_misindented_field_in_a_nested_block(mini_content):
    path = mini_content / "en" / "smalltalk.yaml"
    path.write_text("thanks:\n  reply: Welcome!\n   phrases: [thank you]\n", encoding="utf-8")
    assert errors(mini_content, "en/smalltalk.yaml") == [
        (
            3,
            "this line is indented differently from the lines above it — start the field after 2 spaces, as on line 2",
        )
    ]
