"""What `teamassist serve` loads: the app, not the tools of other paths (issue 9: cold start,
idle memory). Each heavy library stays behind the one code path that needs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
