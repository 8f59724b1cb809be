"""Why a command could not be read: stable error codes and their text in English and Chinese."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bot.commands.words import USAGE
from bot.context import CommandStyle

__all__ = ["CommandError", "ErrorCode", "normalize_locale"]


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
    UNKNOWN_SETTING = "unknown_setting"
    BAD_SETTING = "bad_setting"
    CANNOT_REMOVE_SETTING = "cannot_remove_setting"


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
        ErrorCode.UNKNOWN_SETTING: (
            'Unknown workspace setting "{value}".{hint} Settings: {choices}.'
        ),
        ErrorCode.BAD_SETTING: (
            'Could not read "{value}": write workspace settings as setting:value, '
            "like tz:Asia/Shanghai or summary:#weekly."
        ),
        ErrorCode.CANNOT_REMOVE_SETTING: (
            'Cannot remove "{value}": only admins can be removed (-admin:@x); '
            "set summary, tz or locale to default instead."
        ),
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
        ErrorCode.UNKNOWN_SETTING: "无法识别工作区设置“{value}”。{hint}可用设置：{choices}。",
        ErrorCode.BAD_SETTING: (
            "无法识别“{value}”：工作区设置请写成“设置:值”，如 tz:Asia/Shanghai 或 summary:#周报。"
        ),
        ErrorCode.CANNOT_REMOVE_SETTING: (
            "无法移除“{value}”：只有管理员可以移除（-admin:@x）；"
            "汇总频道、时区和语言请设为 default 恢复默认。"
        ),
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
        "progress": "progress note",
        "text": "new text",
    },
    "zh": {
        "department": "目标部门，如 @物流",
        "person": "人员，如 @张三",
        "usergroup": "用户组，如 @logistics-team",
        "channel": "频道，如 #logistics",
        "request": "协作请求",
        "commitment": "承诺",
        "action": "待办",
        "progress": "进展",
        "text": "新内容",
    },
}

# What a target turned out to be, for {actual}.
_KINDS: dict[str, dict[str, str]] = {
    "en": {
        "person": "a person",
        "group": "a user group",
        "chat": "a channel",
        "name": "a name",
    },
    "zh": {"person": "人员", "group": "用户组", "chat": "频道", "name": "名称"},
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
        "summary": "a channel, like #weekly, or default",
        "admin": "a person, like @alice",
        "lang": "zh or en",
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
        "summary": "频道，如 #周报，或 default 恢复默认",
        "admin": "人员，如 @张三",
        "lang": "zh 或 en",
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

    def render(self, locale: str, style: CommandStyle = CommandStyle.SLASH) -> str:
        """The full message in "en" or "zh": what went wrong, quoting the input, then usage."""
        lang = normalize_locale(locale)
        message = _ERRORS[lang][self.code].format_map(self._fill(lang))
        usage = "\n".join(f"`{style.line(line)}`" for line in self.usage)
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
