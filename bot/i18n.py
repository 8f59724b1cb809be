"""The bot's words in English and workplace Chinese, by key."""

from __future__ import annotations

import re
from typing import Any

from bot.context import CommandStyle
from bot.messages import CommandSpan, Rich, fill

# Texts that show a command (`{cmd} due XD-1 <when>`) show it this way unless told otherwise.
DEFAULT_STYLE = CommandStyle.SLASH

_T: dict[str, tuple[str, str]] = {
    # -- refusals ----------------------------------------------------------------------------
    "err.ack_who": (
        "Only the owner of {code} or a member of {dept} can acknowledge it. If you work in "
        "{dept}, ask an admin to add you: `{cmd} dept set {dept} member:@you`.",
        "只有 {code} 的负责人或 {dept} 部门的成员可以确认收到。如果你在 {dept} 部门，"
        "请管理员添加你：`{cmd} dept set {dept} member:@你`。",
    ),
    "err.ack_owner_only": (
        "Only the owner of {code} can acknowledge it.",
        "只有 {code} 的负责人可以确认收到。",
    ),
    "err.status_who": (
        "Only the requester, the owner or a member of the department can {action} {code}.",
        "只有提出人、负责人或目标部门的成员可以对 {code} 执行{action}。",
    ),
    "err.edit_who": (
        "Only the person who filed {code} can edit its text.",
        "只有 {code} 的提出人可以修改内容。",
    ),
    "err.text_too_long": (
        "That text is {length} characters long; the limit is {limit}. Shorten it and try "
        "again (details can follow in the item's thread); nothing was changed.",
        "内容共 {length} 个字符，超过了 {limit} 个字符的上限。请精简后重试（详细内容可以在事项的"
        "讨论串里补充），本次未做任何更改。",
    ),
    "err.ack_own": (
        "You filed {code}, so you can't acknowledge it yourself; the department will.",
        "{code} 是你提交的，不能由你自己确认收到，请等对方部门确认。",
    ),
    "err.done_who": (
        "Only a lead of the target department, the owner or the requester can mark {code} done.",
        "只有目标部门的部门负责人、该事项的负责人或提出人可以将 {code} 标记为已完成。",
    ),
    "err.decline_who": (
        "Only a lead of the target department or the owner can decline {code}.",
        "只有目标部门的部门负责人或该事项的负责人可以拒绝 {code}。",
    ),
    "err.cancel_who": (
        "Only the person who filed {code} can cancel it.",
        "只有 {code} 的提出人可以取消它。",
    ),
    "err.reopen_who": (
        "Only the requester, the owner or a lead can reopen {code}.",
        "只有提出人、负责人或部门负责人可以重新打开 {code}。",
    ),
    "err.reopen_open": (
        "{code} is {status}, not closed; there is nothing to reopen.",
        "{code} 当前状态为「{status}」，并未关闭，无需重新打开。",
    ),
    "err.change_who": (
        "Only the requester, the owner or a lead can {action} {code}.",
        "只有提出人、负责人或部门负责人可以对 {code} 执行 {action}。",
    ),
    "err.escalate_who": (
        "Only the person who filed {code} can escalate it.",
        "只有 {code} 的提出人可以升级。",
    ),
    "err.escalate_twice": (
        "{code} has already been escalated once; the escalation contact has the details. "
        "Follow up with them directly.",
        "{code} 已经升级过一次，升级对象已收到完整信息，请直接与其跟进。",
    ),
    "err.closed": (
        "{code} is already {status}; {action} works on open items. "
        "Use `{cmd} reopen {code}` first if it needs more work.",
        "{code} 已是「{status}」状态，无法{action}。如需继续处理，请先 `{cmd} reopen {code}`。",
    ),
    "err.no_item": (
        "There is no {code} that you can see. `{cmd} list` shows your items.",
        "没有找到你可查看的 {code}。用 `{cmd} list` 查看你的事项。",
    ),
    "err.unknown_dept": (
        "I don't know a department called “{name}”. Known departments: {known}.",
        "没有名为「{name}」的部门。已登记的部门：{known}。",
    ),
    "err.unknown_dept_close": (
        "I don't know a department called “{name}”. Did you mean @{close}? "
        "Known departments: {known}.",
        "没有名为「{name}」的部门，你是不是想找 @{close}？已登记的部门：{known}。",
    ),
    "err.no_departments": (
        "I don't know a department called “{name}”, and none is registered yet. An admin can add "
        "one: `{cmd} dept add <key> #channel lead:@person`.",
        "没有名为「{name}」的部门，目前还没有登记任何部门。管理员可用 "
        "`{cmd} dept add <key> #频道 lead:@部门负责人` 添加。",
    ),
    "err.target_is_person": (
        "“{name}” is a person, not a department. Ask a department with `{cmd} ask @dept ...`, "
        "or give a person an action item with `{cmd} todo @person ...`.",
        "「{name}」是个人而不是部门。向部门提协作请求用 `{cmd} ask @部门 ...`，"
        "给个人布置待办用 `{cmd} todo @某人 ...`。",
    ),
    "err.not_a_person": (
        "“{name}” is not a person. Mention someone, e.g. `@alice`.",
        "「{name}」不是一个人，请 @ 具体的同事，例如 `@alice`。",
    ),
    "err.no_channel": (
        "I can't tell which channel to track this in; type the command in a channel.",
        "无法确定在哪个频道跟踪此事项，请在频道中输入命令。",
    ),
    "err.empty_text": (
        "Say what needs doing, e.g. `{cmd} ask @logistics fix the pallet labels by Friday`.",
        "请写明需要做什么，例如 `{cmd} ask @物流 修正托盘标签 周五前`。",
    ),
    "err.due_unreadable": (
        "I couldn't read “{text}” as a date. Try `Friday`, `tomorrow 5pm`, `2026-12-01`, "
        "`周五前` or `明天下午3点`.",
        "无法把「{text}」识别为日期。可以写 `周五前`、`明天下午3点`、`12月1日`、"
        "`Friday` 或 `2026-12-01`。",
    ),
    "err.due_conflict": (
        "“{text}” does not add up: the date means {date}, the weekday {weekday} ({tz}). "
        "Write the day you mean; nothing was changed.",
        "「{text}」前后对不上：按日期是 {date}，按星期是 {weekday}（{tz}）。请写明是哪一天，"
        "本次未做任何更改。",
    ),
    "err.due_past": (
        "“{text}” means {at} ({tz}), which is already past. Give a time in the future; "
        "nothing was changed.",
        "「{text}」对应 {at}（{tz}），已经过去了。请给出将来的时间，本次未做任何更改。",
    ),
    "err.decline_reason": (
        "Say why you decline, e.g. `{cmd} decline {code} not our team, try finance`.",
        "请写明拒绝原因，例如 `{cmd} decline {code} 不归我们部门，请找财务`。",
    ),
    "err.snooze_range": (
        "“{text}” is not a snooze I can set; use 1 to 60 work days or a date.",
        "无法设置「{text}」的稍后提醒，请使用 1 到 60 个工作日或具体日期。",
    ),
    "err.no_escalation_contact": (
        "{code} can't be escalated: department {dept} has no escalation contact. An admin can "
        "set one with `{cmd} dept set {dept} escalate:@manager`.",
        "{code} 无法升级：部门 {dept} 未设置升级对象。管理员可用 "
        "`{cmd} dept set {dept} escalate:@上级` 设置。",
    ),
    "err.admin_only": (
        "Only workspace admins can change this (XDEPT_ADMINS, or `/xdept workspace set "
        "admin:@x`). Ask one of: {admins}.",
        "只有工作区管理员可以修改此设置（见 XDEPT_ADMINS 或 `/xdept workspace set admin:@x`）。"
        "请联系：{admins}。",
    ),
    "err.dept_exists": (
        "Department {key} already exists. Change it with `{cmd} dept set {key} field:value`.",
        "部门 {key} 已存在。如需修改请用 `{cmd} dept set {key} 字段:值`。",
    ),
    "err.dept_needs_channel": (
        "Department {key} needs a channel: `{cmd} dept add {key} #channel lead:@person`.",
        "部门 {key} 需要指定频道：`{cmd} dept add {key} #频道 lead:@部门负责人`。",
    ),
    "err.dept_needs_lead": (
        "Department {key} needs at least one lead (lead:@person), who is nudged for it.",
        "部门 {key} 至少需要一位部门负责人（lead:@某人），催办会提醒他们。",
    ),
    "err.dept_last_lead": (
        "{key} must keep at least one lead; add another before removing @{user}.",
        "{key} 至少需要保留一位部门负责人，请先添加其他部门负责人再移除 @{user}。",
    ),
    "err.dept_has_open": (
        "Department {key} still has {count} open [[count:item|items]]: {codes}. "
        "Close or reassign them first.",
        "部门 {key} 还有 {count} 个未关闭事项：{codes}。请先关闭或转交。",
    ),
    "err.alias_taken": (
        "The alias “{alias}” already belongs to department {key}.",
        "别名「{alias}」已被部门 {key} 使用。",
    ),
    "err.bad_field": (
        "{field}:{value} is not valid: {why}",
        "{field}:{value} 无效：{why}",
    ),
    "err.dept_field_not_here": (
        "{field} can't be removed; set a new value instead.",
        "{field} 不能移除，请直接设置新值。",
    ),
    "err.away_past": (
        "“{text}” is already past; give the date you are back, e.g. `{cmd} away next Monday`.",
        "「{text}」已经过去了，请给出返回日期，例如 `{cmd} away 下周一`。",
    ),
    # -- words -------------------------------------------------------------------------------
    "status.open": ("open", "待处理"),
    "status.acknowledged": ("acknowledged", "已确认"),
    "status.done": ("done", "已完成"),
    "status.declined": ("declined", "已拒绝"),
    "status.cancelled": ("cancelled", "已取消"),
    "kind.request": ("Request", "协作请求"),
    "kind.commitment": ("Commitment", "承诺"),
    "kind.action": ("Action item", "待办"),
    "action.ack": ("acknowledge", "确认收到"),
    "action.done": ("mark done", "标记完成"),
    "action.decline": ("decline", "拒绝"),
    "action.cancel": ("cancel", "取消"),
    "action.due": ("change the due time of", "修改截止时间"),
    "action.assign": ("reassign", "转交"),
    "action.snooze": ("snooze", "稍后提醒"),
    "action.escalate": ("escalate", "升级"),
    "label.requester": ("Requester", "提出人"),
    "label.target": ("Department", "目标部门"),
    "label.owner": ("Owner", "负责人"),
    "label.due": ("Due", "截止时间"),
    "label.status": ("Status", "状态"),
    "label.created": ("Created", "创建时间"),
    "label.first_response": ("First response", "首次响应"),
    "label.kind": ("Kind", "类型"),
    "label.snoozed": ("Snoozed until", "稍后提醒至"),
    "label.source": ("Source", "来源"),
    "label.background": ("Background", "背景"),
    "label.impact": ("Impact", "影响"),
    "label.suggestion": ("Suggestion", "建议"),
    "label.current": ("Current state", "现状"),
    "label.reason": ("Reason", "原因"),
    "label.updates": ("Latest updates", "最近动态"),
    "value.none": ("—", "—"),
    "value.no_due": ("no due date", "未设截止时间"),
    "value.unowned": ("not yet taken", "尚未认领"),
    "value.not_yet": ("none yet", "暂无"),
    "button.ack": ("Acknowledge", "确认收到"),
    "button.done": ("Done", "已完成"),
    "button.snooze": ("Snooze 1 day", "稍后提醒（1天）"),
    "button.decline": ("Decline", "拒绝"),
    "button.escalate": ("Escalate", "升级"),
    "update.created": ("filed", "提交"),
    "update.acknowledged": ("acknowledged", "确认收到"),
    "update.reply": ("replied", "回复"),
    "update.due_changed": ("changed the due time", "修改了截止时间"),
    "update.reassigned": ("reassigned", "转交"),
    "update.snoozed": ("snoozed", "设置稍后提醒"),
    "update.nudged": ("nudged", "催办"),
    "update.escalation_suggested": ("suggested escalation", "建议升级"),
    "update.escalated": ("escalated", "已升级"),
    "update.done": ("marked done", "标记完成"),
    "update.declined": ("declined", "拒绝"),
    "update.cancelled": ("cancelled", "取消"),
    "update.reopened": ("reopened", "重新打开"),
    "update.edited": ("edited the text", "修改了内容"),
    "update.moved": ("moved it", "转至其他部门"),
    "update.progress": ("noted progress", "更新进展"),
    "update.status": ("posted a status", "发布了状态汇报"),
    # -- replies and notes -------------------------------------------------------------------
    "reply.filed": ("Filed {code} for {target}.", "已提交 {code}，对象：{target}。"),
    "reply.filed_due": (
        "Filed {code} for {target}, due {due}.",
        "已提交 {code}，对象：{target}，截止时间 {due}。",
    ),
    "reply.no_due_hint": (
        "No due date was given; set one with `{cmd} due {code} <when>` so follow-ups can run.",
        "未设置截止时间；可用 `{cmd} due {code} <时间>` 设置，以便按时跟进。",
    ),
    "reply.no_impact_hint": (
        "No impact was given: what does it block, and for whom? Add it with "
        "`{cmd} edit {code} impact: <what it blocks>` (a suggestion with `suggest: <what>`); "
        "an escalation quotes both. Next time type them after the request.",
        "未说明影响：这件事卡住了什么、影响到谁？可用 `{cmd} edit {code} 影响：<影响范围>` 补充"
        "（建议可用 `建议：<你的建议>`），升级时会一并附上。下次可以直接写在请求内容后面。",
    ),
    "reply.link": ("Tracking message: {link}", "跟踪消息：{link}"),
    "reply.changed": ("{code} is now {status}.", "{code} 当前状态：{status}。"),
    "reply.due_set": ("{code} is now due {due}.", "{code} 的截止时间已改为 {due}。"),
    "reply.assigned": ("{code} is now owned by {owner}.", "{code} 已转交给{owner}。"),
    "reply.snoozed": (
        "{code} is snoozed until {until}; reminders wait until then.",
        "{code} 已设置稍后提醒，{until} 前不再催办。",
    ),
    "reply.escalated": (
        "{code} was escalated to {contact} with the background, current state, impact and "
        "suggestion.",
        "{code} 已升级给{contact}，附背景、现状、影响和建议。",
    ),
    "reply.away": (
        "You are away until {until}: no prompts for you, and nudges go to your lead.",
        "已记录你外出至 {until}：期间不再提醒你，催办会转给你的部门负责人。",
    ),
    "reply.back": ("Welcome back: reminders are on again.", "欢迎回来，提醒已恢复。"),
    "reply.lang": (
        "From now on I will write to you in English.",
        "好的，之后我会用中文和你沟通。",
    ),
    "reply.dept_added": ("Department {key} ({name}) added.", "已添加部门 {key}（{name}）。"),
    "reply.dept_updated": ("Department {key} updated.", "部门 {key} 已更新。"),
    "reply.dept_removed": ("Department {key} removed.", "部门 {key} 已删除。"),
    "reply.export": (
        "Exported {rows} [[rows:item|items]] and their {updates} [[updates:update|updates]]; "
        "two CSV files (items, updates) are on their way to you in a direct message.",
        "已导出 {rows} 个事项及其 {updates} 条动态，两个 CSV 文件（事项、动态）已通过私信发给你。",
    ),
    "reply.nothing": ("Nothing to show.", "暂无内容。"),
    "note.status": (
        "{requester} {code} is now {status} ({actor}).",
        "{requester} {code} 状态更新为「{status}」（{actor}）。",
    ),
    "note.declined": (
        "{requester} {code} was declined by {actor}: {reason}",
        "{requester} {code} 被{actor}拒绝，原因：{reason}",
    ),
    "note.due": (
        "{requester} {code} is now due {due} ({actor}).",
        "{requester} {code} 的截止时间改为 {due}（{actor}）。",
    ),
    "note.assigned": (
        "{requester} {code} is now owned by {owner} ({actor}).",
        "{requester} {code} 已转交给{owner}（{actor}）。",
    ),
    "note.escalated": (
        "{code} was escalated to {contact} by {actor}.",
        "{code} 已由{actor}升级给{contact}。",
    ),
    "list.title": (
        "{scope}: {total} [[total:item|items]], page {page} of {pages}",
        "{scope}：共 {total} 项，第 {page}/{pages} 页",
    ),
    "list.more": (
        "More: `{cmd} list {scope} page {next}`",
        "下一页：`{cmd} list {scope} page {next}`",
    ),
    "scope.mine": ("My open items", "我的待办事项"),
    "scope.asked": ("What I asked of others", "我发起的请求"),
    "scope.overdue": ("Overdue", "已逾期"),
    "dept.open": (
        "Only its leads are known members, so anyone but the requester may acknowledge its "
        "requests. Bind its user group to change that: `{cmd} dept set {key} usergroup:@team` "
        "(or add people with member:@x).",
        "目前只登记了部门负责人，因此除提出人外任何人都可以确认收到该部门的请求。"
        "建议绑定部门用户组：`{cmd} dept set {key} usergroup:@用户组`"
        "（或用 member:@某人 添加成员）。",
    ),
    "dept.title": ("Departments", "部门列表"),
    "dept.gone": (
        "Left the workspace: {people}. They are treated as away for good (their nudges go "
        "to the leads); remove them with `{cmd} dept set <key> -lead:@x` or `-member:@x`.",
        "已离开工作区：{people}。视为长期不在（催办转给部门负责人）；可用 "
        "`{cmd} dept set <key> -lead:@x` 或 `-member:@x` 移除。",
    ),
    "dept.none": (
        "No departments yet. Add one: `{cmd} dept add <key> #channel lead:@person`.",
        "还没有部门。添加：`{cmd} dept add <key> #频道 lead:@部门负责人`。",
    ),
}


# "[[n:item|items]]": the singular when the param n is 1, else the plural (English counts).
_PLURAL = re.compile(r"\[\[(\w+):([^|\]]*)\|([^\]]*)\]\]")


def plural(template: str, params: dict[str, Any]) -> str:
    """The template with each `[[n:one|many]]` chosen by the number in param n."""

    def choose(match: re.Match[str]) -> str:
        value = params.get(match.group(1))
        try:
            one = float(str(value)) == 1
        except ValueError:
            one = False
        return match.group(2) if one else match.group(3)

    return _PLURAL.sub(choose, template)


def t(locale: str, key: str, /, **params: Any) -> str:
    """The text for a key in 'en' or 'zh' with `{name}` params filled; unknown keys show the key."""
    pair = _T.get(key)
    if pair is None:
        return key
    template = plural(pair[1] if locale == "zh" else pair[0], params)
    try:
        return template.format(**{"cmd": DEFAULT_STYLE.prefix, **params})
    except (KeyError, IndexError):
        return template


def tr(locale: str, key: str, /, **params: Any) -> Rich:
    """Like t(), but params may be spans (mentions, links, dates)."""
    pair = _T.get(key)
    template = key if pair is None else (pair[1] if locale == "zh" else pair[0])
    # Without a style given, the adapter that renders the text puts in its own.
    return fill(
        plural(template, params),
        **{"cmd": CommandSpan(fallback=DEFAULT_STYLE.prefix), **params},
    )


def has(key: str) -> bool:
    """True if the key has a text."""
    return key in _T


def register(entries: dict[str, tuple[str, str]]) -> None:
    """Add texts from another module (the scheduler's messages)."""
    _T.update(entries)
