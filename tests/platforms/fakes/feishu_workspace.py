"""The workspace part of the fake Feishu Open API: Task v2, Calendar v4 (events, attendees),
Drive (folders, listing, permissions) and Docx (create, convert, descendant blocks),
recording every call, deduplicating on the idempotency keys Feishu honours, and failing on
demand (``fail(path_part, status, body)``) to test retries and rate limits."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

if TYPE_CHECKING:
    from tests.platforms.fakes.feishu import FakeFeishu

OK = {"code": 0, "msg": "success"}


@dataclass
class WsCall:
    """One workspace request: method, path, query and JSON body."""

    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any]


@dataclass
class WsFailure:
    """The next call whose path contains ``path_part`` answers this instead."""

    path_part: str
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    after: bool = False  # do the work first, then answer the failure (a lost answer)


class FakeWorkspace:
    """Tasks and calendar events as Feishu keeps them (state in plain dicts)."""

    def __init__(self, fake: FakeFeishu) -> None:
        self.fake = fake
        self.reset()
        self._routes()

    def reset(self) -> None:
        self.calls: list[WsCall] = []
        self.failures: list[WsFailure] = []
        self.tasks: dict[str, dict[str, Any]] = {}  # guid -> task
        self.events: dict[str, dict[str, Any]] = {}  # event_id -> event (with "attendees")
        self.subscriptions = 0
        # path part -> the scopes a call there lacks (answered 99991672 until reset)
        self.denied: dict[str, list[str]] = {}
        # Drive: token -> {"token", "name", "type" (folder/docx), "parent", "url"}
        self.files: dict[str, dict[str, Any]] = {}
        self.blocks: dict[str, list[dict[str, Any]]] = {}  # document id -> inserted blocks
        self.shares: dict[str, list[dict[str, Any]]] = {}  # token -> permission members
        self._by_token: dict[str, str] = {}
        self._ids = itertools.count(1)

    def fail(
        self,
        path_part: str,
        status: int,
        body: dict[str, Any],
        *,
        after: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next call to a path containing ``path_part`` with a failure; ``after``:
        do the work first and lose the answer (the caller cannot know it happened)."""
        self.failures.append(WsFailure(path_part, status, body, headers or {}, after))

    def of(self, method: str, path_part: str) -> list[WsCall]:
        """The recorded calls of ``method`` whose path contains ``path_part``."""
        return [c for c in self.calls if c.method == method and path_part in c.path]

    # -- plumbing --------------------------------------------------------------------------------

    async def _record(self, request: Request) -> tuple[WsCall, Response | None, WsFailure | None]:
        raw = await request.body()
        body: dict[str, Any] = (await request.json()) if raw else {}
        call = WsCall(request.method, request.url.path, dict(request.query_params), body)
        with self.fake.lock:
            self.calls.append(call)
            auth = request.headers.get("authorization", "").removeprefix("Bearer ")
            if not auth.startswith("t-fake-"):
                return call, JSONResponse({"code": 99991661, "msg": "no token"}, 400), None
            for part, scopes in self.denied.items():
                if part in call.path:
                    message = (
                        "Access denied. One of the following scopes is required: "
                        f"[{', '.join(scopes)}]."
                    )
                    return call, JSONResponse({"code": 99991672, "msg": message}, 400), None
            for failure in self.failures:
                if failure.path_part in call.path:
                    self.failures.remove(failure)
                    if failure.after:
                        return call, None, failure
                    return call, JSONResponse(failure.body, failure.status, failure.headers), None
        return call, None, None

    @staticmethod
    def _answer(data: dict[str, Any], failure: WsFailure | None) -> Response:
        if failure is not None:
            return JSONResponse(failure.body, failure.status, failure.headers)
        return JSONResponse({**OK, "data": data})

    def _routes(self) -> None:
        app = self.fake.app

        # -- Task v2 ---------------------------------------------------------------------------

        @app.post("/open-apis/task/v2/task_v2/task_subscription")
        async def subscribe(request: Request) -> Response:
            _call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            self.subscriptions += 1
            return self._answer({}, late)

        @app.post("/open-apis/task/v2/tasks")
        async def create_task(request: Request) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            token = call.body.get("client_token", "")
            with self.fake.lock:
                if token and token in self._by_token:  # Feishu: same client_token, same task
                    guid = self._by_token[token]
                else:
                    guid = f"task-guid-{next(self._ids)}"
                    self.tasks[guid] = {
                        "guid": guid,
                        "summary": call.body.get("summary"),
                        "description": call.body.get("description"),
                        "due": call.body.get("due"),
                        "members": list(call.body.get("members", [])),
                        "completed_at": "0",
                        "url": f"https://applink.feishu.cn/client/todo/detail?guid={guid}",
                    }
                    if token:
                        self._by_token[token] = guid
            return self._answer({"task": self.tasks[guid]}, late)

        @app.get("/open-apis/task/v2/tasks/{guid}")
        async def get_task(request: Request, guid: str) -> Response:
            _call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            if guid not in self.tasks:
                return JSONResponse({"code": 1470404, "msg": "task not found"}, 404)
            return self._answer({"task": self.tasks[guid]}, late)

        @app.patch("/open-apis/task/v2/tasks/{guid}")
        async def patch_task(request: Request, guid: str) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            task = self.tasks.get(guid)
            if task is None:
                return JSONResponse({"code": 1470404, "msg": "task not found"}, 404)
            for name in call.body.get("update_fields", []):
                task[name] = call.body["task"].get(name)
            return self._answer({"task": task}, late)

        @app.delete("/open-apis/task/v2/tasks/{guid}")
        async def delete_task(request: Request, guid: str) -> Response:
            _call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            task = self.tasks.get(guid)
            if task is None or task.get("deleted"):
                return JSONResponse({"code": 1470404, "msg": "task not found"}, 404)
            task["deleted"] = True  # kept here so a test can see which task went
            return self._answer({}, late)

        @app.post("/open-apis/task/v2/tasks/{guid}/add_members")
        async def add_members(request: Request, guid: str) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            task = self.tasks[guid]
            for member in call.body.get("members", []):
                if member not in task["members"]:  # Feishu ignores members already there
                    task["members"].append(member)
            return self._answer({"task": task}, late)

        @app.post("/open-apis/task/v2/tasks/{guid}/remove_members")
        async def remove_members(request: Request, guid: str) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            task = self.tasks[guid]
            gone = call.body.get("members", [])
            task["members"] = [m for m in task["members"] if m not in gone]
            return self._answer({"task": task}, late)

        # -- Calendar v4 ------------------------------------------------------------------------

        @app.post("/open-apis/calendar/v4/calendars/primary")
        async def primary(request: Request) -> Response:
            _call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            calendar = {"calendar": {"calendar_id": "cal-bot@group.calendar.feishu.cn"}}
            return self._answer({"calendars": [calendar]}, late)

        @app.post("/open-apis/calendar/v4/calendars/{cid}/events")
        async def create_event(request: Request, cid: str) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            token = call.query.get("idempotency_key", "")
            with self.fake.lock:
                if token and token in self._by_token:
                    eid = self._by_token[token]
                else:
                    eid = f"event-{next(self._ids)}_0"
                    self.events[eid] = {
                        **call.body,
                        "event_id": eid,
                        "calendar_id": cid,
                        "status": "confirmed",
                        "attendees": [],
                        "app_link": f"https://applink.feishu.cn/client/calendar/event?eid={eid}",
                    }
                    if token:
                        self._by_token[token] = eid
            return self._answer({"event": self.events[eid]}, late)

        @app.get("/open-apis/calendar/v4/calendars/{cid}/events/{eid}")
        async def get_event(request: Request, cid: str, eid: str) -> Response:
            _call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            if eid not in self.events:
                return JSONResponse({"code": 195100, "msg": "event not found"}, 404)
            return self._answer({"event": self.events[eid]}, late)

        @app.patch("/open-apis/calendar/v4/calendars/{cid}/events/{eid}")
        async def patch_event(request: Request, cid: str, eid: str) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            self.events[eid].update(call.body)
            return self._answer({"event": self.events[eid]}, late)

        @app.delete("/open-apis/calendar/v4/calendars/{cid}/events/{eid}")
        async def delete_event(request: Request, cid: str, eid: str) -> Response:
            _call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            event = self.events.get(eid)
            if event is None or event["status"] == "cancelled":
                return JSONResponse({"code": 193002, "msg": "no permission to operate event"}, 400)
            event["status"] = "cancelled"
            return self._answer({}, late)

        @app.post("/open-apis/calendar/v4/calendars/{cid}/events/{eid}/attendees")
        async def add_attendees(request: Request, cid: str, eid: str) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            # Not idempotent (as documented): the same person twice is two rows here.
            self.events[eid]["attendees"].extend(call.body.get("attendees", []))
            return self._answer({"attendees": call.body.get("attendees", [])}, late)

        @app.post("/open-apis/calendar/v4/calendars/{cid}/events/{eid}/attendees/batch_delete")
        async def remove_attendees(request: Request, cid: str, eid: str) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            gone = {d.get("user_id") for d in call.body.get("delete_ids", [])}
            gone |= set(call.body.get("attendee_ids", []))
            event = self.events[eid]
            event["attendees"] = [a for a in event["attendees"] if a.get("user_id") not in gone]
            return self._answer({}, late)

        @app.get("/open-apis/calendar/v4/calendars/{cid}/events/{eid}/attendees")
        async def list_attendees(request: Request, cid: str, eid: str) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            items = self.events[eid]["attendees"]
            start = int(call.query.get("page_token") or 0)
            page = items[start : start + 2]  # small pages: callers must follow page_token
            more = start + 2 < len(items)
            data = {"items": page, "has_more": more, "page_token": str(start + 2) if more else ""}
            return self._answer(data, late)

        # -- Drive and Docx ----------------------------------------------------------------------

        def _file(kind: str, name: str, parent: str) -> dict[str, Any]:
            token = f"{kind}-{next(self._ids)}"
            url = f"https://fake.feishu.cn/{'drive/folder' if kind == 'folder' else 'docx'}/{token}"
            entry = {"token": token, "name": name, "type": kind, "parent_token": parent, "url": url}
            self.files[token] = entry
            return entry

        @app.post("/open-apis/drive/v1/files/create_folder")
        async def create_folder(request: Request) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            entry = _file("folder", call.body["name"], call.body.get("folder_token", ""))
            return self._answer({"token": entry["token"], "url": entry["url"]}, late)

        @app.get("/open-apis/drive/v1/files")
        async def list_files(request: Request) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            folder = call.query.get("folder_token", "")
            items = [f for f in self.files.values() if f["parent_token"] == folder]
            start = int(call.query.get("page_token") or 0)
            page = items[start : start + 1]  # one per page: callers must follow the token
            more = start + 1 < len(items)
            data = {
                "files": page,
                "has_more": more,
                "next_page_token": str(start + 1) if more else "",
            }
            return self._answer(data, late)

        @app.post("/open-apis/docx/v1/documents")
        async def create_document(request: Request) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            entry = _file("docx", call.body["title"], call.body.get("folder_token", ""))
            document = {"document_id": entry["token"], "revision_id": 1, "title": entry["name"]}
            return self._answer({"document": document}, late)

        @app.get("/open-apis/docx/v1/documents/{doc}")
        async def get_document(request: Request, doc: str) -> Response:
            _call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            if doc not in self.files:
                return JSONResponse({"code": 1770002, "msg": "not found"}, 404)
            entry = self.files[doc]
            return self._answer({"document": {"document_id": doc, "title": entry["name"]}}, late)

        @app.post("/open-apis/docx/v1/documents/blocks/convert")
        async def convert(request: Request) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            lines = [ln for ln in str(call.body.get("content", "")).splitlines() if ln.strip()]
            blocks = [
                {
                    "block_id": f"b{i}",
                    "block_type": 2,
                    "text": {"elements": [{"text_run": {"content": ln}}]},
                }
                for i, ln in enumerate(lines)
            ]
            data = {"first_level_block_ids": [b["block_id"] for b in blocks], "blocks": blocks}
            return self._answer(data, late)

        @app.post("/open-apis/docx/v1/documents/{doc}/blocks/{block}/descendant")
        async def descendant(request: Request, doc: str, block: str) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            token = call.query.get("client_token", "")
            with self.fake.lock:
                if not (token and token in self._by_token):  # docx dedupes a client_token
                    self.blocks.setdefault(doc, []).extend(call.body.get("descendants", []))
                    if token:
                        self._by_token[token] = doc
            return self._answer({"children": [], "document_revision_id": 2}, late)

        @app.get("/open-apis/docx/v1/documents/{doc}/blocks/{block}/children")
        async def children(request: Request, doc: str, block: str) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            items = self.blocks.get(doc, [])
            start = int(call.query.get("page_token") or 0)
            page = items[start : start + 2]  # small pages: callers must follow page_token
            more = start + 2 < len(items)
            data = {"items": page, "has_more": more, "page_token": str(start + 2) if more else ""}
            return self._answer(data, late)

        @app.delete("/open-apis/docx/v1/documents/{doc}/blocks/{block}/children/batch_delete")
        async def delete_children(request: Request, doc: str, block: str) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            items = self.blocks.get(doc, [])
            start, end = int(call.body["start_index"]), int(call.body["end_index"])
            if not 0 <= start < end <= len(items):
                return JSONResponse({"code": 1770001, "msg": "invalid param"}, 400)
            del items[start:end]
            return self._answer({"document_revision_id": 3}, late)

        @app.post("/open-apis/drive/v1/permissions/{token}/members")
        async def share(request: Request, token: str) -> Response:
            call, refused, late = await self._record(request)
            if refused is not None:
                return refused
            self.shares.setdefault(token, []).append(call.body)
            return self._answer({"member": call.body}, late)
