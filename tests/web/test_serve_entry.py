"""The ``teamassist`` script's entry point (``teamassist.__main__``): a plain ``serve`` starts
without Typer (issue 9: cold start), everything else is the Typer command line's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from teamassist.__main__ import plain_serve

# A fresh interpreter imports the product: seconds, tens of them on the loaded shared machine.
CHILD_SECONDS = 600


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serve"], (None, None)),
        (["serve", "--port", "8000"], (None, 8000)),
        (["serve", "--host=0.0.0.0", "--port=8000"], ("0.0.0.0", 8000)),
        (["serve", "--port", "8000", "--host", "::1"], ("::1", 8000)),
    ],
)
def test_a_plain_serve_is_read_without_typer(
    args: list[str], expected: tuple[str | None, int | None]
) -> None:
    assert plain_serve(args) == expected


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["serve", "--help"],
        ["db", "upgrade"],
        ["serve", "--port"],  # a missing value: Typer says so
        ["serve", "--port", "eighty"],  # not a number: Typer says so
        ["serve", "--port", "８０００"],  # full-width digits: Typer's reading, not ours
        ["serve", "--port", "1", "--port", "2"],
        ["serve", "--host", "--port", "1"],
        ["serve", "--workers", "2"],
        ["serve", "extra"],
    ],
)
def test_anything_else_is_left_to_typer(args: list[str]) -> None:
    assert plain_serve(args) is None


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "teamassist", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=CHILD_SECONDS,
    )


def test_plain_serve_refuses_a_database_without_schema_in_the_catalogue_words(
    tmp_path: Path,
) -> None:
    # Given a database file that was never migrated
    env = {
        **os.environ,
        "TEAMASSIST_DATABASE__URL": f"sqlite:///{tmp_path}/empty.db",
        "TEAMASSIST_CONFIG": os.devnull,
    }
    # When the server is started without Typer
    done = _run(["serve", "--port", "8999"], env)
    # Then it stops with the catalogue's "run db upgrade", exit code 1, no traceback
    assert done.returncode == 1
    assert "teamassist db upgrade" in done.stderr
    assert "Traceback" not in done.stderr


def test_plain_serve_refuses_settings_that_do_not_validate(tmp_path: Path) -> None:
    # Given a port setting that is not a number
    env = {
        **os.environ,
        "TEAMASSIST_DATABASE__URL": f"sqlite:///{tmp_path}/empty.db",
        "TEAMASSIST_CONFIG": os.devnull,
        "TEAMASSIST_WEB__PORT": "eighty",
    }
    # When the server is started without Typer
    done = _run(["serve"], env)
    # Then the friendly settings error, exit code 2
    assert done.returncode == 2
    assert "配置有误 / configuration error" in done.stderr
    assert "web.port" in done.stderr or "port" in done.stderr
    assert "Traceback" not in done.stderr


def test_help_and_serve_help_are_typers() -> None:
    env = {**os.environ, "TEAMASSIST_CONFIG": os.devnull}
    root = _run(["--help"], env)
    assert root.returncode == 0
    assert "serve" in root.stdout and "db" in root.stdout
    serve = _run(["serve", "--help"], env)
    assert serve.returncode == 0
    assert "--port" in serve.stdout


@pytest.mark.parametrize("args", [["--port", "99999"], ["--port", "0"], ["--port=-1"]])
def test_a_port_out_of_range_is_refused_plainly(tmp_path: Path, args: list[str]) -> None:
    """Tester F3 (session 21): ``serve --port 99999`` (or -1) ended in an OverflowError
    traceback and ``--port 0`` served quietly on the configured port. The last one goes
    through Typer (an option value starting with ``-``), which calls the same ``serve``."""
    env = {
        **os.environ,
        "TEAMASSIST_DATABASE__URL": f"sqlite:///{tmp_path}/empty.db",
        "TEAMASSIST_CONFIG": os.devnull,
    }
    done = _run(["serve", *args], env)
    assert done.returncode == 2, done.stderr
    assert "--port 应为 1–65535 之间的整数" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
