"""The words of the /xdept grammar: subcommands in English and Chinese, and their usage lines.

Usage lines carry no prefix: :class:`~bot.context.CommandStyle` puts the
platform's own ("/xdept", "@xdept") in front when they are shown.
"""

from __future__ import annotations

__all__ = [
    "DEPT_SUBCOMMANDS",
    "DEPT_USAGE_KEYS",
    "SUBCOMMANDS",
    "USAGE",
    "WORKSPACE_USAGE_KEYS",
    "ZH_ALIASES",
    "ZH_DEPT_ALIASES",
    "lookup_dept_subcommand",
    "lookup_subcommand",
    "usage_lines",
]

# Canonical subcommands in the order help lists them.
SUBCOMMANDS: tuple[str, ...] = (
    "ask", "commit", "todo", "list", "show", "ack", "done", "decline", "cancel", "reopen",
    "snooze", "escalate", "due", "assign", "status", "update", "edit", "move", "history",
    "minutes",
    "dept", "away", "back", "lang", "export", "summary", "workspace", "help",
)  # fmt: skip
DEPT_SUBCOMMANDS: tuple[str, ...] = ("add", "list", "show", "set", "remove")

ZH_ALIASES: dict[str, str] = {
    "ask": "请求", "commit": "承诺", "todo": "待办", "list": "列表", "show": "查看",
    "ack": "确认", "done": "完成", "decline": "拒绝", "cancel": "取消", "reopen": "重开",
    "snooze": "稍后提醒", "escalate": "升级", "due": "截止", "assign": "转交", "dept": "部门",
    "away": "请假", "back": "回来", "export": "导出", "summary": "周报", "help": "帮助",
    "status": "状态", "update": "进展", "edit": "修改", "move": "转部门", "history": "历史",
    "minutes": "纪要", "lang": "语言", "workspace": "工作区",
}  # fmt: skip
ZH_DEPT_ALIASES: dict[str, str] = {
    "add": "添加", "list": "列表", "show": "查看", "set": "设置", "remove": "删除",
}  # fmt: skip

_SUBCOMMAND_WORDS: dict[str, str] = {
    **{name: name for name in SUBCOMMANDS},
    **{alias: name for name, alias in ZH_ALIASES.items()},
    # People reach for "?" when lost; it should not be an error.
    "?": "help", "？": "help",
    # The full words of the vocabulary, as people also type them.
    "确认收到": "ack", "已完成": "done", "协作请求": "ask", "行动项": "todo",
    "移交": "move", "会议纪要": "minutes", "progress": "update", "language": "lang",
    "状态汇报": "status",
}  # fmt: skip
_DEPT_WORDS: dict[str, str] = {
    **{name: name for name in DEPT_SUBCOMMANDS},
    **{alias: name for name, alias in ZH_DEPT_ALIASES.items()},
}


def lookup_subcommand(word: str) -> str | None:
    """The canonical subcommand for a folded word (English or Chinese), or None."""
    return _SUBCOMMAND_WORDS.get(word)


def lookup_dept_subcommand(word: str) -> str | None:
    """The canonical `dept` subcommand for a folded word, or None."""
    return _DEPT_WORDS.get(word)


USAGE: dict[str, str] = {
    "ask": "ask @dept <text> [by <when>]",
    "commit": "commit <text> [by <when>]",
    "todo": "todo @person <text> [by <when>]",
    "list": "list [mine|asked|dept <key>|overdue] [page <n>]",
    "show": "show XD-12",
    "ack": "ack XD-12",
    "done": "done XD-12",
    "decline": "decline XD-12 <why>",
    "cancel": "cancel XD-12",
    "reopen": "reopen XD-12",
    "snooze": "snooze XD-12 <when>",
    "escalate": "escalate XD-12",
    "due": "due XD-12 <when>",
    "assign": "assign XD-12 @person",
    "status": "status XD-12 [background: … current: … impact: … suggest: …]",
    "update": "update XD-12 <progress>",
    "edit": "edit XD-12 <text> [impact: …] [suggest: …]",
    "move": "move XD-12 @dept",
    "history": "history XD-12 [page <n>]",
    "minutes": "minutes [confirm] [<notes: one item a line, with @person or @dept and a date>]",
    "lang": "lang zh|en",
    "dept add": (
        "dept add <key> #channel lead:@a [lead:@b] escalate:@c "
        "[tz:Asia/Shanghai] [name:物流部] [alias:物流]"
    ),
    "dept list": "dept list",
    "dept show": "dept show <key>",
    "dept set": "dept set <key> <field>:<value> [<field>:<value> ...]",
    "dept remove": "dept remove <key>",
    "away": "away <when>",
    "back": "back",
    "export": "export [dept <key>] [since <when>]",
    "summary": "summary",
    "workspace": "workspace [show]",
    "workspace set": (
        "workspace set [summary:#channel] [tz:Asia/Shanghai] [locale:zh] [admin:@a] [-admin:@b]"
    ),
    "help": "help [<command>]",
}

DEPT_USAGE_KEYS = tuple(f"dept {sub}" for sub in DEPT_SUBCOMMANDS)
WORKSPACE_USAGE_KEYS = ("workspace", "workspace set")


def usage_lines(topic: str) -> tuple[str, ...]:
    """The usage lines of a canonical topic ("ask", "dept", "dept add"...)."""
    if topic == "dept":
        return tuple(USAGE[key] for key in DEPT_USAGE_KEYS)
    if topic.startswith("workspace"):
        return tuple(USAGE[key] for key in WORKSPACE_USAGE_KEYS)
    return (USAGE.get(topic, USAGE["help"]),)
