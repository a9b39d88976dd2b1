"""Carry out the workspace operations queued by :mod:`teamassist.adapters.feishu.workspace`:
the outbox's sender for the platform ``feishu-workspace``, calling Feishu through lark-oapi with
the tenant token (never a user token; none is stored).

Each operation converges one object to the state it carries, and records what was made in
:class:`FeishuObject` (its own short transaction):

* task (Task v2): created with ``client_token`` derived from the key, so a retry after an
  unknown outcome returns the same task; then patched (summary, due, completed) and its members
  added or removed. The first task subscribes the app to task events (completion comes back as
  ``task.task.update_user_access_v2``, see :mod:`teamassist.adapters.feishu.task_events`).
* event (Calendar v4): created with ``idempotency_key`` derived from the key, then patched;
  attendees are a separate, non-idempotent call, so the people being added are recorded first
  ("in flight") and a retry lists the event's attendees before adding again. A cancellation
  deletes it; an operation older than the applied ``sequence`` is skipped.
* document: :mod:`teamassist.adapters.feishu.documents` (folders, docx, content, shares).

Errors are the outbox's: :class:`FeishuApiError` classifies rate limits (retry after the reset
header, no attempt spent), busy and token errors (retry) and the rest (dead row; the admin's
outbox page shows Feishu's code, e.g. 99991672 for a scope the app lacks).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from lark_oapi.api.calendar.v4 import (
    BatchDeleteCalendarEventAttendeeRequest,
    BatchDeleteCalendarEventAttendeeRequestBody,
    CalendarEvent,
    CalendarEventAttendee,
    CalendarEventAttendeeId,
    CreateCalendarEventAttendeeRequest,
    CreateCalendarEventAttendeeRequestBody,
    CreateCalendarEventRequest,
    DeleteCalendarEventRequest,
    EventLocation,
    GetCalendarEventRequest,
    ListCalendarEventAttendeeRequest,
    PatchCalendarEventRequest,
    PrimaryCalendarRequest,
    TimeInfo,
    Vchat,
)
from lark_oapi.api.task.v2 import (
    AddMembersTaskRequest,
    AddMembersTaskRequestBody,
    CreateTaskRequest,
    DeleteTaskRequest,
    Due,
    InputTask,
    Member,
    PatchTaskRequest,
    PatchTaskRequestBody,
    RemoveMembersTaskRequest,
    RemoveMembersTaskRequestBody,
    TaskSubscriptionTaskV2Request,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from teamassist.adapters.feishu import client as feishu_client
from teamassist.adapters.feishu import documents, gave_up
from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.idempotency import token_for
from teamassist.adapters.feishu.models import FeishuObject
from teamassist.adapters.feishu.sdk import FeishuClient
from teamassist.adapters.feishu.workspace import PLATFORM
from teamassist.clock import Clock
from teamassist.database import transaction
from teamassist.events import DocumentReady, publish
from teamassist.outbox.senders import DeliveryError, OutgoingMessage

TASK_NOT_FOUND = 1470404  # Task v2: no such task (deleted already)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Made:
    """A :class:`FeishuObject` read outside its session."""

    object_id: str
    url: str
    state: dict[str, Any]
    sequence: int


class WorkspaceSender:
    """The outbox sender of workspace operations (one per app)."""

    platform = PLATFORM

    def __init__(
        self,
        settings: FeishuSettings,
        factory: sessionmaker[Session],
        clock: Clock,
        client: FeishuClient | None = None,
        *,
        max_attempts: int = 12,
    ) -> None:
        self.settings = settings
        self.max_attempts = max_attempts  # the outbox's: the attempt that fails this goes dead
        self.factory = factory
        self.clock = clock
        self.client = client or feishu_client.build_client(settings)
        self._lock = threading.Lock()
        self._calendar_id = settings.calendar_id
        self._subscribed = False

    # -- the outbox seam ---------------------------------------------------------------------------

    def send(self, message: OutgoingMessage) -> str | None:
        """Carry out one operation; returns the Feishu id of its object. When the failure
        makes the outbox give up on it (permanent, or the last attempt), the workspace's admins
        are told first (:mod:`teamassist.adapters.feishu.gave_up`)."""
        try:
            op: dict[str, Any] = json.loads(message.reply.body)
        except ValueError as error:
            raise DeliveryError(
                f"unreadable workspace operation: {error}", transient=False
            ) from error
        try:
            return self._carry_out(message.reply.title or "", op)
        except DeliveryError as error:
            if error.retry_after is None and (
                not error.transient or message.attempt >= self.max_attempts
            ):
                self._tell_admins(message, op, error)
            raise

    def _tell_admins(self, message: OutgoingMessage, op: dict[str, Any], error: Exception) -> None:
        code = getattr(error, "code", None)
        code = code if isinstance(code, int) else None
        with transaction(self.factory) as session:
            if message.reply.title == "document" and op.get("local_url"):
                # No Feishu doc after all: a message waiting for its link gets the dashboard's.
                ready = DocumentReady(
                    workspace_id=int(op["workspace_id"]),
                    key=str(op["key"]),
                    url=str(op["local_url"]),
                    now=self.clock(),
                )
                publish(session, ready)
            gave_up.tell_admins(
                session,
                workspace_id=int(op["workspace_id"]),
                outbox_id=message.outbox_id,
                kind=message.reply.title or "",
                key=str(op.get("key", message.address)),
                code=code,
                error=str(error),
                now=self.clock(),
            )

    def _carry_out(self, kind: str, op: dict[str, Any]) -> str | None:
        if kind == "task":
            return self._task(op)
        if kind == "event":
            return self._event(op)
        if kind == "document":
            return documents.publish(self, op)
        raise DeliveryError(f"unknown workspace operation {kind!r}", transient=False)

    def call(self, what: str, method: Any, request: Any) -> Any:
        """One lark-oapi call; raises :class:`FeishuApiError` unless Feishu says ``code == 0``."""
        return feishu_client.call(self.settings.app_id, what, method, request)

    # -- the record of what was made ---------------------------------------------------------

    def made(self, kind: str, key: str) -> Made | None:
        """What was made for ``key`` (``object_id`` "" while in flight), or None."""
        with transaction(self.factory) as session:
            row = session.scalar(
                select(FeishuObject).where(FeishuObject.kind == kind, FeishuObject.key == key)
            )
            if row is None:
                return None
            return Made(row.object_id, row.url, dict(row.state or {}), row.sequence)

    def record(self, kind: str, key: str, workspace_id: int, **values: Any) -> None:
        """Create or update the record of ``key`` with ``values``, committed at once."""
        now = self.clock()
        for _ in range(2):  # a concurrent first insert: the second round updates it
            try:
                with transaction(self.factory) as session:
                    row = session.scalar(
                        select(FeishuObject).where(
                            FeishuObject.kind == kind, FeishuObject.key == key
                        )
                    )
                    if row is None:
                        row = FeishuObject(
                            workspace_id=workspace_id, kind=kind, key=key, created_at=now
                        )
                        session.add(row)
                    for name, value in values.items():
                        setattr(row, name, value)
                    row.updated_at = now
                return
            except IntegrityError:
                continue

    def ready(self, workspace_id: int, key: str, url: str) -> None:
        """Publish :class:`DocumentReady` for document ``key`` at ``url`` (its own transaction:
        what a subscriber queues commits with it; a failure fails the operation, retried)."""
        if not url:
            return
        with transaction(self.factory) as session:
            publish(
                session,
                DocumentReady(workspace_id=workspace_id, key=key, url=url, now=self.clock()),
            )

    # -- tasks ----------------------------------------------------------------------------------

    def _subscribe(self) -> None:
        """Ask for task events once per process (Feishu sends none without it; no unsubscribe)."""
        with self._lock:
            if self._subscribed:
                return
            request = TaskSubscriptionTaskV2Request.builder().user_id_type("open_id").build()
            self.call("task.subscription", self.client.task.v2.task_v2.task_subscription, request)
            self._subscribed = True

    def _task(self, op: dict[str, Any]) -> str | None:
        key, workspace_id = str(op["key"]), int(op["workspace_id"])
        wanted = [["assignee", x] for x in op["assignees"]] + [
            ["follower", x] for x in op["followers"] if x not in op["assignees"]
        ]
        due = Due.builder().timestamp(int(op["due_ms"])).is_all_day(False).build()
        made = self.made("task", key)
        if made is not None and made.state.get("gone"):
            return None  # deleted in Feishu by a person: not mirrored, nor made again
        if op.get("cancelled"):  # the item was dropped: its task goes (none is made for it)
            if made is not None and made.object_id and not made.state.get("deleted"):
                self._delete_task(made.object_id)
                self.record("task", key, workspace_id, state={**made.state, "deleted": True})
            return made.object_id if made is not None and made.object_id else None
        generation = int(made.state.get("generation", 0)) if made is not None else 0
        if made is not None and made.state.get("deleted"):
            # We deleted it when the item was dropped, and the item is open again (its owner
            # came back): a new task, under a new client token, or Feishu would answer with
            # the deleted one. A retry before the record below reuses the same generation.
            generation += 1
            made = None
        if made is None or not made.object_id:
            self._subscribe()
            body = (
                InputTask.builder()
                .summary(op["summary"])
                .description(op["description"])
                .due(due)
                .members([_member(role, who) for role, who in wanted])
                .client_token(token_for(f"{key}#{generation}" if generation else key))
                .build()
            )
            request = CreateTaskRequest.builder().user_id_type("open_id").request_body(body).build()
            response = self.call("task.create", self.client.task.v2.task.create, request)
            task = response.data.task
            state: dict[str, Any] = {"members": wanted, "done": False}
            if generation:
                state["generation"] = generation
            self.record(
                "task", key, workspace_id, object_id=task.guid, url=task.url or "", state=state
            )
            made = Made(task.guid, task.url or "", state, 0)
            if not op["done"]:
                return str(task.guid)
        guid = made.object_id
        fields = ["summary", "description", "due"]
        patch = InputTask.builder().summary(op["summary"]).description(op["description"]).due(due)
        if bool(op["done"]) != bool(made.state.get("done")):
            fields.append("completed_at")
            patch = patch.completed_at(int(time.time() * 1000) if op["done"] else 0)
        request = (
            PatchTaskRequest.builder()
            .task_guid(guid)
            .user_id_type("open_id")
            .request_body(
                PatchTaskRequestBody.builder().task(patch.build()).update_fields(fields).build()
            )
            .build()
        )
        try:
            self.call("task.patch", self.client.task.v2.task.patch, request)
        except feishu_client.FeishuApiError as error:
            if error.code != TASK_NOT_FOUND:
                raise
            # Someone deleted the task in Feishu: the item lives on in the product, its mirror
            # stops (every later change went dead and told the admins of a missing permission).
            self.record("task", key, workspace_id, state={**made.state, "gone": True})
            log.info("Feishu task %s of %s was deleted in Feishu; no longer mirrored", guid, key)
            return None
        had = [list(m) for m in made.state.get("members", [])]
        gone = [m for m in had if m not in wanted]
        new = [m for m in wanted if m not in had]
        if gone:
            body = RemoveMembersTaskRequestBody.builder().members(
                [_member(role, who) for role, who in gone]
            )
            request = (
                RemoveMembersTaskRequest.builder()
                .task_guid(guid)
                .user_id_type("open_id")
                .request_body(body.build())
                .build()
            )
            self.call("task.remove_members", self.client.task.v2.task.remove_members, request)
        if new:  # Feishu ignores members already there, so a retry adds nobody twice
            body = AddMembersTaskRequestBody.builder().members(
                [_member(role, who) for role, who in new]
            )
            request = (
                AddMembersTaskRequest.builder()
                .task_guid(guid)
                .user_id_type("open_id")
                .request_body(body.build())
                .build()
            )
            self.call("task.add_members", self.client.task.v2.task.add_members, request)
        state = {"members": wanted, "done": bool(op["done"])}
        self.record("task", key, workspace_id, state=state)
        return guid

    def _delete_task(self, guid: str) -> None:
        request = DeleteTaskRequest.builder().task_guid(guid).build()
        try:
            self.call("task.delete", self.client.task.v2.task.delete, request)
        except feishu_client.FeishuApiError as error:
            if error.code != TASK_NOT_FOUND:
                raise
            # A retry of a delete that went through (or someone deleted it in Feishu): gone.

    # -- calendar events --------------------------------------------------------------------------

    def _calendar(self) -> str:
        """The calendar events go on: the configured one, else the bot's primary calendar."""
        with self._lock:
            if not self._calendar_id:
                request = PrimaryCalendarRequest.builder().build()
                response = self.call(
                    "calendar.primary", self.client.calendar.v4.calendar.primary, request
                )
                self._calendar_id = response.data.calendars[0].calendar.calendar_id
            return self._calendar_id

    def _event(self, op: dict[str, Any]) -> str | None:
        key, workspace_id = str(op["key"]), int(op["workspace_id"])
        sequence = int(op["sequence"])
        made = self.made("event", key)
        if made is not None and sequence < made.sequence:
            return made.object_id or None  # an older state arriving late
        calendar_id = self._calendar()
        if op["cancelled"]:
            if made is not None and made.object_id and not made.state.get("cancelled"):
                self._delete_event(calendar_id, made.object_id)
            if made is not None:
                state = {**made.state, "cancelled": True}
                self.record("event", key, workspace_id, state=state, sequence=sequence)
            return made.object_id if made is not None else None
        event = _event_body(op)
        if made is None or not made.object_id:
            request = (
                CreateCalendarEventRequest.builder()
                .calendar_id(calendar_id)
                .idempotency_key(token_for(key))
                .user_id_type("open_id")
                .request_body(event)
                .build()
            )
            response = self.call(
                "calendar.event.create", self.client.calendar.v4.calendar_event.create, request
            )
            created = response.data.event
            made = Made(created.event_id, created.app_link or "", {"attendees": []}, sequence)
            self.record(
                "event",
                key,
                workspace_id,
                object_id=made.object_id,
                url=made.url,
                state=made.state,
                sequence=sequence,
            )
        else:
            request = (
                PatchCalendarEventRequest.builder()
                .calendar_id(calendar_id)
                .event_id(made.object_id)
                .user_id_type("open_id")
                .request_body(event)
                .build()
            )
            self.call("calendar.event.patch", self.client.calendar.v4.calendar_event.patch, request)
        self._attendees(workspace_id, key, calendar_id, made, list(op["attendees"]), sequence)
        return made.object_id

    def _attendees(
        self,
        workspace_id: int,
        key: str,
        calendar_id: str,
        made: Made,
        wanted: list[str],
        sequence: int,
    ) -> None:
        """Remove the attendees no longer wanted, add the ones not yet added. The add is not
        idempotent: who is being added is recorded first, and a retry finding that record asks
        Feishu who is there already. A removal is: removing someone gone already is no-op."""
        have = set(made.state.get("attendees", []))
        if made.state.get("adding"):
            have |= self._listed_attendees(calendar_id, made.object_id)
        gone = sorted(have - set(wanted))
        if gone:
            self._remove_attendees(calendar_id, made.object_id, gone)
            have -= set(gone)
            self.record("event", key, workspace_id, state={**made.state, "attendees": sorted(have)})
        missing = [who for who in wanted if who not in have]
        if missing:
            adding = {**made.state, "attendees": sorted(have), "adding": missing}
            self.record("event", key, workspace_id, state=adding)
            body = (
                CreateCalendarEventAttendeeRequestBody.builder()
                .attendees(
                    [
                        CalendarEventAttendee.builder().type("user").user_id(w).build()
                        for w in missing
                    ]
                )
                .need_notification(True)
                .build()
            )
            request = (
                CreateCalendarEventAttendeeRequest.builder()
                .calendar_id(calendar_id)
                .event_id(made.object_id)
                .user_id_type("open_id")
                .request_body(body)
                .build()
            )
            self.call(
                "calendar.attendee.create",
                self.client.calendar.v4.calendar_event_attendee.create,
                request,
            )
            have |= set(missing)
        state = {"attendees": sorted(have)}
        self.record("event", key, workspace_id, state=state, sequence=sequence)

    def _remove_attendees(self, calendar_id: str, event_id: str, open_ids: list[str]) -> None:
        body = (
            BatchDeleteCalendarEventAttendeeRequestBody.builder()
            .delete_ids([_attendee_id(w) for w in open_ids])
            .need_notification(True)
            .build()
        )
        request = (
            BatchDeleteCalendarEventAttendeeRequest.builder()
            .calendar_id(calendar_id)
            .event_id(event_id)
            .user_id_type("open_id")
            .request_body(body)
            .build()
        )
        self.call(
            "calendar.attendee.batch_delete",
            self.client.calendar.v4.calendar_event_attendee.batch_delete,
            request,
        )

    def _listed_attendees(self, calendar_id: str, event_id: str) -> set[str]:
        found: set[str] = set()
        page = ""
        while True:  # loop on has_more/page_token only: page sizes are not promised
            builder = (
                ListCalendarEventAttendeeRequest.builder()
                .calendar_id(calendar_id)
                .event_id(event_id)
                .user_id_type("open_id")
                .page_size(100)
            )
            if page:
                builder = builder.page_token(page)
            response = self.call(
                "calendar.attendee.list",
                self.client.calendar.v4.calendar_event_attendee.list,
                builder.build(),
            )
            data = response.data
            found |= {a.user_id for a in (data.items or []) if a.user_id}
            if not data.has_more or not data.page_token:
                return found
            page = data.page_token

    def _delete_event(self, calendar_id: str, event_id: str) -> None:
        request = (
            DeleteCalendarEventRequest.builder()
            .calendar_id(calendar_id)
            .event_id(event_id)
            .need_notification("true")  # a str: lark-oapi would send "True" for a bool
            .build()
        )
        try:
            self.call(
                "calendar.event.delete", self.client.calendar.v4.calendar_event.delete, request
            )
        except feishu_client.FeishuApiError as error:
            if error.transient or not self._event_gone(calendar_id, event_id):
                raise
            # A retry of a delete that went through: the event is gone or cancelled already.

    def _event_gone(self, calendar_id: str, event_id: str) -> bool:
        request = (
            GetCalendarEventRequest.builder().calendar_id(calendar_id).event_id(event_id).build()
        )
        try:
            response = self.call(
                "calendar.event.get", self.client.calendar.v4.calendar_event.get, request
            )
        except feishu_client.FeishuApiError as error:
            return not error.transient
        return bool(
            response.data and response.data.event and response.data.event.status == "cancelled"
        )


def _attendee_id(open_id: str) -> CalendarEventAttendeeId:
    return CalendarEventAttendeeId.builder().type("user").user_id(open_id).build()


def _member(role: str, open_id: str) -> Member:
    return Member.builder().id(open_id).type("user").role(role).build()


def _event_body(op: dict[str, Any]) -> CalendarEvent:
    if op["video_url"]:
        vchat = Vchat.builder().vc_type("third_party").meeting_url(op["video_url"]).build()
    else:
        vchat = Vchat.builder().vc_type("vc").build()  # Feishu makes a video meeting link
    return (
        CalendarEvent.builder()
        .summary(op["summary"])
        .description(op["description"])
        .need_notification(True)
        .start_time(TimeInfo.builder().timestamp(str(op["start_s"])).build())
        .end_time(TimeInfo.builder().timestamp(str(op["end_s"])).build())
        .location(EventLocation.builder().name(op["place"]).build())
        .vchat(vchat)
        .attendee_ability("can_see_others")
        .free_busy_status("busy")
        .build()
    )
