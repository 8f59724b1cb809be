"""The reminder messages: due-soon, overdue, unanswered (in the thread) and the escalation offer."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.compose import due_span, when_span
from bot.domain import Reaction
from bot.i18n import register, t, tr
from bot.messages import (
    Button,
    ButtonAction,
    LinkSpan,
    Message,
    MessageKind,
    Rich,
    Section,
    join,
    mention,
    reaction,
    text,
)
from bot.timefmt import format_duration
from scheduler.facts import DeptInfo, ItemRow
from scheduler.rules import MAX_OVERDUE

register(
    {
        "nudge.due_soon": (
            "⏰ {who} {code} is due {due}: “{text}”. Reply here with where it stands, or move "
            "the date with `{cmd} due {code} <when>`.",
            "⏰ {who} {code} 将于 {due} 到期：「{text}」。请在此回复进展，或用 "
            "`{cmd} due {code} <时间>` 调整截止时间。",
        ),
        "nudge.overdue": (
            "🔴 {who} {code} is overdue: it was due {due}, {late} ago. Follow-up {n} of {max}: "
            "reply here with where it stands, set a new date with `{cmd} due {code} <when>`, "
            "or mark it done.",
            "🔴 {who} {code} 已逾期：截止时间 {due}，已超过 {late}。第 {n}/{max} 次跟进："
            "请在此回复进展，用 `{cmd} due {code} <时间>` 设定新的截止时间，或标记完成。",
        ),
        "nudge.overdue_now": (
            "🔴 {who} {code} is now overdue: it was due {due}. Follow-up {n} of {max}: reply "
            "here with where it stands, set a new date with `{cmd} due {code} <when>`, or mark "
            "it done.",
            "🔴 {who} {code} 已到截止时间（{due}），现已逾期。第 {n}/{max} 次跟进：请在此回复"
            "进展，用 `{cmd} due {code} <时间>` 设定新的截止时间，或标记完成。",
        ),
        "nudge.unanswered": (
            "👋 {who} {code} from {requester} has had no response for {hours} business hours: "
            "“{text}”. Please acknowledge it (react with {ack} or use the Acknowledge button) "
            "or reply in this thread with who will handle it.",
            "👋 {who} {requester}提交的 {code} 已 {hours} 个工作小时无人响应：「{text}」。"
            "请确认收到（用 {ack} 表情回复，或点「确认收到」按钮），或在此讨论串回复由谁负责。",
        ),
        "suggest.title": (
            "{code} is still waiting: escalate it?",
            "{code} 仍在等待，是否升级？",
        ),
        "suggest.asked": (
            "You asked {target} on {created}: “{text}”",
            "你于 {created} 向{target}提出：「{text}」",
        ),
        "suggest.unanswered": (
            "Nobody has answered for {hours} business hours; the department was nudged "
            "{nudges} [[nudges:time|times]].",
            "已 {hours} 个工作小时无人响应，机器人已催办该部门 {nudges} 次。",
        ),
        "suggest.answered": (
            "It was acknowledged, but it is {late} past its due time ({due}).",
            "对方已确认收到，但已超过截止时间（{due}）{late}。",
        ),
        "suggest.late": (
            " It is {late} past its due time ({due}).",
            "已超过截止时间（{due}）{late}。",
        ),
        "suggest.offer": (
            "Escalate sends {contact}, the department's escalation contact, the background, "
            "current state, impact and suggestion, with a link to the thread. You can escalate "
            "once, now or later with `{cmd} escalate {code}`.",
            "点击「升级」会把背景、现状、影响和建议连同讨论串链接发给该部门的升级对象{contact}。"
            "每个事项只能升级一次，也可以稍后用 `{cmd} escalate {code}` 升级。",
        ),
        "suggest.thread": ("Thread: {link}", "讨论串：{link}"),
    }
)


def _short(value: str, limit: int = 200) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _people(user_ids: list[str]) -> Rich:
    return join([[mention(u)] for u in user_ids], " ")


def hours_text(seconds: float) -> str:
    """Whole business hours waited, rounded down ('8' at 8 h 6 min); tenths below an hour."""
    hours = seconds / 3600
    return str(int(hours)) if hours >= 1 else f"{hours:.1f}"


def due_soon(item: ItemRow, *, who: list[str], tz: str, locale: str, now: datetime) -> Message:
    """The nudge one work day before the due time, in the item's thread."""
    assert item.due_at is not None
    body = tr(
        locale,
        "nudge.due_soon",
        who=_people(who),
        code=item.code,
        due=due_span(item.due_at, now=now, tz=tz, locale=locale),
        text=text(_short(item.text)),
    )
    return Message(kind=MessageKind.DUE_SOON, sections=[Section(body=body)])


def overdue(
    item: ItemRow, *, who: list[str], slot: int, tz: str, locale: str, now: datetime
) -> Message:
    """The n-th overdue follow-up, in the item's thread."""
    assert item.due_at is not None
    late = max(now - item.due_at, timedelta(0))
    body = tr(
        locale,
        "nudge.overdue" if late >= timedelta(minutes=1) else "nudge.overdue_now",
        who=_people(who),
        code=item.code,
        due=when_span(item.due_at, tz=tz, locale=locale),
        late=format_duration(late, locale=locale),
        n=slot,
        max=MAX_OVERDUE,
    )
    return Message(kind=MessageKind.OVERDUE, sections=[Section(body=body)])


def unanswered(item: ItemRow, *, who: list[str], waited_seconds: float, locale: str) -> Message:
    """The nudge to the department's leads for a request nobody answered."""
    body = tr(
        locale,
        "nudge.unanswered",
        who=_people(who),
        code=item.code,
        requester=mention(item.requester_id),
        hours=hours_text(waited_seconds),
        text=text(_short(item.text)),
        ack=reaction(Reaction.ACKNOWLEDGE),
    )
    return Message(kind=MessageKind.UNANSWERED, sections=[Section(body=body)])


def escalation_suggestion(
    item: ItemRow,
    dept: DeptInfo,
    *,
    waited_seconds: float,
    nudges: int,
    tz: str,
    locale: str,
    now: datetime,
) -> Message:
    """The private offer to the requester, with the facts and the Escalate button."""
    target = dept.name + (f" (@{dept.key})" if dept.name != dept.key else "")
    asked = tr(
        locale,
        "suggest.asked",
        target=text(target),
        created=when_span(item.created_at, tz=tz, locale=locale),
        text=text(_short(item.text, 300)),
    )
    late: Rich = []
    if item.due_at is not None and item.due_at < now:
        late_text = format_duration(now - item.due_at, locale=locale)
        late_due = when_span(item.due_at, tz=tz, locale=locale)
        if item.first_response_at is not None:
            late = tr(locale, "suggest.answered", late=late_text, due=late_due)
        else:
            late = tr(locale, "suggest.late", late=late_text, due=late_due)
    state: Rich = []
    if item.first_response_at is None:
        state = tr(locale, "suggest.unanswered", hours=hours_text(waited_seconds), nudges=nudges)
    state += late
    contact = dept.escalation_contact_id or ""
    offer = tr(locale, "suggest.offer", contact=mention(contact), code=item.code)
    context: Rich = []
    if item.permalink:
        context = tr(locale, "suggest.thread", link=LinkSpan(url=item.permalink, label=item.code))
    return Message(
        kind=MessageKind.ESCALATION_SUGGESTION,
        title=[text(t(locale, "suggest.title", code=item.code), bold=True)],
        sections=[Section(body=asked), Section(body=state), Section(body=offer)],
        buttons=[
            Button(
                action=ButtonAction.ESCALATE,
                label=t(locale, "button.escalate"),
                value=item.code,
                style="danger",
            )
        ],
        context=context,
    )
