"""Issue #10 E: no secret — API token, feed token, platform key, session key — in any log line.

The redacting record factory is installed when the runtime is built; the test drives a whole flow
with every logger at DEBUG and looks for each secret in everything that was logged.
"""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient
from uvicorn.logging import AccessFormatter

from teamassist import redact
from teamassist.bootstrap import build_runtime
from teamassist.config import Settings
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.chat import ChatDriver

API_TOKEN = "api-token-5f1c9a7e2b"
SECRET_KEY = "session-key-0d3b8e61c4a9"
ROBOT_KEY = "wecom-robot-key-77aa0c"
FEISHU_SECRET = "feishu-app-secret-93e1"
DB_PASSWORD = "db-password-4c2e"


def test_a_whole_flow_logs_no_secret(sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(
        database={"url": sqlite_url},
        web={"api_token": API_TOKEN, "secret_key": SECRET_KEY},
        wecom={"robots": {"ops": ROBOT_KEY}},
        feishu={"app_secret": FEISHU_SECRET},
    )
    runtime = build_runtime(settings)
    redact.install([DB_PASSWORD])  # as settings_secrets finds it in a server URL
    caplog.set_level(logging.DEBUG)
    try:
        load_demo(runtime)
        chat_reply = ChatDriver(runtime).text("/值班订阅", as_="zhangsan")
        feed_token = re.search(r"/ical/([\w-]+)\.ics", chat_reply)
        assert feed_token
        bearer = {"Authorization": f"Bearer {API_TOKEN}"}
        with TestClient(create_app(runtime, start_background=False)) as http:
            # the global token is the workspace owner, not a person: it names whose feed
            people = http.get("/api/v1/members", headers=bearer).json()
            zhangsan = next(p["id"] for p in people if p["handle"] == "zhangsan")
            # one live feed a person: the REST one replaces the chat one (both were minted)
            feed = {"member_id": zhangsan, "replace": True}
            created = http.post("/api/v1/duty/feeds", json=feed, headers=bearer).json()
            rest_token = created["url"].rsplit("/", 1)[1].removesuffix(".ics")
            assert http.get(f"/ical/{rest_token}.ics").status_code == 200
            assert http.get("/api/v1/teams", headers={"Authorization": "Bearer wrong"}).is_error
        # what libraries log around such a flow: uvicorn's access line, httpx's request line
        # with the WeCom robot key in the query, a failure whose traceback holds a secret
        access = logging.getLogger("uvicorn.access")
        access.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:50000",
            "GET",
            f"/ical/{rest_token}.ics",
            "1.1",
            200,
        )
        logging.getLogger("httpx").info(
            'HTTP Request: POST %s "HTTP/1.1 200 OK"',
            f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={ROBOT_KEY}",
        )
        try:
            raise RuntimeError(f"login to feishu failed with {FEISHU_SECRET} / {DB_PASSWORD}")
        except RuntimeError:
            logging.getLogger("teamassist.adapters").exception("delivery failed")
        logging.getLogger("teamassist").warning("auth header was %s", f"Bearer {API_TOKEN}")
    finally:
        runtime.close()

    logged = caplog.text + "\n".join(
        AccessFormatter("%(message)s").format(r)
        for r in caplog.records
        if r.name == "uvicorn.access"
    )
    assert "/ical/***.ics" in logged and "key=***" in logged
    for secret in (
        API_TOKEN,
        SECRET_KEY,
        ROBOT_KEY,
        FEISHU_SECRET,
        DB_PASSWORD,
        feed_token.group(1),
        rest_token,
    ):
        assert secret not in logged, secret


def test_redact_masks_token_shaped_parts() -> None:
    assert redact.redact("GET /ical/abcDEF_123-x.ics?x=1") == "GET /ical/***.ics?x=1"
    assert redact.redact("GET /auth/link/Ab-9_z HTTP/1.1") == "GET /auth/link/*** HTTP/1.1"
    assert (
        redact.redact("https://h/p?access_token=abc&page=2&sig=zz")
        == "https://h/p?access_token=***&page=2&sig=***"
    )
    assert redact.redact("Authorization: Bearer abc.def") == "Authorization: Bearer ***"
    assert redact.redact("nothing to hide, key points") == "nothing to hide, key points"
