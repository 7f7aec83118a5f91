"""Markdown to Telegram HTML: what renders, and what would reach the user as raw syntax."""

from __future__ import annotations

from bot.markup import leftover_markup, render


def test_formatting_renders_to_telegram_html():
    rendered = render("**Myth:** a [hotline](https://example.org) and a [chat](tg://resolve?domain=x).")
    assert rendered.problems == []
    assert rendered.html == (
        '<b>Myth:</b> a <a href="https://example.org">hotline</a> and a <a href="tg://resolve?domain=x">chat</a>.'
    )


def test_escaped_characters_and_plain_brackets_are_text_not_mistakes():
    rendered = render("5 \\* 3, a \\[note\\] and [1] are fine; Tom &amp; Jerry too.")
    assert rendered.problems == []
    assert rendered.text == "5 * 3, a [note] and [1] are fine; Tom & Jerry too."


def test_problems_name_the_line_inside_a_paragraph():
    rendered = render("First paragraph.\n\nline two\nline three with **bold\nline four")
    assert [line for line, _ in rendered.problems] == [3]


def test_each_leftover_is_named_once():
    assert leftover_markup("plain text") == []
    assert len(leftover_markup("[a] (https://x.org) and **b")) == 2
