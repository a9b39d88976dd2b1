"""Two `teamassist init` at once (issue #11 hardening), on every backend: one founds the
workspace; the other says in one line that it exists and exits 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, select

from teamassist.database import normalise_url
from teamassist.team.models import Workspace

BIN = Path(sys.executable).parent


def test_two_inits_at_once_found_one_workspace_and_refuse_the_other(
    db_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMASSIST_")}
    env.update(
        TEAMASSIST_DATABASE__URL=db_url,
        TEAMASSIST_CONFIG=str(tmp_path / "none.toml"),
        TEAMASSIST_ADMIN_PASSWORD="correct-horse-battery",
    )
    line = [
        str(BIN / "teamassist"),
        "init",
        "--workspace",
        "开源社区",
        "--team",
        "核心团队",
        "--admin-handle",
        "boss",
        "--no-input",
    ]
    runs = [
        subprocess.Popen(line, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = sorted(((p.wait(timeout=120), *p.communicate()) for p in runs), key=lambda r: r[0])

    assert [code for code, _, _ in results] == [0, 1], results
    _, out, err = results[1]
    said = (out + err).strip()
    assert "Traceback" not in said and "Error" not in said, said
    assert len(said.splitlines()) == 1, said
    # Which row the loser finds first (the workspace, or the admin's account) depends on the
    # race; either way it is the catalogue's "already exists" refusal.
    assert "已经存在" in said, said
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Workspace)) == 1
    finally:
        engine.dispose()
