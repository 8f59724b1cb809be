"""What the bot says about meeting minutes: the preview, the filing, the summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.context import CommandStyle
from bot.i18n import register, t, tr
from bot.messages import Message, MessageKind, Rich, Section, join, mention, text
from bot.timefmt import format_instant
from bot.views import ItemView

if TYPE_CHECKING:
    from bot.items.minutes import MinutesLine

register(
    {
        "minutes.title": (
            "From your notes: {n} [[n:item|items]] to file",
            "从纪要中识别出 {n} 项待提交",
        ),
        "minutes.line_todo": (
            "{n}. {owner} {text} (due {due})",
            "{n}. {owner}：{text}（截止 {due}）",
        ),
        "minutes.line_ask": (
            "{n}. request to {dept}: {text} (due {due})",
            "{n}. 向{dept}发起协作请求：{text}（截止 {due}）",
        ),
        "minutes.unreadable": (
            "Not read as items ({n}), fix or leave them:",
            "以下 {n} 行未能识别为事项，可修改后重试或忽略：",
        ),
        "minutes.unreadable_line": ("{n}. “{raw}”: {why}", "{n}. 「{raw}」：{why}"),
        "minutes.no_target": (
            "names no @person or @department",
            "没有写明负责人（@人员）或部门（@部门）",
        ),
        "minutes.no_text": ("says nothing to do", "没有写明要做什么"),
        "minutes.no_due": ("has no due date", "没有写明截止时间"),
        "minutes.bad_due": ("{detail}", "截止时间无法识别：{detail}"),
        "minutes.unknown": (
            "{detail} is neither a department nor anyone the bot knows",
            "{detail} 既不是已登记的部门，也不是已知的人员",
        ),
        "minutes.confirm": (
            "To file them, send `{cmd} minutes confirm` followed by the same notes; fix a line "
            "by changing it, drop one by leaving it out.",
            "确认提交请发送 `{cmd} minutes confirm` 并附上同样的纪要；"
            "修改某行即可更正，删去某行即可不提交。",
        ),
        "minutes.paste": (
            "Paste the notes after the command, one action item a line, each with an @person "
            "or @department and a due date: `{cmd} minutes @wang send the price list by Friday`.",
            "请在命令后粘贴纪要，每行一项，写明 @负责人 或 @部门 及截止时间，如："
            "`{cmd} minutes @王 周五前发报价单`。",
        ),
        "minutes.filed": (
            "Filed {n} [[n:item|items]] from the notes; a summary is posted in the channel.",
            "已根据纪要提交 {n} 项，并在频道中发布了汇总。",
        ),
        "minutes.summary_title": (
            "Action items from the meeting, filed by {actor}",
            "会议行动项（{actor}整理提交）",
        ),
        "minutes.summary_line": (
            "{code} {owner}: {text}, due {due}",
            "{code} {owner}：{text}，截止 {due}",
        ),
        "err.minutes_empty": ("The notes are empty.", "纪要内容为空。"),
        "err.minutes_nothing": (
            "No line of the notes names a person or department and a due date; nothing was filed.",
            "纪要中没有一行同时写明负责人（或部门）和截止时间，未提交任何事项。",
        ),
        "err.minutes_long": (
            "The notes are {length} characters long; the limit is {limit}.",
            "纪要共 {length} 个字符，超过了 {limit} 个字符的上限。",
        ),
        "err.minutes_lines": (
            "The notes have {count} lines; at most {limit} can be filed at once.",
            "纪要共 {count} 行，一次最多提交 {limit} 行。",
        ),
    }
)


def _due(line: MinutesLine, *, tz: str, locale: str) -> str:
    return format_instant(line.due, tz=tz, locale=locale) if line.due else ""


def line_text(line: MinutesLine, *, locale: str, tz: str) -> Rich:
    """One proposed item as a line."""
    due = _due(line, tz=tz, locale=locale)
    if line.department:
        dept = line.department_name or line.department
        return tr(locale, "minutes.line_ask", n=line.number, dept=dept, text=line.text, due=due)
    owner = [mention(line.owner)] if line.owner else [text("?")]
    return tr(locale, "minutes.line_todo", n=line.number, owner=owner, text=line.text, due=due)


def why(line: MinutesLine, locale: str) -> str:
    """Why a line files nothing."""
    return t(locale, line.problem or "", detail=line.detail)


def unreadable_section(lines: Sequence[MinutesLine], *, locale: str) -> Section | None:
    """The lines that file nothing, each with the reason."""
    bad = [line for line in lines if not line.readable]
    if not bad:
        return None
    body: list[Rich] = [[text(t(locale, "minutes.unreadable", n=len(bad)))]]
    for line in bad:
        body.append(
            tr(
                locale,
                "minutes.unreadable_line",
                n=line.number,
                raw=line.raw,
                why=why(line, locale),
            )
        )
    return Section(body=join(body, "\n"))


def preview(lines: Sequence[MinutesLine], *, locale: str, tz: str, style: CommandStyle) -> Message:
    """The proposed items and the lines not read, with how to confirm."""
    good = [line for line in lines if line.readable]
    sections = []
    if good:
        sections.append(
            Section(body=join([line_text(line, locale=locale, tz=tz) for line in good], "\n"))
        )
    bad = unreadable_section(lines, locale=locale)
    if bad is not None:
        sections.append(bad)
    if good:
        sections.append(Section(body=tr(locale, "minutes.confirm", cmd=style.prefix)))
    title: Rich = [text(t(locale, "minutes.title", n=len(good)), bold=True)]
    return Message(kind=MessageKind.REPLY, title=title, sections=sections)


def filed_reply(
    items: Sequence[ItemView], skipped: Sequence[MinutesLine], *, locale: str
) -> Message:
    """The confirmation to the person: how many were filed, and what was not read."""
    sections = [Section(body=tr(locale, "minutes.filed", n=len(items)))]
    bad = unreadable_section(skipped, locale=locale)
    if bad is not None:
        sections.append(bad)
    return Message(kind=MessageKind.REPLY, sections=sections)


def summary(items: Sequence[ItemView], *, actor: str, locale: str, tz: str) -> Message:
    """The one message in the channel: every item with its owner (or department) and due."""
    lines: list[Rich] = []
    for view in items:
        owner: Rich = (
            [mention(view.owner_id)]
            if view.owner_id
            else [text(view.department_name or view.department_key or "")]
        )
        due = format_instant(view.due_at, tz=tz, locale=locale) if view.due_at else ""
        lines.append(
            tr(locale, "minutes.summary_line", code=view.code, owner=owner, text=view.text, due=due)
        )
    title = tr(locale, "minutes.summary_title", actor=mention(actor))
    return Message(kind=MessageKind.NOTE, title=title, sections=[Section(body=join(lines, "\n"))])
