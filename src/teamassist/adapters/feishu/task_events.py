"""A Feishu task completed in Feishu comes back: ``task.task.update_user_access_v2`` names only
the task guid and what changed (Feishu's Task v2 event), so the task is read back for its
``completed_at``; a task the workspace tools made for a product key is then announced as
:class:`teamassist.events.PlatformTaskCompleted`, which the key's domain acts on (an action
item becomes done). Redelivered events change nothing more: the item is done already.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import lark_oapi as lark
from lark_oapi.api.task.v2 import GetTaskRequest, P2TaskTaskUpdateUserAccessV2
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from teamassist.adapters.feishu import client as feishu_client
from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.models import FeishuObject
from teamassist.database import transaction
from teamassist.events import PlatformTaskCompleted, publish

log = logging.getLogger(__name__)

COMPLETED = "task_completed_update"


class TaskEvents:
    """The handler of Task v2 update events (registered on the SDK's event dispatcher)."""

    def __init__(
        self,
        settings: FeishuSettings,
        factory: sessionmaker[Session],
        client: lark.Client | None = None,
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
        """Announce the completion of task ``guid`` if it is ours and completed; True if so.
        Raises :class:`teamassist.outbox.senders.DeliveryError` when Feishu cannot be read."""
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
        completed_ms = int(task.completed_at or 0) if task is not None else 0
        if not completed_ms:
            return False  # completed and reopened again before we looked
        at = datetime.fromtimestamp(completed_ms / 1000, UTC)
        with transaction(self.factory) as session:
            made = session.scalar(
                select(FeishuObject)
                .where(FeishuObject.kind == "task", FeishuObject.key == key)
                .with_for_update()
            )
            if made is not None:  # Feishu has it completed: the mirror need not complete it
                made.state = {**(made.state or {}), "done": True}
            publish(
                session,
                PlatformTaskCompleted(workspace_id=workspace_id, key=key, member_id=None, at=at),
            )
        log.info("feishu: task %s (%s) completed in Feishu", guid, key)
        return True
