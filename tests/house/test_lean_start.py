"""What `teamassist serve` loads: the app, not the tools of other paths (issue 9: cold start,
idle memory). Each heavy library stays behind the one code path that needs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import migrated

# Loaded by migrations, the demo, importers, feed parsing, Feishu sign-in, spreadsheets,
# lunar dates.
NOT_AT_START = (
    "alembic",
    "teamassist.demo",
    "teamassist.migrate",
    "teamassist.importers",
    "icalendar",
    "httpx",
    "rich",
    "openpyxl",
    "lunar_python",  # only for a year without official holiday data
)


def test_serving_loads_no_migrations_demo_importers_or_parsers(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from teamassist.cli.app import load\n"
        "from teamassist.bootstrap import build_runtime\n"
        "from teamassist.web.app import create_app\n"
        "runtime = build_runtime(load())\n"
        "create_app(runtime, start_background=False)\n"
        f"print(sorted(m for m in {NOT_AT_START!r} if m in sys.modules))\n"
        "runtime.close()\n"
    )
    env = {
        **os.environ,
        "TEAMASSIST_DATABASE__URL": f"sqlite:///{tmp_path}/lean.db",
        "TEAMASSIST_CONFIG": os.devnull,
    }
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_healthz_answers_before_any_domain_is_imported() -> None:
    """Issue 9: a domain's commands, jobs and demo are imported on their first use; a fresh
    ``serve`` answers without any of them (nor the feedback, OKR or duty desks' services)."""
    probe = (
        "import sys\n"
        "from fastapi.testclient import TestClient\n"
        "from teamassist.cli.app import load\n"
        "from teamassist.bootstrap import DOMAINS, build_runtime\n"
        "from teamassist.web.app import create_app\n"
        "runtime = build_runtime(load())\n"
        "with TestClient(create_app(runtime, start_background=False)) as client:\n"
        "    assert client.get('/healthz').status_code == 200\n"
        "later = [m.path for d in DOMAINS for m in d.commands] + [\n"
        "    p for d in DOMAINS for p in (*d.jobs, d.demo or '')]\n"
        "later += ['teamassist.feedback.service', 'teamassist.okr.service',\n"
        "          'teamassist.duty.service']\n"
        "print(sorted(p for p in later if p and p.partition(':')[0] in sys.modules))\n"
        "runtime.close()\n"
    )
    env = {
        **os.environ,
        "TEAMASSIST_DATABASE__URL": migrated("sqlite").fresh_url(),
        "TEAMASSIST_CONFIG": os.devnull,
    }
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
