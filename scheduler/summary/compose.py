"""The weekly summary's messages: one department's figures, or every department's.

Words in English and Chinese; the figures come from scheduler.summary.metrics.
"""

from __future__ import annotations

from bot import compose
from bot.i18n import register, t, tr
from bot.messages import Message, MessageKind, Rich, Section, join, mention, text
from scheduler.summary.metrics import DeptWeek, median, p90
from scheduler.summary.period import Period

register(
    {
        "summary.title": ("📊 Weekly summary · {period}", "📊 周报 · {period}"),
        "summary.title_now": ("📊 This week so far · {period}", "📊 本周至今 · {period}"),
        "summary.title_dept": (
            "📊 Weekly summary for {name} · {period}",
            "📊 {name} 周报 · {period}",
        ),
        "summary.title_dept_now": (
            "📊 {name} this week so far · {period}",
            "📊 {name} 本周至今 · {period}",
        ),
        "summary.counts": (
            "Opened {opened} · closed {closed} (done {done}, declined {declined}, cancelled "
            "{cancelled}) · overdue {overdue}",
            "新增 {opened} · 关闭 {closed}（完成 {done}，拒绝 {declined}，取消 {cancelled}）"
            " · 逾期 {overdue}",
        ),
        "summary.first_response": (
            "First response: median {median} h, p90 {p90} h ({n} request(s))",
            "首次响应：中位数 {median} 工作小时，p90 {p90} 工作小时（{n} 个请求）",
        ),
        "summary.first_response_none": (
            "First response: none in this period",
            "首次响应：本期没有",
        ),
        "summary.done": (
            "Time to done: median {median} h, p90 {p90} h ({n} item(s))",
            "完成用时：中位数 {median} 工作小时，p90 {p90} 工作小时（{n} 项）",
        ),
        "summary.done_none": ("Time to done: nothing finished", "完成用时：本期没有完成的事项"),
        "summary.oldest": (
            "Oldest unanswered: {code}, waiting {hours} business hours since {created}",
            "最久未响应：{code}，自 {created} 起已等待 {hours} 个工作小时",
        ),
        "summary.oldest_none": ("Oldest unanswered: none 🎉", "最久未响应：无 🎉"),
        "summary.escalated": ("Escalated: {codes}", "已升级：{codes}"),
        "summary.standups": (
            "Stand-up replies: {n} from {people} people",
            "站会回复：{n} 条，来自 {people} 人",
        ),
        "summary.thanks": (
            "🙏 Thanks to {people} for answering fastest.",
            "🙏 感谢 {people} 最快响应。",
        ),
        "summary.thanks_one": ("{who} ({hours} h)", "{who}（{hours} 工作小时）"),
        "summary.fastest_depts": (
            "⚡ Fastest to answer: {depts}",
            "⚡ 响应最快的部门：{depts}",
        ),
        "summary.most_closed": ("✅ Closed the most: {depts}", "✅ 关闭事项最多的部门：{depts}"),
        "summary.quiet": (
            "{n} other department(s) had nothing to report.",
            "另有 {n} 个部门本期无事项。",
        ),
        "summary.nothing": (
            "Nothing to report: no requests were filed, answered or closed.",
            "本期没有需要汇报的事项：没有新增、响应或关闭的请求。",
        ),
        "summary.chart": (
            "Time to first response by department (business hours)",
            "各部门首次响应时间（工作小时）",
        ),
        "summary.posted": (
            "Posted the summary of {period} to {where}.",
            "已将 {period} 的汇总发布到 {where}。",
        ),
        "summary.posted_depts": (
            "Posted the summary of {period} to the channels of {n} department(s).",
            "已将 {period} 的汇总发布到 {n} 个部门的频道。",
        ),
        "summary.posted_nothing": (
            "Nothing happened yet in {period}; there is no summary to post.",
            "{period} 暂无事项，没有需要发布的汇总。",
        ),
    }
)


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def department_lines(week: DeptWeek, *, locale: str, tz: str) -> list[Rich]:
    """The figures of one department, one line each."""
    lines: list[Rich] = [
        [
            text(
                t(
                    locale,
                    "summary.counts",
                    opened=week.opened,
                    closed=week.closed_total,
                    done=week.closed["done"],
                    declined=week.closed["declined"],
                    cancelled=week.closed["cancelled"],
                    overdue=week.overdue,
                )
            )
        ]
    ]
    for values, key in ((week.first_response_hours, "first_response"), (week.done_hours, "done")):
        if values:
            line = t(
                locale,
                f"summary.{key}",
                median=_num(median(values)),
                p90=_num(p90(values)),
                n=len(values),
            )
        else:
            line = t(locale, f"summary.{key}_none")
        lines.append([text(line)])
    oldest = week.oldest_unanswered
    if oldest is not None:
        lines.append(
            tr(
                locale,
                "summary.oldest",
                code=text(oldest.code, bold=True),
                hours=_num(oldest.waited_hours),
                created=compose.when_span(oldest.created_at, tz=tz, locale=locale),
            )
        )
    else:
        lines.append([text(t(locale, "summary.oldest_none"))])
    if week.escalated:
        lines.append([text(t(locale, "summary.escalated", codes=", ".join(week.escalated)))])
    lines.append(
        [
            text(
                t(
                    locale,
                    "summary.standups",
                    n=week.standup_replies,
                    people=len(week.standup_people),
                )
            )
        ]
    )
    fastest = week.fastest()
    if fastest:
        people = join(
            [
                tr(locale, "summary.thanks_one", who=mention(user), hours=_num(hours))
                for user, hours, _n in fastest
            ]
        )
        lines.append(tr(locale, "summary.thanks", people=people))
    return lines


def _heading(week: DeptWeek) -> str:
    return week.name if week.name == week.key else f"{week.name} (@{week.key})"


def department_summary(week: DeptWeek, period: Period, *, locale: str) -> Message:
    """One department's summary, for its own channel."""
    key = "summary.title_dept_now" if period.so_far else "summary.title_dept"
    title = t(locale, key, name=week.name, period=period.describe(locale))
    body = join(department_lines(week, locale=locale, tz=period.tz), "\n")
    return Message(
        kind=MessageKind.SUMMARY,
        title=[text(title, bold=True)],
        sections=[Section(heading=_heading(week), body=body)],
        image_title=t(locale, "summary.chart"),
    )


def workspace_summary(weeks: list[DeptWeek], period: Period, *, locale: str) -> Message:
    """Every department's figures in one message, for the summary channel."""
    title = t(
        locale,
        "summary.title_now" if period.so_far else "summary.title",
        period=period.describe(locale),
    )
    news = [w for w in weeks if w.has_news]
    sections: list[Section] = []
    answered = [w for w in news if w.first_response_hours]
    if answered:
        fastest = sorted(answered, key=lambda w: (median(w.first_response_hours) or 0, w.key))[:3]
        depts = ", ".join(f"{w.name} ({_num(median(w.first_response_hours))} h)" for w in fastest)
        sections.append(Section(body=[text(t(locale, "summary.fastest_depts", depts=depts))]))
    closers = sorted((w for w in news if w.closed_total), key=lambda w: (-w.closed_total, w.key))
    if closers:
        depts = ", ".join(f"{w.name} ({w.closed_total})" for w in closers[:3])
        sections.append(Section(body=[text(t(locale, "summary.most_closed", depts=depts))]))
    for week in sorted(news, key=lambda w: w.key):
        body = join(department_lines(week, locale=locale, tz=period.tz), "\n")
        sections.append(Section(heading=_heading(week), body=body))
    quiet = len(weeks) - len(news)
    if not news:
        sections.append(Section(body=[text(t(locale, "summary.nothing"))]))
    elif quiet:
        sections.append(Section(body=[text(t(locale, "summary.quiet", n=quiet))]))
    return Message(
        kind=MessageKind.SUMMARY,
        title=[text(title, bold=True)],
        sections=sections,
        image_title=t(locale, "summary.chart") if answered else None,
    )
