"""REST: talk to the assistant as a member (``POST /api/v1/chat``), as any platform does."""

from __future__ import annotations

from functools import lru_cache

from fastapi import Request, Response
from pydantic import BaseModel, Field

from teamassist.chat.render import for_clients, to_html, to_markdown, to_plain
from teamassist.chat.service import send_as
from teamassist.chat.types import Reply
from teamassist.exceptions import Invalid
from teamassist.http.auth import PrincipalLookup
from teamassist.http.deps import PrincipalLookupDep, request_slot
from teamassist.http.fields import RequestBody
from teamassist.http.routes import Routes
from teamassist.http.worker_threads import in_thread
from teamassist.runtime import Runtime

router = Routes(tags=["chat"])


class ChatRequest(RequestBody):
    """A message to send as a member."""

    text: str = Field(min_length=1, max_length=8000)
    as_member: str | None = Field(
        default=None,
        alias="as",
        min_length=1,  # "" spoke as the token's owner: leave the field out for that
        description="member handle to speak as (leave out: the token's owner). Only the "
        "global API token and admins of the workspace's default team may name someone else "
        "(403 core.error.forbidden, naming the rule, for anyone else; an admin of another "
        "team included)",
    )
    event_id: str | None = Field(
        default=None,
        max_length=128,
        description="for safe retries: the same id with the same text answers the first reply; "
        "with another text it is refused (422) and nothing is done",
    )


class ChatResponse(BaseModel):
    """The assistant's answer, rendered three ways (and the neutral form)."""

    handled: bool
    duplicate: bool = False
    text: str = ""
    markdown: str = ""
    html: str = ""
    reply: Reply | None = Field(
        default=None,
        description="the neutral form: body is markdown with user text escaped, <@m:ID> tokens "
        "name people[ID]; buttons and forms as the platforms get them",
    )


@router.post("/chat", response_model=ChatResponse)
async def chat(body: ChatRequest, request: Request, principal: PrincipalLookupDep) -> Response:
    """Send one message and get the reply (a :class:`ChatResponse` as JSON).

    The caller is looked up inside the command's transaction: one connection, one unit of work.
    """
    # The turn at the pool is taken here, not in a generator dependency: the solver's exit
    # stack for one cost 7 % of a /帮助 (session 11 profile). The hop to a thread is
    # ``in_thread``: anyio's took two more of the loop's turns and a limit the slot makes moot.
    async with request_slot(request):
        answer = await in_thread(answer_json, request.app.state.runtime, principal, body)
    return Response(content=answer, media_type="application/json")


def answer_json(runtime: Runtime, principal: PrincipalLookup, body: ChatRequest) -> bytes:
    """The answer serialised in the worker thread: returned as a ``Response``, FastAPI neither
    validates the model again nor encodes it on the event loop (a third of the loop's time per
    command in the issue #9 profile). Straight to bytes: ``model_dump_json()`` decodes pydantic's
    bytes into a str that would be encoded again (4 % of a /帮助 in the session 10 profile).
    Rendering runs here too, in the worker thread, not on the event loop."""
    result = send_as(
        runtime.dispatcher,
        principal=principal,
        handle=body.as_member,
        text=body.text,
        event_id=body.event_id,
    )
    # A retried event id comes back with the original reply (only to the same speaker); the
    # same id with another text is a client bug, refused with nothing done (422, as the IETF
    # Idempotency-Key draft answers a key reused with another payload).
    if result.reused:
        raise Invalid("core.error.event_id_reused")
    reply = result.reply
    if reply is None:
        unhandled = ChatResponse(handled=False, duplicate=result.duplicate)
        return _RESPONSE_JSON.to_json(unhandled, by_alias=True)
    if not (reply.fields or reply.buttons or reply.form or reply.people):
        return _plain_json(reply.title, reply.body, reply.quote, reply.is_error, result.duplicate)
    return _handled_json(_REPLY_JSON.to_json(reply), result.duplicate)


# pydantic's serializers, called directly for bytes (see answer_json)
_RESPONSE_JSON = ChatResponse.__pydantic_serializer__
_REPLY_JSON = Reply.__pydantic_serializer__


@lru_cache(maxsize=256)
def _plain_json(
    title: str | None, body: str, quote: str | None, is_error: bool, duplicate: bool
) -> bytes:
    """:func:`_handled_json` for a reply of text alone (no fields, buttons, form or people),
    keyed by its parts as they are: a string keeps its hash, and the same string object
    compares equal at once, so a recurring reply built on one remembered text (/帮助's 57 KB
    listing, ``Registry.memo``) is found without serialising it to JSON and hashing the
    bytes (67 µs per /帮助, session 24: 36 µs to serialise, the rest the hash)."""
    return _answer(Reply(title=title, body=body, quote=quote, is_error=is_error), duplicate)


@lru_cache(maxsize=256)
def _handled_json(reply: bytes, duplicate: bool) -> bytes:
    """The whole answer to a handled message, as JSON, for a reply given as its JSON,
    remembered: the same replies (help, usage) recur. The key is the reply's whole content,
    so two replies share an answer only when they are the same."""
    return _answer(Reply.model_validate_json(reply), duplicate)


def _answer(neutral: Reply, duplicate: bool) -> bytes:
    """The whole answer to a handled message, as JSON: plain text, Markdown and HTML, and the
    neutral form for clients (:func:`for_clients`: a tester's client showed the user-text
    marks as boxes). Parsing the replies' markdown was most of a command's CPU time, the
    plain and Markdown forms of /帮助's listing another 10 % (issue #9 profile); serialising
    /帮助's 57 KB answer again was ~0.2 ms of its ~2.5 ms (session 13)."""
    answer = ChatResponse(
        handled=True,
        duplicate=duplicate,
        text=to_plain(neutral),
        markdown=to_markdown(neutral),
        html=to_html(neutral),
        reply=for_clients(neutral),
    )
    return _RESPONSE_JSON.to_json(answer, by_alias=True)
