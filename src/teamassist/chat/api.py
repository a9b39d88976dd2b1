"""REST: talk to the assistant as a member (``POST /api/v1/chat``), as any platform does."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select

from teamassist.chat.models import InboundEvent
from teamassist.chat.render import to_html, to_markdown, to_plain
from teamassist.chat.service import send_as
from teamassist.chat.types import Reply
from teamassist.enums import Platform
from teamassist.http.deps import PrincipalDep, RuntimeDep
from teamassist.runtime import Runtime

router = APIRouter(tags=["chat"])


class ChatRequest(BaseModel):
    """A message to send as a member."""

    text: str = Field(min_length=1, max_length=8000)
    as_member: str | None = Field(
        default=None, alias="as", description="member handle; admins may speak as anyone"
    )
    event_id: str | None = Field(default=None, max_length=128, description="for safe retries")


class ChatResponse(BaseModel):
    """The assistant's answer, rendered three ways (and the neutral form)."""

    handled: bool
    duplicate: bool = False
    text: str = ""
    markdown: str = ""
    html: str = ""
    reply: Reply | None = None


@router.post("/chat", response_model=ChatResponse)
async def chat(body: ChatRequest, runtime: RuntimeDep, principal: PrincipalDep) -> ChatResponse:
    """Send one message and get the reply."""
    result = await run_in_threadpool(
        send_as,
        runtime.dispatcher,
        runtime.factory,
        principal=principal,
        handle=body.as_member,
        text=body.text,
        event_id=body.event_id,
    )
    reply = result.reply
    if result.duplicate and body.event_id:
        # A retry (the first answer was lost on the way): answer what the first call answered.
        speaker = body.as_member or (principal.member.handle if principal.member else "")
        reply = await run_in_threadpool(
            _original_reply, runtime, principal.workspace.key, body.event_id, speaker
        )
    if reply is None:
        return ChatResponse(handled=False, duplicate=result.duplicate)
    return ChatResponse(
        handled=True,
        duplicate=result.duplicate,
        text=to_plain(reply),
        markdown=to_markdown(reply),
        html=to_html(reply),
        reply=reply,
    )


def _original_reply(runtime: Runtime, tenant_key: str, event_id: str, speaker: str) -> Reply | None:
    """The reply stored with the first delivery of ``event_id`` — only to the same speaker, and
    None while the first call is still running."""
    with runtime.factory() as session:
        row = session.execute(
            select(InboundEvent.message, InboundEvent.reply).where(
                InboundEvent.platform == Platform.WEB.value,
                InboundEvent.tenant_key == tenant_key,
                InboundEvent.event_id == event_id[:128],
            )
        ).first()
    if row is None or row.reply is None or row.message.get("sender_key") != speaker:
        return None
    return Reply.model_validate(row.reply)
