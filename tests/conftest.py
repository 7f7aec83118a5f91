"""Shared fixtures: a tiny valid content tree, the real content, configs and services."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Config, Secret
from bot.content import load_content
from bot.dialogue import Dialogue
from bot.i18n import I18n
from bot.matching import Matcher

REAL_CONTENT = PROJECT_ROOT / "content"

TOPIC = """\
---
id: {id}
title: {title}
category: {category}
flags: [{flags}]
related: [{related}]
reviewed: false
questions:
{questions}
---
{answer}
"""

MINI_TOPICS = {
    "en": {
        "trouble-passport-taken": (
            "My employer took my passport",
            "trouble",
            "hotline, urgent",
            "help-hotline",
            [
                "my boss took my passport",
                "employer keeps my passport",
                "passport taken",
                "they hold our documents",
                "how to get my passport back",
                "agency took passport",
            ],
            "**Myth:** keeping passports is normal.\n\n**Reality:** nobody may keep it.",
        ),
        "help-hotline": (
            "What is the hotline?",
            "help",
            "hotline",
            "trouble-passport-taken",
            [
                "what is the hotline",
                "is the hotline free",
                "hotline number",
                "can I call anonymously",
                "who answers the hotline",
                "hotline hours",
            ],
            "The hotline is free and confidential.",
        ),
    },
    "ru": {
        "trouble-passport-taken": (
            "Забрали паспорт",
            "trouble",
            "hotline, urgent",
            "help-hotline",
            [
                "забрали паспорт",
                "хозяин держит паспорт",
                "работодатель забрал паспорт",
                "паспорт у бригадира",
                "как вернуть паспорт",
                "агентство забрало документы",
            ],
            "**Миф:** паспорт можно отдать.\n\n**На самом деле:** никто не вправе его держать.",
        ),
        "help-hotline": (
            "Что такое горячая линия",
            "help",
            "hotline",
            "trouble-passport-taken",
            [
                "что такое горячая линия",
                "линия бесплатная",
                "номер горячей линии",
                "можно позвонить анонимно",
                "кто отвечает на линии",
                "часы работы линии",
            ],
            "Горячая линия бесплатная и конфиденциальная.",
        ),
    },
}

MINI_HOTLINES = """\
hotlines:
  - id: kg-emergency
    country: KG
    number: "112"
    kind: emergency
    name: {en: "Emergency services", ru: "Экстренная служба"}
    source: "test source"
    verified: null
  - id: kg-stop-traffic
    country: KG
    number: "189"
    kind: hotline
    name: {en: "Stop Traffic hotline", ru: "Горячая линия Стоп трафик"}
    source: "test source"
    verified: 2026-01-10
  - id: ru-emergency
    country: RU
    number: "112"
    kind: emergency
    name: {en: "Single emergency number", ru: "Единый номер экстренных служб"}
    toll_free: true
    source: "test source"
    verified: null
  - id: tr-yimer-157
    country: TR
    number: "157"
    international: "+90 312 157 11 12"
    from_abroad: true
    kind: hotline
    name: {en: "YIMER line", ru: "Линия YIMER"}
    source: "test source"
    verified: null
"""

MINI_EMERGENCY = {
    "en": "phrases:\n  - help me\n  - locked us in\n  - they beat*\nnot_emergency:\n  - help me understand\n",
    "ru": "phrases:\n  - помогите\n  - нас заперл*\nnot_emergency:\n  - помогите разобраться\n",
}

MINI_SMALLTALK = {
    "en": "thanks:\n  reply: You're welcome!\n  phrases: [thank you, thanks a lot, many thanks]\n",
    "ru": "thanks:\n  reply: Пожалуйста!\n  phrases: [спасибо, спасибо большое, благодарю]\n",
}


def write_topic(
    root: Path,
    lang: str,
    topic_id: str,
    title: str,
    category: str,
    flags: str,
    related: str,
    questions: list[str],
    answer: str,
) -> Path:
    path = root / lang / f"{topic_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "\n".join(f"  - {q}" for q in questions)
    path.write_text(
        TOPIC.format(
            id=topic_id,
            title=title,
            category=category,
            flags=flags,
            related=related,
            questions=lines,
            answer=answer,
        ),
        encoding="utf-8",
    )
    return path


def make_mini_content(root: Path) -> Path:
    for lang, topics in MINI_TOPICS.items():
        for topic_id, fields in topics.items():
            write_topic(root, lang, topic_id, *fields)
        (root / lang / "emergency.yaml").write_text(MINI_EMERGENCY[lang], encoding="utf-8")
        (root / lang / "smalltalk.yaml").write_text(MINI_SMALLTALK[lang], encoding="utf-8")
    (root / "hotlines.yaml").write_text(MINI_HOTLINES, encoding="utf-8")
    return root


@pytest.fixture
def mini_content(tmp_path: Path) -> Path:
    return make_mini_content(tmp_path / "content")


@pytest.fixture(scope="session")
def real_content():
    result = load_content(REAL_CONTENT)
    assert result.ok, "\n".join(map(str, result.errors))
    return result.content


@pytest.fixture(scope="session")
def matcher(real_content) -> Matcher:
    return Matcher(real_content)


def dialogue_for(root: Path, locales: Path = PROJECT_ROOT / "locales", *, can_talk: bool = False) -> Dialogue:
    """The dialogue over the content tree at ``root``, as the bot builds it (Russian by default)."""
    content = load_content(root).content
    return Dialogue(content, Matcher(content), I18n(locales, content.languages, "ru"), can_talk=can_talk)


@pytest.fixture
def dialogue(mini_content) -> Dialogue:
    return dialogue_for(mini_content)


@pytest.fixture(scope="session")
def real_dialogue(real_content, matcher) -> Dialogue:
    return Dialogue(real_content, matcher, I18n(PROJECT_ROOT / "locales", real_content.languages))


def all_text(turn) -> str:
    """Every message of a turn, as one text: what the person reads."""
    return "\n".join(m.html for m in turn.messages)


def button_data(turn) -> list[str]:
    """The callback data of every inline button of a turn, in the order they are shown."""
    return [b.data for m in turn.messages for row in m.buttons for b in row]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return replace(Config(), db_path=tmp_path / "data" / "safar.sqlite3", hash_secret=None)


def run_cli(*args: str, env: dict | None = None, input: str | None = None, check: bool = True):
    """`python -m bot ARGS` as an operator or volunteer would run it: ``main()`` in this process.

    The environment, working folder, stdin and logging set-up are restored afterwards. Tests about the
    process itself (the installed console script, a closed pipe, a server in its own process) start one.
    """
    from bot.__main__ import main

    stdout, stderr = io.StringIO(), io.StringIO()
    saved_env, saved_cwd, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
    root = logging.getLogger()
    saved_logging = (root.level, root.handlers[:], {h: h.filters[:] for h in [*root.handlers, logging.lastResort] if h})
    try:
        os.environ.update(env or {})
        os.chdir(PROJECT_ROOT)
        sys.stdin = io.StringIO(input or "")
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(list(args))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
        sys.stdin = saved_stdin
        root.setLevel(saved_logging[0])  # the CLI sets up logging for its process: not for the next test
        root.handlers[:] = saved_logging[1]
        for handler, filters in saved_logging[2].items():
            handler.filters[:] = filters
    result = subprocess.CompletedProcess(["safar", *args], code or 0, stdout.getvalue(), stderr.getvalue())
    if check:
        result.check_returncode()
    return result


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --- PostgreSQL: a throw-away cluster for the whole session -----------------------------------
#
# initdb refuses to run as root (CI runs as root): the cluster then belongs to the `postgres` system
# user the Debian package creates, and initdb/pg_ctl run as that user through `runuser`. It listens
# on a unix socket in its own temporary folder only (no TCP port), without fsync, and is stopped and
# deleted at the end. SAFAR_TEST_POSTGRES=0 skips the PostgreSQL half of the storage tests; otherwise
# a cluster that cannot start fails them loudly.

STORAGE_BACKENDS = ("sqlite", "postgresql")


def _postgres_bin() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


@contextlib.contextmanager
def postgres_cluster():
    """Start a throw-away cluster (initdb + pg_ctl) and yield its socket folder; stopped and deleted after.

    Raises RuntimeError, with PostgreSQL's own words, when it cannot start. Also used by the benchmarks.
    """
    import shutil
    import tempfile

    binaries = _postgres_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL is not installed (make test installs the Debian `postgresql` package)")
    folder = Path(tempfile.mkdtemp(prefix="safar-pg-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to the package's `postgres` user
        import pwd

        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", "postgres", "--"]
    data, log = folder / "data", folder / "server.log"

    def run(*command: str) -> None:
        result = subprocess.run([*as_owner, *command], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            server_log = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"PostgreSQL: {Path(command[0]).name} failed: {result.stderr[-2000:]}\n{server_log}")

    try:
        run(str(binaries / "initdb"), "-D", str(data), "-U", "safar", "-A", "trust", "-E", "UTF8", "--no-sync",
            "--locale=C")  # fmt: skip
        options = f"-k {folder} -c listen_addresses='' -F -c full_page_writes=off -c max_connections=300"
        run(str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start")
        yield folder
    finally:
        subprocess.run([*as_owner, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """The socket folder of a running throw-away PostgreSQL cluster; its superuser is `safar`."""
    if os.environ.get("SAFAR_TEST_POSTGRES") == "0":
        pytest.skip("SAFAR_TEST_POSTGRES=0: the PostgreSQL storage tests are skipped")
    with contextlib.ExitStack() as stack:
        try:
            folder = stack.enter_context(postgres_cluster())
        except RuntimeError as error:
            pytest.fail(str(error))
        yield folder


def postgres_url(socket_folder: Path, database: str = "postgres") -> str:
    return f"postgresql://safar@/{database}?host={socket_folder}"


def psql(folder: Path, sql: str) -> None:
    binaries = _postgres_bin()
    assert binaries is not None
    subprocess.run(
        [str(binaries / "psql"), "-X", "-q", "-h", str(folder), "-U", "safar", "-d", "postgres", "-c", sql],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def fresh_postgres(request) -> str:
    """The URL of a new, empty database on the session's cluster (dropped afterwards)."""
    folder = request.getfixturevalue("postgres_server")
    name = f"t_{os.getpid()}_{next(_DATABASES)}"
    psql(folder, f"CREATE DATABASE {name}")
    yield postgres_url(folder, name)
    psql(folder, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


_DATABASES = iter(range(1, 1_000_000))


@pytest.fixture(params=STORAGE_BACKENDS)
def storage(request, tmp_path) -> str | Path:
    """Where a storage test keeps its data, once per backend: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "s.sqlite3"
    return request.getfixturevalue("fresh_postgres")


@pytest.fixture
def storage_config(storage, config) -> Config:
    """A configuration on either backend (PostgreSQL needs SAFAR_HASH_SECRET: every instance hashes alike)."""
    if isinstance(storage, Path):
        return replace(config, db_path=storage)
    return replace(config, database_url=Secret(storage), hash_secret=Secret("a-test-secret-of-some-length"))


async def query(target: str | Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read rows from either backend as a test sees them (its own connection)."""
    from bot.db import open_engine

    engine = await open_engine(target)
    try:
        return await engine.fetch(sql, params)
    finally:
        await engine.close()


async def execute(target: str | Path, sql: str, params: tuple = ()) -> None:
    """Write on either backend in a transaction of its own (what another process would do)."""
    from bot.db import open_engine

    engine = await open_engine(target)
    try:
        async with engine.transaction() as db:
            await db.execute(sql, params)
    finally:
        await engine.close()


class FakeClock:
    """A broadcast's clock that never sleeps: it records each pause and moves its time on by it."""

    def __init__(self, start: float = 1_800_000_000.0):
        from bot.broadcast import Clock

        self.time = start
        self.pauses: list[float] = []
        self.clock = Clock(sleep=self.sleep, monotonic=lambda: self.time, now=lambda: self.time)

    async def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.time += seconds
        await asyncio.sleep(0)  # other tasks still get their turn, as during a real pause


@pytest.fixture
def fake_clock() -> FakeClock:
    """Give it to a Broadcaster as ``clock=fake_clock.clock``: no test waits through a broadcast's pauses."""
    return FakeClock()


@pytest.fixture
async def engine(storage):
    """An open, migrated engine on each backend, for the repository tests (tests/test_db_*.py)."""
    from bot.db import open_engine

    opened = await open_engine(storage)
    yield opened
    await opened.close()
