"""The hash secret and the webhook secret: never empty, never silently replaced (rotation: test_rotate.py)."""

from __future__ import annotations

import http.server
import logging
import shutil
import subprocess
import threading
from dataclasses import replace

import pytest

from bot import logsafe
from bot.config import Config, Secret
from bot.keys import SecretError, load_secret, secret_path, webhook_secret, webhook_secret_path
from bot.services import Services
from tests.conftest import run_cli
from tests.telegram_fake import Updates, running_bot, to_update

GOOD = "a-perfectly-good-secret-0123456789"
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "safar.sqlite3"


def test_an_empty_or_short_secret_is_refused_with_one_clear_line(db):
    db.parent.mkdir(parents=True)
    secret_path(db).write_text("")  # what a first start on a full disk could leave
    with pytest.raises(SecretError, match="is empty") as empty:
        load_secret(None, db)
    assert "\n" not in str(empty.value)
    with pytest.raises(SecretError, match=r"too short \(5 characters\)"):
        load_secret("short", db)
    with pytest.raises(SecretError, match="SAFAR_HASH_SECRET is empty"):
        load_secret("   ", db)


def test_generated_once_private_and_kept(db):
    first = load_secret(None, db)
    assert len(first) == 64 and load_secret(None, db) == first
    assert secret_path(db).stat().st_mode & 0o077 == 0


async def test_a_lost_secret_file_is_never_silently_replaced(config, mini_content):
    config = replace(config, content_dir=mini_content)
    services = await Services.open(config)
    assert await services.subscribe(77, 77, "ru")
    await services.close()
    path = secret_path(config.db_path)
    backup = path.read_text()
    path.unlink()
    with pytest.raises(SecretError, match=r"missing.*restore") as refused:
        await Services.open(config)
    assert "\n" not in str(refused.value)
    assert not path.exists()  # no new secret was made over the old data
    path.write_text(backup)  # restoring the file brings everything back
    services = await Services.open(config)
    assert [s.chat_id for s in await services.subscriptions.all()] == [77]
    await services.close()


async def test_a_different_secret_from_the_environment_is_refused(config, mini_content):
    config = replace(config, content_dir=mini_content, hash_secret=Secret(GOOD))
    await (await Services.open(config)).close()
    with pytest.raises(SecretError, match="not the secret the data"):
        await Services.open(replace(config, hash_secret=Secret(GOOD + "-other")))


def test_the_cli_says_what_is_wrong_in_one_line(tmp_path):
    env = {"SAFAR_DB_PATH": str(tmp_path / "d.sqlite3"), "SAFAR_HASH_SECRET": "tiny", "TELEGRAM_BOT_TOKEN": TOKEN}
    run = run_cli("run", env=env, check=False)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "too short" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_webhook_secret_is_generated_kept_and_checked(tmp_path):
    config = replace(Config(), db_path=tmp_path / "data" / "s.sqlite3")
    first = webhook_secret(config)
    assert len(first) >= 32 and webhook_secret(config) == first
    assert webhook_secret_path(config.db_path).stat().st_mode & 0o077 == 0
    assert webhook_secret(replace(config, webhook_secret=Secret("from_env-0123456789"))) == "from_env-0123456789"
    with pytest.raises(SecretError, match="SAFAR_WEBHOOK_SECRET"):
        webhook_secret(replace(config, webhook_secret=Secret("has spaces and is long")))
    assert Config.from_env({"SAFAR_WEBHOOK_SECRET": "abc_DEF-0123456789"}).webhook_secret == "abc_DEF-0123456789"


async def test_a_read_only_data_folder_still_answers_when_the_secret_comes_from_the_environment(
    mini_content, config, caplog
):
    folder = config.db_path.parent
    async with running_bot(config, content_dir=mini_content, hash_secret=Secret(GOOD)) as (app, _):
        await app.process_update(to_update(Updates(language_code="en").message("/start"), app.bot))
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)]).returncode != 0:
        pytest.skip("needs chattr to make a folder read-only for root")
    try:
        async with running_bot(config, content_dir=mini_content, hash_secret=Secret(GOOD)) as (app, fake):
            await app.process_update(to_update(Updates(language_code="en").message("what is the hotline"), app.bot))
            assert any("free and confidential" in t for t in fake.texts())
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert "unavailable" in caplog.text  # the usage log says it degraded


# --- the token ----------------------------------------------------------------------------


def test_the_token_is_masked_in_messages_arguments_and_tracebacks(caplog):
    handler = logging.StreamHandler()
    records: list[str] = []
    handler.emit = lambda record: records.append(handler.format(record))  # type: ignore[method-assign]
    handler.addFilter(logsafe.TokenFilter(TOKEN))
    logger = logging.getLogger("test.logsafe")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
        except RuntimeError:
            logger.exception("GET https://api.telegram.org/bot%s/getMe failed", TOKEN)
        logger.warning("another bot's token 987654:%s", "Z" * 35)
    finally:
        logger.removeHandler(handler)
    text = "\n".join(records)
    assert TOKEN not in text and "Z" * 35 not in text
    assert "rejected by the server" in text and "<token>" in text


class Unauthorized(http.server.BaseHTTPRequestHandler):
    """A Bot API that answers every call with 401, as Telegram does for a wrong token."""

    def do_POST(self):
        body = b'{"ok": false, "error_code": 401, "description": "Unauthorized"}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture
def unauthorized_api():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Unauthorized)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("command", [("run",), ("broadcast", "campaigns/example.yaml", "--send")])
def test_a_401_at_start_up_prints_no_token(command, unauthorized_api, tmp_path):
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": unauthorized_api,
        "SAFAR_DB_PATH": str(tmp_path / "d.sqlite3"),
        "SAFAR_HASH_SECRET": GOOD,
    }
    run = run_cli(*command, env=env, check=False)
    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "refused the bot token" in output


def test_cryptography_floor_is_past_known_cves():
    import re
    import tomllib

    from bot.config import PROJECT_ROOT

    dependencies = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (floor,) = [re.search(r">=([\d.]+)", d).group(1) for d in dependencies if d.startswith("cryptography")]
    assert tuple(map(int, floor.split("."))) >= (50, 0, 0)  # CVE-2026-69247 affects 44.0.0 up to 49.x
