"""The weekly summary's progress table: each open item with its status, owner, due date and
last update, so the summary says where things stand, not only how fast they moved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain import ACTIVE, Status
from bot.i18n import register, t, tr
from bot.messages import Message, Rich, Section, join, mention, text
from bot.timefmt import format_instant
from storage.models import Item, Update

# Rows shown per table; the rest are counted.
TABLE_LIMIT = 30
QUOTE = 60

register(
    {
        "progress.heading": ("Progress: open items", "进展：未完成事项"),
        "progress.heading_dept": ("Progress of {name}: open items", "{name}进展：未完成事项"),
        "progress.row": (
            "{code} · {status} · {owner} · due {due} · {last}",
            "{code} · {status} · {owner} · 截止 {due} · {last}",
        ),
        "progress.last": ("last update {when}: {what}", "最近动态 {when}：{what}"),
        "progress.no_update": ("no update yet", "暂无动态"),
        "progress.no_due": ("none", "未设"),
        "progress.no_owner": ("no owner", "未指定负责人"),
        "progress.more": (
            "…and {n} more: `{cmd} list dept <key>`",
            "……还有 {n} 项：`{cmd} list dept <部门>`",
        ),
        "progress.none": ("No open items. 🎉", "没有未完成事项。🎉"),
    }
)


@dataclass(frozen=True)
class ProgressRow:
    """One open item as the table shows it."""

    code: str
    department_id: int | None
    status: Status
    owner: str | None
    due_at: datetime | None
    last_at: datetime | None
    last_kind: str | None
    last_text: str | None


def progress_rows(session: Session, department_ids: Iterable[int]) -> list[ProgressRow]:
    """The departments' open items, soonest due first, each with its latest update."""
    ids = sorted(set(department_ids))
    if not ids:
        return []
    items = session.execute(
        select(Item.id, Item.number, Item.department_id, Item.status, Item.owner_id, Item.due_at)
        .where(Item.department_id.in_(ids), Item.status.in_([s.value for s in ACTIVE]))
        .order_by(Item.due_at.is_(None), Item.due_at, Item.number)
    ).all()
    if not items:
        return []
    latest = (
        select(Update.item_id, func.max(Update.id).label("last_id"))
        .where(Update.item_id.in_([row.id for row in items]))
        .group_by(Update.item_id)
        .subquery()
    )
    last = {
        item_id: (at, kind, body)
        for item_id, at, kind, body in session.execute(
            select(Update.item_id, Update.at, Update.kind, Update.text).join(
                latest, latest.c.last_id == Update.id
            )
        )
    }
    rows = []
    for row in items:
        at, kind, body = last.get(row.id, (None, None, None))
        rows.append(
            ProgressRow(
                code=f"XD-{row.number}",
                department_id=row.department_id,
                status=Status(row.status),
                owner=row.owner_id,
                due_at=row.due_at,
                last_at=at,
                last_kind=kind,
                last_text=body,
            )
        )
    return rows


def _row(row: ProgressRow, *, locale: str, tz: str, dept: str | None) -> Rich:
    owner: Rich = [mention(row.owner)] if row.owner else [text(t(locale, "progress.no_owner"))]
    due = (
        format_instant(row.due_at, tz=tz, locale=locale)
        if row.due_at
        else t(locale, "progress.no_due")
    )
    if row.last_at is None:
        last = t(locale, "progress.no_update")
    else:
        what = t(locale, f"update.{row.last_kind}")
        if row.last_text:
            brief = " ".join(row.last_text.split())
            brief = brief if len(brief) <= QUOTE else brief[: QUOTE - 1] + "…"
            what += ("：" if locale == "zh" else ": ") + f"“{brief}”"
        when = format_instant(row.last_at, tz=tz, locale=locale)
        last = t(locale, "progress.last", when=when, what=what)
    where: Rich = [text(dept + " · ")] if dept else []
    return where + tr(
        locale,
        "progress.row",
        code=text(row.code, bold=True),
        status=t(locale, f"status.{row.status.value}"),
        owner=owner,
        due=due,
        last=last,
    )


def progress_section(
    rows: list[ProgressRow],
    *,
    locale: str,
    tz: str,
    name: str | None = None,
    departments: Mapping[int, str] | None = None,
) -> Section:
    """The table as one section (one line per item, at most TABLE_LIMIT); `departments`
    names each row's department when the table spans several."""
    heading = (
        t(locale, "progress.heading_dept", name=name) if name else t(locale, "progress.heading")
    )
    if not rows:
        return Section(heading=heading, body=[text(t(locale, "progress.none"))])
    names = departments or {}
    lines = [
        _row(row, locale=locale, tz=tz, dept=names.get(row.department_id or 0))
        for row in rows[:TABLE_LIMIT]
    ]
    if len(rows) > TABLE_LIMIT:
        lines.append([text(t(locale, "progress.more", n=len(rows) - TABLE_LIMIT))])
    return Section(heading=heading, body=join(lines, "\n"))


def with_progress(message: Message, section: Section) -> Message:
    """The summary with its progress table after the figures."""
    return message.model_copy(update={"sections": [*message.sections, section]})
