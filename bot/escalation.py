"""The escalation message: background, current state, impact, suggestion, with the facts."""

from __future__ import annotations

from datetime import datetime

from bot.calendar import WorkCalendar
from bot.compose import person, target_of, when_span
from bot.domain import UpdateKind
from bot.i18n import register, t, tr
from bot.messages import LinkSpan, Message, MessageKind, Rich, Section, join, mention, text
from bot.timefmt import format_duration
from bot.views import ItemView

register(
    {
        "esc.title": ("Escalation: {code} needs your help", "升级：{code} 需要你的协助"),
        "esc.background": (
            "{requester} asked {target} on {created}: “{text}”",
            "{requester}于 {created} 向{target}提出：「{text}」",
        ),
        "esc.background_due": (" It was due {due}.", "截止时间为 {due}。"),
        "esc.extra_background": (
            "Context from the requester: {background}",
            "提出人补充的背景：{background}",
        ),
        "esc.state_none": (
            "No one has answered yet: no reply in the thread and no acknowledgement. "
            "Nudges sent: {nudges}.",
            "至今无人响应：讨论串中没有回复，也没有确认收到。机器人已催办 {nudges} 次。",
        ),
        "esc.state_first": (
            "First response from {who} after {after} business hours; status now {status}.",
            "{who}在 {after} 个工作小时后首次响应；当前状态：{status}。",
        ),
        "esc.state_events": ("What happened since:", "此后的进展："),
        "esc.state_event": ("• {when} {who} {what}", "• {when}，{who}{what}"),
        "esc.state_earlier": ("… and {n} earlier.", "……及更早的 {n} 条。"),
        "esc.bot": ("the bot", "机器人"),
        "esc.impact": (
            "Waiting {waited} business hours since it was filed.",
            "自提交起已等待 {waited} 个工作小时。",
        ),
        "esc.impact_late": (
            " It is {late} past its due time ({hours} business hours).",
            "已超过截止时间 {late}（{hours} 个工作小时）。",
        ),
        "esc.impact_extra": ("\nWhat it blocks: {impact}", "\n影响范围：{impact}"),
        "esc.impact_unknown": (
            "\nWhat it blocks: not stated; {requester} can tell.",
            "\n影响范围：提出人未说明，可向{requester}了解。",
        ),
        "esc.suggestion_default": (
            "Please make sure {target} names an owner and answers in the thread, or tells "
            "{requester} who should handle it.",
            "请协调{target}指定负责人并在讨论串中回复，或告知{requester}应由谁处理。",
        ),
        "esc.link": ("Thread: {link}", "讨论串：{link}"),
    }
)


def escalation_message(
    view: ItemView, *, contact: str, locale: str, now: datetime, calendar: WorkCalendar
) -> Message:
    """The four-part message for the escalation contact, with a link to the thread."""
    tz = calendar.tz.key
    target = target_of(view, locale)
    background: Rich = tr(
        locale,
        "esc.background",
        requester=mention(view.requester_id),
        target=target,
        created=when_span(view.created_at, tz=tz, locale=locale),
        text=text(view.text),
    )
    if view.due_at:
        background += tr(
            locale, "esc.background_due", due=when_span(view.due_at, tz=tz, locale=locale)
        )
    if view.background:
        background += [text("\n")] + tr(
            locale, "esc.extra_background", background=text(view.background)
        )

    state = _current_state(view, locale=locale, tz=tz, calendar=calendar)

    waited = calendar.business_time_between(view.created_at, now)
    impact: Rich = tr(locale, "esc.impact", waited=_hours(waited.total_seconds()))
    if view.due_at and view.due_at < now:
        late_business = calendar.business_time_between(view.due_at, now)
        impact += tr(
            locale,
            "esc.impact_late",
            late=format_duration(now - view.due_at, locale=locale),
            hours=_hours(late_business.total_seconds()),
        )
    if view.impact:
        impact += tr(locale, "esc.impact_extra", impact=text(view.impact))
    else:
        impact += tr(locale, "esc.impact_unknown", requester=mention(view.requester_id))

    suggestion: Rich = (
        [text(view.suggestion)]
        if view.suggestion
        else tr(
            locale, "esc.suggestion_default", target=target, requester=mention(view.requester_id)
        )
    )
    context: Rich = []
    if view.permalink:
        context = tr(locale, "esc.link", link=LinkSpan(url=view.permalink, label=view.code))
    return Message(
        kind=MessageKind.ESCALATION,
        title=[text(t(locale, "esc.title", code=view.code), bold=True)],
        sections=[
            Section(heading=t(locale, "label.background"), body=background),
            Section(heading=t(locale, "label.current"), body=state),
            Section(heading=t(locale, "label.impact"), body=impact),
            Section(heading=t(locale, "label.suggestion"), body=suggestion),
        ],
        context=context,
    )


# What the current state lists: nudges, replies and every change, newest ten, with dates.
_EVENTS = frozenset(UpdateKind) - {UpdateKind.CREATED, UpdateKind.ESCALATED}
_MAX_EVENTS = 10
_QUOTE = 120


def _current_state(view: ItemView, *, locale: str, tz: str, calendar: WorkCalendar) -> Rich:
    """Where it stands, then the last ten nudges, replies and changes ("and N earlier")."""
    nudges = sum(1 for u in view.updates if u.kind is UpdateKind.NUDGED)
    parts: list[Rich] = []
    if view.first_response_at is None:
        parts.append(tr(locale, "esc.state_none", nudges=nudges))
    else:
        after = calendar.business_time_between(view.created_at, view.first_response_at)
        parts.append(
            tr(
                locale,
                "esc.state_first",
                who=person(view.first_response_by, locale),
                after=_hours(after.total_seconds()),
                status=t(locale, f"status.{view.status.value}"),
            )
        )
    events = [u for u in view.updates if u.kind in _EVENTS]
    if events:
        lines: list[Rich] = [[text(t(locale, "esc.state_events"))]]
        for u in events[-_MAX_EVENTS:]:
            what = t(locale, f"update.{u.kind.value}")
            quoted = _quote(u.text, locale) if u.text else ""
            lines.append(
                tr(
                    locale,
                    "esc.state_event",
                    when=when_span(u.at, tz=tz, locale=locale),
                    who=[mention(u.actor_id)] if u.actor_id else [text(t(locale, "esc.bot"))],
                    what=text(what + quoted),
                )
            )
        earlier = len(events) - _MAX_EVENTS
        if earlier > 0:
            lines.append([text(t(locale, "esc.state_earlier", n=earlier))])
        parts.append(join(lines, "\n"))
    return join(parts, "\n")


def _quote(value: str, locale: str) -> str:
    short = value if len(value) <= _QUOTE else value[: _QUOTE - 1] + "…"
    short = " ".join(short.split())
    return f"：「{short}」" if locale == "zh" else f": “{short}”"


def _hours(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:.0f}" if hours >= 10 else f"{hours:.1f}"
