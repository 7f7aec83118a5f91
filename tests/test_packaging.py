"""The container files: what the Dockerfile copies exists, its command starts the CLI, compose is coherent.

No Docker daemon runs here, so the image is not built; these checks catch what breaks a build
or a start most often: a renamed folder, a setting the code no longer reads, a command that moved.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from tests.conftest import run_cli

DOCKERFILE = PROJECT_ROOT / "Dockerfile"
COMPOSE = PROJECT_ROOT / "compose.yaml"
CONFIG_SOURCE = (PROJECT_ROOT / "bot" / "config.py").read_text(encoding="utf-8")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def exec_form(arguments: str) -> list[str]:
    return json.loads(arguments)


def console_script() -> list[str]:
    """The installed `safar` command (the venv's), or the module it points to."""
    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"safar": "bot.__main__:main"}
    installed = Path(sys.executable).parent / "safar"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "bot"]


def test_every_path_the_dockerfile_copies_from_the_project_exists():
    copies = [args.split() for name, args in instructions() if name == "COPY" and not args.startswith("--from")]
    assert copies, "the Dockerfile copies the project"
    for *sources, _target in copies:
        for source in sources:
            assert (PROJECT_ROOT / source).exists(), f"COPY {source}: no such file in the project"
    copied = {source for *sources, _ in copies for source in sources}
    assert {"bot", "content", "pyproject.toml"} <= copied
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()
    assert not copied & set(ignored), "a path the Dockerfile copies is excluded by .dockerignore"


def test_the_image_runs_the_console_script_as_a_user_without_privileges():
    steps = dict(instructions())  # the last of each instruction is the one in force
    assert exec_form(steps["ENTRYPOINT"]) == ["safar"]
    assert exec_form(steps["CMD"]) == ["run"]
    assert steps["USER"] not in ("root", "0")
    assert steps["FROM"].startswith("python:3.11-slim")
    assert "pybabel -q compile" in DOCKERFILE.read_text(), "the catalogs are compiled in the image"
    healthcheck = steps["HEALTHCHECK"]
    assert exec_form(healthcheck.split("CMD", 1)[1].strip()) == ["safar", "healthcheck"]


def test_the_installed_console_script_starts_the_cli():
    result = subprocess.run([*console_script(), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "usage: safar" in result.stdout


def test_the_images_command_and_healthcheck_are_commands_the_cli_knows():
    steps = dict(instructions())
    healthcheck = exec_form(steps["HEALTHCHECK"].split("CMD", 1)[1].strip())[1:]
    for command in (exec_form(steps["CMD"]), healthcheck):
        result = run_cli(*command, "--help")
        assert result.returncode == 0 and f"usage: safar {' '.join(command)}" in result.stdout


def test_every_setting_the_image_and_compose_set_is_one_the_bot_reads():
    env_line = next(args for name, args in instructions() if name == "ENV" and "SAFAR_" in args)
    image_settings = set(re.findall(r"\b(SAFAR_[A-Z_]+)=", env_line))
    compose = yaml.safe_load(COMPOSE.read_text())
    compose_settings = {key for key in compose["services"]["bot"]["environment"] if key.startswith("SAFAR_")}
    for setting in image_settings | compose_settings:
        assert f'"{setting}"' in CONFIG_SOURCE, f"{setting} is set but bot/config.py never reads it"
    assert {"SAFAR_LISTEN", "SAFAR_PORT", "SAFAR_DB_PATH"} <= image_settings


def test_compose_runs_the_bot_and_a_healthy_postgresql_on_volumes():
    compose = yaml.safe_load(COMPOSE.read_text())
    bot, postgres = compose["services"]["bot"], compose["services"]["postgres"]
    assert bot["build"] == "." and bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert all(port.startswith("127.0.0.1:") for port in bot["ports"]), "the bot is reached through the proxy only"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    for service in (bot, postgres):
        volume = service["volumes"][0].split(":")[0]
        assert volume in compose["volumes"]
