"""The help of the /xdept command in English and Chinese: every command, field and hint."""

from __future__ import annotations

from bot.commands.errors import normalize_locale
from bot.commands.words import (
    DEPT_USAGE_KEYS,
    SUBCOMMANDS,
    USAGE,
    WORKSPACE_USAGE_KEYS,
    ZH_ALIASES,
    ZH_DEPT_ALIASES,
    lookup_dept_subcommand,
    lookup_subcommand,
)
from bot.context import CommandStyle

__all__ = ["canonical_topic", "help_text"]

# --------------------------------------------------------------------------- help

_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "en": {
        "ask": "file a request to a department; a due time such as “by Friday” may end the text",
        "commit": "record a commitment of my own",
        "todo": "create an action item for someone",
        "list": "my open items (default), what I asked of others, a department's, or overdue ones",
        "show": "an item with its owner, due time and last updates",
        "ack": "acknowledge: I have seen it and it is being handled",
        "done": "mark done",
        "decline": "decline, saying why",
        "cancel": "cancel a request I made",
        "reopen": "reopen a closed item",
        "snooze": "no reminders until then",
        "escalate": "send the escalation to the department's escalation contact",
        "due": "change the due time",
        "assign": "hand the item to another owner",
        "status": "four-part status (background, current state, impact, suggestion) in the thread",
        "update": "a quick progress note in the item's thread",
        "edit": "correct the text (requester; the old text stays in the history)",
        "move": "send a request to another department (requester or a lead of either)",
        "history": "every update of an item, a page at a time",
        "minutes": "meeting notes into items: each line with an @person or @dept and a date",
        "lang": "my language: zh or en",
        "dept add": "register a department",
        "dept list": "list the departments",
        "dept show": "a department's settings",
        "dept set": "change a department's settings",
        "dept remove": "remove a department that has no open items",
        "away": "I am out of office until then: no prompts, my nudges go to my lead",
        "back": "I am back",
        "export": "CSV of items with their timings, sent to me as a file",
        "summary": "post this week's summary now",
        "workspace": "this workspace's own admins, summary channel, time zone and language",
        "workspace set": ("change them (admins only); `default` goes back to the server's setting"),
        "help": "this help, or the help of one command",
    },
    "zh": {
        "ask": "向部门发起协作请求，内容末尾可写截止时间，如“周五前”",
        "commit": "记录我自己的承诺",
        "todo": "给某人创建待办（行动项）",
        "list": "我的未完成事项（默认）、我发起的、某部门的或已逾期的事项",
        "show": "事项详情：负责人、截止时间和最近动态",
        "ack": "确认收到，表示已在处理",
        "done": "标记为已完成",
        "decline": "拒绝并说明原因",
        "cancel": "取消我发起的协作请求",
        "reopen": "重新打开已关闭的事项",
        "snooze": "在此之前不再催办",
        "escalate": "升级给部门的升级联系人（部门负责人的上级）",
        "due": "修改截止时间",
        "assign": "转交给其他负责人",
        "status": "按背景、现状、影响、建议四部分汇报状态，发在讨论串中",
        "update": "在事项讨论串中简要更新进展",
        "edit": "修改事项内容（仅提出人；原内容保留在历史中）",
        "move": "把协作请求转给其他部门（提出人或两个部门的部门负责人）",
        "history": "事项的全部动态，分页查看",
        "minutes": "会议纪要转为事项：每行写明 @负责人 或 @部门 及截止时间",
        "lang": "设置我的语言：zh 或 en",
        "dept add": "登记部门",
        "dept list": "所有部门",
        "dept show": "部门设置",
        "dept set": "修改部门设置",
        "dept remove": "删除部门（仍有未完成事项时不能删除）",
        "away": "请假到该时间：期间不推送站会等提醒，催办转给我的部门负责人",
        "back": "销假，恢复提醒",
        "export": "导出事项及各环节耗时（CSV 文件），私信发给我",
        "summary": "立即发布本周周报",
        "workspace": "本工作区自己的管理员、周报频道、时区和语言",
        "workspace set": "修改上述设置（仅管理员）；设为 default 即恢复服务的默认值",
        "help": "全部命令，或某个命令的用法",
    },
}

_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("name:物流部", "display name"),
        ("alias:物流", "another name people may type (adds; -alias:物流 removes)"),
        ("lead:@a", "a lead, the department's point of contact (adds; -lead:@a removes)"),
        ("member:@x", "a member (adds; -member:@x removes)"),
        ("usergroup:@logistics-team", "members of this user group are members"),
        ("escalate:@c", "escalation contact, the leads' own manager"),
        ("channel:#logistics", "the department's channel"),
        ("tz:Asia/Shanghai", "time zone"),
        ("locale:zh", "language of its channel messages, zh or en"),
        ("workdays:mon-fri", "work days"),
        ("hours:09:00-18:00", "business hours"),
        ("holidays:CN,2026-10-08", "public holidays of a country, and dates"),
        ("standup:09:30", "stand-up time, or standup:off"),
        ("first_response:8h", "nudge when unanswered this long (business hours)"),
        ("escalate_after:24h", "suggest escalation when unanswered this long"),
    ),
    "zh": (
        ("name:物流部", "部门名称"),
        ("alias:物流", "别名，方便大家输入（追加；-alias:物流 删除）"),
        ("lead:@a", "部门负责人，即接口人（追加；-lead:@a 移除）"),
        ("member:@x", "部门成员（追加；-member:@x 移除）"),
        ("usergroup:@logistics-team", "绑定用户组，组内成员即部门成员"),
        ("escalate:@c", "升级联系人，即部门负责人的上级"),
        ("channel:#logistics", "部门频道"),
        ("tz:Asia/Shanghai", "时区"),
        ("locale:zh", "频道消息语言，zh 或 en"),
        ("workdays:mon-fri", "工作日"),
        ("hours:09:00-18:00", "工作时间"),
        ("holidays:CN,2026-10-08", "法定节假日（含调休）和指定休息日"),
        ("standup:09:30", "站会时间，standup:off 表示不开站会"),
        ("first_response:8h", "超过该工作时长未响应即催办"),
        ("escalate_after:24h", "超过该工作时长未响应即建议升级"),
    ),
}

_HELP_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "xdept keeps requests between departments moving. Commands:",
        "fields": "Department fields (dept add, dept set):",
        "targets": (
            "Departments and people: type @logistics or @物流, or pick a user group, "
            "person or channel from the mention menu."
        ),
        "codes": "Item codes: XD-12, xd12 or 12 all work.",
        "times": (
            "Times: by Friday, Fri 5pm, tomorrow, in 3 days, next Tuesday, EOD, end of month, "
            "2026-12-01, 明天下午3点, 周五前, 下周一, 月底."
        ),
        "aliases": "Chinese command names work too:",
        "more": "`{cmd} help <command>` explains one command.",
        "scopes": (
            "mine: my open items, soonest due first; asked: what I asked of others; "
            "dept <key>: a department's; overdue: past their due time. 20 a page."
        ),
    },
    "zh": {
        "title": "xdept 帮助跨部门协作持续推进。命令如下：",
        "fields": "部门字段（dept add、dept set）：",
        "targets": (
            "部门和人员：输入 @logistics 或 @物流，也可以从提及菜单中选择用户组、人员或频道。"
        ),
        "codes": "事项编号：XD-12、xd12 或 12 均可。",
        "times": (
            "时间写法：周五前、明天下午3点、3天后、下周一、12月1日、月底、2026-12-01，"
            "也可以写英文，如 by Friday、tomorrow、EOD。"
        ),
        "aliases": "中文命令名同样可用：",
        "more": "`{cmd} help <命令>` 查看某个命令的用法。",
        "scopes": (
            "mine：我的未完成事项，按截止时间排序；asked：我发起的；dept <部门>：某部门的；"
            "overdue：已逾期的。每页 20 条。"
        ),
    },
}

# Extra lines shown with the help of one topic.
_TOPIC_EXTRAS: dict[str, tuple[str, ...]] = {
    "ask": ("targets", "times"),
    "commit": ("times",),
    "todo": ("targets", "times"),
    "list": ("scopes",),
    "snooze": ("codes", "times"),
    "due": ("codes", "times"),
    "away": ("times",),
    "export": ("times",),
}

_GROUPS = {"dept": DEPT_USAGE_KEYS, "workspace": WORKSPACE_USAGE_KEYS}
_HELP_KEYS: tuple[str, ...] = tuple(
    key for name in SUBCOMMANDS for key in _GROUPS.get(name, (name,))
)


def canonical_topic(topic: str | None) -> str | None:
    """A help topic as typed ("请求", "Dept Add") in canonical form ("ask", "dept add"), or None."""
    words = (topic or "").casefold().split()
    if not words:
        return None
    name = lookup_subcommand(words[0])
    if name != "dept" or len(words) == 1:
        return name
    sub = lookup_dept_subcommand(words[1])
    return f"dept {sub}" if sub else name


def _alias_of(key: str) -> str:
    name, _, sub = key.partition(" ")
    return f"{ZH_ALIASES[name]} {ZH_DEPT_ALIASES[sub]}" if sub else ZH_ALIASES[name]


def _command_line(lang: str, key: str, style: CommandStyle) -> str:
    # Chinese readers see each command's Chinese name beside it; English readers get a list.
    label = f"【{_alias_of(key)}】" if lang == "zh" else ""
    return f"`{style.line(USAGE[key])}` {label}{_DESCRIPTIONS[lang][key]}"


def _field_lines(lang: str) -> list[str]:
    return [_HELP_WORDS[lang]["fields"]] + [
        f"• `{example}` {meaning}" for example, meaning in _FIELDS[lang]
    ]


def _alias_line(lang: str) -> str:
    if lang == "zh":
        pairs = "、".join(f"{ZH_ALIASES[name]}（{name}）" for name in SUBCOMMANDS)
        return f"{_HELP_WORDS[lang]['aliases']}{pairs}。"
    pairs = ", ".join(f"{ZH_ALIASES[name]} ({name})" for name in SUBCOMMANDS)
    return f"{_HELP_WORDS[lang]['aliases']} {pairs}."


def _full_help(lang: str, style: CommandStyle) -> str:
    words = _HELP_WORDS[lang]
    lines = [words["title"]]
    lines += [_command_line(lang, key, style) for key in _HELP_KEYS]
    lines += ["", *_field_lines(lang), ""]
    lines += [words["targets"], words["codes"], words["times"], _alias_line(lang)]
    lines.append(words["more"].format(cmd=style.prefix))
    return "\n".join(lines)


def _topic_help(lang: str, topic: str, style: CommandStyle) -> str:
    keys = _GROUPS.get(topic, (topic,))
    lines = [_command_line(lang, key, style) for key in keys]
    if topic in ("dept", "dept add", "dept set"):
        lines += ["", *_field_lines(lang)]
    lines += [_HELP_WORDS[lang][extra] for extra in _TOPIC_EXTRAS.get(topic, ())]
    return "\n".join(lines)


def help_text(
    locale: str, topic: str | None = None, *, style: CommandStyle = CommandStyle.SLASH
) -> str:
    """The command list in "en" or "zh", or one topic's help (an unknown topic gets the list).

    Commands are shown the way `style` types them ("/xdept ask ...", "@xdept ask ...").
    """
    lang = normalize_locale(locale)
    canonical = canonical_topic(topic)
    if canonical is None or canonical == "help":
        return _full_help(lang, style)
    return _topic_help(lang, canonical, style)
