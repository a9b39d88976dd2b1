"""What `teamassist serve` loads: the app, not the tools of other paths (issue 9: cold start,
idle memory). Each heavy library stays behind the one code path that needs it."""

from __future__ import annotations

import os
import signal
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


# What the domain descriptors name by path since session 20 (their models and handlers), and
# the duty desk's revision cache behind its session hook: none is needed to answer /healthz.
DESCRIPTOR_LATER = (
    "teamassist.okr.models",
    "teamassist.okr.answers",
    "teamassist.meetings.models",
    "teamassist.meetings.answers",
    "teamassist.one_on_ones.models",
    "teamassist.one_on_ones.answers",
    "teamassist.duty.models",
    "teamassist.duty.revision",
    "teamassist.duty.rotation",
)


def test_domain_models_load_on_first_use_and_the_duty_hook_still_bumps() -> None:
    """Issue 9: a fresh ``serve`` answers /healthz without the OKR, meetings, 1on1 and duty
    models; once they are loaded (here by the demo) a schedule edit through the runtime's
    sessions still bumps the rotation's revision (the hook installed at start finds them),
    and the descriptors' answers to other domains' queries load and answer."""
    probe = (
        "import sys\n"
        "from datetime import timedelta\n"
        "from fastapi.testclient import TestClient\n"
        "from teamassist.cli.app import load\n"
        "from teamassist.bootstrap import build_runtime\n"
        "from teamassist.web.app import create_app\n"
        "runtime = build_runtime(load())\n"
        "with TestClient(create_app(runtime, start_background=False)) as client:\n"
        "    assert client.get('/healthz').status_code == 200\n"
        f"print(sorted(m for m in {DESCRIPTOR_LATER!r} if m in sys.modules))\n"
        "from sqlalchemy import select\n"
        "from teamassist import demo\n"
        "from teamassist.database import transaction\n"
        "from teamassist.events import SourceKnown, ask\n"
        "from teamassist.team import service\n"
        "now = runtime.clock()\n"
        "with transaction(runtime.factory) as session:\n"
        "    demo.load(session, now=now, domains=runtime.domains)\n"
        "from teamassist.duty import overrides\n"
        "from teamassist.duty.models import Rotation\n"
        "def revision(session):\n"
        "    return session.scalar(select(Rotation.revision).where(Rotation.key == 'tech'))\n"
        "with transaction(runtime.factory) as session:\n"
        "    workspace = service.get_workspace_by_key(session, key='demo')\n"
        "    team = service.default_team(session, workspace_id=workspace.id)\n"
        "    member = service.get_members(session, workspace_id=workspace.id)[0]\n"
        "    before = revision(session)\n"
        "    rotation = session.scalars(select(Rotation).where(Rotation.key == 'tech')).one()\n"
        "    overrides.add_override(session, team=team, rotation=rotation, start=now,\n"
        "                           end=now + timedelta(days=1), member=member, now=now)\n"
        "    session.flush()\n"
        "    print(revision(session) != before)\n"
        "    kinds = ('okr_kr', 'meeting', 'one_on_one')\n"
        "    print([ask(session, SourceKnown(team=team, kind=k, source_id=-1, by=member))\n"
        "           for k in kinds])\n"
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
    assert out.stdout.strip().splitlines()[-3:] == ["[]", "True", "[[False], [False], [False]]"]


# The command line: Typer and the command modules (session 21); click stays, uvicorn imports it.
COMMAND_LINE = ("typer", "teamassist.cli")


def test_the_script_serves_without_the_command_line(tmp_path: Path) -> None:
    """Issue 9: the installed script (``teamassist.__main__:main``) answers /healthz of a plain
    ``serve`` with neither Typer nor any command module loaded; ``--help`` still lists every
    command (:mod:`tests.web.test_serve_entry`)."""
    probe = (
        "import http.client, json, os, signal, sys, threading, time\n"
        "from tests.support.server import free_port\n"
        "port = free_port()\n"
        "sys.argv = ['teamassist', 'serve', '--port', str(port)]\n"
        "def watch():\n"
        "    while True:\n"
        "        connection = http.client.HTTPConnection('127.0.0.1', port, timeout=5)\n"
        "        try:\n"
        "            connection.request('GET', '/healthz')\n"
        "            if connection.getresponse().status == 200:\n"
        "                break\n"
        "        except OSError:\n"
        "            time.sleep(0.05)\n"
        "        finally:\n"
        "            connection.close()\n"
        f"    loaded = [m for m in {COMMAND_LINE!r} if m in sys.modules]\n"
        "    print(json.dumps(loaded), flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGINT)  # uvicorn stops as on CTRL+C\n"
        "threading.Thread(target=watch, daemon=True).start()\n"
        "from teamassist.__main__ import main\n"
        "main()\n"
    )
    env = {
        **os.environ,
        "TEAMASSIST_DATABASE__URL": migrated("sqlite").fresh_url(),
        "TEAMASSIST_CONFIG": os.devnull,
        "TEAMASSIST_SCHEDULER__ENABLED": "false",
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2]), *sys.path]),
    }
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=tmp_path,
    )
    # uvicorn stops on the signal, then raises it again: the process ends by SIGINT.
    assert out.returncode in (0, -signal.SIGINT), out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
