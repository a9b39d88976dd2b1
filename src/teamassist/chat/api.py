"""REST: talk to the assistant as a member (``POST /api/v1/chat``), as any platform does."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from teamassist.chat.render import to_html, to_markdown, to_plain
from teamassist.chat.service import send_as
from teamassist.chat.types import Reply
from teamassist.http.deps import PrincipalDep, RuntimeDep

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
    if result.reply is None:
        return ChatResponse(handled=False, duplicate=result.duplicate)
    return ChatResponse(
        handled=True,
        text=to_plain(result.reply),
        markdown=to_markdown(result.reply),
        html=to_html(result.reply),
        reply=result.reply,
    )
