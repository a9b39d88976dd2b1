"""One path for every inbound message: inbox → identity → command → permission → handler → reply.

The dispatcher owns the transaction, and a command is one unit of work:

- A caller that waits for the answer (web chat, REST, CLI: :meth:`Dispatcher.converse`) gets one
  transaction: the handler's changes, the notices it queued and the inbox row (written last,
  already "done", so its unique event id also catches a retry) commit together. If anything
  fails nothing is kept and the caller sees it. A message its caller did not name (no
  ``event_id``) whose command changed nothing (a read, a refusal such as a double tap) gets no
  inbox row: no retry can ask for it, no replay needs it, no page lists it, and the export
  would blank its text; the row was a statement of every such command (issue 9).
- A platform event nobody waits on (:meth:`Dispatcher.handle`) is first recorded "received" in a
  transaction of its own, so a crash mid-command leaves it for the replay job; the handler's
  changes, its notices and the "done" mark then commit together.

Units are re-run whole after a lost lock race (:func:`teamassist.database.run_transaction`).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from teamassist import metrics
from teamassist.chat import fallback, parser, placement, suggest
from teamassist.chat.context import CommandContext
from teamassist.chat.models import InboundEvent
from teamassist.chat.registry import CommandSpec, Permission, Registry
from teamassist.chat.types import ChatType, InboundMessage, MentionToken, Reply, user_text
from teamassist.clock import Clock, utcnow
from teamassist.database import change_mark, changed_since, is_retryable, run_transaction
from teamassist.enums import Role
from teamassist.events import ask
from teamassist.exceptions import DomainError
from teamassist.i18n import t
from teamassist.outbox import service as outbox_service
from teamassist.outbox.signals import AfterCommit, nothing_after_commit, queued, queued_platforms
from teamassist.ports import Directory, Ports, Roster
from teamassist.team import binding_chat, directory
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team, Workspace

log = logging.getLogger(__name__)

# The inbox row, written as one Core INSERT of a statement built once: through the ORM's unit
# of work it was a sixth of a command's CPU time (issue #9 profile), and nothing reads the row
# back as an object.
_INSERT_EVENT = insert(InboundEvent.__table__)  # type: ignore[arg-type]

# Answers "is this member on duty right now?"; without one the dispatcher asks the ``Roster``
# port (provided by the duty domain), so the chat core never imports a domain.
OnDutyCheck = Callable[[Session, Team, Member, datetime], bool]


@dataclass
class Speaker:
    """A local speaker (web chat, REST, CLI) already identified by the caller, in its session."""

    message: InboundMessage
    workspace: Workspace
    member: Member
    # The team and role of this direct chat, when the caller's lookup read them already
    # (``placement.with_own_chat``): then the command needs no statement of its own for them.
    own_chat: tuple[Team, Role | None] | None = None
    # The configured name of a channel at this chat's address ('' when none), read with it:
    # a report records it as its origin without a statement of its own. None: not read.
    own_chat_name: str | None = None
    # The caller named the message (a client's retry key): a retry may ask for the reply, so
    # the inbox row keeps it. Without one nothing can ever ask, and the row keeps none.
    retry_key: bool = False


@dataclass
class DispatchResult:
    """What happened to one inbound message."""

    reply: Reply | None
    duplicate: bool = False
    event_row_id: int | None = None
    queued: bool = False  # the transaction queued notices (reply or others)
    platforms: frozenset[str] = frozenset()  # ... for these platforms
    # The event id was first used for another text: not a retry but a client reusing a key for
    # a new message (``duplicate`` too); nothing was done and there is no reply to replay.
    reused: bool = False


class _Unknown:
    """A workspace not looked up yet (a failed command's answer, its unit rolled back)."""


_UNKNOWN = _Unknown()


class _Refused(Exception):
    """The handler refused or failed: roll its changes back, then record the answer."""


class Dispatcher:
    """Handle inbound messages from every platform the same way."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        registry: Registry,
        *,
        clock: Clock = utcnow,
        on_duty: OnDutyCheck | None = None,
        after_commit: AfterCommit | None = None,
        public_url: str = "",
        ports: Ports | None = None,
    ) -> None:
        self.factory = factory
        self.registry = registry
        self.ports = ports if ports is not None else Ports()
        self.clock = clock
        self.on_duty = on_duty
        self.after_commit = after_commit or nothing_after_commit
        self.public_url = public_url.rstrip("/")

    def handle(self, message: InboundMessage, *, reply_via_outbox: bool = False) -> DispatchResult:
        """Record, then handle one message; a redelivered event or message is answered with nothing.

        ``reply_via_outbox`` queues the reply as a notice to the originating chat (platform
        webhooks); otherwise the caller shows the returned reply itself (web chat, CLI).
        """
        row_id = self.record(message)
        if row_id is None:
            return DispatchResult(reply=None, duplicate=True)
        reply = self.process(row_id, message, reply_via_outbox=reply_via_outbox)
        return DispatchResult(reply=reply, event_row_id=row_id)

    def record(self, message: InboundMessage) -> int | None:
        """Put ``message`` in the inbox ("received") in a transaction of its own; the row's id,
        or None for a redelivered event or message (nothing to do). A webhook acknowledges an
        event only after this returns: from then on a crash or a failure is replayed from the
        row (:meth:`replay_pending`), so an acknowledged event is never lost."""
        row_id = run_transaction(self.factory, lambda session: self._record(session, message))
        if row_id is None:
            metrics.event(message.platform.value, "duplicate")
            self._warn_if_reused(message)
        return row_id

    def _warn_if_reused(self, message: InboundMessage) -> None:
        """Log a dropped platform event whose id came first with another text. A platform's own
        redelivery always carries the same body, so this is a broken relay or a forged event,
        not the sender's doing: it is dropped (acknowledged, nothing done, nothing said in the
        chat, where the sender did nothing wrong) and the operator gets the warning."""
        first = run_transaction(
            self.factory, lambda session: _first_text(session, message), read_only=True
        )
        if first is not None and first != message.text:
            log.warning(
                "event %s/%s came again with another text: dropped, the first was handled",
                message.platform,
                message.event_id,
            )

    def process(
        self, row_id: int, message: InboundMessage, *, reply_via_outbox: bool = False
    ) -> Reply | None:
        """Handle a message :meth:`record` put in the inbox as row ``row_id``; its reply (None:
        not for us, or a replay took the row first). ``reply_via_outbox``: see :meth:`handle`."""
        now = self.clock()
        error_id: str | None = None

        def unit(session: Session) -> tuple[Reply | None, frozenset[str]] | None:
            # Claim the row: a replay racing a live handler must not run the command twice.
            claimed = session.execute(
                update(InboundEvent)
                .where(InboundEvent.id == row_id, InboundEvent.status == "received")
                .values(status="processing")
            ).rowcount  # type: ignore[attr-defined]
            if claimed != 1:
                return None
            declined.clear()
            mark = change_mark(session)
            workspace: Workspace | _Unknown | None
            try:
                reply, workspace = self._run(session, message, now)
            except DomainError as exc:
                if changed_since(session, mark):
                    raise
                # Refused having changed nothing: the answer goes in this transaction, not in
                # a second one after a rollback (see :meth:`converse`).
                declined.append(True)
                reply = Reply(body=t(exc.key, **_as_user_text(exc.params)), is_error=True)
                workspace = _UNKNOWN
            self._finish(
                session, row_id, message, reply, now, reply_via_outbox, workspace=workspace
            )
            session.flush()
            later[:] = [] if declined else fallback.take_later(session)
            return reply, queued_platforms(session)

        later: list[fallback.Later] = []
        declined: list[bool] = []  # refused in the unit, which then recorded the answer
        platform = message.platform.value
        try:
            done = run_transaction(self.factory, unit)
            if done is None:
                return None
            metrics.event(platform, "refused" if declined else "handled")
            if done[1]:
                self.after_commit(done[1])
            self._run_later(later)
            return done[0]
        except DomainError as exc:
            metrics.event(platform, "refused")
            reply = Reply(body=t(exc.key, **_as_user_text(exc.params)), is_error=True)
        except Exception as exc:
            metrics.event(platform, "failed")
            error_id, reply = _internal_error(message)
            self._fail(row_id, error_id, f"{type(exc).__name__}: {exc}")

        # The handler's changes were rolled back; record the answer on its own.
        def answer(session: Session) -> frozenset[str]:
            self._finish(session, row_id, message, reply, now, reply_via_outbox, error_id=error_id)
            session.flush()
            return queued_platforms(session)

        if platforms := run_transaction(self.factory, answer):
            self.after_commit(platforms)
        return reply

    def converse(self, identify: Callable[[Session], Speaker]) -> DispatchResult:
        """Answer a local speaker whose caller waits for the reply, in one transaction.

        ``identify`` runs first inside the unit (it resolves who speaks in the same session, so
        the request needs one connection); a DomainError it raises goes to the caller.
        """
        now = self.clock()
        refused: list[tuple[InboundMessage, Reply, str | None, str, bool]] = []

        platform: list[str] = []  # for the metrics: the speaker's platform once known

        def unit(session: Session) -> DispatchResult:
            refused.clear()
            declined.clear()
            speaker = identify(session)
            message = speaker.message
            platform[:] = [message.platform.value]
            mark = change_mark(session)
            try:
                reply, _ = self._run(session, message, now, speaker=speaker)
                session.flush()
            except DomainError as exc:
                reply = Reply(body=exc.message(), is_error=True)
                if not changed_since(session, mark):
                    # Refused having changed nothing (a double tap, "已经签到过了"): the inbox
                    # row, if any, goes in this transaction, not in a second one after a
                    # rollback.
                    declined.append(True)
                    if not speaker.retry_key:
                        return DispatchResult(reply=reply)  # no row (module docstring)
                    return self._answered(session, message, reply, now, keep_reply=True)
                refused.append((message, reply, None, "", speaker.retry_key))
                raise _Refused() from exc
            except Exception as exc:
                if is_retryable(exc):
                    raise
                error_id, reply = _internal_error(message)
                error = f"{type(exc).__name__}: {exc}"
                refused.append((message, reply, error_id, error, speaker.retry_key))
                raise _Refused() from exc
            answered = (
                DispatchResult(reply=reply)  # nothing written, nothing to retry: no inbox row
                if not speaker.retry_key and not changed_since(session, mark)
                else self._answered(session, message, reply, now, keep_reply=speaker.retry_key)
            )
            later[:] = fallback.take_later(session)
            return answered

        later: list[fallback.Later] = []
        declined: list[bool] = []  # refused in the unit, which then recorded the answer
        try:
            result = run_transaction(self.factory, unit)
        except _Refused:
            # The handler's changes were rolled back; record the answer on its own.
            message, reply, error_id, error, keep = refused[0]
            result = run_transaction(
                self.factory,
                lambda session: self._answered(
                    session, message, reply, now, keep_reply=keep, error_id=error_id, error=error
                ),
            )
        outcome = "duplicate" if result.duplicate else "handled"
        if refused and not result.duplicate:
            outcome = "failed" if refused[0][2] else "refused"
        elif declined and not result.duplicate:
            outcome = "refused"
        metrics.event(platform[0] if platform else "", outcome)
        if result.queued:
            self.after_commit(result.platforms)  # only now: delivery claims committed rows
        self._run_later(later)
        return result

    def _answered(
        self,
        session: Session,
        message: InboundMessage,
        reply: Reply | None,
        now: datetime,
        *,
        keep_reply: bool,
        error_id: str | None = None,
        error: str = "",
    ) -> DispatchResult:
        """Write the inbox row, already finished; a second row for one event id is a retry.

        ``keep_reply``: store the reply with the row, for a retry of the same event id
        (:meth:`_original_reply`); nothing else reads it back. A message nobody can retry keeps
        none: /帮助's was 25 KB of JSON encoded and written per call (issue #9)."""
        row_id = self._record(
            session,
            message,
            status="failed" if error_id else "done",
            reply=reply if keep_reply else None,
            processed_at=now,
            error_id=error_id,
            error=error[:4000] or None,
        )
        if row_id is None:
            # A retry (the first answer was lost on the way): answer what the first call did.
            return self._replayed(session, message)
        return DispatchResult(
            reply=reply,
            event_row_id=row_id,
            queued=queued(session),
            platforms=queued_platforms(session),
        )

    @staticmethod
    def _replayed(session: Session, message: InboundMessage) -> DispatchResult:
        """The answer to a retry: the reply stored with the first delivery of the event, only
        to the same speaker. The same key with another text is no retry but a client reusing
        its key for a new message (the unit was rolled back): ``reused``, no reply."""
        row = session.execute(
            select(InboundEvent.message, InboundEvent.reply).where(
                InboundEvent.platform == message.platform.value,
                InboundEvent.tenant_key == message.tenant_key,
                InboundEvent.event_id == message.event_id[:128],
            )
        ).first()
        if row is None:
            return DispatchResult(reply=None, duplicate=True)
        if row.message.get("text") != message.text:
            return DispatchResult(reply=None, duplicate=True, reused=True)
        if row.reply is None or row.message.get("sender_key") != message.sender_key:
            return DispatchResult(reply=None, duplicate=True)
        return DispatchResult(reply=Reply.model_validate(row.reply), duplicate=True)

    def replay_pending(self, *, older_than: timedelta = timedelta(minutes=1)) -> int:
        """Handle events recorded but never finished (the process died mid-way)."""
        cutoff = self.clock() - older_than
        rows = run_transaction(
            self.factory,
            lambda session: session.execute(
                select(InboundEvent.id, InboundEvent.message)
                .where(InboundEvent.status == "received", InboundEvent.received_at < cutoff)
                .order_by(InboundEvent.id)
                .limit(100)
            ).all(),
            read_only=True,
        )
        for row_id, payload in rows:
            message = InboundMessage.model_validate(payload)
            self.process(
                row_id,
                message,
                reply_via_outbox=message.platform.value not in team_service.LOCAL_PLATFORMS,
            )
        return len(rows)

    # -- steps ---------------------------------------------------------------------------------

    def _record(
        self,
        session: Session,
        message: InboundMessage,
        *,
        status: str = "received",
        reply: Reply | None = None,
        processed_at: datetime | None = None,
        error_id: str | None = None,
        error: str | None = None,
    ) -> int | None:
        """Add the inbox row; None when the event id was recorded before (a redelivery).

        The row is flushed last in its unit, so a unique-key refusal here is the event's and
        nothing else of the unit needs keeping: the boundary rolls the whole unit back.
        """
        values = {
            "platform": message.platform.value,
            "tenant_key": message.tenant_key,
            "event_id": message.event_id[:128],
            "message_id": message.dedupe_message_id,
            "status": status,
            "message": message.model_dump(mode="json"),
            "received_at": self.clock(),
            "reply": reply.model_dump(mode="json") if reply else None,
            "processed_at": processed_at,
            "error_id": error_id,
            "error": error,
        }
        session.flush()  # the unit's own changes first: a refusal below is the event's alone
        try:
            inserted = session.execute(_INSERT_EVENT, values)
        except IntegrityError:
            log.info(
                "duplicate event %s/%s (message %s) dropped",
                message.platform,
                message.event_id,
                message.message_id or "-",
            )
            session.rollback()
            return None
        row_id: int = inserted.inserted_primary_key[0]  # type: ignore[attr-defined]
        return row_id

    def _run_later(self, later: list[fallback.Later]) -> None:
        """Work a committed unit handed over (a chat provider's HTTP call), then deliver what
        it queued."""
        if later:
            fallback.run_later(later)
            self.after_commit(None)  # its own transactions: which platforms is not known here

    def _fail(self, row_id: int, error_id: str, error: str) -> None:
        run_transaction(
            self.factory,
            lambda session: session.execute(
                update(InboundEvent)
                .where(InboundEvent.id == row_id)
                .values(status="failed", error_id=error_id, error=error[:4000])
            ),
        )

    def _finish(
        self,
        session: Session,
        row_id: int,
        message: InboundMessage,
        reply: Reply | None,
        now: datetime,
        reply_via_outbox: bool,
        *,
        error_id: str | None = None,
        workspace: Workspace | _Unknown | None = _UNKNOWN,
    ) -> None:
        session.execute(
            update(InboundEvent)
            .where(InboundEvent.id == row_id)
            .values(
                status="failed" if error_id else "done",
                reply=reply.model_dump(mode="json") if reply else None,
                processed_at=now,
            )
        )
        if reply is not None and reply_via_outbox:
            # Its workspace, so the reply is exported and deleted with it (None: unbound tenant).
            # The command found it already; only a failed command's answer looks it up again.
            if isinstance(workspace, _Unknown):
                workspace = team_service.resolve_workspace(
                    session, platform=message.platform.value, tenant_key=message.tenant_key
                )
            outbox_service.enqueue(
                session,
                key=f"reply:{message.platform.value}:{message.tenant_key}:{message.event_id}",
                platform=message.platform.value,
                address=message.chat_key,
                reply=reply,
                now=now,
                reply_to=message.message_id or None,
                workspace_id=workspace.id if workspace is not None else None,
            )

    def _run(
        self,
        session: Session,
        message: InboundMessage,
        now: datetime,
        *,
        speaker: Speaker | None = None,
    ) -> tuple[Reply | None, Workspace | None]:
        """The reply to ``message`` (None: not for us) and the workspace it was answered in
        (None: group chatter, or a tenant nobody has bound)."""
        text = parser.strip_bot_mentions(parser.without_invisibles(message.text), message.mentions)
        call = parser.find_command(text, self.registry)
        # Group chatter is not for us; nor is an empty message.
        if call is None and (message.chat_type is not ChatType.DIRECT or not text.strip()):
            return None, None
        workspace = (
            speaker.workspace
            if speaker
            else team_service.resolve_workspace(
                session, platform=message.platform.value, tenant_key=message.tenant_key
            )
        )
        if workspace is None:
            # A tenant nobody has bound: only /绑定 runs; others get the hint once a day.
            return binding_chat.answer_unbound(
                session,
                self.ports.get(Directory) if self.ports.has(Directory) else None,
                message=message,
                # "" for a slash word we do not know: still a command, so it gets the hint.
                command_key=(call.spec.key if call.spec else "") if call is not None else None,
                rest=call.rest if call is not None else "",
                now=now,
            ), None
        return self._answer(session, message, now, text, call, workspace, speaker), workspace

    def _answer(
        self,
        session: Session,
        message: InboundMessage,
        now: datetime,
        text: str,
        call: parser.CommandCall | None,
        workspace: Workspace,
        speaker: Speaker | None,
    ) -> Reply | None:
        started = time.perf_counter()  # the command's time: from here to its reply
        # A local speaker is known already: the team and their role come in one statement,
        # or came with the speaker's own lookup.
        # A platform sender is looked up first: a chat no channel binds lands in their own
        # team, so placement needs who they are (someone new is enrolled in where it landed).
        known = speaker.member if speaker else self._known(session, workspace, message)
        if speaker is not None and speaker.own_chat is not None:
            team, role = speaker.own_chat
        else:
            team, role = placement.team_and_role(
                session,
                workspace_id=workspace.id,
                platform=message.platform.value,
                chat_key=message.chat_key,
                member_id=known.id if known else None,
            )
        member = known if known or speaker else self._enrol(session, workspace, team, message)
        if member is None:
            who = user_text(message.sender_key)
            return Reply(body=t("core.error.unknown_sender", who=who), is_error=True)
        if not member.active:
            return Reply(body=t("core.error.inactive_sender"), is_error=True)
        if call is not None and call.spec is None:
            word = user_text(call.word)
            near = suggest.did_you_mean(call.word, self.registry)
            body = t("core.error.unknown_command", word=word) + (f"\n\n{near}" if near else "")
            return Reply(body=body, is_error=True)
        if known is None:
            role = team_service.role_of(session, team=team, member=member)
        ctx = CommandContext(
            session=session,
            workspace=workspace,
            team=team,
            member=member,
            role=role,
            message=message,
            now=now,
            registry=self.registry,
            ports=self.ports,
            is_platform_admin=message.sender_is_platform_admin,
            public_url=self.public_url,
            origin_name=speaker.own_chat_name if speaker is not None else None,
        )
        if call is None:
            return self._not_a_command(ctx, text)
        spec = call.spec
        assert spec is not None  # an unknown word was answered above
        if not self._allowed(ctx, spec):
            # name the command and who may use it: the bare "需要有权限的人" left a member
            # guessing whom to ask (tester F5, /关闭周期)
            return Reply(
                body=t(
                    "core.error.forbidden_command",
                    command=spec.name,
                    who=t(f"core.permission.{spec.permission.value}"),
                ),
                is_error=True,
            )
        try:
            args = parser.parse_args(
                spec, call.rest, ctx.today, message.mentions, ctx.is_member_name
            )
        except parser.ArgError as exc:
            return Reply(
                body=t(exc.key, **_as_user_text(exc.params))
                + "\n\n"
                + t("core.usage", usage=spec.usage),
                is_error=True,
            )
        try:
            args = self._resolve_members(ctx, args)
            return spec.handler(ctx, args)
        finally:
            metrics.command(spec.key, time.perf_counter() - started)

    def _not_a_command(self, ctx: CommandContext, text: str) -> Reply | None:
        """A 1:1 message that is not a command: a domain's form (the seed's grammar), else
        small talk (a provider, else the closest commands and the help)."""
        for answer in ask(ctx.session, fallback.DirectText(ctx, text)):
            return answer.reply
        hint = suggest.hint(text, self.registry)
        for answer in ask(ctx.session, fallback.SmallTalk(ctx, text, hint)):
            return answer.reply
        return hint

    @staticmethod
    def _known(session: Session, workspace: Workspace, message: InboundMessage) -> Member | None:
        """The member the platform sender is known as, if any."""
        return team_service.get_member_by_identity(
            session,
            workspace=workspace,
            platform=message.platform.value,
            tenant_key=message.tenant_key,
            user_key=message.sender_key,
        )

    def _enrol(
        self, session: Session, workspace: Workspace, team: Team, message: InboundMessage
    ) -> Member | None:
        """Someone new on a platform joins the team their chat landed in (None on a local
        platform: nobody is made up there)."""
        if message.platform.value in team_service.LOCAL_PLATFORMS:
            return None
        member = team_service.enroll(
            session,
            workspace=workspace,
            team=team,
            platform=message.platform.value,
            tenant_key=message.tenant_key,
            user_key=message.sender_key,
            display_name=message.sender_name,
        )
        if self.ports.has(Directory) and directory.ask_on_enrol(message.platform.value):
            # Their profile and platform roles (a Feishu chat owner is an admin here).
            directory.sync_member(
                session,
                self.ports.get(Directory),
                member=member,
                team=team,
                platform=message.platform.value,
                tenant_key=message.tenant_key,
                user_key=message.sender_key,
                chat_key=message.chat_key,
                now=self.clock(),
            )
        return member

    def _allowed(self, ctx: CommandContext, spec: CommandSpec) -> bool:
        if spec.permission is Permission.ANYONE or ctx.is_admin:
            return True
        if spec.permission is Permission.LEAD:
            return ctx.is_lead
        if spec.permission is Permission.ON_DUTY:
            if ctx.is_lead:
                return True
            ctx.on_duty = self._on_duty(ctx)
            return ctx.on_duty
        return False

    def _on_duty(self, ctx: CommandContext) -> bool:
        """Ask the given check, else the ``Roster`` port; nobody is on duty without either."""
        if self.on_duty is not None:
            return bool(self.on_duty(ctx.session, ctx.team, ctx.member, ctx.now))
        if self.ports.has(Roster):
            roster = self.ports.get(Roster)
            return roster.is_on_duty(ctx.session, team=ctx.team, member=ctx.member, at=ctx.now)
        return False

    @staticmethod
    def _resolve_members(ctx: CommandContext, args: dict[str, Any]) -> dict[str, Any]:
        resolved: dict[str, Any] = {}
        for name, value in args.items():
            if isinstance(value, MentionToken):
                resolved[name] = ctx.resolve(value)
            elif isinstance(value, list) and value and isinstance(value[0], MentionToken):
                resolved[name] = [ctx.resolve(v) for v in value]
            else:
                resolved[name] = value
        return resolved


def _first_text(session: Session, message: InboundMessage) -> str | None:
    """The text the inbox holds for ``message``'s event id (None: no row under that id; a
    message dropped by its platform message id has a new event id)."""
    stored = session.scalar(
        select(InboundEvent.message).where(
            InboundEvent.platform == message.platform.value,
            InboundEvent.tenant_key == message.tenant_key,
            InboundEvent.event_id == message.event_id[:128],
        )
    )
    if stored is None:
        return None
    text = stored.get("text")
    return text if isinstance(text, str) else None


def _internal_error(message: InboundMessage) -> tuple[str, Reply]:
    """Log the exception being handled under a new error id (8 hex digits, also in the JSON
    log's ``error_id``); the id and the reply that quotes it to the user."""
    error_id = uuid.uuid4().hex[:8]
    log.exception(
        "command failed (error id %s): %r",
        error_id,
        message.text[:200],
        extra={"error_id": error_id},
    )
    return error_id, Reply(body=t("core.error.internal", error_id=error_id), is_error=True)


def _as_user_text(params: dict[str, Any]) -> dict[str, Any]:
    """An error's parameters quote what the user typed (a word, a name, a value): inert text."""
    return {k: user_text(v) if isinstance(v, str) else v for k, v in params.items()}
