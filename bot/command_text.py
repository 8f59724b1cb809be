"""What the /xdept grammar says, in English and Chinese: usage lines, errors and help.

Everything here is text: the grammar itself lives in :mod:`bot.commands`. The
Chinese is written for a Chinese workplace (协作请求, 负责人, 截止时间, 确认收到...),
not translated word by word.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

__all__ = [
    "DEPT_SUBCOMMANDS",
    "SUBCOMMANDS",
    "USAGE",
    "CommandError",
    "ErrorCode",
    "canonical_topic",
    "help_text",
    "lookup_dept_subcommand",
    "lookup_subcommand",
    "normalize_locale",
    "usage_lines",
]


class ErrorCode(StrEnum):
    """Every way a command can fail to read; stable, so callers and tests can rely on it."""

    UNKNOWN_SUBCOMMAND = "unknown_subcommand"
    MISSING_TARGET = "missing_target"
    BAD_TARGET = "bad_target"
    WRONG_TARGET_KIND = "wrong_target_kind"
    MISSING_TEXT = "missing_text"
    MISSING_CODE = "missing_code"
    BAD_CODE = "bad_code"
    MISSING_REASON = "missing_reason"
    MISSING_WHEN = "missing_when"
    MISSING_KEY = "missing_key"
    BAD_KEY = "bad_key"
    MISSING_FIELD = "missing_field"
    UNKNOWN_FIELD = "unknown_field"
    BAD_FIELD = "bad_field"
    BAD_VALUE = "bad_value"
    DUPLICATE_FIELD = "duplicate_field"
    CANNOT_REMOVE = "cannot_remove"
    BAD_SCOPE = "bad_scope"
    BAD_PAGE = "bad_page"
    UNEXPECTED_ARGUMENT = "unexpected_argument"
    BAD_INPUT = "bad_input"


# --------------------------------------------------------------------------- subcommands

# Canonical subcommands in the order help lists them.
SUBCOMMANDS: tuple[str, ...] = (
    "ask", "commit", "todo", "list", "show", "ack", "done", "decline", "cancel", "reopen",
    "snooze", "escalate", "due", "assign", "dept", "away", "back", "export", "summary", "help",
)  # fmt: skip
DEPT_SUBCOMMANDS: tuple[str, ...] = ("add", "list", "show", "set", "remove")

_ZH_ALIASES: dict[str, str] = {
    "ask": "请求", "commit": "承诺", "todo": "待办", "list": "列表", "show": "查看",
    "ack": "确认", "done": "完成", "decline": "拒绝", "cancel": "取消", "reopen": "重开",
    "snooze": "稍后提醒", "escalate": "升级", "due": "截止", "assign": "转交", "dept": "部门",
    "away": "请假", "back": "回来", "export": "导出", "summary": "周报", "help": "帮助",
}  # fmt: skip
_ZH_DEPT_ALIASES: dict[str, str] = {
    "add": "添加", "list": "列表", "show": "查看", "set": "设置", "remove": "删除",
}  # fmt: skip

_SUBCOMMAND_WORDS: dict[str, str] = {
    **{name: name for name in SUBCOMMANDS},
    **{alias: name for name, alias in _ZH_ALIASES.items()},
    # People reach for "?" when lost; it should not be an error.
    "?": "help", "？": "help",
    # The full words of the vocabulary, as people also type them.
    "确认收到": "ack", "已完成": "done", "协作请求": "ask", "行动项": "todo",
}  # fmt: skip
_DEPT_WORDS: dict[str, str] = {
    **{name: name for name in DEPT_SUBCOMMANDS},
    **{alias: name for name, alias in _ZH_DEPT_ALIASES.items()},
}


def lookup_subcommand(word: str) -> str | None:
    """The canonical subcommand for a folded word (English or Chinese), or None."""
    return _SUBCOMMAND_WORDS.get(word)


def lookup_dept_subcommand(word: str) -> str | None:
    """The canonical `dept` subcommand for a folded word, or None."""
    return _DEPT_WORDS.get(word)


USAGE: dict[str, str] = {
    "ask": "/xdept ask @dept <text> [by <when>]",
    "commit": "/xdept commit <text> [by <when>]",
    "todo": "/xdept todo @person <text> [by <when>]",
    "list": "/xdept list [mine|asked|dept <key>|overdue] [page <n>]",
    "show": "/xdept show XD-12",
    "ack": "/xdept ack XD-12",
    "done": "/xdept done XD-12",
    "decline": "/xdept decline XD-12 <why>",
    "cancel": "/xdept cancel XD-12",
    "reopen": "/xdept reopen XD-12",
    "snooze": "/xdept snooze XD-12 <when>",
    "escalate": "/xdept escalate XD-12",
    "due": "/xdept due XD-12 <when>",
    "assign": "/xdept assign XD-12 @person",
    "dept add": (
        "/xdept dept add <key> #channel lead:@a [lead:@b] escalate:@c "
        "[tz:Asia/Shanghai] [name:物流部] [alias:物流]"
    ),
    "dept list": "/xdept dept list",
    "dept show": "/xdept dept show <key>",
    "dept set": "/xdept dept set <key> <field>:<value> [<field>:<value> ...]",
    "dept remove": "/xdept dept remove <key>",
    "away": "/xdept away <when>",
    "back": "/xdept back",
    "export": "/xdept export [dept <key>] [since <when>]",
    "summary": "/xdept summary",
    "help": "/xdept help [<command>]",
}

_DEPT_USAGE_KEYS = tuple(f"dept {sub}" for sub in DEPT_SUBCOMMANDS)


def usage_lines(topic: str) -> tuple[str, ...]:
    """The usage lines of a canonical topic ("ask", "dept", "dept add"...)."""
    if topic == "dept":
        return tuple(USAGE[key] for key in _DEPT_USAGE_KEYS)
    return (USAGE.get(topic, USAGE["help"]),)


def normalize_locale(locale: str | None) -> str:
    """Return "zh" for any Chinese locale (zh, zh-CN, zh_TW...), else "en"."""
    return "zh" if (locale or "").strip().lower().startswith("zh") else "en"


# --------------------------------------------------------------------------- errors

_ERRORS: dict[str, dict[ErrorCode, str]] = {
    "en": {
        ErrorCode.UNKNOWN_SUBCOMMAND: 'Unknown command "{value}".{hint} Commands: {choices}.',
        ErrorCode.MISSING_TARGET: '"{input}" is missing {wanted}.',
        ErrorCode.BAD_TARGET: 'Could not read "{value}" as {wanted}.',
        ErrorCode.WRONG_TARGET_KIND: '"{value}" is {actual}, but this needs {wanted}.',
        ErrorCode.MISSING_TEXT: '"{input}" is missing the text of the {what}.',
        ErrorCode.MISSING_CODE: '"{input}" is missing the item code, like XD-12.',
        ErrorCode.BAD_CODE: 'Could not read "{value}" as an item code; codes look like XD-12.',
        ErrorCode.MISSING_REASON: '"{input}" is missing the reason for declining.',
        ErrorCode.MISSING_WHEN: (
            '"{input}" is missing the time, like "tomorrow 3pm", "Friday" or "2026-12-01".'
        ),
        ErrorCode.MISSING_KEY: '"{input}" is missing the department key, like logistics.',
        ErrorCode.BAD_KEY: (
            '"{value}" cannot be a department key: use lowercase letters, digits, "-" and "_" '
            "(up to 40, starting with a letter or digit), like logistics."
        ),
        ErrorCode.MISSING_FIELD: '"{input}" is missing {field}.',
        ErrorCode.UNKNOWN_FIELD: 'Unknown department field "{value}".{hint} Fields: {choices}.',
        ErrorCode.BAD_FIELD: (
            'Could not read "{value}": write department settings as field:value, '
            "like tz:Asia/Shanghai."
        ),
        ErrorCode.BAD_VALUE: 'Could not read "{value}" as {field}: expected {expected}.',
        ErrorCode.DUPLICATE_FIELD: '{field} is given more than once in "{input}".',
        ErrorCode.CANNOT_REMOVE: (
            'Cannot remove "{value}": only lead, member and alias can be removed '
            "(-lead:@x, -member:@x, -alias:x), and only with dept set."
        ),
        ErrorCode.BAD_SCOPE: 'Unknown list "{value}": use mine, asked, dept <key> or overdue.',
        ErrorCode.BAD_PAGE: 'Could not read page "{value}": write a page number, like page 2.',
        ErrorCode.UNEXPECTED_ARGUMENT: 'Did not expect "{value}" in "{input}".',
        ErrorCode.BAD_INPUT: 'Could not read "{input}".',
    },
    "zh": {
        ErrorCode.UNKNOWN_SUBCOMMAND: "无法识别命令“{value}”。{hint}可用命令：{choices}。",
        ErrorCode.MISSING_TARGET: "“{input}”缺少{wanted}。",
        ErrorCode.BAD_TARGET: "无法识别“{value}”，这里需要{wanted}。",
        ErrorCode.WRONG_TARGET_KIND: "“{value}”是{actual}，这里需要{wanted}。",
        ErrorCode.MISSING_TEXT: "“{input}”缺少{what}的内容。",
        ErrorCode.MISSING_CODE: "“{input}”缺少事项编号，如 XD-12。",
        ErrorCode.BAD_CODE: "无法识别事项编号“{value}”，编号格式如 XD-12。",
        ErrorCode.MISSING_REASON: "“{input}”缺少拒绝原因。",
        ErrorCode.MISSING_WHEN: "“{input}”缺少时间，如“明天下午3点”“周五”或“2026-12-01”。",
        ErrorCode.MISSING_KEY: "“{input}”缺少部门标识，如 logistics。",
        ErrorCode.BAD_KEY: (
            "“{value}”不能用作部门标识：请使用小写字母、数字、“-”或“_”"
            "（不超过 40 个字符，以字母或数字开头），如 logistics。"
        ),
        ErrorCode.MISSING_FIELD: "“{input}”缺少 {field}。",
        ErrorCode.UNKNOWN_FIELD: "无法识别部门字段“{value}”。{hint}可用字段：{choices}。",
        ErrorCode.BAD_FIELD: "无法识别“{value}”：部门设置请写成“字段:值”，如 tz:Asia/Shanghai。",
        ErrorCode.BAD_VALUE: "{field} 的值“{value}”无效，应为{expected}。",
        ErrorCode.DUPLICATE_FIELD: "“{input}”中 {field} 出现了不止一次。",
        ErrorCode.CANNOT_REMOVE: (
            "无法移除“{value}”：只有 lead、member、alias 可以移除"
            "（-lead:@x、-member:@x、-alias:x），且只能用于 dept set。"
        ),
        ErrorCode.BAD_SCOPE: (
            "无法识别列表范围“{value}”：可用 mine（我的）、asked（我发起的）、"
            "dept <部门>（部门的）或 overdue（已逾期）。"
        ),
        ErrorCode.BAD_PAGE: "无法识别页码“{value}”，请写成 page 2 这样的页码。",
        ErrorCode.UNEXPECTED_ARGUMENT: "“{input}”中的“{value}”无法识别，请删除后重试。",
        ErrorCode.BAD_INPUT: "无法识别“{input}”。",
    },
}

_HINT = {"en": ' Did you mean "{closest}"?', "zh": "你是想输入“{closest}”吗？"}
_USAGE_LABEL = {"en": "Usage:", "zh": "用法："}
_LIST_SEPARATOR = {"en": ", ", "zh": "、"}

# Words that fill {wanted} and {what}; params carry the key, not the phrase.
_NOUNS: dict[str, dict[str, str]] = {
    "en": {
        "department": "a department, like @logistics",
        "person": "a person, like @alice",
        "usergroup": "a user group, like @logistics-team",
        "channel": "a channel, like #logistics",
        "request": "request",
        "commitment": "commitment",
        "action": "action item",
    },
    "zh": {
        "department": "目标部门，如 @物流",
        "person": "人员，如 @张三",
        "usergroup": "用户组，如 @logistics-team",
        "channel": "频道，如 #logistics",
        "request": "协作请求",
        "commitment": "承诺",
        "action": "待办",
    },
}

# What a target turned out to be, for {actual}.
_KINDS: dict[str, dict[str, str]] = {
    "en": {
        "user": "a person",
        "usergroup": "a user group",
        "channel": "a channel",
        "name": "a name",
    },
    "zh": {"user": "人员", "usergroup": "用户组", "channel": "频道", "name": "名称"},
}

_EXPECTED: dict[str, dict[str, str]] = {
    "en": {
        "name": "a display name, like 物流部",
        "alias": "names separated by commas, like 物流,logistics-team",
        "lead": "a person, like @alice",
        "member": "a person, like @alice",
        "escalate": "a person, like @alice",
        "usergroup": "a user group, like @logistics-team",
        "channel": "a channel, like #logistics",
        "tz": "an IANA time zone, like Asia/Shanghai or America/New_York",
        "locale": "zh or en",
        "workdays": "work days, like mon-fri or mon,tue,thu",
        "hours": "business hours that end after they start, like 09:00-18:00",
        "holidays": "country codes and dates, like CN,2026-10-08 or 2026-10-01..2026-10-07",
        "standup": "a time like 09:30, or off",
        "first_response": "a positive duration, like 8h, 90m, 1.5h or 2d",
        "escalate_after": "a positive duration, like 24h, 90m, 1.5h or 2d",
    },
    "zh": {
        "name": "部门名称，如 物流部",
        "alias": "一个或多个别名，用逗号分隔，如 物流,logistics-team",
        "lead": "人员，如 @张三",
        "member": "人员，如 @张三",
        "escalate": "人员，如 @张三",
        "usergroup": "用户组，如 @logistics-team",
        "channel": "频道，如 #logistics",
        "tz": "IANA 时区，如 Asia/Shanghai 或 America/New_York",
        "locale": "zh 或 en",
        "workdays": "工作日，如 mon-fri 或 mon,tue,thu",
        "hours": "工作时间，结束晚于开始，如 09:00-18:00",
        "holidays": "国家代码和日期，如 CN,2026-10-08 或 2026-10-01..2026-10-07",
        "standup": "时间（如 09:30），或 off 表示不开站会",
        "first_response": "大于零的时长，如 8h、90m、1.5h 或 2d",
        "escalate_after": "大于零的时长，如 24h、90m、1.5h 或 2d",
    },
}

# Params that repeat what the person typed (the rest are the grammar's own words).
_QUOTED = frozenset({"input", "value"})
# Long input is quoted in full nowhere: a pasted essay would drown the actual problem.
_QUOTE_LIMIT = 120


def _clip(value: str) -> str:
    return value if len(value) <= _QUOTE_LIMIT else value[: _QUOTE_LIMIT - 1] + "…"


class _Params(dict[str, str]):
    """Format arguments where a placeholder with no value renders as nothing, never KeyError."""

    def __missing__(self, key: str) -> str:
        return ""


class CommandError(Exception):
    """A command that could not be read: a stable code, its facts, and the usage to show."""

    def __init__(self, code: ErrorCode, *, usage: Sequence[str], **params: str) -> None:
        self.code = code
        self.params: dict[str, str] = {
            key: _clip(value) if key in _QUOTED else value for key, value in params.items()
        }
        self.usage: tuple[str, ...] = tuple(usage) or (USAGE["help"],)
        super().__init__(self.render("en"))

    def render(self, locale: str) -> str:
        """The full message in "en" or "zh": what went wrong, quoting the input, then usage."""
        lang = normalize_locale(locale)
        message = _ERRORS[lang][self.code].format_map(self._fill(lang))
        usage = "\n".join(f"`{line}`" for line in self.usage)
        return f"{message}\n{_USAGE_LABEL[lang]}\n{usage}"

    def _fill(self, lang: str) -> _Params:
        """Turn params into the phrases of one language."""
        filled = _Params(self.params)
        for key, table in (("wanted", _NOUNS), ("what", _NOUNS), ("actual", _KINDS)):
            if key in filled:
                filled[key] = table[lang].get(filled[key], filled[key])
        if self.code is ErrorCode.BAD_VALUE:
            filled["expected"] = _EXPECTED[lang].get(filled["field"], "")
        if "choices" in filled:
            filled["choices"] = _LIST_SEPARATOR[lang].join(filled["choices"].split(", "))
        if filled["closest"]:
            filled["hint"] = _HINT[lang].format(closest=filled["closest"])
        return filled


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
        "dept add": "register a department",
        "dept list": "list the departments",
        "dept show": "a department's settings",
        "dept set": "change a department's settings",
        "dept remove": "remove a department that has no open items",
        "away": "I am out of office until then: no prompts, my nudges go to my lead",
        "back": "I am back",
        "export": "CSV of items with their timings, sent to me as a file",
        "summary": "post this week's summary now",
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
        "dept add": "登记部门",
        "dept list": "所有部门",
        "dept show": "部门设置",
        "dept set": "修改部门设置",
        "dept remove": "删除部门（仍有未完成事项时不能删除）",
        "away": "请假到该时间：期间不推送站会等提醒，催办转给我的部门负责人",
        "back": "销假，恢复提醒",
        "export": "导出事项及各环节耗时（CSV 文件），私信发给我",
        "summary": "立即发布本周周报",
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
        "title": "*xdept* keeps requests between departments moving. Commands:",
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
        "more": "`/xdept help <command>` explains one command.",
        "scopes": (
            "mine: my open items, soonest due first; asked: what I asked of others; "
            "dept <key>: a department's; overdue: past their due time. 20 a page."
        ),
    },
    "zh": {
        "title": "*xdept* 帮助跨部门协作持续推进。命令如下：",
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
        "more": "`/xdept help <命令>` 查看某个命令的用法。",
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

_HELP_KEYS: tuple[str, ...] = tuple(
    key for name in SUBCOMMANDS for key in (_DEPT_USAGE_KEYS if name == "dept" else (name,))
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
    return f"{_ZH_ALIASES[name]} {_ZH_DEPT_ALIASES[sub]}" if sub else _ZH_ALIASES[name]


def _command_line(lang: str, key: str) -> str:
    # Chinese readers see each command's Chinese name beside it; English readers get a list.
    label = f"【{_alias_of(key)}】" if lang == "zh" else ""
    return f"`{USAGE[key]}` {label}{_DESCRIPTIONS[lang][key]}"


def _field_lines(lang: str) -> list[str]:
    return [_HELP_WORDS[lang]["fields"]] + [
        f"• `{example}` {meaning}" for example, meaning in _FIELDS[lang]
    ]


def _alias_line(lang: str) -> str:
    if lang == "zh":
        pairs = "、".join(f"{_ZH_ALIASES[name]}（{name}）" for name in SUBCOMMANDS)
        return f"{_HELP_WORDS[lang]['aliases']}{pairs}。"
    pairs = ", ".join(f"{_ZH_ALIASES[name]} ({name})" for name in SUBCOMMANDS)
    return f"{_HELP_WORDS[lang]['aliases']} {pairs}."


def _full_help(lang: str) -> str:
    words = _HELP_WORDS[lang]
    lines = [words["title"]]
    lines += [_command_line(lang, key) for key in _HELP_KEYS]
    lines += ["", *_field_lines(lang), ""]
    lines += [words["targets"], words["codes"], words["times"], _alias_line(lang), words["more"]]
    return "\n".join(lines)


def _topic_help(lang: str, topic: str) -> str:
    keys = _DEPT_USAGE_KEYS if topic == "dept" else (topic,)
    lines = [_command_line(lang, key) for key in keys]
    if topic in ("dept", "dept add", "dept set"):
        lines += ["", *_field_lines(lang)]
    lines += [_HELP_WORDS[lang][extra] for extra in _TOPIC_EXTRAS.get(topic, ())]
    return "\n".join(lines)


def help_text(locale: str, topic: str | None = None) -> str:
    """The command list in "en" or "zh", or one topic's help (an unknown topic gets the list)."""
    lang = normalize_locale(locale)
    canonical = canonical_topic(topic)
    if canonical is None or canonical == "help":
        return _full_help(lang)
    return _topic_help(lang, canonical)
