"""End-to-end fixtures: the Bot API emulator, the real bot process, and users to talk to it.

One emulator (``node launcher.js``) and one bot (``python -m bot run``, polling) run for the
whole session; every test talks to the bot as a new Telegram user, so tests do not share state.

Content: the bot ships with ``content/``, so that is what these tests use. While the content
is being written and does not load yet, run them against the tiny test tree instead:

    SAFAR_E2E_CONTENT=mini .venv/bin/pytest tests/e2e      (or =/path/to/a/content/folder)
"""

from __future__ import annotations

import itertools
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.config import PROJECT_ROOT, Config
from bot.content import Content, load_content
from tests.conftest import REAL_CONTENT, make_mini_content
from tests.e2e.telegram_user import TelegramUser

E2E_DIR = Path(__file__).resolve().parent
LAUNCHER = E2E_DIR / "launcher.js"
NODE_MODULES = E2E_DIR / "node_modules"

# The one switch for the content the bot runs with: "real" (content/), "mini", or a folder.
CONTENT = os.environ.get("SAFAR_E2E_CONTENT", "real")

TOKEN = "123456:TEST-e2e-token"
OPERATOR_ID = 4242
STARTUP_TIMEOUT = 30.0
_LOGS = pytest.StashKey[dict]()  # per test: {process name: (process, log offset at the start)}
_USERS = pytest.StashKey[list]()  # per test: the TelegramUsers it made
LOG_ERRORS = (" WARNING ", " ERROR ", " CRITICAL ", "Traceback (most recent call last)", "[e2e-api] ")


# --- processes --------------------------------------------------------------------------------


@dataclass
class Process:
    """A child process whose output goes to a log file we can read back in slices."""

    name: str
    popen: subprocess.Popen
    log_path: Path
    url: str = ""

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int = 0) -> str:
        with self.log_path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            pytest.fail(
                f"{self.name} exited with code {self.popen.returncode}; its output:\n" + self.log_since()[-8000:],
                pytrace=False,
            )

    def stop(self, timeout: float = 10.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        if self.popen.stdout:
            self.popen.stdout.close()
        return self.popen.returncode


def _read_ready_line(popen: subprocess.Popen, marker: str, timeout: float) -> str:
    """The launcher's first stdout line (it prints its URL once it listens)."""
    assert popen.stdout is not None
    deadline = time.monotonic() + timeout
    buffer = b""
    fd = popen.stdout.fileno()
    while b"\n" not in buffer:
        left = deadline - time.monotonic()
        if left <= 0 or popen.poll() is not None:
            break
        readable, _, _ = select.select([fd], [], [], min(left, 0.2))
        if readable:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buffer += chunk
    line = buffer.decode("utf-8", "replace").strip()
    if not line.startswith(marker):
        return ""
    return line.split(maxsplit=1)[1]


def _node_or_skip() -> str:
    node = shutil.which("node")
    missing = []
    if node is None:
        missing.append("node (Node.js 18+)")
    if not (NODE_MODULES / "telegram-test-api").is_dir():
        missing.append("tests/e2e/node_modules (run `make e2e-setup`, i.e. `cd tests/e2e && npm ci`)")
    if missing:
        message = "end-to-end tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " — in CI this is an error, not a skip", pytrace=False)
        pytest.skip(message)
    assert node is not None
    return node


@pytest.fixture(scope="session")
def bot_api(tmp_path_factory) -> Process:
    """The Bot API emulator on a free loopback port."""
    node = _node_or_skip()
    log_path = tmp_path_factory.mktemp("e2e-api") / "launcher.log"
    with log_path.open("wb") as log:
        popen = subprocess.Popen(
            [node, str(LAUNCHER), "--port", "0", "--host", "127.0.0.1"],
            cwd=E2E_DIR,
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
        )
    api = Process("the Bot API emulator (launcher.js)", popen, log_path)
    api.url = _read_ready_line(popen, "E2E_API_READY", STARTUP_TIMEOUT)
    if not api.url:
        api.stop()
        pytest.fail("launcher.js did not start:\n" + api.log_since(), pytrace=False)
    yield api
    api.stop()


# --- the bot ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def content_dir(tmp_path_factory) -> Path:
    """The content folder the bot runs with (see CONTENT above)."""
    if CONTENT == "real":
        return REAL_CONTENT
    if CONTENT == "mini":
        return make_mini_content(tmp_path_factory.mktemp("e2e-content") / "content")
    return Path(CONTENT).resolve()


@pytest.fixture(scope="session")
def content(content_dir) -> Content:
    """The same content, loaded here, to know what the bot should say."""
    return load_content(content_dir).content


def bot_environment(api_url: str, content_dir: Path, db_path: Path) -> dict[str, str]:
    """Every setting explicit, so a developer's .env (load_dotenv never overrides) cannot leak in."""
    defaults = Config()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "SAFAR_"))}
    env.update(
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api_url,
        SAFAR_CONTENT_DIR=str(content_dir),
        SAFAR_LOCALES_DIR=str(defaults.locales_dir),
        SAFAR_DB_PATH=str(db_path),
        SAFAR_HASH_SECRET="e2e-hash-secret-not-for-production",
        SAFAR_OPERATOR_IDS=str(OPERATOR_ID),
        SAFAR_RETENTION_DAYS=str(defaults.retention_days),
        SAFAR_DEFAULT_LANGUAGE=defaults.default_language,
        SAFAR_ANSWER_THRESHOLD=str(defaults.thresholds.answer),
        SAFAR_ANSWER_MARGIN=str(defaults.thresholds.margin),
        SAFAR_SUGGEST_THRESHOLD=str(defaults.thresholds.suggest),
    )
    return env


def _bot_status(api: Process, token: str) -> dict:
    response = httpx.post(f"{api.url}/getBotStatus", json={"token": token}, timeout=5)
    return response.json()["result"]


def start_bot(
    api: Process, content_dir: Path, workdir: Path, *, token: str = TOKEN, args: tuple[str, ...] = ()
) -> Process:
    """Start `python -m bot run [args]`; return once it polls (or its webhook is set)."""
    log_path = workdir / "bot.log"
    env = bot_environment(api.url, content_dir, workdir / "data" / "safar.sqlite3")
    env["TELEGRAM_BOT_TOKEN"] = token
    with log_path.open("wb") as log:
        popen = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", *args],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    bot = Process(f"the bot (python -m bot run {' '.join(args)})".replace(" )", ")"), popen, log_path)
    ready_key = "webhook" if "--webhook" in args else "polling"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while not _bot_status(api, token)[ready_key]:
            bot.check_alive()
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the bot did not start ({ready_key}) in {STARTUP_TIMEOUT:.0f}s:\n" + bot.log_since(),
                    pytrace=False,
                )
            time.sleep(0.05)
    except BaseException:
        bot.stop()
        raise
    return bot


@pytest.fixture(scope="session")
def safar_bot(bot_api, content_dir, tmp_path_factory) -> Process:
    """The real bot (`python -m bot run`) polling the emulator; stopped at the end."""
    bot = start_bot(bot_api, content_dir, tmp_path_factory.mktemp("e2e-bot"))
    yield bot
    code = bot.stop()
    if code != 0:
        pytest.fail(f"the bot exited with code {code} on SIGTERM:\n{bot.log_since()[-8000:]}")


# --- per test ----------------------------------------------------------------------------------

_user_ids = itertools.count(100_001)


@pytest.fixture
async def make_user(safar_bot, bot_api, request):
    """Make a new Telegram user (its own private chat with the bot)."""
    made: list[TelegramUser] = []
    request.node.stash[_USERS] = made

    def make(
        language_code: str | None = "ru",
        first_name: str = "Test",
        *,
        token: str = TOKEN,
        bot: Process | None = None,
    ) -> TelegramUser:
        person = TelegramUser(
            bot_api.url,
            token,
            next(_user_ids),
            first_name=first_name,
            language_code=language_code,
            alive=(bot or safar_bot).check_alive,
        )
        made.append(person)
        return person

    yield make
    for person in made:
        await person.aclose()


@pytest.fixture
def user(make_user) -> TelegramUser:
    """A new user whose Telegram app is set to Russian (language_code "ru")."""
    return make_user()


@pytest.fixture(autouse=True)
def _bot_logs(request):
    """Keep the logs of this test: shown when it fails, and any error in them fails it."""
    if "safar_bot" not in request.fixturenames:
        yield
        return
    bot: Process = request.getfixturevalue("safar_bot")
    api: Process = request.getfixturevalue("bot_api")
    request.node.stash[_LOGS] = marks = {bot.name: (bot, bot.log_size()), api.name: (api, api.log_size())}
    yield
    problems = []
    for name, (process, offset) in marks.items():
        text = process.log_since(offset)
        bad = [line for line in text.splitlines() if any(sign in line for sign in LOG_ERRORS)]
        if bad:
            problems.append(f"{name}:\n" + "\n".join(bad[:20]))
    if problems:
        pytest.fail("errors logged during the test:\n" + "\n\n".join(problems), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure: the conversation, and what the bot and the emulator logged meanwhile."""
    report = yield
    if not report.failed:
        return report
    users = item.stash.get(_USERS, [])
    lines = [line for person in users for line in person.transcript]
    if lines:
        report.sections.append(("conversation", "\n".join(lines)[-12000:]))
    for name, (process, offset) in item.stash.get(_LOGS, {}).items():
        text = process.log_since(offset).strip()
        report.sections.append((f"{name}: output during this test", text[-12000:] or "(nothing)"))
    return report
