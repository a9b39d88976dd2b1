"""The Feishu adapter loads the parts of lark-oapi it uses, not the whole SDK
(teamassist.adapters.feishu.sdk): ``import lark_oapi`` runs a package ``__init__`` of ~10,600
modules, ~11 CPU seconds and ~170 MiB, which every Feishu install paid at start."""

from __future__ import annotations

import json
import subprocess
import sys

# A fresh interpreter: the modules this test process already imported do not count.
_PROBE = """
import json, sys
import teamassist.adapters.feishu.directory
import teamassist.adapters.feishu.operations
import teamassist.adapters.feishu.sender
import teamassist.adapters.feishu.workspace
from teamassist.adapters.feishu.client import build_client
from teamassist.adapters.feishu.config import FeishuSettings

client = build_client(FeishuSettings(app_id="cli_a", app_secret="s"))
services = [type(client.im).__name__, type(client.task).__name__]
loaded = sorted(m for m in sys.modules if m.startswith("lark_oapi"))
before = {
    "count": len(loaded),
    "client": "lark_oapi.client" in sys.modules,
    "apis": sorted({m.split(".")[2] for m in loaded if m.startswith("lark_oapi.api.")}),
    "services": services,
    "timeout": client.config.timeout,
    "domain": client.config.domain,
}
import lark_oapi  # the whole SDK is still there for whoever asks for it

before["full"] = lark_oapi.Client.__name__
print(json.dumps(before))
"""


def test_the_adapter_imports_only_the_services_it_calls() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=600
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    assert found["client"] is False  # lark_oapi.client imports every service
    assert found["apis"] == ["calendar", "contact", "docx", "drive", "im", "task"]
    assert found["count"] < 2_000, found["count"]  # the SDK's __init__ brings ~10,600
    assert found["services"] == ["ImService", "TaskService"]
    assert (found["timeout"], found["domain"]) == (10.0, "https://open.feishu.cn")
    assert found["full"] == "Client"
