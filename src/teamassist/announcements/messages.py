"""Bodies and replies of the announcements desk; every word comes from
``locale/announcements.toml``. User text goes in through ``user_text`` (renderers escape it)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from teamassist.announcements import grammar, service
from teamassist.announcements.models import Announcement, AnnouncementKind
from teamassist.announcements.service import Receipt
from teamassist.chat import parser
from teamassist.chat.types import MentionToken, Reply, user_text
from teamassist.clock import local
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

RECEIPT_LINES = 50
MENTION_ID = re.compile(r"<@m:(\d+)>")  # the body's mention token (chat.types.Reply.mention)


def _mention(reply: Reply, member: Member) -> str:
    return reply.mention(member.id, team_service.person(member))


def mentions_in(
    text: str, known: Callable[[str], bool] | None = None
) -> list[tuple[int, int, MentionToken]]:
    """Each mention of ``text`` as ``(start, end, token)``, in order; ``known`` as
    :func:`teamassist.chat.parser.mention_at` takes it (「@王五:写周报」 is 王五 and 「:写周报」
    when 王五 is a member). One reading for the body (:func:`from_chat`) and the action items'
    title (:func:`title_of`)."""
    found: list[tuple[int, int, MentionToken]] = []
    for match in parser.MENTION.finditer(text):
        taken = parser.mention_at(text[match.start() :], known=known)
        if taken is not None:
            found.append((match.start(), match.start() + taken[1], taken[0]))
    return found


def from_chat(
    text: str,
    resolve: Callable[[MentionToken], Member],
    *,
    private: bool = False,
    known: Callable[[str], bool] | None = None,
) -> tuple[Reply, list[Member]]:
    """A ``/通知`` body: the text as written, each @mention made a native one; returns the
    reply and the members mentioned (in order, once each).

    ``private`` (a 群发, one DM per person): the @mentions that open or close the message only
    choose who gets it, as the seed's ``@@@姓名@@@`` field did, and are left out of each DM,
    which would otherwise show every recipient the others (tester F5, session 18). An @mention
    inside the sentence is the author's words and stays."""
    # Spaces around the text go: ``/群发 G 交周报 截止 周五`` kept "交周报 " once the deadline
    # was cut (tester N5, session 16), inside the user-text marks where a later strip misses it.
    text = text.strip()
    reply = Reply()
    pieces: list[tuple[str, bool]] = []  # (rendered piece, is a mention)
    mentioned: list[Member] = []
    at = 0
    for start, end, token in mentions_in(text, known):
        pieces.append((text[at:start], False))
        member = resolve(token)
        pieces.append((_mention(reply, member), True))
        if member not in mentioned:
            mentioned.append(member)
        at = end
    pieces.append((text[at:], False))
    if private:
        pieces = _without_selectors(pieces)
    reply.body = "".join(piece if mention else user_text(piece) for piece, mention in pieces)
    reply.body = reply.body.strip()
    if private:
        # Only the people the DM still mentions travel with it: the stored payload named
        # every recipient though the text no longer did (tester F3, session 19).
        kept = {int(n) for n in MENTION_ID.findall(reply.body)}
        reply.people = {k: v for k, v in reply.people.items() if k in kept}
    return reply, mentioned


# What joins a list of recipients and closes it: 「@张三；@李四：内容」 (tester F7, session 20).
_LIST_GLUE = " \t\n\u3000,，、;；：:"
# parser.LIST_WORDS, after a mention only: a sentence may well start with 和.
_LIST_WORDS = frozenset(parser.LIST_WORDS)


def _without_selectors(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """``pieces`` without the mentions (and the blanks between them) at either end."""

    def selector(index: int) -> bool:
        # the list's own commas go with it: @lisi,@wangwu / @李四、@王五 (tester F2, session 19),
        # and so does a word joining two of them: @张三 和 @李四 (tester F6, session 20)
        text, mention = pieces[index]
        if mention:
            return True
        word = text.strip(_LIST_GLUE)
        # a joining word after a mention, with nothing after it (``@张三 和``), joins nothing:
        # it was sent as the message (tester F6, session 21)
        return not word or (index > 0 and word.lower() in _LIST_WORDS)

    start, end = 0, len(pieces)
    while start < end and selector(start):
        start += 1
    while end > start and selector(end - 1):
        end -= 1
    kept = pieces[start:end]
    if kept:  # the message's own spaces at its edges go with the mentions, and so does the
        # comma closing a list of them: ``@lisi，@wangwu，交周报`` (tester, session 19)
        kept[0] = (kept[0][0].lstrip(_LIST_GLUE if start else None), False)
        kept[-1] = (kept[-1][0].rstrip(_LIST_GLUE if end < len(pieces) else None), False)
    return kept


_TRAILING_MARKS = re.compile(r"[\s。.!！?？,，;；:：、~～…]+$")
_LEADING_GLUE = re.compile(r"^[\s,，、;；:：]+")


def title_of(text: str, known: Callable[[str], bool] | None = None) -> str:
    """An action item's title from an announcement's text: without its @mentions (the owner
    is the item's owner already), the commas of a list of them, and trailing punctuation;
    testers' items read "@lisi 请提交周报。" (session 13) and "，交周报" after
    ``@lisi，@wangwu，交周报`` (session 19)."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end, _ in mentions_in(text, known):
        pieces += [(text[at:start], False), (text[start:end], True)]
        at = end
    pieces.append((text[at:], False))
    # the mentions choosing recipients (and what joins them) go as in the DMs, the rest as
    # blanks: the title and each DM begin alike (tester F6, session 20)
    bare = " ".join(" " if mention else piece for piece, mention in _without_selectors(pieces))
    return _TRAILING_MARKS.sub("", _LEADING_GLUE.sub("", " ".join(bare.split())))


def from_grammar(
    parts: Sequence[grammar.Part],
    named: Sequence[Member],
    *,
    due: str,
) -> tuple[Reply, str]:
    """A body from the grammar's content: ``@@@姓名@@@`` → the member's mention, ``$$$…$$$`` →
    ``M月D日H:MM``. Returns the reply and the plain title for action items."""
    reply = Reply()
    pieces: list[str] = []
    title: list[str] = []
    names = iter(named)
    for part in parts:
        if part.kind == "name":
            member = next(names)
            pieces.append(_mention(reply, member))
            title.append(f"@{member.display_name}")
        elif part.kind == "due":
            pieces.append(due)
            title.append(due)
        else:
            pieces.append(user_text(part.value))
            title.append(part.value)
    reply.body = "".join(pieces).strip()
    return reply, " ".join("".join(title).split())


def queued(outcome: service.Outcome, team: Team) -> Reply:
    """The author's receipt right after queueing: with a deadline, how many action items were
    made, or that none were and how to get them; whether the author was left out of the
    group's people (:attr:`~teamassist.announcements.service.Outcome.without_author`)."""
    row, duplicate = outcome.announcement, outcome.duplicate
    group = user_text(row.group_name)
    note = t("announcements.without_author") if outcome.without_author else ""
    count = outcome.recipients
    if row.kind == AnnouncementKind.NOTICE.value:
        body = t("announcements.queued_notice", id=row.id, group=group, count=count)
    else:
        body = t("announcements.queued_bulk", id=row.id, group=group, count=count, note=note)
        note = ""  # said once
    if outcome.quiet_until is not None and outcome.quiet_until > row.send_at:
        body += t("announcements.quiet_held", at=when(outcome.quiet_until, team))
    elif row.send_at > row.created_at:
        body += t("announcements.scheduled", at=when(row.send_at, team))
    if row.due_at is not None:
        due = when(row.due_at, team)
        if outcome.opened:
            body += t("announcements.with_actions", due=due, count=outcome.opened, note=note)
            if outcome.opened < outcome.owners:
                body += t(
                    "announcements.some_actions_failed", count=outcome.owners - outcome.opened
                )
        elif outcome.owners:
            body += t("announcements.actions_failed", due=due)
        else:
            body += t("announcements.no_owners", due=due, group=group)
    if duplicate:
        body = t("announcements.duplicate", id=row.id) + "\n" + body
    body += "".join(f"\n{line}" for line in leaving(outcome, team))
    body += "\n" + t("announcements.receipt_hint", id=row.id)
    return Reply(body=body)


def leaving(outcome: service.Outcome, team: Team) -> list[str]:
    """A line per owner of the announcement's action items set to leave before they are due
    (the author's receipt, REST ``warnings``), as /销项 says of one item; else nothing."""
    return [
        t("announcements.leaves_first", name=name, date=local(at, team.timezone).date().isoformat())
        for name, at in outcome.leaving
    ]


def when(value: datetime, team: Team) -> str:
    """``2026年12月4日 18:00`` in the team's zone."""
    return service.wall_clock(value, team.timezone)


# Catalogue keys spelled out, so the catalogue check sees every one.
_STATUS_KEYS = {
    "sent": "announcements.status.sent",
    "pending": "announcements.status.pending",
    "failed": "announcements.status.failed",
    "action": "announcements.status.action",
    "scheduled": "announcements.status.scheduled",
    "left": "announcements.status.left",
    "cancelled": "announcements.status.cancelled",
}
_KIND_KEYS = {
    AnnouncementKind.NOTICE.value: "announcements.word.notice",
    AnnouncementKind.BULK.value: "announcements.word.bulk",
}


def _status(status: str) -> str:
    return t(_STATUS_KEYS.get(status, "announcements.status.failed"))


def receipts(row: Announcement, rows: Sequence[Receipt], team: Team) -> Reply:
    """``/通知回执``: each recipient and whether it got the notice. The head names the kind
    (通知 or 群发) and the send time; one still held says 已排期 and when it goes (a tester's
    scheduled 群发 showed its creation time and 发送中 for 29 hours, session 16)."""
    counts = {s: sum(1 for r in rows if r.status == s) for s in ("sent", "pending", "failed")}
    held = [r for r in rows if r.status == "scheduled"]
    head = t(
        "announcements.receipts.head",
        kind=t(_KIND_KEYS.get(row.kind, "announcements.word.notice")),
        id=row.id,
        group=user_text(row.group_name),
        # a held one goes when the last of them does: the send time, or the end of the
        # quiet hours holding it (tester F4, session 18: it named the send time, 16:15)
        at=t(
            "announcements.receipts.scheduled_at",
            at=when(max(r.goes_at or row.send_at for r in held), team),
        )
        if held
        else when(row.send_at, team),
        **counts,
    )
    if held:
        head += t("announcements.receipts.scheduled", count=len(held))
    if row.cancelled_at is not None:
        head += t("announcements.receipts.cancelled", at=when(row.cancelled_at, team))
    left = sum(1 for r in rows if r.status == "left")
    if left:
        head += t("announcements.receipts.left", count=left)
    lines = [head + t("announcements.receipts.end")]
    for r in rows[:RECEIPT_LINES]:
        line = t(
            "announcements.receipts.line",
            who=user_text(r.label),
            status=_status(r.status),
        )
        if r.action_note is not None:
            line += t("announcements.receipts.action", note=user_text(r.action_note))
        elif row.due_at is not None and r.member_id is not None:
            line += t("announcements.receipts.no_action")
        lines.append(line)
    if len(rows) > RECEIPT_LINES:
        lines.append(t("announcements.receipts.more", count=len(rows) - RECEIPT_LINES))
    return Reply(body="\n".join(lines))


def cancelled(row: Announcement, recipients: int, closed: int) -> Reply:
    """``/取消通知``'s answer: what was withdrawn and how many action items were closed."""
    body = t(
        "announcements.cancelled",
        kind=t(_KIND_KEYS.get(row.kind, "announcements.word.notice")),
        id=row.id,
        group=user_text(row.group_name),
        count=recipients,
    )
    if closed:
        body += t("announcements.cancelled_actions", count=closed)
    return Reply(body=body)
