"""A fake of Feishu's user sign-in (OAuth 2): the authorize page, the v2 token endpoint and
``/authen/v1/user_info``, as the dashboard's Feishu sign-in calls them."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from tests.platforms.fakes.serving import RunningServer, serve

APP_ID = "cli_fake_oauth"
APP_SECRET = "fake-oauth-secret"


@dataclass
class FeishuUser:
    """Someone who can sign in at the fake."""

    open_id: str
    tenant_key: str
    name: str


@dataclass
class FakeFeishuOAuth:
    """Issues codes for users (as Feishu would after they agree), exchanges each once."""

    app: FastAPI = field(default_factory=FastAPI)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    authorize_queries: list[dict[str, str]] = field(default_factory=list)
    running: RunningServer | None = None

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self._codes: dict[str, FeishuUser] = {}
        self._tokens: dict[str, FeishuUser] = {}
        self._ids = itertools.count(1)
        self._routes()

    @property
    def url(self) -> str:
        assert self.running is not None
        return self.running.url

    def start(self) -> FakeFeishuOAuth:
        self.running = serve(self.app)
        return self

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()

    def code_for(self, user: FeishuUser) -> str:
        """The code Feishu hands the browser once ``user`` agreed."""
        with self.lock:
            code = f"code-{next(self._ids)}"
            self._codes[code] = user
        return code

    def _routes(self) -> None:
        app = self.app

        @app.get("/open-apis/authen/v1/authorize")
        def authorize(request: Request) -> PlainTextResponse:
            self.authorize_queries.append(dict(request.query_params))
            return PlainTextResponse("飞书授权页")

        @app.post("/open-apis/authen/v2/oauth/token")
        async def token(request: Request) -> JSONResponse:
            body = await request.json()
            with self.lock:
                self.token_requests.append(body)
                user = self._codes.pop(str(body.get("code")), None)  # single use
                ok = (
                    body.get("grant_type") == "authorization_code"
                    and body.get("client_id") == APP_ID
                    and body.get("client_secret") == APP_SECRET
                )
                if user is None or not ok:
                    return JSONResponse(
                        status_code=400,
                        content={
                            "code": 20050 if ok else 20002,
                            "error": "invalid_grant" if ok else "invalid_client",
                            "error_description": "the code is invalid or used",
                        },
                    )
                access = f"u-{next(self._ids)}"
                self._tokens[access] = user
            return JSONResponse(
                {"code": 0, "access_token": access, "expires_in": 7200, "token_type": "Bearer"}
            )

        @app.get("/open-apis/authen/v1/user_info")
        def user_info(request: Request) -> JSONResponse:
            bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
            user = self._tokens.get(bearer)
            if user is None:
                return JSONResponse(status_code=401, content={"code": 99991668, "msg": "bad token"})
            return JSONResponse(
                {
                    "code": 0,
                    "msg": "success",
                    "data": {
                        "name": user.name,
                        "open_id": user.open_id,
                        "union_id": f"on_{user.open_id}",
                        "tenant_key": user.tenant_key,
                    },
                }
            )
