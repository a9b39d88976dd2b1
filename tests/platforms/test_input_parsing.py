"""Platform input read the way platforms send it: one splitter, every mention syntax, strict
webhook headers and bodies, the shared 2-second acknowledgement (issue #10 B, issue #8)."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import partial

import pytest
from fastapi.testclient import TestClient

from teamassist.adapters import webhook_kit
from teamassist.chat import parser
from teamassist.chat.registry import Arg, ArgKind, CommandSpec
from teamassist.chat.types import Mention, Reply
from teamassist.i18n import t
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.qq.conftest import QQHarness
from tests.platforms.test_feishu import Env
from tests.support.chat import ChatDriver
from tests.support.web import sign_in

TODAY = date(2026, 6, 1)
RESOLVE = CommandSpec(
    key="feedback.resolve",
    handler=lambda _ctx, _args: Reply(),
    args=(Arg("item", ArgKind.INT), Arg("note", ArgKind.TEXT, required=False)),
)
ADD = CommandSpec(
    key="duty.add", handler=lambda _ctx, _args: Reply(), args=(Arg("who", ArgKind.MEMBERS),)
)


# -- one splitter: any Unicode whitespace separates ---------------------------------------------


@pytest.mark.parametrize(
    "rest",
    [
        "　12　已修复",  # full-width spaces (U+3000), as Chinese input methods type them
        " 12\n已修复",  # a line break
        "\t12\u00a0已修复",  # a tab, a no-break space
        "\u200312\u2003已修复",  # an em space
    ],
)
def test_any_unicode_whitespace_separates_arguments(rest: str) -> None:
    assert parser.parse_args(RESOLVE, rest, TODAY) == {"item": 12, "note": "已修复"}


def test_fullwidth_digits_are_read_as_the_ascii_digits_they_show() -> None:
    # A Chinese input method in full-width mode types ０-９: the same number, in ids and dates.
    assert parser.parse_args(RESOLVE, "１２ 已修复", TODAY) == {"item": 12, "note": "已修复"}
    assert parser.parse_date("２０２６－１１－３０", TODAY) == date(2026, 11, 30)
    assert parser.parse_date("2026/5/1", TODAY) == date(2026, 5, 1)


def test_an_id_may_be_written_as_replies_print_it() -> None:
    # "已创建销项 #12": people copy the #, in either width.
    assert parser.parse_args(RESOLVE, "#12 已修复", TODAY) == {"item": 12, "note": "已修复"}
    assert parser.parse_args(RESOLVE, "＃１２", TODAY) == {"item": 12, "note": None}
    for written in ("#", "##12", "#x"):
        with pytest.raises(parser.ArgError) as refused:
            parser.parse_args(RESOLVE, written, TODAY)
        assert refused.value.key == "core.error.not_a_number", written


@pytest.mark.parametrize("written", ["١٢", "१२", "12٣"])  # Arabic-Indic, Devanagari
def test_digits_of_other_scripts_are_not_numbers(written: str) -> None:
    with pytest.raises(parser.ArgError) as refused:
        parser.parse_args(RESOLVE, written, TODAY)  # int() would take them
    assert refused.value.key == "core.error.not_a_number"


@pytest.mark.parametrize(
    "written", [str(2**31), "#3000000000", str(2**63), "-" + str(2**63), "9" * 60]
)
def test_ids_fit_the_database(written: str) -> None:
    with pytest.raises(parser.ArgError) as refused:
        parser.parse_args(RESOLVE, written, TODAY)
    assert refused.value.key == "core.error.not_an_id"


def test_the_largest_id_is_looked_up_not_refused(chat: ChatDriver) -> None:
    text = chat.text(f"/反馈详情 {2**31 - 1}", as_="admin")
    assert text == "小助理没有发现id=「2147483647」的反馈哦，请重新输入"


@pytest.mark.parametrize(
    "command",
    ["/完成销项 {id}", "/延期销项 {id} 2026-12-31", "/改期 {id} 2026-12-31 10:00", "/复盘 O-{id}"],
)
def test_an_id_beyond_the_columns_is_refused_on_every_backend(
    chat: ChatDriver, command: str
) -> None:
    # tester s25 F-B9: PostgreSQL answered these with an error id ("integer out of range")
    text = chat.text(command.format(id=3000000000), as_="admin")
    if command.startswith("/复盘"):  # an O's short id is looked up: one beyond them names none
        assert "O-3000000000" in text and "错误编号" not in text, text
    else:
        assert "「3000000000」不是有效的编号：数字太大了（编号最大是 2147483647）" in text, text


@pytest.mark.parametrize("written", ["2026-02-30", "2026-13-01", "明年", "20261130"])
def test_dates_that_do_not_exist_are_refused(written: str) -> None:
    with pytest.raises(parser.ArgError) as refused:
        parser.parse_date(written, TODAY)
    assert refused.value.key == "core.error.bad_date"


def test_a_far_date_in_a_real_command_is_a_clear_reply(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text("/当日反馈 9999-12-31", as_="admin")
    assert "超出了可用的日期范围（1970 年至 2200 年）" in text


def test_fullwidth_spaces_and_line_breaks_in_a_real_command(sqlite_chat: ChatDriver) -> None:
    from tests.feedback.support import items

    for separator in ("　", "\n"):
        sqlite_chat.text(f"/问题反馈 登录页面打不开{separator!r}", as_="zhangsan")
        item_id = items(sqlite_chat.runtime)[-1].id
        text = sqlite_chat.text(f"/标注解决　{item_id}{separator}已修复", as_="admin")
        assert f"小助理已经更新id=「{item_id}」反馈的处理状态" in text


def test_text_after_sign_in_is_accepted(sqlite_chat: ChatDriver) -> None:
    from tests.feedback.support import given_rotation

    given_rotation(sqlite_chat.runtime, "tech", ["zhangsan"])
    text = sqlite_chat.text("/值班签到 早上好", as_="zhangsan")
    assert "多余的内容" not in text and "签到" in text


# -- mentions in every current syntax ------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "user_key", "name"),
    [
        ("<@!u-li>", "u-li", None),  # QQ guild
        ("<@u-li>", "u-li", None),
        ('<qqbot-at-user id="MO-LI" />', "MO-LI", None),  # QQ groups today
        ("<qqbot-at-user id='MO-LI'/>", "MO-LI", None),
        ('<at user_id="ou_li">李四</at>', "ou_li", None),  # Feishu's own markup
        ("@lisi", None, "lisi"),
        ("＠小明", None, "小明"),  # full-width at sign
    ],
)
def test_every_mention_syntax_is_read(written: str, user_key: str | None, name: str | None) -> None:
    args = parser.parse_args(ADD, f"{written} ＠孙七", TODAY)
    first, second = args["who"]
    assert (first.user_key, first.name) == (user_key, name)
    assert (second.user_key, second.name) == (None, "孙七")


def test_a_typed_name_takes_its_id_from_the_event_mention_list() -> None:
    listed = [
        Mention(user_key="MO-XM", display="小明"),
        Mention(user_key="BOT", display="小助理", is_bot=True),
    ]
    [token] = parser.parse_args(ADD, "＠小明", TODAY, listed)["who"]
    assert token.user_key == "MO-XM" and token.name == "小明"


def test_fullwidth_at_resolves_a_member(sqlite_chat: ChatDriver) -> None:
    text = sqlite_chat.text("/值班人员增加 ＠sunqi", as_="admin")
    assert "不是一个 @成员" not in text and "孙七" in text


def test_qq_group_mention_tag_resolves_the_member(qq: QQHarness) -> None:
    # given 李华 spoke to the bot in the group (QQ scopes member openids to the group)
    qq.post(
        fakeqq.group_at_message(
            event_id="g1", message_id="gm1", text="/我是谁", member_openid="MO-LI"
        )
    )
    # when the group owner adds them with QQ's current mention tag
    qq.post(
        fakeqq.group_at_message(
            event_id="g2",
            message_id="gm2",
            text='/值班人员增加 <qqbot-at-user id="MO-LI" />',
            member_role="owner",
        )
    )
    qq.deliver()
    answer = qq.fake.messages("/v2/groups/G-OPENID-1/messages")[-1].body
    assert isinstance(answer, dict)
    content = answer["markdown"]["content"]
    assert "不是一个 @成员" not in content
    assert '<qqbot-at-user id="MO-LI" />' in content  # added, and mentioned back natively


def test_bot_mention_in_qq_tag_form_is_stripped() -> None:
    from teamassist.adapters.qq.protocol import _strip_bot

    assert _strip_bot('<qqbot-at-user id="BOT" /> /帮助', {"BOT"}) == "/帮助"
    assert _strip_bot("<@!BOT> /帮助", {"BOT"}) == "/帮助"


# -- strict webhook headers and bodies -----------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    ["²".encode("latin-1"), "١٧٠٠٠٠٠٠٠٠".encode(), b"1e9", b" 1700000000", b"17000000000000"],
)
def test_qq_timestamp_that_is_not_ascii_digits_is_refused(qq: QQHarness, stamp: bytes) -> None:
    body = fakeqq.guild_at_message(event_id="e1", message_id="m1", text="/帮助")
    headers: dict[str, str | bytes] = {**qq.fake.signed_headers(body, qq.now_ts())}
    headers["X-Signature-Timestamp"] = stamp
    # bytes in a header on purpose (a non-ASCII timestamp), which httpx's types do not allow
    response = qq.client.post("/qq/webhook", content=body, headers=headers)  # type: ignore[arg-type]
    assert response.status_code == 403
    assert "unix time" in response.json()["error"]
    assert qq.inbound_count() == 0


def test_qq_body_with_a_lone_surrogate_is_refused(qq: QQHarness) -> None:
    body = fakeqq.guild_at_message(event_id="e1", message_id="m1", text="/问题反馈 SURROGATE")
    body = body.replace(b"SURROGATE", b"\\ud800")
    response = qq.post(body)
    assert response.status_code == 400 and response.json()["error"]
    assert qq.inbound_count() == 0


def test_feishu_timestamp_nan_is_stale_not_fresh(env: Env) -> None:
    body, headers = fk.signed(fk.message_event("/我是谁"), timestamp=env.clock().timestamp())
    headers["X-Lark-Request-Timestamp"] = "nan"
    assert (
        env.http.post("/webhooks/feishu/events", content=body, headers=headers).status_code == 401
    )
    assert env.events() == 0


def test_feishu_body_with_a_lone_surrogate_is_refused(env: Env) -> None:
    body = b'{"encrypt": "\\ud800"}'
    _, headers = fk.signed(fk.message_event("/我是谁"), timestamp=env.clock().timestamp())
    response = env.http.post("/webhooks/feishu/events", content=body, headers=headers)
    assert response.status_code == 400 and env.events() == 0


def test_webhook_kit_parses_strictly() -> None:
    assert webhook_kit.unix_seconds("1700000000", name="t") == 1700000000
    for bad in (None, "", "²", "nan", "-1", "1.5", "1700000000\n"):
        with pytest.raises(webhook_kit.BadInput):
            webhook_kit.unix_seconds(bad, name="t")
    assert webhook_kit.json_object(b'{"a": "\\ud83d\\ude00"}') == {"a": "😀"}  # a valid pair
    for body in (b'{"a": "\\ud800"}', b"[1]", b"{", b"\xff"):
        with pytest.raises(webhook_kit.BadInput):
            webhook_kit.json_object(body)


@pytest.fixture
def rest(sqlite_runtime: Runtime) -> TestClient:
    load_demo(sqlite_runtime)
    client = TestClient(create_app(sqlite_runtime, start_background=False))
    sign_in(client)
    return client


def test_rest_lone_surrogate_is_a_clear_400(rest: TestClient) -> None:
    response = rest.post(
        "/api/v1/feedback/items",
        content=b'{"text": "\\ud800", "kind": "bug"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "core.error.bad_unicode"


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "\xff\xfe", "kind": "bug"}',  # bytes that are not UTF-8
        b"[" * 3000 + b"]" * 3000,  # past Python's recursion limit
        b'{"text": ' + b"9" * 5000 + b', "kind": "bug"}',  # past int()'s 4,300 digits
    ],
    ids=["not UTF-8", "3000 deep", "5000 digits"],
)
def test_rest_a_body_json_cannot_read_is_said_so_in_chinese(rest: TestClient, body: bytes) -> None:
    """FastAPI answers these 400 "There was an error parsing the body": English, and nothing a
    user can act on (tester s28 D-10). Nothing is stored either way."""
    response = rest.post(
        "/api/v1/feedback/items", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "core.error.unreadable_body",
        "message": t("core.error.unreadable_body"),
    }


def test_rest_validation_error_never_echoes_the_input(rest: TestClient) -> None:
    huge = "x" * 100_000
    response = rest.post("/api/v1/feedback/items", json={"text": 12, "kind": huge, huge: huge})
    assert response.status_code == 422
    assert len(response.content) < 5_000
    payload = response.json()
    assert payload["error"] == "core.error.invalid_request" and payload["message"]
    assert all("input" not in d for d in payload["details"])


def test_rest_surrogate_in_a_key_is_a_clear_400(rest: TestClient) -> None:
    response = rest.post(
        "/api/v1/feedback/items",
        content=b'{"\\udfff": 1, "text": 5}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["error"] == "core.error.bad_unicode"


# -- one 2-second acknowledgement ----------------------------------------------------------------


def test_an_event_is_acknowledged_only_once_it_is_in_the_inbox() -> None:
    # Given one handling thread, kept busy (the tester's 40 events to a 4-thread replica)
    executor = ThreadPoolExecutor(max_workers=1)
    release = threading.Event()
    recorded: list[int] = []
    processed: list[int] = []

    def record(n: int) -> int:
        recorded.append(n)
        return n

    def process(row_id: int) -> None:
        release.wait(5)
        processed.append(row_id)

    def boom() -> int:
        raise RuntimeError("database down")

    def slow_record() -> int:
        release.wait(5)
        return 99

    async def scenario() -> tuple[
        list[BaseException | None], object, object, object, float, list[int]
    ]:
        started = time.monotonic()
        # When five events arrive while the handling thread is busy
        answers = await asyncio.gather(
            *(
                webhook_kit.record_then_ack(
                    executor, record=partial(record, n), process=process, what=f"e{n}", seconds=0.3
                )
                for n in range(5)
            )
        )
        waited = time.monotonic() - started
        again = await webhook_kit.record_then_ack(
            executor, record=lambda: None, process=process, what="redelivered", seconds=0.3
        )
        failed = await webhook_kit.record_then_ack(
            executor, record=boom, process=process, what="failing", seconds=0.3
        )
        late = await webhook_kit.record_then_ack(
            executor, record=slow_record, process=process, what="late", seconds=0.2
        )
        handled_by_then = list(processed)
        release.set()  # asyncio.run waits for the slow record's thread
        return answers, again, failed, late, waited, handled_by_then

    answers, again, failed, late, waited, handled_by_then = asyncio.run(scenario())
    # Then every acknowledged event was recorded before its answer, none handled yet
    assert answers == [None] * 5 and sorted(recorded) == [0, 1, 2, 3, 4]
    assert handled_by_then == [] and waited < 2.0
    # a redelivery is acknowledged; a failed or late record is an error (answer 5xx, redeliver)
    assert again is None
    assert isinstance(failed, RuntimeError)
    assert isinstance(late, TimeoutError)
    executor.shutdown(wait=True)
    # and the busy thread handles each recorded event once afterwards (never the redelivery)
    assert sorted(processed) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("token", ["not-the-token", "tap_nope", None])
@pytest.mark.parametrize(
    "body", [b'{"text": ', b'{"text": "\xff\xfe", "kind": "bug"}'], ids=["cut", "not UTF-8"]
)
def test_a_body_that_does_not_parse_from_a_wrong_caller_is_401_first(
    sqlite_runtime: Runtime, body: bytes, token: str | None
) -> None:
    """Session 27's note: FastAPI parses the body before it solves the dependencies, so a wrong
    token with unparsable JSON answered 422 (or 400) where a body that parses gets its 401. The
    caller is refused first now; a caller the route takes still gets the body's refusal."""
    load_demo(sqlite_runtime)
    client = TestClient(create_app(sqlite_runtime, start_background=False))
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    refused = client.post("/api/v1/feedback/items", content=body, headers=headers)
    assert refused.status_code == 401, refused.text
    assert refused.json()["error"] == "core.http.401"
    sign_in(client)
    read = client.post(
        "/api/v1/feedback/items", content=body, headers={"Content-Type": "application/json"}
    )
    assert read.status_code in (400, 422) and read.status_code != 401, read.text
