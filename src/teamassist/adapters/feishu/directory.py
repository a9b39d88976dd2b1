"""The Feishu directory through lark-oapi: contact v3 users (name, departments), the chats the
bot is in (``im/v1/chats``), a chat's members, and a chat's owner and managers as roles.

Scopes: ``contact:user.base:readonly`` (+ ``contact:department.base:readonly`` for department
names), ``im:chat:readonly`` (chat list, chat info, members). A missing scope answers None /
empty: the caller keeps what it knows. Lookups run on the app's tenant token (a self-built app
serves its own tenant).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from lark_oapi.api.contact.v3 import GetDepartmentRequest, GetUserRequest
from lark_oapi.api.im.v1 import GetChatMembersRequest, GetChatRequest, ListChatRequest

from teamassist.adapters.feishu import client as feishu_client
from teamassist.adapters.feishu.sdk import FeishuClient
from teamassist.outbox.senders import DeliveryError
from teamassist.ports import DirectoryChat, DirectoryUser

log = logging.getLogger(__name__)

PAGE = 100
MAX_PAGES = 20
TTL_SECONDS = 3600.0
MAX_CACHED = 5000


class FeishuDirectory:
    """The ``Directory`` port's Feishu part (see ``team.directory.PlatformLookup``).

    Contact answers, refusals included, are remembered for an hour, so a missing scope costs
    one call per person, not one per message (the webhook names senders through this too).
    """

    def __init__(
        self, client: FeishuClient, app_id: str, *, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.client = client
        self.app_id = app_id
        self.now = now
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _remembered(self, key: str, fetch: Callable[[], Any]) -> Any:
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] > self.now():
                return hit[1]
        value = fetch()
        with self._lock:
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()
            self._cache[key] = (self.now() + TTL_SECONDS, value)
        return value

    def _call(self, what: str, method: Any, request: Any) -> Any | None:
        """The response's data; None when Feishu refuses for good (no such user, no scope)."""
        try:
            response = feishu_client.call(self.app_id, what, method, request)
        except feishu_client.FeishuApiError as exc:
            if exc.transient:
                raise
            log.info("feishu directory: %s", exc)
            return None
        except DeliveryError:
            raise
        return response.data

    def user(self, *, tenant_key: str, user_key: str, chat_key: str = "") -> DirectoryUser | None:
        request = (
            GetUserRequest.builder()
            .user_id(user_key)
            .user_id_type("open_id")
            .department_id_type("open_department_id")
            .build()
        )
        user = self._remembered(f"user:{user_key}", lambda: self._contact(request))
        # A chat's owner and managers come from the chat, even without the contact scope.
        roles = self._chat_roles(chat_key, user_key) if chat_key.startswith("oc_") else ()
        if user is None:
            return DirectoryUser(user_key=user_key, name="", roles=roles) if roles else None
        return DirectoryUser(
            user_key=user_key,
            name=str(user.name or user.nickname or user.en_name or ""),
            roles=roles,
            departments=tuple(self._department(d) for d in user.department_ids or ()),
        )

    def _contact(self, request: GetUserRequest) -> Any:
        try:
            data = self._call("contact user", self.client.contact.v3.user.get, request)
        except DeliveryError as exc:  # unreachable or slow: not remembered, asked again later
            log.info("feishu directory: %s", exc)
            raise
        return data.user if data is not None else None

    def _chat_roles(self, chat_id: str, open_id: str) -> tuple[str, ...]:
        request = GetChatRequest.builder().chat_id(chat_id).user_id_type("open_id").build()
        data = self._call("chat info", self.client.im.v1.chat.get, request)
        if data is None:
            return ()
        roles = []
        if data.owner_id == open_id:
            roles.append("feishu:chat_owner")
        if open_id in (data.user_manager_id_list or []):
            roles.append("feishu:chat_manager")
        return tuple(roles)

    def _department(self, department_id: str) -> str:
        request = (
            GetDepartmentRequest.builder()
            .department_id(department_id)
            .department_id_type("open_department_id")
            .build()
        )

        def fetch() -> str:
            data = self._call("department", self.client.contact.v3.department.get, request)
            if data is None or data.department is None:
                return department_id
            return str(data.department.name or department_id)

        return str(self._remembered(f"department:{department_id}", fetch))

    def chats(self, *, tenant_key: str) -> Sequence[DirectoryChat]:
        found: list[DirectoryChat] = []
        token = ""
        for _ in range(MAX_PAGES):
            builder = ListChatRequest.builder().page_size(PAGE)
            if token:
                builder = builder.page_token(token)
            data = self._call("chat list", self.client.im.v1.chat.list, builder.build())
            if data is None:
                break
            found.extend(
                DirectoryChat(address=c.chat_id, name=c.name or "", kind="chat")
                for c in data.items or []
                if c.chat_id
            )
            if not data.has_more or not data.page_token:
                break
            token = data.page_token
        return found

    def members(self, *, tenant_key: str, chat_key: str) -> Sequence[DirectoryUser]:
        found: list[DirectoryUser] = []
        token = ""
        for _ in range(MAX_PAGES):
            builder = (
                GetChatMembersRequest.builder()
                .chat_id(chat_key)
                .member_id_type("open_id")
                .page_size(PAGE)
            )
            if token:
                builder = builder.page_token(token)
            data = self._call("chat members", self.client.im.v1.chat_members.get, builder.build())
            if data is None:
                break
            found.extend(
                DirectoryUser(user_key=m.member_id, name=m.name or "")
                for m in data.items or []
                if m.member_id
            )
            if not data.has_more or not data.page_token:
                break
            token = data.page_token
        return found
