"""A Feishu task completed or un-completed in Feishu comes back: ``task.task.update_user_access_v2``
names only the task guid and what changed (Feishu's Task v2 event; ``task_completed_update`` for
both), so the task is read back for its ``completed_at``; a task the workspace tools made for a
product key is then announced as :class:`teamassist.events.PlatformTaskCompleted` or, when it
was completed as far as we knew and is not any more,
:class:`~teamassist.events.PlatformTaskReopened`,
which the key's domain acts on (an action item becomes done, or open again). Redelivered events
change nothing more: the item is in that state already.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from lark_oapi.api.task.v2 import GetTaskRequest, P2TaskTaskUpdateUserAccessV2
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from teamassist.adapters.feishu import client as feishu_client
from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.models import FeishuObject
from teamassist.adapters.feishu.sdk import FeishuClient
from teamassist.clock import utcnow
from teamassist.database import transaction
from teamassist.events import PlatformTaskCompleted, PlatformTaskReopened, publish

log = logging.getLogger(__name__)

COMPLETED = "task_completed_update"


class TaskEvents:
    """The handler of Task v2 update events (registered on the SDK's event dispatcher)."""

    def __init__(
        self,
        settings: FeishuSettings,
        factory: sessionmaker[Session],
        client: FeishuClient | None = None,
    ) -> None:
        self.settings = settings
        self.factory = factory
        self.client = client or feishu_client.build_client(settings)

    def __call__(self, data: P2TaskTaskUpdateUserAccessV2) -> None:
        event = data.event
        if event is None or not event.task_guid or COMPLETED not in (event.event_types or []):
            return
        self.completed(event.task_guid)

    def completed(self, guid: str) -> bool:
        """Announce what task ``guid``'s completion now is, if it is ours and it changed: its
        completion (:class:`PlatformTaskCompleted`) or, once completed as far as we knew, its
        un-completion (:class:`PlatformTaskReopened`). Feishu sends one event type for both, so
        the task is read back. True if something was announced. Raises
        :class:`teamassist.outbox.senders.DeliveryError` when Feishu cannot be read."""
        with transaction(self.factory) as session:
            made = session.scalar(
                select(FeishuObject).where(
                    FeishuObject.kind == "task", FeishuObject.object_id == guid
                )
            )
            if made is None:
                return False
            key, workspace_id = made.key, made.workspace_id
        request = GetTaskRequest.builder().task_guid(guid).user_id_type("open_id").build()
        response = feishu_client.call(
            self.settings.app_id, "task.get", self.client.task.v2.task.get, request
        )
        task = response.data.task if response.data else None
        if task is None:
            return False
        completed_ms = int(task.completed_at or 0)
        with transaction(self.factory) as session:
            made = session.scalar(
                select(FeishuObject)
                .where(FeishuObject.kind == "task", FeishuObject.key == key)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            if made is None:
                return False
            if completed_ms:
                # Feishu has it completed: the mirror need not complete it
                made.state = {**(made.state or {}), "done": True}
                at = datetime.fromtimestamp(completed_ms / 1000, UTC)
                publish(
                    session,
                    PlatformTaskCompleted(
                        workspace_id=workspace_id, key=key, member_id=None, at=at
                    ),
                )
            elif (made.state or {}).get("done"):
                # completed as far as we knew, not any more: someone un-completed it in Feishu
                made.state = {**(made.state or {}), "done": False}
                publish(
                    session,
                    PlatformTaskReopened(workspace_id=workspace_id, key=key, at=utcnow()),
                )
            else:
                return False  # open both here and there (a redelivery, or our own reopen)
        log.info(
            "feishu: task %s (%s) %s in Feishu",
            guid,
            key,
            "completed" if completed_ms else "reopened",
        )
        return True
