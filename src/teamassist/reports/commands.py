"""Chat commands of the report packs: ``/周报`` (a member's weekly entry), ``/生成报告``,
``/报告``, and the reading meeting ``/开始阅读`` ``/已读`` ``/提问`` ``/结论`` ``/会议销项``
``/结束阅读`` (English aliases in ``locale/reports.toml``). Each calls the same service
functions as the REST endpoints.

``/周报 完成 接口文档；压测 未完成 性能优化 下周 上线 风险 人手不足 求助 需要测试支持``: each
keyword starts a field (at the start or after a space), items split by ``；`` or line breaks.
"""

from __future__ import annotations

import re
from typing import Any

from teamassist.chat import parser, when
from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply, user_text
from teamassist.clock import local
from teamassist.exceptions import Invalid
from teamassist.i18n import t
from teamassist.ports import Workdays
from teamassist.reports import entries, kinds, meeting_packs, packs, reading
from teamassist.team.models import Member

commands = CommandGroup("reports")

_FIELD_WORDS = {
    "已完成": "done",
    "完成": "done",
    "done": "done",
    "未完成": "not_done",
    "not-done": "not_done",
    "下周": "next",
    "下周重点": "next",
    "next": "next",
    "风险": "risks",
    "risks": "risks",
    "求助": "help",
    "help": "help",
}
_FIELD = re.compile(
    r"(?:^|\s)("
    + "|".join(sorted(map(re.escape, _FIELD_WORDS), key=len, reverse=True))
    + r")(?:[:：]|\s+|$)",
    re.IGNORECASE,
)
# Catalogue keys spelled out, so the catalogue check sees each one.
_FIELD_LABELS = {
    "done": "reports.entry.field_done",
    "not_done": "reports.entry.field_not_done",
    "next": "reports.entry.field_next",
    "risks": "reports.entry.field_risks",
    "help": "reports.entry.field_help",
}
_KIND_WORDS = {
    "周报": "weekly",
    "weekly": "weekly",
    "月报": "monthly",
    "monthly": "monthly",
    "季报": "quarterly",
    "quarterly": "quarterly",
    "半年报": "half_year",
    "half": "half_year",
    "年报": "annual",
    "annual": "annual",
}


def parse_entry(text: str) -> dict[str, str]:
    """``{field: text}`` of a ``/周报`` message; a field given twice keeps both parts, one
    item each (tester s26 B-21: ``未完成 x 未完成 y`` kept only y, silently)."""
    found = list(_FIELD.finditer(text))
    values: dict[str, str] = {}
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        field = _FIELD_WORDS[match.group(1).lower()]
        parts = [values.get(field, ""), text[match.end() : end].strip()]
        values[field] = "\n".join(part for part in parts if part)
    return values


def _link(ctx: CommandContext, pack_id: int) -> str:
    return meeting_packs.link(ctx.public_url, pack_id, ctx.team.id)


@commands.command("reports.entry", args=[Arg("text", ArgKind.TEXT, required=False)])
def handle_entry(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/周报 完成 … 下周 …"""
    values = parse_entry(args.get("text") or "")
    week = entries.week_of_writing(ctx.today)
    entries.write(
        ctx.session, team=ctx.team, member=ctx.member, week=week, values=values, now=ctx.now
    )
    fields = "、".join(t(_FIELD_LABELS[f]) for f in entries.FIELDS if f in values)
    return Reply(body=t("reports.entry.saved", week=f"{week.month}月{week.day}日", fields=fields))


@commands.command("reports.generate", args=[Arg("kind", ArgKind.WORD, required=False)])
def handle_generate(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/生成报告 [周报|月报|季报|半年报|年报]: the team's pack, built now."""
    word = (args.get("kind") or "周报").lower()
    kind = _KIND_WORDS.get(word)
    if kind is None:
        raise Invalid("reports.error.kind", kind=word, kinds="周报、月报、季报、半年报、年报")
    start, end = kinds.period_of(kind, ctx.today)
    again = packs.refresh_a_repeat(
        ctx.session, team=ctx.team, kind=kind, period_start=start, period_end=end, now=ctx.now
    )
    if again is not None:
        return Reply(
            body=t(
                "reports.pack.refreshed",
                title=again.title,
                link=_link(ctx, again.id),
                minutes=int(packs.REPEAT_WINDOW.total_seconds() // 60),
            )
        )
    try:
        pack = packs.build_pack(
            ctx.session, ctx.team, kind, start, end, ctx.now, asked_by=ctx.member
        )
    except packs.TemplateFailed as failed:  # answered, not raised: the owner's notice is kept
        return Reply(body=failed.message(), is_error=True)
    return Reply(body=t("reports.pack.built", title=pack.title, link=_link(ctx, pack.id)))


@commands.command("reports.packs")
def handle_packs(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/报告: the newest packs I may read."""
    found = packs.listing(ctx.session, team=ctx.team, member=ctx.member, limit=10)
    if not found:
        return Reply(body=t("reports.pack.none"))
    lines = [
        t("reports.pack.line", id=p.id, title=p.title, start=p.period_start, end=p.period_end)
        + f" {_link(ctx, p.id)}"
        for p in found
    ]
    return Reply(body="\n".join(lines))


@commands.command("reports.read_start", args=[Arg("minutes", ArgKind.INT, required=False)])
def handle_read_start(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/开始阅读 [分钟]: the read window on the newest pack."""
    minutes = args.get("minutes")
    if minutes is None:  # not `or`: 0 started the default 20 minutes (tester s25 F-18)
        minutes = reading.DEFAULT_MINUTES
    started = reading.start(
        ctx.session, team=ctx.team, actor=ctx.member, now=ctx.now, minutes=minutes
    )
    pack = reading.summary(ctx.session, team=ctx.team, reading=started).pack
    until = local(started.read_until, ctx.team.timezone)
    return Reply(
        body=t(
            "reports.reading.started",
            until=f"{until:%H:%M}",
            title=pack.title,
            link=_link(ctx, pack.id),
        )
    )


@commands.command("reports.read")
def handle_read(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/已读."""
    fresh = reading.mark_read(ctx.session, team=ctx.team, member=ctx.member, now=ctx.now)
    open_one = reading.current(ctx.session, team=ctx.team)
    assert open_one is not None
    state = reading.summary(ctx.session, team=ctx.team, reading=open_one)
    if not fresh:
        return Reply(body=t("reports.reading.already", title=state.pack.title))
    total = len(state.read) + len(state.unread)
    return Reply(
        body=t("reports.reading.marked", title=state.pack.title, count=len(state.read), total=total)
    )


@commands.command("reports.ask", args=[Arg("text", ArgKind.TEXT)])
def handle_ask(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/提问 <问题>."""
    note = reading.add_note(
        ctx.session,
        team=ctx.team,
        kind="question",
        author=ctx.member,
        text=args["text"],
        now=ctx.now,
    )
    return Reply(body=t("reports.reading.asked", id=note.id, text=user_text(note.text)))


@commands.command("reports.decide", args=[Arg("text", ArgKind.TEXT)])
def handle_decide(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/结论 <结论>."""
    note = reading.add_note(
        ctx.session,
        team=ctx.team,
        kind="decision",
        author=ctx.member,
        text=args["text"],
        now=ctx.now,
    )
    return Reply(body=t("reports.reading.decided", text=user_text(note.text)))


@commands.command("reports.action", args=[Arg("owner", ArgKind.MEMBER), Arg("text", ArgKind.TEXT)])
def handle_action(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/会议销项 @负责人 <内容> [截止日期]: a note, and an action item on the desk."""
    owner: Member = args["owner"]
    text = parser.AFTER_MENTION.sub("", args["text"])  # 「@孙七：行动」: the colon ends the name
    if not text.strip():
        # 「@孙七：」 alone holds no action: the reply for a missing one, not the size limit's
        # (tester s24 F4: 「每一栏最多 1000 个字」)
        raise Invalid("core.error.missing_arg", arg=t("core.arg.text"))
    due = reading.due_after(ctx.today, ctx.ports.get(Workdays).is_workday)
    # a date at the end is the deadline, as /销项 reads it; it went into the title and the
    # item got its own 5 working days (tester s25 F-17)
    try:
        found = when.split_moment(text.split(), ctx.today, at_end=True)
    except when.Unreadable as error:
        raise Invalid("reports.error.bad_due", value=error.word[:40]) from None
    if found is not None:
        due, _at, rest = found
        if due < ctx.today:
            raise Invalid("reports.error.due_past", date=due.isoformat())
        text = " ".join(rest)
        if not text.strip():
            raise Invalid("core.error.missing_arg", arg=t("core.arg.text"))
    note = reading.add_action(
        ctx.session,
        team=ctx.team,
        author=ctx.member,
        owner=owner,
        text=text,
        now=ctx.now,
        due=due,
    )
    if note.action_note is None:
        return Reply(body=t("reports.reading.action_none", text=user_text(note.text)))
    return Reply(body=t("reports.reading.action", note=note.action_note))


@commands.command("reports.read_end")
def handle_read_end(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/结束阅读: close the reading and sum it up."""
    state = reading.end(ctx.session, team=ctx.team, now=ctx.now)
    lines = [
        t(
            "reports.reading.ended",
            read=len(state.read),
            total=len(state.read) + len(state.unread),
            questions=len(state.notes["question"]),
            decisions=len(state.notes["decision"]),
            actions=len(state.notes["action"]),
        )
    ]
    for kind, mark in (("question", "？"), ("decision", "✔"), ("action", "→")):
        lines += [f"{mark} {user_text(n.text)}" for n in state.notes[kind]]
    return Reply(body="\n".join(lines))
