"""Platform-neutral messages: what adapters hand in and what domains hand back."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from teamassist.clock import utcnow
from teamassist.enums import Platform

# User-supplied text inside a reply (an item's text, a report, a display name) is wrapped in
# these two private-use characters; every renderer escapes what lies between them for its own
# format and drops the marks, so only the product's own markup (and mentions) is ever live.
USER_OPEN = "\ue000"
USER_CLOSE = "\ue001"


def user_text(text: str) -> str:
    """Mark ``text`` as written by a user: renderers show it literally, never as markup."""
    clean = text.replace(USER_OPEN, "").replace(USER_CLOSE, "")
    return f"{USER_OPEN}{clean}{USER_CLOSE}" if clean else ""


def plain_text(text: str) -> str:
    """``text`` without the user-text marks, for places that are not chat replies (REST fields,
    page labels): there the text is data, escaped by JSON or the template, never markup."""
    return text.replace(USER_OPEN, "").replace(USER_CLOSE, "")


class ChatType(StrEnum):
    """The kind of conversation a message came from."""

    GROUP = "group"  # QQ group, Feishu group, guild channel
    DIRECT = "direct"  # p2p / C2C / web chat


class Mention(BaseModel):
    """A user mentioned in a message, as the platform identified them."""

    user_key: str
    display: str = ""
    is_bot: bool = False


@dataclass(frozen=True)
class MentionToken:
    """A mention written in the text, before it is resolved to a member."""

    raw: str
    user_key: str | None  # a platform id when the platform encoded one
    name: str | None  # a handle or display name typed after '@'


_SURROGATES = re.compile("[\ud800-\udfff]")


def storable_text(value: str) -> str:
    """``value`` as text every backend stores: lone surrogates (bytes a terminal could not
    decode, or ``"\\ud800"`` in JSON) become U+FFFD and NUL characters, which PostgreSQL text
    refuses, are dropped."""
    return _SURROGATES.sub("\ufffd", value).replace("\x00", "")


class InboundMessage(BaseModel):
    """One message received from any platform; its text fields are made storable on entry."""

    platform: Platform
    tenant_key: str = ""  # QQ guild id, Feishu tenant key, workspace key for web/console
    chat_key: str  # where to answer: channel / group / p2p chat id
    chat_type: ChatType = ChatType.GROUP
    sender_key: str
    sender_name: str = ""
    text: str
    mentions: list[Mention] = Field(default_factory=list)
    event_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    message_id: str = ""
    received_at: datetime = Field(default_factory=utcnow)
    # The platform told us the sender is an admin (QQ guild roles 管理员/创建者, Feishu chat owner).
    sender_is_platform_admin: bool = False
    # A button pressed on the message ``message_id`` (many presses share it), not a new message.
    is_action: bool = False
    # Web chat, REST or the CLI speaking *for* this member (an admin, the API token, an
    # operator), or a script with the member's personal token: the answer goes to whoever
    # holds the credential, so nothing private to the member (a sign-in link) goes into it.
    spoken_for: bool = False

    @field_validator(
        "tenant_key", "chat_key", "sender_key", "sender_name", "text", "event_id", "message_id"
    )
    @classmethod
    def _storable(cls, value: str) -> str:
        return storable_text(value)

    @property
    def dedupe_message_id(self) -> str | None:
        """The key the inbox drops a message pushed again under a new event id by."""
        return self.message_id[:128] if self.message_id and not self.is_action else None


class Person(BaseModel):
    """A member referenced by a reply; renderers turn it into a native @mention."""

    name: str
    identities: dict[str, str] = Field(default_factory=dict)  # platform -> user_key


class ButtonStyle(StrEnum):
    """How prominent a button is."""

    PRIMARY = "primary"
    DEFAULT = "default"
    DANGER = "danger"


class Button(BaseModel):
    """An action offered with a reply; pressing it sends ``command`` as the presser."""

    label: str
    command: str
    style: ButtonStyle = ButtonStyle.DEFAULT


class FormInput(BaseModel):
    """A text input of a :class:`Form`, pre-filled with ``value``."""

    name: str
    label: str
    value: str = ""
    # Written before the filled value in the command ("信心 7"); "" puts the value alone.
    keyword: str = ""


class Form(BaseModel):
    """Inputs sent together: submitting runs ``command`` followed by each filled input, as the
    person who submitted. Platforms without forms show the command to type instead."""

    command: str
    inputs: list[FormInput]
    submit_label: str

    def command_for(self, values: dict[str, str]) -> str:
        """The command with ``values`` (by input name) filled in; blank inputs are left out."""
        words = [self.command]
        for item in self.inputs:
            value = " ".join(str(values.get(item.name) or "").split())
            if value:
                words.extend([item.keyword, value] if item.keyword else [value])
        return " ".join(words)

    def template(self) -> str:
        """The command as a person would type it: ``/进展 KR-3 <进展值> 信心 <信心> <说明>``."""
        return self.command_for({i.name: f"<{i.label}>" for i in self.inputs})

    def prefilled(self) -> str:
        """The command with the pre-filled values."""
        return self.command_for({i.name: i.value for i in self.inputs})


class ReplyField(BaseModel):
    """A labelled value shown as a row of a card."""

    label: str
    value: str


class Reply(BaseModel):
    """A neutral rich message; each destination renders it natively.

    ``body`` is markdown. ``<@m:ID>`` inside it mentions the member ``people[ID]``. Text a user
    wrote goes in through :func:`user_text` (``quote`` is always the user's): renderers escape
    it for their format.
    """

    body: str = ""
    title: str | None = None
    fields: list[ReplyField] = Field(default_factory=list)
    buttons: list[Button] = Field(default_factory=list)
    form: Form | None = None
    people: dict[int, Person] = Field(default_factory=dict)
    quote: str | None = None  # the user's message being answered, shown as a quote
    is_error: bool = False

    def mention(self, member_id: int, person: Person) -> str:
        """Register ``person`` and return the token that mentions them in ``body``."""
        self.people[member_id] = person
        return f"<@m:{member_id}>"
