"""The daily stand-up prompt: when each department's is due, and what it lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.compose import due_span
from bot.domain import ItemKind
from bot.i18n import register, t, tr
from bot.messages import Message, MessageKind, Rich, Section, join, mention, text
from bot.timefmt import format_instant
from scheduler.facts import DeptInfo, ItemRow
from scheduler.rules import LATE

# Each section of the prompt lists at most this many items; the rest are counted.
SECTION_LIMIT = 10

register(
    {
        "standup.title": ("☀️ Stand-up · {name} · {date}", "☀️ 站会 · {name} · {date}"),
        "standup.ask": (
            "{who} Reply in this thread: what moved since yesterday, what is next, what is "
            "blocked?",
            "{who}请在本讨论串回复：昨天的进展、今天的计划、遇到的阻碍。",
        ),
        "standup.ask_nobody": (
            "Reply in this thread: what moved since yesterday, what is next, what is blocked?",
            "请在本讨论串回复：昨天的进展、今天的计划、遇到的阻碍。",
        ),
        "standup.overdue": ("🔴 Overdue", "🔴 已逾期"),
        "standup.due_soon": ("⏰ Due within a work day", "⏰ 一个工作日内到期"),
        "standup.unanswered": ("👋 Waiting for a first response", "👋 等待首次响应"),
        "standup.open": ("🔵 Open", "🔵 进行中"),
        "standup.none": (
            "Nothing is waiting on {name} today. 🎉",
            "今天没有等待{name}处理的事项。🎉",
        ),
        "standup.more": (
            "…and {n} more: `{cmd} list dept {key}`",
            "……还有 {n} 项：`{cmd} list dept {key}`",
        ),
        "standup.from": ("from {who}", "提出人{who}"),
        "standup.owner": ("owner {who}", "负责人{who}"),
        "standup.no_due": ("no due date", "未设截止时间"),
        "standup.previous": ("💬 Last stand-up ({date})", "💬 上次站会（{date}）"),
        "standup.previous_more": ("…and {n} more in that thread", "……该讨论串中还有 {n} 条"),
    }
)


@dataclass(frozen=True)
class DueStandup:
    """A department whose stand-up time has come within the last two hours."""

    dept: DeptInfo
    at: datetime
    local_date: str

    @property
    def key(self) -> str:
        """Dedupe key: one prompt per department and local date."""
        return f"standup:dept:{self.dept.id}:{self.local_date}"


def due_standups(depts: Iterable[DeptInfo], now: datetime) -> list[DueStandup]:
    """Departments whose stand-up time passed at most two hours ago on a work day."""
    found = []
    # The boundary is inclusive: a prompt exactly two hours late still goes.
    since = now - LATE - timedelta(microseconds=1)
    for dept in depts:
        if dept.standup_time is None or dept.removed_at is not None or not dept.channel_id:
            continue
        times = dept.calendar.occurrences(since, now, dept.standup_time)
        if not times or times[-1] < dept.created_at:
            continue
        at = times[-1]
        found.append(DueStandup(dept, at, dept.calendar.local_date(at).isoformat()))
    return found


def _line(item: ItemRow, *, now: datetime, tz: str, locale: str) -> Rich:
    short = item.text if len(item.text) <= 80 else item.text[:79] + "…"
    who = (
        tr(locale, "standup.from", who=mention(item.requester_id))
        if item.kind is ItemKind.REQUEST
        else tr(locale, "standup.owner", who=mention(item.owner_id or item.requester_id))
    )
    due: Rich = (
        [due_span(item.due_at, now=now, tz=tz, locale=locale)]
        if item.due_at
        else [text(t(locale, "standup.no_due"))]
    )
    return [text(item.code, bold=True), text(" · "), *due, text(" · "), *who, text(" — " + short)]


QUOTE_LIMIT = 100


def _previous(local_date: str, replies: list[tuple[str, str]], *, locale: str) -> Section:
    """Each reply to the last stand-up, one line each, cut short."""
    lines: list[Rich] = []
    for who, said in replies[:SECTION_LIMIT]:
        brief = " ".join(said.split())
        brief = brief if len(brief) <= QUOTE_LIMIT else brief[: QUOTE_LIMIT - 1] + "…"
        colon = "：" if locale == "zh" else ": "
        lines.append([mention(who), text(colon + brief)])
    if len(replies) > SECTION_LIMIT:
        more = len(replies) - SECTION_LIMIT
        lines.append([text(t(locale, "standup.previous_more", n=more))])
    heading = t(locale, "standup.previous", date=local_date)
    return Section(heading=heading, body=join(lines, "\n"))


def sort_items(items: Iterable[ItemRow], dept: DeptInfo, now: datetime) -> dict[str, list[ItemRow]]:
    """Overdue, due within a work day, waiting for a first response, and the rest."""
    soon = dept.calendar.add_workdays(now, 1)
    groups: dict[str, list[ItemRow]] = {"overdue": [], "due_soon": [], "unanswered": [], "open": []}
    for item in items:
        if item.due_at is not None and item.due_at <= now:
            groups["overdue"].append(item)
        elif item.due_at is not None and item.due_at <= soon:
            groups["due_soon"].append(item)
        elif item.kind is ItemKind.REQUEST and item.first_response_at is None:
            groups["unanswered"].append(item)
        else:
            groups["open"].append(item)
    return groups


def standup_prompt(
    dept: DeptInfo,
    items: list[ItemRow],
    *,
    who: list[str],
    at: datetime,
    now: datetime,
    locale: str,
    previous: tuple[str, list[tuple[str, str]]] | None = None,
) -> Message:
    """The prompt in the department's channel, listing what waits on it, and quoting the
    replies to the last stand-up in brief, so they are read."""
    tz = dept.timezone
    title: Rich = [
        text(
            t(
                locale,
                "standup.title",
                name=dept.name,
                date=format_instant(at, tz=tz, locale=locale),
            ),
            bold=True,
        )
    ]
    sections: list[Section] = []
    for group, members in sort_items(items, dept, now).items():
        if not members:
            continue
        lines = [_line(i, now=now, tz=tz, locale=locale) for i in members[:SECTION_LIMIT]]
        if len(members) > SECTION_LIMIT:
            more = len(members) - SECTION_LIMIT
            lines.append(tr(locale, "standup.more", n=more, key=dept.key))
        sections.append(Section(heading=t(locale, f"standup.{group}"), body=join(lines, "\n")))
    if not sections:
        sections.append(Section(body=[text(t(locale, "standup.none", name=dept.name))]))
    if previous is not None:
        sections.append(_previous(*previous, locale=locale))
    ask = (
        tr(locale, "standup.ask", who=join([[mention(u)] for u in who], " "))
        if who
        else tr(locale, "standup.ask_nobody")
    )
    sections.append(Section(body=ask))
    return Message(kind=MessageKind.STANDUP, title=title, sections=sections)
