"""What the weekly summary covers and says: Monday 09:00 in the workspace's zone, the
previous Monday to Sunday (or this week so far), one department's figures or every
department's, and the chart's bars. Writing it to the outbox is summary.writing's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import compose
from bot.i18n import register, t, tr
from bot.messages import Message, MessageKind, Rich, Section, join, mention, text
from bot.timefmt import format_instant
from scheduler.summary.chart import Bar, response_chart
from scheduler.summary.metrics import DeptWeek, median, p90

SUMMARY_TIME = time(9, 0)
# A bot that was down on Monday morning still posts the summary until Tuesday 09:00.
CATCH_UP = timedelta(days=1)
CHART_NAME = "xdept-response-times.png"

register(
    {
        "summary.title": ("📊 Weekly summary · {period}", "📊 周报 · {period}"),
        "summary.title_now": ("📊 This week so far · {period}", "📊 本周至今 · {period}"),
        "summary.title_dept": (
            "📊 Weekly summary for {name} · {period}",
            "📊 {name}周报 · {period}",
        ),
        "summary.title_dept_now": (
            "📊 {name} this week so far · {period}",
            "📊 {name}本周至今 · {period}",
        ),
        "summary.counts": (
            "Opened {opened} · closed {closed} (done {done}, declined {declined}, cancelled "
            "{cancelled}) · overdue {overdue}",
            "新增 {opened} · 关闭 {closed}（完成 {done}，拒绝 {declined}，取消 {cancelled}）"
            " · 逾期 {overdue}",
        ),
        "summary.first_response": (
            "First response: median {median} h, p90 {p90} h ({n} [[n:request|requests]])",
            "首次响应：中位数 {median} 工作小时，90% 在 {p90} 工作小时内（{n} 个请求）",
        ),
        "summary.first_response_none": (
            "First response: none in this period",
            "首次响应：本期没有",
        ),
        "summary.done": (
            "Time to done: median {median} h, p90 {p90} h ({n} [[n:item|items]])",
            "完成用时：中位数 {median} 工作小时，90% 在 {p90} 工作小时内（{n} 项）",
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
            "站会回复：{n} 条，来自{people}人",
        ),
        "summary.thanks": (
            "🙏 Thanks to {people} for answering fastest.",
            "🙏 感谢{people}最快响应。",
        ),
        "summary.thanks_one": ("{who} ({hours} h)", "{who}（{hours} 工作小时）"),
        "summary.fastest_depts": (
            "⚡ Fastest to answer: {depts}",
            "⚡ 响应最快的部门：{depts}",
        ),
        "summary.most_closed": ("✅ Closed the most: {depts}", "✅ 关闭事项最多的部门：{depts}"),
        "summary.quiet": (
            "{n} other [[n:department|departments]] had nothing to report.",
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
            "Posted the summary of {period} to the channels of {n} [[n:department|departments]].",
            "已将 {period} 的汇总发布到 {n} 个部门的频道。",
        ),
        "summary.posted_nothing": (
            "Nothing happened yet in {period}; there is no summary to post.",
            "{period} 暂无事项，没有需要发布的汇总。",
        ),
    }
)


@dataclass(frozen=True)
class Period:
    """A span of time summarised: [start, end) in the workspace's zone."""

    start: datetime
    end: datetime
    tz: str
    label: str  # the ISO week, for dedupe keys
    so_far: bool = False  # the current week up to now (`/xdept summary`)

    def standup_dates(self) -> tuple[str, str]:
        """First and last local dates in the period."""
        zone = ZoneInfo(self.tz)
        last = (self.end - timedelta(microseconds=1)).astimezone(zone).date()
        return self.start.astimezone(zone).date().isoformat(), last.isoformat()

    def describe(self, locale: str) -> str:
        """'Mon 16 Nov – Sun 22 Nov' / '11月16日 周一 – 11月22日 周日' (so far: up to a time)."""
        first = format_instant(self.start, tz=self.tz, locale=locale).rsplit(" ", 1)[0]
        if self.so_far:
            last = format_instant(self.end, tz=self.tz, locale=locale)
        else:
            last_day = self.end - timedelta(minutes=1)
            last = format_instant(last_day, tz=self.tz, locale=locale).rsplit(" ", 1)[0]
        return f"{first} – {last}"


def _monday(local_day: date) -> date:
    return local_day - timedelta(days=local_day.weekday())


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def _label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def due_period(now: datetime, tz: str) -> Period | None:
    """The previous week, if its summary is due at `now` (Monday 09:00 up to a day later)."""
    zone = ZoneInfo(tz)
    monday = _monday(now.astimezone(zone).date())
    at = datetime.combine(monday, SUMMARY_TIME, tzinfo=zone).astimezone(UTC)
    if not at <= now < at + CATCH_UP:
        return None
    start_day = monday - timedelta(days=7)
    return Period(_midnight(start_day, zone), _midnight(monday, zone), tz, _label(start_day))


def week_so_far(now: datetime, tz: str) -> Period:
    """This week from Monday 00:00 up to `now`."""
    zone = ZoneInfo(tz)
    monday = _monday(now.astimezone(zone).date())
    return Period(_midnight(monday, zone), now, tz, _label(monday), so_far=True)


# -- building the messages --------------------------------------------------------------------


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


def _heading(week: DeptWeek, locale: str) -> str:
    if week.name == week.key:
        return week.name
    return f"{week.name}（@{week.key}）" if locale == "zh" else f"{week.name} (@{week.key})"


def department_summary(week: DeptWeek, period: Period, *, locale: str) -> Message:
    """One department's summary, for its own channel."""
    key = "summary.title_dept_now" if period.so_far else "summary.title_dept"
    title = t(locale, key, name=week.name, period=period.describe(locale))
    body = join(department_lines(week, locale=locale, tz=period.tz), "\n")
    return Message(
        kind=MessageKind.SUMMARY,
        title=[text(title, bold=True)],
        sections=[Section(heading=_heading(week, locale), body=body)],
        image_title=t(locale, "summary.chart"),
    )


def _listing(pairs: list[tuple[str, str]], locale: str) -> str:
    """ "物流部（2.0 工作小时）、客服部（0.5 工作小时）" or "Logistics (2.0 h), CS (0.5 h)"."""
    if locale == "zh":
        return "、".join(f"{name}（{value.replace(' h', ' 工作小时')}）" for name, value in pairs)
    return ", ".join(f"{name} ({value})" for name, value in pairs)


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
        depts = _listing(
            [(w.name, f"{_num(median(w.first_response_hours))} h") for w in fastest], locale
        )
        sections.append(Section(body=[text(t(locale, "summary.fastest_depts", depts=depts))]))
    closers = sorted((w for w in news if w.closed_total), key=lambda w: (-w.closed_total, w.key))
    if closers:
        depts = _listing([(w.name, str(w.closed_total)) for w in closers[:3]], locale)
        sections.append(Section(body=[text(t(locale, "summary.most_closed", depts=depts))]))
    for week in sorted(news, key=lambda w: w.key):
        body = join(department_lines(week, locale=locale, tz=period.tz), "\n")
        sections.append(Section(heading=_heading(week, locale), body=body))
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


def chart_for(weeks: list[DeptWeek], period: Period, locale: str = "en") -> bytes | None:
    """The response-time chart in the reader's language, or None when nobody answered."""
    bars = [
        Bar(
            key=w.key,
            name=w.name,
            median=median(w.first_response_hours) or 0.0,
            p90=p90(w.first_response_hours) or 0.0,
            answered=len(w.first_response_hours),
        )
        for w in weeks
        if w.first_response_hours
    ]
    if not bars:
        return None
    return response_chart(bars, period=period.label, locale=locale)
