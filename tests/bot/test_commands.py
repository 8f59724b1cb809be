"""The /xdept grammar: every command, target form and department field, errors in en and zh."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from bot.commands import (
    USAGE,
    Ack,
    Ask,
    Assign,
    Away,
    Back,
    Cancel,
    ChangeDue,
    Command,
    CommandError,
    CommandStyle,
    Commit,
    Decline,
    DeptAdd,
    DeptField,
    DeptList,
    DeptRemove,
    DeptSet,
    DeptShow,
    Done,
    ErrorCode,
    Escalate,
    Export,
    FieldOp,
    Help,
    ListItems,
    ListScope,
    Reopen,
    Show,
    Snooze,
    Summary,
    Target,
    TargetKind,
    Todo,
    help_text,
    normalize_code,
    parse_command,
)

NAME, PERSON, GROUP, CHAT = (
    TargetKind.NAME,
    TargetKind.PERSON,
    TargetKind.GROUP,
    TargetKind.CHAT,
)
COMMAND = TypeAdapter(Command)

# What the platform's adapter resolved: placeholder -> person, user group or chat.
MENTIONS: dict[str, Target] = {
    "@_user_1": Target(kind=PERSON, id="U123", name="alice"),
    "@_user_2": Target(kind=PERSON, id="U123"),
    "@_user_3": Target(kind=PERSON, id="W9ABC", name="alice smith"),
    "@_user_4": Target(kind=PERSON, id="U1"),
    "@_user_5": Target(kind=PERSON, id="U2"),
    "@_user_6": Target(kind=PERSON, id="U2", name="bob"),
    "@_user_7": Target(kind=PERSON, id="U3"),
    "@_user_8": Target(kind=PERSON, id="U1", name="bob"),
    "@_user_9": Target(kind=PERSON, id="U1", name="amy"),
    "@_user_10": Target(kind=PERSON, id="U7", name="wang"),
    "@_user_11": Target(kind=PERSON, id="U1", name="alice"),
    "@_user_12": Target(kind=PERSON, id="U1", name="a b"),
    "@_group_1": Target(kind=GROUP, id="S123", name="logistics"),
    "@_group_2": Target(kind=GROUP, id="S123"),
    "@_group_3": Target(kind=GROUP, id="S1", name="logistics"),
    "@_group_4": Target(kind=GROUP, id="S1", name="log"),
    "@_group_5": Target(kind=GROUP, id="S1", name="logistics-team"),
    "@_group_6": Target(kind=GROUP, id="S1"),
    "#_chat_1": Target(kind=CHAT, id="C123", name="logistics"),
    "#_chat_2": Target(kind=CHAT, id="C123"),
    "#_chat_3": Target(kind=CHAT, id="C1", name="logistics"),
    "#_chat_4": Target(kind=CHAT, id="C1", name="ops"),
    "#_chat_5": Target(kind=CHAT, id="C1"),
    # A person picked in a chat whose ids are open ids.
    "@_user_13": Target(kind=PERSON, id="ou_7d8a6e6df7621556ce0d21922b676706", name="张三"),
}


def parse(text: str) -> Command:
    """Parse with the mentions the adapter resolved."""
    return parse_command(text, mentions=MENTIONS)


def named(name: str) -> Target:
    return Target(kind=NAME, name=name)


def user(uid: str, name: str | None = None) -> Target:
    return Target(kind=PERSON, id=uid, name=name)


def error_of(text: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        parse(text)
    return caught.value


# --------------------------------------------------------------------------- targets

DEPT_TARGETS = [
    ("@logistics", named("logistics")),
    ("@物流", named("物流")),
    ("＠物流", named("物流")),
    ("@Logistics", named("Logistics")),
    ("@R&D", named("R&D")),
    ("@_group_1", Target(kind=GROUP, id="S123", name="logistics")),
    ("@_group_1", Target(kind=GROUP, id="S123", name="logistics")),
    ("@_group_2", Target(kind=GROUP, id="S123")),
    ("#_chat_1", Target(kind=CHAT, id="C123", name="logistics")),
    ("#_chat_2", Target(kind=CHAT, id="C123")),
    ("#logistics", Target(kind=CHAT, name="logistics")),
    ("＃物流", Target(kind=CHAT, name="物流")),
]

PERSON_TARGETS = [
    ("@alice", named("alice")),
    ("@张三", named("张三")),
    ("@_user_2", user("U123")),
    ("@_user_1", user("U123", "alice")),
    ("@_user_3", user("W9ABC", "alice smith")),
]


@pytest.mark.parametrize(("raw", "target"), DEPT_TARGETS)
@pytest.mark.parametrize("gap", [" ", "  ", "\u3000", "\n", ": ", "："])
def test_ask_reads_every_department_target_form(raw: str, target: Target, gap: str) -> None:
    assert parse(f"ask {raw}{gap}请帮忙 by Friday") == Ask(target=target, text="请帮忙 by Friday")


@pytest.mark.parametrize(("raw", "target"), PERSON_TARGETS)
def test_todo_and_assign_read_every_person_target_form(raw: str, target: Target) -> None:
    assert parse(f"todo {raw} send the report") == Todo(assignee=target, text="send the report")
    assert parse(f"assign XD-3 {raw}") == Assign(code="XD-3", assignee=target)


def test_target_label() -> None:
    assert named("物流").label() == "@物流"
    assert Target(kind=CHAT, name="ops").label() == "#ops"
    assert user("U1").label() == "@U1"
    assert Target(kind=CHAT, id="C1").label() == "#C1"


def test_a_person_picked_in_a_chat_with_open_ids_is_a_person() -> None:
    zhang = Target(kind=PERSON, id="ou_7d8a6e6df7621556ce0d21922b676706", name="张三")
    assert parse("todo @_user_13 整理会议纪要 周五前") == Todo(
        assignee=zhang, text="整理会议纪要 周五前"
    )
    assert parse("assign XD-4 @_user_13") == Assign(code="XD-4", assignee=zhang)
    assert parse("dept set logistics lead:@_user_13").fields == [  # type: ignore[union-attr]
        FieldOp(field=DeptField.LEAD, value="@张三", target=zhang)
    ]
    wrong = error_of("ask @_user_13 帮忙")
    assert wrong.code is ErrorCode.WRONG_TARGET_KIND and "@张三" in wrong.render("zh")


def test_a_placeholder_reads_only_with_its_mentions_entry() -> None:
    # Without the adapter's map it is a name like any other; with it, the target it stands for.
    assert parse_command("todo @_user_1 x") == Todo(assignee=named("_user_1"), text="x")
    assert parse("todo @_user_1 x") == Todo(assignee=user("U123", "alice"), text="x")
    # Glued to the text after it, and never mistaken for the start of a longer one.
    assert parse("todo @_user_1：x") == Todo(assignee=user("U123", "alice"), text="x")
    assert parse("todo @_user_10 x") == Todo(assignee=user("U7", "wang"), text="x")
    assert parse("commit @_user_1 and @_user_100") == Commit(text="@alice and @_user_100")


def test_a_mention_without_an_id_or_with_an_oversized_one_is_ignored() -> None:
    mentions = {
        "@_user_1": Target(kind=PERSON, name="no id"),
        "@_user_2": Target(kind=PERSON, id="U" * 65),
    }
    for key in mentions:
        command = parse_command(f"todo {key} x", mentions=mentions)
        assert command == Todo(assignee=named(key[1:]), text="x")


# --------------------------------------------------------------------------- commands

COMMANDS: list[tuple[str, object]] = [
    ("", Help()),
    ("   \n ", Help()),
    ("help", Help()),
    ("HELP", Help()),
    ("?", Help()),
    ("帮助", Help()),
    ("help ask", Help(topic="ask")),
    ("help 请求", Help(topic="ask")),
    ("help dept", Help(topic="dept")),
    ("help dept add", Help(topic="dept add")),
    ("help Dept SET please", Help(topic="dept set")),
    # ask
    (
        "ask @logistics 3 pallets for order 12345 by Fri 5pm",
        Ask(target=named("logistics"), text="3 pallets for order 12345 by Fri 5pm"),
    ),
    ("ASK @logistics x", Ask(target=named("logistics"), text="x")),
    ("  ask   @logistics   spaced  out  ", Ask(target=named("logistics"), text="spaced  out")),
    ("ask @物流：请周五前发货，谢谢！", Ask(target=named("物流"), text="请周五前发货，谢谢！")),
    ("ask @物流,please", Ask(target=named("物流"), text="please")),
    ("ask@logistics hi", Ask(target=named("logistics"), text="hi")),
    ("请求 @物流 明天下午3点前回复", Ask(target=named("物流"), text="明天下午3点前回复")),
    ("请求@物流 帮忙", Ask(target=named("物流"), text="帮忙")),
    ("协作请求 @物流 帮忙", Ask(target=named("物流"), text="帮忙")),
    ("ＡＳＫ\u3000＠物流\u3000帮忙　谢谢", Ask(target=named("物流"), text="帮忙　谢谢")),
    (
        "ask @_user_4: see https://x.example/o/1 and ask @_user_6",
        None,  # a person is no department: checked in the error table
    ),
    (
        "ask @_group_3 see https://x.example/o/1, cc @_user_6",
        Ask(
            target=Target(kind=GROUP, id="S1", name="logistics"),
            text="see https://x.example/o/1, cc @bob",
        ),
    ),
    (
        "ask #_chat_3 line one\nline two\n  line three",
        Ask(
            target=Target(kind=CHAT, id="C1", name="logistics"),
            text="line one\nline two\n  line three",
        ),
    ),
    (
        "ask @logistics a <b> & c &lt; @_user_99",
        Ask(target=named("logistics"), text="a <b> & c &lt; @_user_99"),
    ),
    # commit and todo
    ("commit send the deck by Friday", Commit(text="send the deck by Friday")),
    ("承诺 周五前交方案", Commit(text="周五前交方案")),
    ("commit fix A&B", Commit(text="fix A&B")),
    ("commit ask @_user_10 and @_user_1", Commit(text="ask @wang and @alice")),
    ("todo @alice book the room", Todo(assignee=named("alice"), text="book the room")),
    ("待办 @_user_10 周五前对账", Todo(assignee=user("U7", "wang"), text="周五前对账")),
    ("todo @张三：整理会议纪要", Todo(assignee=named("张三"), text="整理会议纪要")),
    # list
    ("list", ListItems()),
    ("list mine", ListItems(scope=ListScope.MINE)),
    ("LIST Asked", ListItems(scope=ListScope.ASKED)),
    ("list overdue", ListItems(scope=ListScope.OVERDUE)),
    ("list dept logistics", ListItems(scope=ListScope.DEPT, dept="logistics")),
    ("list dept Logistics", ListItems(scope=ListScope.DEPT, dept="logistics")),
    ("list dept @物流", ListItems(scope=ListScope.DEPT, dept="物流")),
    (
        "list dept @_group_3",
        ListItems(scope=ListScope.DEPT, dept="logistics"),
    ),
    ("list dept #_chat_5", ListItems(scope=ListScope.DEPT, dept="C1")),
    ("list page 2", ListItems(page=2)),
    ("list p2", ListItems(page=2)),
    ("list 2", ListItems(page=2)),
    ("list asked p3", ListItems(scope=ListScope.ASKED, page=3)),
    ("list dept logistics page 4", ListItems(scope=ListScope.DEPT, dept="logistics", page=4)),
    ("list overdue page:5", ListItems(scope=ListScope.OVERDUE, page=5)),
    ("列表 逾期 第2页", ListItems(scope=ListScope.OVERDUE, page=2)),
    ("列表 我发起的", ListItems(scope=ListScope.ASKED)),
    ("列表 部门 物流 ｐ２", ListItems(scope=ListScope.DEPT, dept="物流", page=2)),
    # one code
    ("show XD-12", Show(code="XD-12")),
    ("查看 xd12", Show(code="XD-12")),
    ("ack 12", Ack(code="XD-12")),
    ("ack XD 12", Ack(code="XD-12")),
    ("确认 #12", Ack(code="XD-12")),
    ("确认收到XD-12", Ack(code="XD-12")),
    ("done ＸＤ－１２", Done(code="XD-12")),
    ("完成XD-12", Done(code="XD-12")),
    ("已完成 XD-12", Done(code="XD-12")),
    ("cancel XD-7", Cancel(code="XD-7")),
    ("取消 7", Cancel(code="XD-7")),
    ("reopen xd-007", Reopen(code="XD-7")),
    ("重开 XD-7", Reopen(code="XD-7")),
    ("escalate XD-9", Escalate(code="XD-9")),
    ("升级 XD-9", Escalate(code="XD-9")),
    # code and text
    ("decline XD-1 not ours, ask @finance", Decline(code="XD-1", reason="not ours, ask @finance")),
    ("拒绝 XD-1 不归我们管，请找财务", Decline(code="XD-1", reason="不归我们管，请找财务")),
    ("decline XD-1 A & B", Decline(code="XD-1", reason="A & B")),
    ("decline XD-1 ask #_chat_3", Decline(code="XD-1", reason="ask #logistics")),
    ("snooze XD-1 tomorrow 3pm", Snooze(code="XD-1", when="tomorrow 3pm")),
    ("稍后提醒 XD-1 明天上午", Snooze(code="XD-1", when="明天上午")),
    ("due XD-1 next Tuesday", ChangeDue(code="XD-1", when="next Tuesday")),
    ("截止 XD-1 周五前", ChangeDue(code="XD-1", when="周五前")),
    ("assign XD-1 @bob", Assign(code="XD-1", assignee=named("bob"))),
    ("assign XD-1 to @_user_5", Assign(code="XD-1", assignee=user("U2"))),
    ("转交 XD-1 给 @李四", Assign(code="XD-1", assignee=named("李四"))),
    # away, back, export, summary
    ("away until Friday", Away(when="until Friday")),
    ("请假 到下周一", Away(when="到下周一")),
    ("back", Back()),
    ("回来", Back()),
    ("export", Export()),
    ("export dept logistics", Export(dept="logistics")),
    ("export since 2026-11-01", Export(since="2026-11-01")),
    ("export since last monday", Export(since="last monday")),
    (
        "export dept logistics since 2026-11-01",
        Export(dept="logistics", since="2026-11-01"),
    ),
    ("export since last monday dept @物流", Export(dept="物流", since="last monday")),
    ("导出 部门 物流 从 11月1日", Export(dept="物流", since="11月1日")),
    ("summary", Summary()),
    ("周报", Summary()),
    # dept without fields
    ("dept", DeptList()),
    ("dept list", DeptList()),
    ("部门 列表", DeptList()),
    ("dept show logistics", DeptShow(key="logistics")),
    ("dept show @物流", DeptShow(key="物流")),
    ("部门 查看 Logistics", DeptShow(key="logistics")),
    ("dept remove logistics", DeptRemove(key="logistics")),
    ("部门 删除 logistics", DeptRemove(key="logistics")),
]


@pytest.mark.parametrize(("text", "expected"), [c for c in COMMANDS if c[1] is not None])
def test_commands(text: str, expected: object) -> None:
    assert parse(text) == expected


def test_every_command_round_trips_through_the_union() -> None:
    for text, expected in COMMANDS:
        if expected is None:
            continue
        command = parse(text)
        assert COMMAND.validate_python(command.model_dump()) == command


def test_commands_are_frozen() -> None:
    command = parse("ask @logistics hi")
    assert isinstance(command, Ask)
    with pytest.raises(ValidationError):
        command.text = "changed"


# --------------------------------------------------------------------------- dept add / set


def op(field: DeptField, value: str, target: Target | None = None, remove: bool = False) -> FieldOp:
    return FieldOp(field=field, value=value, target=target, remove=remove)


def test_dept_add_full_example() -> None:
    command = parse(
        "dept add logistics #logistics lead:@a lead:@b escalate:@c tz:Asia/Shanghai "
        "name:物流部 alias:物流"
    )
    assert command == DeptAdd(
        key="logistics",
        fields=[
            op(DeptField.CHANNEL, "#logistics", Target(kind=CHAT, name="logistics")),
            op(DeptField.LEAD, "@a", named("a")),
            op(DeptField.LEAD, "@b", named("b")),
            op(DeptField.ESCALATE, "@c", named("c")),
            op(DeptField.TZ, "Asia/Shanghai"),
            op(DeptField.NAME, "物流部"),
            op(DeptField.ALIAS, "物流"),
        ],
    )


def test_dept_add_with_resolved_targets_and_chinese_punctuation() -> None:
    command = parse(
        "部门 添加 Logistics #_chat_3 lead：@_user_9，@_user_5 escalate:@_user_7 "
        'usergroup:@_group_5 name:"Logistics Team"'
    )
    assert command == DeptAdd(
        key="logistics",
        fields=[
            op(
                DeptField.CHANNEL,
                "#logistics",
                Target(kind=CHAT, id="C1", name="logistics"),
            ),
            op(DeptField.LEAD, "@amy", user("U1", "amy")),
            op(DeptField.LEAD, "@U2", user("U2")),
            op(DeptField.ESCALATE, "@U3", user("U3")),
            op(
                DeptField.USERGROUP,
                "@logistics-team",
                Target(kind=GROUP, id="S1", name="logistics-team"),
            ),
            op(DeptField.NAME, "Logistics Team"),
        ],
    )


def test_dept_add_takes_the_channel_as_a_field_too() -> None:
    command = parse("dept add ops channel:ops lead:@a escalate:@b")
    assert isinstance(command, DeptAdd)
    assert command.fields[0] == op(DeptField.CHANNEL, "ops", Target(kind=CHAT, name="ops"))


def test_dept_set_adds_and_removes() -> None:
    command = parse(
        "dept set logistics -lead:@_user_4 lead:@new －member：@old -alias:物流 alias:仓储,storage"
    )
    assert command == DeptSet(
        key="logistics",
        fields=[
            op(DeptField.LEAD, "@U1", user("U1"), remove=True),
            op(DeptField.LEAD, "@new", named("new")),
            op(DeptField.MEMBER, "@old", named("old"), remove=True),
            op(DeptField.ALIAS, "物流", remove=True),
            op(DeptField.ALIAS, "仓储"),
            op(DeptField.ALIAS, "storage"),
        ],
    )


def test_dept_set_accepts_a_name_or_alias_and_a_bare_channel() -> None:
    assert parse("部门 设置 @物流 #wuliu") == DeptSet(
        key="物流",
        fields=[op(DeptField.CHANNEL, "#wuliu", Target(kind=CHAT, name="wuliu"))],
    )


FIELD_VALUES = [
    ("name:物流部", DeptField.NAME, "物流部"),
    ('name:"Logistics Team"', DeptField.NAME, "Logistics Team"),
    ("name:“物流 仓储部”", DeptField.NAME, "物流 仓储部"),
    ("name:R&D", DeptField.NAME, "R&D"),
    ("alias:@logistics-team", DeptField.ALIAS, "logistics-team"),
    ("tz:Asia/Shanghai", DeptField.TZ, "Asia/Shanghai"),
    ("tz:asia/shanghai", DeptField.TZ, "Asia/Shanghai"),
    ("TZ:america/new_york", DeptField.TZ, "America/New_York"),
    ("tz:UTC", DeptField.TZ, "UTC"),
    ("locale:zh", DeptField.LOCALE, "zh"),
    ("locale:EN", DeptField.LOCALE, "en"),
    ("locale:zh-CN", DeptField.LOCALE, "zh"),
    ("locale:en_US", DeptField.LOCALE, "en"),
    ("workdays:mon-fri", DeptField.WORKDAYS, "mon,tue,wed,thu,fri"),
    ("workdays:Mon,Tue,Thu", DeptField.WORKDAYS, "mon,tue,thu"),
    ("workdays:sun-thu", DeptField.WORKDAYS, "mon,tue,wed,thu,sun"),
    ("workdays:周一至周五", DeptField.WORKDAYS, "mon,tue,wed,thu,fri"),
    ("workdays:mon-wed，fri", DeptField.WORKDAYS, "mon,tue,wed,fri"),
    ("hours:09:00-18:00", DeptField.HOURS, "09:00-18:00"),
    ("hours:9:30-17:30", DeptField.HOURS, "09:30-17:30"),
    ("hours：９:００-１８:００", DeptField.HOURS, "09:00-18:00"),
    ("hours:9am-6pm", DeptField.HOURS, "09:00-18:00"),
    ("holidays:CN", DeptField.HOLIDAYS, "CN"),
    ("holidays:cn,us", DeptField.HOLIDAYS, "CN,US"),
    ("holidays:de-by", DeptField.HOLIDAYS, "DE-BY"),
    ("holidays:CN,2026-10-08", DeptField.HOLIDAYS, "CN,2026-10-08"),
    ("holidays:CN，2026-1-2", DeptField.HOLIDAYS, "CN,2026-01-02"),
    ("holidays:2026-10-01..2026-10-07", DeptField.HOLIDAYS, "2026-10-01..2026-10-07"),
    ("holidays:CN,CN", DeptField.HOLIDAYS, "CN"),
    ("standup:09:30", DeptField.STANDUP, "09:30"),
    ("standup:9:30", DeptField.STANDUP, "09:30"),
    ("standup:OFF", DeptField.STANDUP, "off"),
    ("first_response:8h", DeptField.FIRST_RESPONSE, "8h"),
    ("first_response:90m", DeptField.FIRST_RESPONSE, "90m"),
    ("first_response:1.5h", DeptField.FIRST_RESPONSE, "90m"),
    ("first_response:1h30m", DeptField.FIRST_RESPONSE, "90m"),
    ("first_response:120m", DeptField.FIRST_RESPONSE, "2h"),
    ("first-response:8小时", DeptField.FIRST_RESPONSE, "8h"),
    ("escalate_after:24h", DeptField.ESCALATE_AFTER, "24h"),
    ("escalate_after:2d", DeptField.ESCALATE_AFTER, "48h"),
    ("Escalate-After:1.5d", DeptField.ESCALATE_AFTER, "36h"),
]


@pytest.mark.parametrize(("token", "field", "value"), FIELD_VALUES)
def test_field_values_are_normalised(token: str, field: DeptField, value: str) -> None:
    assert parse(f"dept set logistics {token}") == DeptSet(
        key="logistics", fields=[op(field, value)]
    )


TARGET_FIELDS = [
    ("lead:@alice", DeptField.LEAD, named("alice")),
    ("lead:@_user_11", DeptField.LEAD, user("U1", "alice")),
    ("member:@_user_5", DeptField.MEMBER, user("U2")),
    ("member:@张三", DeptField.MEMBER, named("张三")),
    ("escalate:@boss", DeptField.ESCALATE, named("boss")),
    ("usergroup:@_group_4", DeptField.USERGROUP, Target(kind=GROUP, id="S1", name="log")),
    ("usergroup:@logistics-team", DeptField.USERGROUP, named("logistics-team")),
    ("usergroup:logistics-team", DeptField.USERGROUP, named("logistics-team")),
    ("channel:#_chat_3", DeptField.CHANNEL, Target(kind=CHAT, id="C1", name="logistics")),
    ("channel:#logistics", DeptField.CHANNEL, Target(kind=CHAT, name="logistics")),
    ("channel:logistics", DeptField.CHANNEL, Target(kind=CHAT, name="logistics")),
]


@pytest.mark.parametrize(("token", "field", "target"), TARGET_FIELDS)
def test_target_fields(token: str, field: DeptField, target: Target) -> None:
    value = token.split(":", 1)[1]
    if value in MENTIONS:  # a resolved target's value is how a person reads it
        value = target.label()
    assert parse(f"dept set logistics {token}") == DeptSet(
        key="logistics", fields=[op(field, value, target)]
    )


# --------------------------------------------------------------------------- errors

E = ErrorCode
ADD = "dept add logistics #logistics lead:@a escalate:@c"

ERRORS: list[tuple[str, ErrorCode, str, str]] = [
    # (input, code, what the message must quote, usage key)
    ("asx @a b", E.UNKNOWN_SUBCOMMAND, "asx", "ask"),
    ("frobnicate", E.UNKNOWN_SUBCOMMAND, "frobnicate", "help"),
    ("dept ad logistics", E.UNKNOWN_SUBCOMMAND, "ad", "dept add"),
    ("help bogus", E.UNKNOWN_SUBCOMMAND, "bogus", "help"),
    ("ask", E.MISSING_TARGET, "ask", "ask"),
    ("ask please ship it", E.MISSING_TARGET, "ask please ship it", "ask"),
    ("ask @ hello", E.BAD_TARGET, "@", "ask"),
    ("ask #@ hello", E.BAD_TARGET, "#@", "ask"),
    ("ask @" + "x" * 65 + " hello", E.BAD_TARGET, "@xxxx", "ask"),
    ("ask @_user_8 hello", E.WRONG_TARGET_KIND, "@bob", "ask"),
    ("ask @logistics", E.MISSING_TEXT, "ask @logistics", "ask"),
    ("ask @物流：", E.MISSING_TEXT, "ask @物流：", "ask"),
    ("commit", E.MISSING_TEXT, "commit", "commit"),
    ("承诺", E.MISSING_TEXT, "承诺", "commit"),
    ("todo", E.MISSING_TARGET, "todo", "todo"),
    ("todo #ops do it", E.WRONG_TARGET_KIND, "#ops", "todo"),
    ("todo @_group_4 do it", E.WRONG_TARGET_KIND, "@log", "todo"),
    ("todo #_chat_4 do it", E.WRONG_TARGET_KIND, "#ops", "todo"),
    ("todo @bob", E.MISSING_TEXT, "todo @bob", "todo"),
    ("show", E.MISSING_CODE, "show", "show"),
    ("show abc", E.BAD_CODE, "abc", "show"),
    ("ack XD-0", E.BAD_CODE, "XD-0", "ack"),
    ("reopen xd", E.BAD_CODE, "xd", "reopen"),
    ("done XD-1 XD-2", E.UNEXPECTED_ARGUMENT, "XD-2", "done"),
    ("cancel", E.MISSING_CODE, "cancel", "cancel"),
    ("escalate XD-1 now", E.UNEXPECTED_ARGUMENT, "now", "escalate"),
    ("decline", E.MISSING_CODE, "decline", "decline"),
    ("decline XD-1", E.MISSING_REASON, "decline XD-1", "decline"),
    ("拒绝 XD-1", E.MISSING_REASON, "拒绝 XD-1", "decline"),
    ("snooze XD-1", E.MISSING_WHEN, "snooze XD-1", "snooze"),
    ("due XD-1", E.MISSING_WHEN, "due XD-1", "due"),
    ("due tomorrow", E.BAD_CODE, "tomorrow", "due"),
    ("assign XD-1", E.MISSING_TARGET, "assign XD-1", "assign"),
    ("assign XD-1 bob", E.BAD_TARGET, "bob", "assign"),
    ("assign XD-1 #ops", E.WRONG_TARGET_KIND, "#ops", "assign"),
    ("assign XD-1 @bob @carol", E.UNEXPECTED_ARGUMENT, "@carol", "assign"),
    ("list everything", E.BAD_SCOPE, "everything", "list"),
    ("list asked extra", E.UNEXPECTED_ARGUMENT, "extra", "list"),
    ("list dept", E.MISSING_KEY, "list dept", "list"),
    ("list dept @_user_4", E.WRONG_TARGET_KIND, "@U1", "list"),
    ("list page x", E.BAD_PAGE, "page x", "list"),
    ("list page", E.BAD_PAGE, "page", "list"),
    ("list p0", E.BAD_PAGE, "p0", "list"),
    ("list page 9999999", E.BAD_PAGE, "page 9999999", "list"),
    ("list p2 p3", E.UNEXPECTED_ARGUMENT, "p3", "list"),
    ("list 0", E.BAD_PAGE, "0", "list"),
    ("dept add", E.MISSING_KEY, "dept add", "dept add"),
    ("dept add 物流 #l lead:@a escalate:@c", E.BAD_KEY, "物流", "dept add"),
    ("dept add -x #l lead:@a escalate:@c", E.BAD_KEY, "-x", "dept add"),
    ("dept add logistics lead:@a escalate:@c", E.MISSING_FIELD, "#channel", "dept add"),
    ("dept add logistics #l escalate:@c", E.MISSING_FIELD, "lead:@person", "dept add"),
    ("dept add logistics #l lead:@a", E.MISSING_FIELD, "escalate:@person", "dept add"),
    (f"{ADD} tzz:UTC", E.UNKNOWN_FIELD, "tzz", "dept add"),
    (f"{ADD} -lead:@a", E.CANNOT_REMOVE, "-lead:@a", "dept add"),
    (f"{ADD} #other", E.DUPLICATE_FIELD, "channel", "dept add"),
    (f"{ADD} escalate:@d", E.DUPLICATE_FIELD, "escalate", "dept add"),
    (f"{ADD} #@", E.BAD_VALUE, "#@", "dept add"),
    ("dept set", E.MISSING_KEY, "dept set", "dept set"),
    ("dept set logistics", E.MISSING_FIELD, "dept set logistics", "dept set"),
    ("dept set logistics leed:@a", E.UNKNOWN_FIELD, "leed", "dept set"),
    ("dept set logistics tz", E.BAD_FIELD, "tz", "dept set"),
    ("dept set logistics 物流部", E.BAD_FIELD, "物流部", "dept set"),
    ("dept set logistics tz:", E.BAD_VALUE, "tz:", "dept set"),
    ("dept set logistics -tz:UTC", E.CANNOT_REMOVE, "-tz:UTC", "dept set"),
    ("dept set logistics tz:UTC tz:Asia/Shanghai", E.DUPLICATE_FIELD, "tz", "dept set"),
    ("dept set logistics lead:#ops", E.WRONG_TARGET_KIND, "#ops", "dept set"),
    ("dept set logistics usergroup:@_user_4", E.WRONG_TARGET_KIND, "@U1", "dept set"),
    ("dept set logistics channel:@ops", E.WRONG_TARGET_KIND, "@ops", "dept set"),
    ("dept set logistics escalate:@_group_6", E.WRONG_TARGET_KIND, "@S1", "dept set"),
    ("dept show", E.MISSING_KEY, "dept show", "dept show"),
    ("dept show a b", E.UNEXPECTED_ARGUMENT, "b", "dept show"),
    ("dept remove", E.MISSING_KEY, "dept remove", "dept remove"),
    ("dept list all", E.UNEXPECTED_ARGUMENT, "all", "dept list"),
    ("away", E.MISSING_WHEN, "away", "away"),
    ("back now", E.UNEXPECTED_ARGUMENT, "now", "back"),
    ("summary now", E.UNEXPECTED_ARGUMENT, "now", "summary"),
    ("export everything", E.UNEXPECTED_ARGUMENT, "everything", "export"),
    ("export dept", E.MISSING_KEY, "export dept", "export"),
    ("export since", E.MISSING_WHEN, "export since", "export"),
    ("export since dept ops", E.MISSING_WHEN, "export since dept ops", "export"),
    ("export dept a dept b", E.UNEXPECTED_ARGUMENT, "dept", "export"),
]

BAD_VALUES = [
    ('name:""', "name"),
    ('alias:"a b"', "alias"),
    ("lead:alice", "lead"),
    ("lead:@", "lead"),
    ("tz:Mars/Base", "tz"),
    ("tz:../etc/passwd", "tz"),
    ("locale:fr", "locale"),
    ("workdays:funday", "workdays"),
    ("workdays:", "workdays"),
    ("hours:18:00-09:00", "hours"),
    ("hours:9", "hours"),
    ("hours:25:00-26:00", "hours"),
    ("holidays:XX", "holidays"),
    ("holidays:CHN", "holidays"),
    ("holidays:2026-02-30", "holidays"),
    ("holidays:2026-10-07..2026-10-01", "holidays"),
    ("holidays:2026/10/01", "holidays"),
    ("standup:25:00", "standup"),
    ("standup:soon", "standup"),
    ("first_response:0h", "first_response"),
    ("first_response:8", "first_response"),
    ("first_response:-1h", "first_response"),
    ("first_response:30s", "first_response"),
    ("first_response:0.001m", "first_response"),
    ("escalate_after:400d", "escalate_after"),
    ("escalate_after:" + "9" * 40 + "h", "escalate_after"),
]


def assert_error(error: CommandError, quoted: str, usage_key: str) -> None:
    assert USAGE[usage_key] in error.usage
    for locale in ("en", "zh", "zh-CN"):
        message = error.render(locale)
        assert quoted in message, (locale, message)
        for line in error.usage:
            assert line in message
    assert error.render("en") != error.render("zh")
    assert str(error) == error.render("en")


@pytest.mark.parametrize(("text", "code", "quoted", "usage_key"), ERRORS)
def test_errors(text: str, code: ErrorCode, quoted: str, usage_key: str) -> None:
    error = error_of(text)
    assert error.code is code
    assert_error(error, quoted, usage_key)


@pytest.mark.parametrize(("token", "field"), BAD_VALUES)
def test_bad_field_values(token: str, field: str) -> None:
    error = error_of(f"dept set logistics {token}")
    assert error.code is ErrorCode.BAD_VALUE
    assert error.params["field"] == field
    quoted = token.split(":", 1)[1].strip('"') or token
    assert_error(error, quoted, "dept set")


def test_unknown_subcommand_names_the_closest_and_lists_them() -> None:
    error = error_of("lst asked")
    assert error.params["closest"] == "list"
    for name in ("ask", "commit", "todo", "list", "export", "help"):
        assert name in error.render("en")
        assert name in error.render("zh")
    assert "Did you mean" in error.render("en")
    assert "你是想输入" in error.render("zh")


def test_unknown_field_names_the_closest() -> None:
    error = error_of("dept set logistics escalate-aftr:24h")
    assert error.params["closest"] == "escalate_after"
    assert "escalate_after" in error.render("zh")


def test_wrong_kind_says_what_it_got_and_wanted() -> None:
    error = error_of("todo #ops do it")
    assert "a channel" in error.render("en")
    assert "a person" in error.render("en")
    assert "频道" in error.render("zh")
    assert "人员" in error.render("zh")


def test_bad_value_says_what_is_expected() -> None:
    error = error_of("dept set logistics hours:18:00-09:00")
    assert "09:00-18:00" in error.render("en")
    assert "工作时间" in error.render("zh")


def test_long_input_is_clipped_in_messages() -> None:
    error = error_of("frobnicate " + "x" * 5000)
    assert len(error.render("en")) < 1000
    assert "frobnicate" in error.render("en")


def test_unknown_locale_renders_english() -> None:
    error = error_of("ack")
    assert error.render("fr") == error.render("en")


# --------------------------------------------------------------------------- codes

CODES = ["xd-12", "XD12", "12", "#12", "ＸＤ－１２", " XD-012 ", "Xd_12", "xd 12", "＃１２"]


@pytest.mark.parametrize("text", CODES)
def test_normalize_code(text: str) -> None:
    assert normalize_code(text) == "XD-12"


@pytest.mark.parametrize("text", ["", "XD", "XD-0", "AB-12", "12a", "XD-1234567890", "-12"])
def test_normalize_code_refuses(text: str) -> None:
    with pytest.raises(CommandError) as caught:
        normalize_code(text)
    assert caught.value.code is ErrorCode.BAD_CODE
    if text:
        assert text in caught.value.render("zh")


@given(st.integers(min_value=1, max_value=999_999_999), st.sampled_from(["XD-", "xd", "#", ""]))
def test_any_code_number_normalises(number: int, prefix: str) -> None:
    assert normalize_code(f"{prefix}{number}") == f"XD-{number}"


# --------------------------------------------------------------------------- help


def test_help_lists_every_usage_line_in_both_languages() -> None:
    for locale in ("en", "zh"):
        text = help_text(locale)
        for line in USAGE.values():
            assert line in text


def test_help_documents_the_chinese_subcommands() -> None:
    for alias in ("请求", "承诺", "待办", "列表", "查看", "确认", "完成", "拒绝", "取消", "重开"):
        assert alias in help_text("en")
        assert alias in help_text("zh")
        assert parse(f"help {alias}") != Help()


def test_chinese_help_uses_the_workplace_words() -> None:
    text = help_text("zh")
    for word in (
        "协作请求", "承诺", "待办", "负责人", "截止时间", "确认收到", "已完成", "升级",
        "稍后提醒", "站会", "周报",
    ):  # fmt: skip
        assert word in text, word


def test_help_lists_the_department_fields() -> None:
    for locale in ("en", "zh"):
        text = help_text(locale)
        for field in DeptField:
            assert f"{field.value}:" in text


@pytest.mark.parametrize(
    ("topic", "expected", "absent"),
    [
        ("ask", USAGE["ask"], USAGE["commit"]),
        ("请求", USAGE["ask"], USAGE["commit"]),
        ("dept", USAGE["dept remove"], USAGE["ask"]),
        ("dept add", "tz:Asia/Shanghai", USAGE["dept remove"]),
        ("list", "overdue", USAGE["ask"]),
    ],
)
def test_topic_help(topic: str, expected: str, absent: str) -> None:
    for locale in ("en", "zh"):
        text = help_text(locale, topic)
        assert expected in text
        assert absent not in text


def test_help_and_usage_show_the_platforms_way_of_typing_a_command() -> None:
    slash = help_text("en")
    mention = help_text("zh", style=CommandStyle.MENTION)
    assert "/xdept ask @dept" in slash and "@xdept" not in slash
    assert "@xdept ask @dept" in mention and "/xdept" not in mention
    assert "@xdept help <命令>" in mention
    error = error_of("ask")
    assert "`@xdept ask @dept" in error.render("en", CommandStyle.MENTION)
    assert "`/xdept ask @dept" in error.render("en")


def test_unknown_topic_gets_the_full_list() -> None:
    assert help_text("en", "nonsense") == help_text("en")
    assert help_text("zh-TW", None) == help_text("zh")


def test_help_topic_of_the_parsed_command_is_a_help_text_topic() -> None:
    for text in ("help snooze", "帮助 部门 添加", "help dept"):
        command = parse(text)
        assert isinstance(command, Help)
        assert help_text("en", command.topic) != help_text("en")


# --------------------------------------------------------------------------- properties

WORDS = [
    *("ask", "commit", "todo", "list", "show", "ack", "done", "decline", "cancel"),
    *("reopen", "snooze", "escalate", "due", "assign", "dept", "away", "back"),
    *("export", "summary", "help", "add", "set", "remove", "mine", "asked", "overdue"),
    *("page", "p2", "第2页", "since", "to", "请求", "部门", "添加", "完成", "确认收到"),
    *("@logistics", "@物流", "＠", "@", "#", "#ops", "@_user_4", "@_user_12", "<!here>"),
    *("@_group_4", "#_chat_4", "#_chat_5", "<", ">", "<https://x|y z>", "&lt;", "&amp;"),
    *("XD-12", "xd", "12", "XD-0", "#12", "ＸＤ－１２", "tomorrow", "周五前"),
    *("lead:@a", "-lead:@a", "lead:", "tz:Asia/Shanghai", "tz:", 'name:"a b', "alias:,,"),
    *("workdays:mon-fri", "hours:9-18", "holidays:CN,2026-10-01..2026-10-07", "standup:off"),
    *("first_response:1.5h", "escalate_after:99999999999d", "channel:#x", "usergroup:x"),
    *("：", "，", "\u3000", '"', "“", "”", "\x00", "\u202e", "\ud83d\ude00"),
]
SEPARATORS = [" ", "", "  ", "\u3000", "\n", "\t", ":", "，"]

command_like = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(WORDS), st.text(max_size=8)),
        st.sampled_from(SEPARATORS),
    ),
    max_size=8,
).map(lambda parts: "".join(word + gap for word, gap in parts))


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.text(max_size=60), command_like))
def test_any_text_is_a_command_or_a_command_error(text: str) -> None:
    try:
        command = parse(text)
    except CommandError as error:
        assert error.code in ErrorCode
        assert error.usage
        assert error.render("en")
        assert error.render("zh")
    else:
        assert COMMAND.validate_python(command.model_dump()) == command


targets = st.builds(
    Target,
    kind=st.sampled_from(list(TargetKind)),
    id=st.one_of(st.none(), st.text(max_size=80)),
    name=st.one_of(st.none(), st.text(max_size=20)),
)
mention_maps = st.dictionaries(
    st.one_of(st.sampled_from(["@_user_1", "@_user_10", "#_chat_1", "@"]), st.text(max_size=6)),
    targets,
    max_size=4,
)


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.text(max_size=60), command_like), mention_maps)
def test_any_text_and_mentions_are_a_command_or_a_command_error(
    text: str, mentions: dict[str, Target]
) -> None:
    try:
        command = parse_command(text, mentions=mentions)
    except CommandError as error:
        assert error.render("zh", CommandStyle.MENTION)
    else:
        assert COMMAND.validate_python(command.model_dump()) == command


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["ask @物流", "ask @_group_3", "todo @_user_4", "commit"]),
    st.text(min_size=1).filter(lambda t: t.strip() and "&" not in t),
)
def test_free_text_survives_unchanged(prefix: str, text: str) -> None:
    command = parse(f"{prefix} {text}")
    assert isinstance(command, Ask | Todo | Commit)
    assert command.text == text.strip()


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1).filter(lambda t: t.strip() and "&" not in t))
def test_reasons_and_times_survive_unchanged(text: str) -> None:
    decline = parse(f"decline XD-4 {text}")
    snooze = parse(f"snooze XD-4 {text}")
    assert isinstance(decline, Decline)
    assert isinstance(snooze, Snooze)
    assert decline.reason == snooze.when == text.strip()
