"""No bot token, nor anything shaped like one, reaches a log line or what the CLI prints."""

from __future__ import annotations

import logging

import pytest

from bot import logsafe

TOKEN = "123456789:AAF-test_token-shaped-like-a-real-one"


def test_mask_hides_the_token_and_anything_shaped_like_one():
    assert logsafe.mask(f"GET /bot{TOKEN}/getMe") == "GET /bot<token>/getMe"
    assert logsafe.mask("short-secret in a URL", "short-secret") == "<token> in a URL"
    assert logsafe.mask("case 123456 and 12:30, version 3.11") == "case 123456 and 12:30, version 3.11"


@pytest.fixture
def records():
    """The formatted lines a handler on the root logger writes, with the filter `install` adds."""
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(logging.Formatter().format(record))  # type: ignore[method-assign]
    root = logging.getLogger()
    root.addHandler(handler)
    saved = logging.lastResort.filters[:] if logging.lastResort else []
    try:
        yield lines, handler
    finally:
        root.removeHandler(handler)
        if logging.lastResort:
            logging.lastResort.filters[:] = saved


def test_install_masks_every_root_handler_and_only_once(records):
    lines, handler = records
    logsafe.install(TOKEN)
    logsafe.install(TOKEN)
    assert sum(isinstance(f, logsafe.TokenFilter) for f in handler.filters) == 1
    assert any(isinstance(f, logsafe.TokenFilter) for f in logging.lastResort.filters)
    logging.getLogger("test.logsafe").error("calling %s", f"https://api.telegram.org/bot{TOKEN}/getMe")
    assert lines == ["calling https://api.telegram.org/bot<token>/getMe"]


def test_a_stack_trace_is_masked_too(records):
    lines, _ = records
    logsafe.install(TOKEN)
    log = logging.getLogger("test.logsafe")
    log.warning("stack", stack_info=True)  # a source line in the stack: 123456789:AAF-test_token-shaped-like-a
    log.warning(TOKEN[:20])  # a fragment too short to be a token stays
    assert "Stack (most recent call last)" in lines[0] and TOKEN not in lines[0] and "<token>" in lines[0]
    assert lines[-1] == TOKEN[:20]


def test_a_clean_record_keeps_its_arguments_for_other_handlers():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s chose %s", ("hash", "ky"), None)
    assert logsafe.TokenFilter(TOKEN).filter(record)
    assert record.args == ("hash", "ky")
