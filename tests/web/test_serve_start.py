"""``serve`` assembles its app without the garbage collector's full passes (issue 9: cold
start). Each full pass walks every object made so far; four ran while the modules, mappers
and routes were made and before the freeze, 0.3-0.6 s of a start at load 7. The probe is a
fresh interpreter, as a server is: in the test process the collector's state is the suite's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# A fresh interpreter imports the whole product and builds the app: seconds, and tens of them
# on the loaded shared machine; the limit only guards against a hang.
CHILD_SECONDS = 600

_PROBE = """
import gc, json, sys
from teamassist.launch.server import assemble
from teamassist.web.lazy_routes import load_all_routes
full = []
gc.callbacks.append(
    lambda phase, info: full.append(1) if phase == "stop" and info["generation"] == 2 else None
)
before = gc.get_threshold()
settings, app = assemble(None, 8999)
print(json.dumps({
    "full": len(full),
    "frozen": gc.get_freeze_count(),
    "restored": gc.get_threshold() == before,
    "core_routes": len(app.routes),
    "v1": "pydantic.v1" in sys.modules,
    "garbage": (gc.unfreeze(), gc.collect())[1],
    "routes": (load_all_routes(app), len(app.routes))[1],
}))
"""


def test_serve_assembles_without_a_full_collection_then_freezes(sqlite_url: str) -> None:
    # Given a fresh interpreter with the collector's counters watched
    env = {
        **os.environ,
        "TEAMASSIST_DATABASE__URL": sqlite_url,
        "TEAMASSIST_CONFIG": os.devnull,
        "TEAMASSIST_SCHEDULER__ENABLED": "false",
    }
    # When it assembles the app as `teamassist serve` does
    out = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=CHILD_SECONDS,
        cwd=Path(__file__).parent,
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    # Then no full collection ran, what it made is frozen, the collector's thresholds are as
    # they were, and the app has its core routes (the rest is built on first use)
    assert found["full"] == 0
    assert found["frozen"] > 80_000
    assert found["restored"] is True
    assert 5 < found["core_routes"] < 40 and found["routes"] > 200
    # and FastAPI did not import pydantic.v1 to find no v1 model (http.route_analysis)
    assert found["v1"] is False
    # and leaving the last full collection out froze no garbage with the rest (what a full
    # collection of everything finds afterwards)
    assert found["garbage"] == 0
