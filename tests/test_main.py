"""The command line (`safar` / `python -m bot`): every error ends as one plain line and an exit code."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys

import pytest
from telegram.error import InvalidToken

import bot.__main__ as cli
from bot.config import PROJECT_ROOT
from bot.keys import SecretError
from tests.conftest import run_cli

TOKEN = "123456789:AAF-a-token-that-must-never-be-printed"
COMMANDS = ("start", "run", "healthcheck", "chat", "content", "hotlines", "match", "ask", "eval", "stats",
            "broadcast", "materials", "secret", "log")  # fmt: skip


def test_help_lists_every_command():
    result = run_cli("--help")
    assert result.returncode == 0 and result.stdout.startswith("usage: safar")
    for command in COMMANDS:
        assert f"    {command} " in result.stdout, command


def test_an_unknown_command_is_a_usage_error():
    result = run_cli("frobnicate", check=False)
    assert result.returncode == 2 and "invalid choice: 'frobnicate'" in result.stderr


def test_without_a_token_the_default_command_is_the_terminal_chat(monkeypatch):
    chats = []
    monkeypatch.setattr(cli, "cmd_chat", lambda args, config: chats.append(args.lang) or 0)
    result = run_cli(env={"TELEGRAM_BOT_TOKEN": ""})
    assert result.stdout.startswith("TELEGRAM_BOT_TOKEN is not set: starting the terminal chat")
    assert chats == [None]


@pytest.mark.parametrize(("text", "age"), [("90d", dt.timedelta(days=90)), ("12w", dt.timedelta(weeks=12)),
                                           ("48h", dt.timedelta(hours=48))])  # fmt: skip
def test_ages_are_a_number_and_a_unit(text, age):
    assert cli.parse_age(text) == age


@pytest.mark.parametrize("text", ["90", "d", "1.5d", "-3d", "90m"])
def test_a_bad_age_says_how_to_write_one(text):
    with pytest.raises(argparse.ArgumentTypeError, match="like 90d"):
        cli.parse_age(text)


def test_a_bad_age_on_the_command_line_is_a_usage_error():
    result = run_cli("log", "purge", "--older-than", "90m", check=False)
    assert result.returncode == 2 and "'90m': use a number and d, w or h, like 90d" in result.stderr


def failing(error: BaseException):
    def handler(args, config):
        raise error

    return handler


@pytest.mark.parametrize(
    ("error", "code", "stderr"),
    [
        (KeyboardInterrupt(), 130, ""),
        (
            SecretError("the hash secret file is empty: delete it"),
            2,
            "safar: the hash secret file is empty: delete it\n",
        ),
        (InvalidToken("Unauthorized"), 2, "safar: Telegram refused the bot token (401/404): check TELEGRAM_BOT_TOKEN"),
        (RuntimeError("disk full"), 1, "error: disk full (run with --debug to see where)\n"),
    ],
)
def test_each_kind_of_failure_has_its_exit_code_and_one_line(monkeypatch, error, code, stderr):
    monkeypatch.setattr(cli, "cmd_content_check", failing(error))
    result = run_cli("content", "check", check=False)
    assert result.returncode == code and result.stderr.startswith(stderr)
    assert "Traceback" not in result.stderr and result.stderr.count("\n") <= 1


def test_debug_shows_the_traceback_without_the_token(monkeypatch):
    monkeypatch.setattr(cli, "cmd_content_check", failing(RuntimeError(f"GET /bot{TOKEN}/getMe failed")))
    result = run_cli("--debug", "content", "check", env={"TELEGRAM_BOT_TOKEN": TOKEN}, check=False)
    assert result.returncode == 1 and "Traceback" in result.stderr and "RuntimeError" in result.stderr
    assert TOKEN not in result.stderr and "<token>" in result.stderr


def test_the_one_line_error_never_shows_the_token(monkeypatch):
    monkeypatch.setattr(cli, "cmd_content_check", failing(RuntimeError(f"GET /bot{TOKEN}/getMe failed")))
    result = run_cli("content", "check", env={"TELEGRAM_BOT_TOKEN": TOKEN}, check=False)
    assert result.returncode == 1 and TOKEN not in result.stderr


def test_an_error_without_a_message_is_named_by_its_kind(monkeypatch):
    monkeypatch.setattr(cli, "cmd_content_check", failing(RuntimeError()))
    assert run_cli("content", "check", check=False).stderr.startswith("error: RuntimeError")


def test_a_missing_folder_is_one_line(tmp_path):
    db = tmp_path / "safar.sqlite3"
    run_cli("log", "purge", env={"SAFAR_DB_PATH": str(db)})  # an empty usage log
    target = tmp_path / "no-such-folder" / "report.html"
    result = run_cli("stats", "--html", str(target), env={"SAFAR_DB_PATH": str(db)}, check=False)
    assert result.returncode == 1
    assert result.stderr == f"error: {target}: No such file or directory\n"


def test_a_closed_pipe_ends_quietly():
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head` that has already exited
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "ask", "my boss took my passport"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 0 and result.stderr == ""
