"""Configuration from the environment: every setting read, defaults when unset, a bad value in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, Secret
from tests.conftest import run_cli


def test_an_empty_environment_gives_the_defaults():
    config = Config.from_env({})
    assert config == Config()
    assert not config.token and config.database == config.db_path and config.port == 8443


def test_every_setting_is_read_and_cleaned():
    config = Config.from_env(
        {
            "TELEGRAM_BOT_TOKEN": " 123:abc \n",
            "SAFAR_OPERATOR_IDS": "1, 2,,3",
            "SAFAR_OPERATOR_CHAT_ID": "-100500",
            "SAFAR_ANSWER_THRESHOLD": "25.5",
            "SAFAR_RETENTION_DAYS": "30",
            "SAFAR_BOT_USERNAME": "@safar_bot",
            "SAFAR_LOG_FORMAT": " JSON ",
            "SAFAR_WEBHOOK_URL": "https://bot.example.org",
            "SAFAR_PORT": "9000",
            "SAFAR_DEFAULT_LANGUAGE": "ky",
        }
    )
    assert config.token == "123:abc" and isinstance(config.token, Secret)
    assert config.operator_ids == {1, 2, 3} and config.operator_chat_id == -100500
    assert config.thresholds.answer == 25.5 and config.thresholds.margin == Config().thresholds.margin
    assert config.retention_days == 30 and config.bot_username == "safar_bot" and config.log_format == "json"
    assert (config.webhook_url, config.port, config.default_language) == ("https://bot.example.org", 9000, "ky")


def test_secrets_never_show_in_a_repr():
    config = Config.from_env({"TELEGRAM_BOT_TOKEN": "123:secret-key", "SAFAR_HASH_SECRET": "pepper"})
    assert "secret-key" not in repr(config) and "pepper" not in repr(config)
    assert repr(Secret("")) == "Secret('')"


def test_the_database_url_chooses_postgresql_or_an_sqlite_file():
    url = "postgresql://safar@db/safar"
    assert Config.from_env({"SAFAR_DATABASE_URL": url}).database == url
    sqlite = Config.from_env({"SAFAR_DATABASE_URL": "sqlite:////srv/safar.sqlite3"})
    assert sqlite.database == Path("/srv/safar.sqlite3") and sqlite.database_url is None


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("SAFAR_DATABASE_URL", "mysql://x", "SAFAR_DATABASE_URL must start with sqlite:/// or postgresql://"),
        ("SAFAR_PORT", "eighty", "SAFAR_PORT='eighty' is not a whole number"),
        ("SAFAR_OPERATOR_IDS", "12,abc", "SAFAR_OPERATOR_IDS must be Telegram user ids"),
        ("SAFAR_ANSWER_THRESHOLD", "high", "SAFAR_ANSWER_THRESHOLD='high' is not a number"),
        ("SAFAR_RETENTION_DAYS", "30d", "SAFAR_RETENTION_DAYS='30d' is not a whole number"),
    ],
)
def test_a_bad_value_stops_the_cli_with_one_plain_line(tmp_path, name, value, shown):
    result = run_cli("content", "check", env={name: value, "SAFAR_DB_PATH": str(tmp_path / "db")}, check=False)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1 and shown in result.stderr
