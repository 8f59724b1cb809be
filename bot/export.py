"""CSV export of items with their timings; cells that a spreadsheet would run are escaped."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import outbox
from bot.config import Settings
from bot.context import Context
from bot.dates import parse_due
from bot.domain import InvalidInput
from bot.lookup import Lookup
from bot.views import Export
from storage.db import Store
from storage.models import Item, Update
from storage.repositories import visible_to

# Items: people and departments by name beside their ids; times in the reader's zone.
ITEM_HEADER = [
    "code",
    "kind",
    "status",
    "department",
    "department_name",
    "requester",
    "requester_name",
    "owner",
    "owner_name",
    "text",
    "impact",
    "suggestion",
    "created",
    "due",
    "first_response",
    "hours_to_first_response",
    "closed",
    "hours_to_close",
    "escalated",
    "overdue",
    "time_zone",
]
# Every update of those items, oldest first.
UPDATE_HEADER = ["code", "at", "who", "who_name", "what", "text", "time_zone"]


def safe_cell(value: object) -> str:
    """A CSV cell that Excel or Sheets will not evaluate as a formula."""
    cell = "" if value is None else str(value)
    if cell and cell[0] in "=+-@\t\r":
        return "'" + cell
    return cell


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    """A time as a spreadsheet reads it, in the reader's zone: 2026-11-23 10:00."""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def _csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    # UTF-8 with a BOM so Excel shows Chinese text correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _hours(start: datetime, end: datetime | None) -> str:
    return f"{(end - start).total_seconds() / 3600:.2f}" if end else ""


def _item_rows(
    rows: list[Item], names: dict[str, str], tz_name: str, *, now: datetime
) -> list[list[object]]:
    zone = ZoneInfo(tz_name)
    out: list[list[object]] = [list(ITEM_HEADER)]
    for item in rows:
        dept = item.department
        overdue = bool(item.due_at and item.due_at < (item.closed_at or now))
        out.append(
            [
                item.code,
                item.kind,
                item.status,
                dept.key if dept else "",
                dept.name if dept else "",
                item.requester_id,
                names.get(item.requester_id, ""),
                item.owner_id,
                names.get(item.owner_id or "", ""),
                item.text,
                item.impact,
                item.suggestion,
                _local(item.created_at, zone),
                _local(item.due_at, zone),
                _local(item.first_response_at, zone),
                _hours(item.created_at, item.first_response_at),
                _local(item.closed_at, zone),
                _hours(item.created_at, item.closed_at),
                _local(item.escalated_at, zone),
                "yes" if overdue else "no",
                tz_name,
            ]
        )
    return out


def _update_rows(
    rows: list[Item], trails: dict[int, list[Update]], names: dict[str, str], tz_name: str
) -> list[list[object]]:
    zone = ZoneInfo(tz_name)
    out: list[list[object]] = [list(UPDATE_HEADER)]
    for item in rows:
        for u in trails[item.id]:
            who = u.actor_id or ""
            out.append(
                [item.code, _local(u.at, zone), who, names.get(who, ""), u.kind, u.text, tz_name]
            )
    return out


class ExportService:
    """`/xdept export`: the items a person may see, as CSV, sent to them by direct message."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.lookup = Lookup(settings)

    def export(self, *, ctx: Context, dept: str | None = None, since: str | None = None) -> Export:
        """Build the CSV and queue it to the person; returns it too."""
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            since_at: datetime | None = None
            if since:
                tz = self.lookup.actor_tz(uow, ws, ctx)
                # "since Monday" looks back: read the phrase as of a week ago when it lands ahead.
                since_at = parse_due(since, now=ctx.now, tz=tz)
                if since_at is None:
                    raise InvalidInput("err.due_unreadable", text=since)
                if since_at > ctx.now:
                    from datetime import timedelta

                    since_at = parse_due(since, now=ctx.now - timedelta(days=7), tz=tz) or since_at
            mine = self.lookup.member_department_ids(uow, ws, ctx)
            where = visible_to(ws.id, ctx.actor.user_id, mine, self.lookup.public_channels(uow, ws))
            if dept:
                d = self.lookup.department_by_key(uow, ws, dept)
                where = where & (Item.department_id == d.id)
            rows = uow.items.export_rows(ws.id, where=where, since=since_at)
            tz_name = self.lookup.actor_tz(uow, ws, ctx)
            trails = uow.items.updates_of([item.id for item in rows])
            ids = {item.requester_id for item in rows} | {i.owner_id for i in rows if i.owner_id}
            ids |= {u.actor_id for trail in trails.values() for u in trail if u.actor_id}
            names = {uid: p.display_name or "" for uid, p in uow.people.many(ws.id, ids).items()}
            items = _item_rows(rows, names, tz_name, now=ctx.now)
            updates = _update_rows(rows, trails, names, tz_name)
            stamp = ctx.now.strftime("%Y%m%d-%H%M%S")
            base = f"xdept-export-{dept or 'all'}-{stamp}"
            files = [(f"{base}-items.csv", _csv(items)), (f"{base}-updates.csv", _csv(updates))]
            for filename, content in files:
                outbox.file_to_person(
                    uow,
                    workspace_id=ws.id,
                    user_id=ctx.actor.user_id,
                    filename=filename,
                    content=content,
                    title=filename,
                    key=f"export:{ctx.actor.user_id}:{stamp}:{filename.rsplit('-', 1)[-1]}",
                    now=ctx.now,
                )
            return Export(
                filename=files[0][0],
                content=files[0][1],
                rows=len(rows),
                updates_filename=files[1][0],
                updates_content=files[1][1],
                updates=len(updates) - 1,
            )
