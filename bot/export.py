"""CSV export of items with their timings; cells that a spreadsheet would run are escaped."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from bot import outbox
from bot.config import Settings
from bot.context import Context
from bot.dates import parse_due
from bot.domain import InvalidInput
from bot.lookup import Lookup
from bot.views import Export
from storage.db import Store
from storage.models import Item
from storage.repositories import visible_to

HEADER = [
    "code",
    "kind",
    "status",
    "department",
    "requester",
    "owner",
    "text",
    "created_at",
    "due_at",
    "first_response_at",
    "hours_to_first_response",
    "closed_at",
    "hours_to_close",
    "escalated_at",
    "overdue",
]


def safe_cell(value: object) -> str:
    """A CSV cell that Excel or Sheets will not evaluate as a formula."""
    cell = "" if value is None else str(value)
    if cell and cell[0] in "=+-@\t\r":
        return "'" + cell
    return cell


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _hours(start: datetime, end: datetime | None) -> str:
    return f"{(end - start).total_seconds() / 3600:.2f}" if end else ""


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
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(HEADER)
            for item in rows:
                writer.writerow(
                    [
                        safe_cell(v)
                        for v in (
                            item.code,
                            item.kind,
                            item.status,
                            item.department.key if item.department else "",
                            item.requester_id,
                            item.owner_id,
                            item.text,
                            _iso(item.created_at),
                            _iso(item.due_at),
                            _iso(item.first_response_at),
                            _hours(item.created_at, item.first_response_at),
                            _iso(item.closed_at),
                            _hours(item.created_at, item.closed_at),
                            _iso(item.escalated_at),
                            "yes"
                            if item.due_at and item.due_at < (item.closed_at or ctx.now)
                            else "no",
                        )
                    ]
                )
            # UTF-8 with a BOM so Excel shows Chinese text correctly.
            content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
            stamp = ctx.now.strftime("%Y%m%d-%H%M%S")
            filename = f"xdept-export-{dept or 'all'}-{stamp}.csv"
            outbox.file_to_person(
                uow,
                workspace_id=ws.id,
                user_id=ctx.actor.user_id,
                filename=filename,
                content=content,
                title=filename,
                key=f"export:{ctx.actor.user_id}:{stamp}",
                now=ctx.now,
            )
            return Export(filename=filename, content=content, rows=len(rows))
