"""Probe the Feishu scopes each enabled feature needs (``teamassist config check``).

A scope counts only once it is enabled in the developer console AND shipped in a published app
version (pitfalls doc §1), so reading the console is not enough: each probe makes one harmless
call the feature makes for real, on an id that does not exist or with a page of one, and reads
Feishu's answer. Feishu checks the token's scopes before anything else, so a missing scope
answers code 99991672 ("Access denied. One of the following scopes is required: [...]") and
anything else (not found, a bad parameter, success) means the scope is there. Nothing is
created or changed by a probe. The scope names per feature are in docs/platforms/feishu.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lark_oapi.api.calendar.v4 import PrimaryCalendarRequest
from lark_oapi.api.contact.v3 import GetUserRequest
from lark_oapi.api.docx.v1 import GetDocumentRequest
from lark_oapi.api.drive.v1 import ListFileRequest
from lark_oapi.api.im.v1 import ListChatRequest, MeJoinChatMembersRequest
from lark_oapi.api.task.v2 import GetTaskRequest, InputTask, PatchTaskRequest, PatchTaskRequestBody

from teamassist.adapters.feishu import client as feishu_client
from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.sdk import FeishuClient
from teamassist.outbox.senders import UNREACHABLE, DeliveryError

NO_SCOPE_CODES = {99991672, 99991679}  # the app lacks it / the user never granted it
PROBE_ID = "teamassist-scope-probe"  # an id no object has: a probe reads or changes nothing


@dataclass(frozen=True)
class Probe:
    """One call of ``feature``; ``scopes`` names what it needs when Feishu's message does not."""

    feature: str
    what: str
    scopes: str
    run: Callable[[FeishuClient, FeishuSettings], Any]


def _user(c: FeishuClient, s: FeishuSettings) -> Any:
    request = GetUserRequest.builder().user_id(s.bot_open_id or "ou_" + PROBE_ID)
    return c.contact.v3.user.get(request.user_id_type("open_id").build())


def _chats(c: FeishuClient, s: FeishuSettings) -> Any:
    return c.im.v1.chat.list(ListChatRequest.builder().page_size(1).build())


def _join(c: FeishuClient, s: FeishuSettings) -> Any:
    # A chat id no group has: with the scope Feishu answers 232006 (invalid chat_id) and the
    # bot joins nothing; without it, 99991672 naming the scope.
    request = MeJoinChatMembersRequest.builder().chat_id("oc_" + PROBE_ID).build()
    return c.im.v1.chat_members.me_join(request)


def _task_read(c: FeishuClient, s: FeishuSettings) -> Any:
    return c.task.v2.task.get(GetTaskRequest.builder().task_guid(PROBE_ID).build())


def _task_write(c: FeishuClient, s: FeishuSettings) -> Any:
    body = PatchTaskRequestBody.builder().task(InputTask.builder().build()).update_fields([])
    request = PatchTaskRequest.builder().task_guid(PROBE_ID).request_body(body.build()).build()
    return c.task.v2.task.patch(request)


def _calendar(c: FeishuClient, s: FeishuSettings) -> Any:
    return c.calendar.v4.calendar.primary(PrimaryCalendarRequest.builder().build())


def _drive(c: FeishuClient, s: FeishuSettings) -> Any:
    request = ListFileRequest.builder().folder_token(s.docs_folder).page_size(1).build()
    return c.drive.v1.file.list(request)


def _docx(c: FeishuClient, s: FeishuSettings) -> Any:
    return c.docx.v1.document.get(GetDocumentRequest.builder().document_id(PROBE_ID).build())


PROBES = (
    Probe("names", "contact user", "contact:user.base:readonly", _user),
    Probe("directory", "chat list", "im:chat:readonly", _chats),
    # The bot joining a public group by itself when a notice finds it outside (sender.py):
    # "用户或机器人主动加入群聊" asks for either scope (open.feishu.cn reference im-v1
    # chat-members/me_join; the same pair as chat-members/create).
    Probe("groups", "bot joins a group", "im:chat or im:chat.members:write_only", _join),
    Probe("workspace_tools", "task read", "task:task:read", _task_read),
    Probe("workspace_tools", "task write", "task:task:write", _task_write),
    Probe("workspace_tools", "calendar", "calendar:calendar", _calendar),
    Probe("workspace_tools", "drive", "drive:drive", _drive),
    Probe("workspace_tools", "docx", "docx:document", _docx),
)


def features(settings: FeishuSettings) -> set[str]:
    """The features of ``settings`` whose scopes are probed."""
    # Group members and admin roles are read, and group notices sent (the bot joining a
    # public group it is not in), on every Feishu install.
    found = {"directory", "groups"}
    if settings.lookup_names:
        found.add("names")
    if settings.workspace_tools:
        found.add("workspace_tools")
    return found


def missing_scopes(message: str) -> str:
    """The scope list out of Feishu's 99991672 message (``[a, b]``), or ''."""
    found = re.search(r"\[([^\]]+)\]", message)
    return found.group(1).strip() if found else ""


def _runner(probe: Probe, client: FeishuClient, settings: FeishuSettings) -> Callable[[Any], Any]:
    return lambda _request: probe.run(client, settings)


def check(
    settings: FeishuSettings, client: FeishuClient | None = None
) -> tuple[list[str], list[str]]:
    """``(problems, warnings)`` in plain words. Problems: a scope an enabled feature lacks
    (named from Feishu's own answer), or Feishu refusing the app's credentials. A warning:
    Feishu could not be reached (a transient failure: the configuration may be right, the
    scopes were not checked). Probing stops at the first such failure."""
    client = client or feishu_client.build_client(settings)
    wanted = features(settings)
    problems: list[str] = []
    warnings: list[str] = []
    for probe in PROBES:
        if probe.feature not in wanted:
            continue
        try:
            feishu_client.call(settings.app_id, probe.what, _runner(probe, client, settings), None)
        except feishu_client.FeishuApiError as error:
            if error.code in NO_SCOPE_CODES:
                scopes = missing_scopes(str(error)) or probe.scopes
                problems.append(
                    f"feishu {probe.feature} ({probe.what}): the app lacks the scope "
                    f"{scopes} (code {error.code}): enable it under 权限管理 and publish a "
                    "version (docs/platforms/feishu.md lists the scopes per feature)"
                )
        except DeliveryError as error:  # unreachable, or no tenant token (bad app secret)
            # Feishu out of reach from here says nothing about the configuration (a warning);
            # a refused app id/secret (kind CREDENTIALS) is the configuration's fault.
            unreachable = error.kind == UNREACHABLE
            (warnings if unreachable else problems).append(f"feishu scopes not checked: {error}")
            break
    return problems, warnings
