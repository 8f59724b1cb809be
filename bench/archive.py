"""A workspace with a long history, seeded in bulk with SQL (not through the services).

The shape is the one the scheduler meets in a workspace that has run for years:
500 departments, a fixed amount of live work (active items, this week's items,
`DUE` items whose reminder is due) and an archive of closed items that grows
with `items`. Whatever grows between 10k and 1M stored items is archive, so a
figure that grows with it reads the archive where it should not.

Rows are made by the database itself (`generate_series` on PostgreSQL, a
recursive CTE on SQLite): a million items, their updates, tracking outbox rows
and two years of stand-ups go in within a minute or two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall
from typing import Any

from sqlalchemy import Connection, insert, select, text

from storage.db import Store
from storage.models import Department, DepartmentPerson, Item, Person, Workspace

DEPARTMENTS = 500
ZONE = "Asia/Shanghai"
# Tuesday 1 December 2026, 09:31 in Shanghai: every department's 09:30 stand-up is due.
STANDUP_NOW = datetime(2026, 12, 1, 1, 31, tzinfo=UTC)
# Monday 30 November 09:05 in Shanghai: the summary of 23-29 November is due.
SUMMARY_NOW = datetime(2026, 11, 30, 1, 5, tzinfo=UTC)
WEEK_START = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # Monday 23 November 00:00 local
WEEK_END = WEEK_START + timedelta(days=7)
# Live work, the same at every size: 10 active items a department, 4 opened a day last week.
ACTIVE = 5_000
WEEK = 2_000
DUE = 200  # active requests whose unanswered nudge is due at STANDUP_NOW
PEOPLE = 1_000


@dataclass(frozen=True)
class Seeded:
    """What the seed made."""

    workspace_id: int
    items: int
    active: int
    week: int
    archive: int
    standup_days: int
    due_ids: list[int]


class _Sql:
    """The few expressions that differ between PostgreSQL and SQLite."""

    def __init__(self, conn: Connection) -> None:
        self.pg = conn.dialect.name == "postgresql"

    def series(self, count: int) -> str:
        """A FROM clause giving n = 1..count."""
        if self.pg:
            return f"generate_series(CAST(1 AS bigint), {int(count)}) AS s(n)"
        return (
            f"(WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r "
            f"WHERE n < {int(count)}) SELECT n FROM r) AS s"
        )

    def at(self, base: str, minutes: str) -> str:
        """The instant `minutes` (an SQL expression) after the bound parameter `base`."""
        if self.pg:
            return f"(CAST(:{base} AS timestamptz) + ({minutes}) * interval '1 minute')"
        return f"datetime(:{base}, printf('%+d minutes', CAST(({minutes}) AS INTEGER)))"

    def instant(self, value: datetime) -> Any:
        """A bound value for at(): aware on PostgreSQL, naive UTC text on SQLite."""
        if self.pg:
            return value
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")

    def day(self, base: str, days: str) -> str:
        """The ISO date `days` before the bound date `base`, as text."""
        if self.pg:
            return f"to_char(CAST(:{base} AS date) - CAST(({days}) AS integer), 'YYYY-MM-DD')"
        return f"date(:{base}, '-' || ({days}) || ' days')"

    @property
    def empty_json(self) -> str:
        return "CAST('{}' AS json)" if self.pg else "'{}'"


def seed(store: Store, items: int) -> Seeded:
    """The workspace, its departments and people, and `items` items with their trail."""
    active = min(ACTIVE, items // 2)
    week = min(WEEK, items // 5)
    archive = items - active - week
    standup_days = max(7, items // 2_000)
    with store.engine.begin() as conn:
        sql = _Sql(conn)
        ws_id, first_dept = _workspace(conn, items)
        ctx = {"ws": ws_id, "d0": first_dept, "nd": DEPARTMENTS}
        _archive(conn, sql, ctx, archive)
        _week(conn, sql, ctx, archive, week)
        _active(conn, sql, ctx, archive + week, active)
        _trail(conn, sql, ws_id)
        _standups(conn, sql, ctx, standup_days)
        due_ids = list(
            conn.execute(
                select(Item.id).where(Item.next_check_at <= STANDUP_NOW).order_by(Item.id)
            ).scalars()
        )
    return Seeded(ws_id, items, active, week, archive, standup_days, due_ids)


def analyze(store: Store) -> None:
    """What autovacuum does after a bulk load: statistics and the visibility map."""
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def _workspace(conn: Connection, items: int) -> tuple[int, int]:
    created = WEEK_START - timedelta(days=1200)
    ws_id = conn.execute(
        insert(Workspace).returning(Workspace.id),
        [
            {
                "platform": "slack",
                "external_id": "T1",
                "timezone": ZONE,
                "last_item_number": items,
                "created_at": created,
            }
        ],
    ).scalar_one()
    rows = [
        {
            "workspace_id": ws_id,
            "key": f"dept{n:03d}",
            "name": f"Department {n}",
            "channel_id": f"C{n:05d}",
            "channel_private": False,
            "timezone": ZONE,
            "locale": "zh" if n % 2 else "en",
            "workdays": "mon-fri",
            "day_start": wall(9, 0),
            "day_end": wall(18, 0),
            "holidays": ["CN"],
            "standup_time": wall(9, 30),
            "first_response_minutes": 8 * 60,
            "escalate_after_minutes": 24 * 60,
            "escalation_contact_id": f"boss{n % 20}",
            "created_at": created,
        }
        for n in range(DEPARTMENTS)
    ]
    ids = list(conn.execute(insert(Department).returning(Department.id), rows).scalars())
    assert ids == list(range(ids[0], ids[0] + DEPARTMENTS)), "department ids are not contiguous"
    conn.execute(
        insert(DepartmentPerson),
        [{"department_id": d, "user_id": f"lead{n}", "role": "lead"} for n, d in enumerate(ids)]
        + [
            {"department_id": d, "user_id": f"member{n}", "role": "member"}
            for n, d in enumerate(ids)
        ],
    )
    conn.execute(
        insert(Person),
        [
            {
                "workspace_id": ws_id,
                "user_id": f"user{n}",
                "timezone": ZONE,
                "locale": "zh",
                "is_admin": False,
                "is_bot": False,
                "updated_at": created,
            }
            for n in range(PEOPLE)
        ],
    )
    return ws_id, ids[0]


_ITEM_COLUMNS = (
    "workspace_id, number, kind, status, text, requester_id, owner_id, department_id, "
    "due_at, created_at, updated_at, first_response_at, first_response_by, closed_at, "
    "next_check_at, channel_id, message_id, version"
)


def _insert_items(conn: Connection, sql: _Sql, select_list: str, count: int, **params: Any) -> None:
    if count <= 0:
        return
    stmt = f"INSERT INTO items ({_ITEM_COLUMNS}) SELECT {select_list} FROM {sql.series(count)}"
    conn.execute(text(stmt), params)


def _common(offset: int) -> str:
    """workspace, number, kind, status placeholder-free columns shared by every segment."""
    return (
        f":ws, n + {offset}, 'request', {{status}}, "
        f"'benchmark request ' || (n + {offset}) || ': 请核对订单', "
        "'user' || (n % 1000), NULL, :d0 + (n % :nd)"
    )


def _archive(conn: Connection, sql: _Sql, ctx: dict[str, int], count: int) -> None:
    """Closed items spread over the three years before last week, each closed within 8 days."""
    if count <= 0:
        return
    span = 3 * 365 * 24 * 60
    created = sql.at("origin", f"(n * {span}) / {count}")
    select_list = ", ".join(
        [
            _common(0).format(
                status="CASE WHEN n % 10 = 0 THEN 'cancelled' WHEN n % 10 = 1 "
                "THEN 'declined' ELSE 'done' END"
            ),
            sql.at("origin", f"(n * {span}) / {count} + 5 * 24 * 60"),  # due
            created,
            created,
            sql.at("origin", f"(n * {span}) / {count} + 60 * (1 + n % 8)"),  # first response
            "'user' || (n % 997)",
            sql.at("origin", f"(n * {span}) / {count} + 60 * (2 + n % 190)"),  # closed
            "NULL",
            "'C' || (n % :nd)",
            "'1700000000.' || n",
            "1",
        ]
    )
    origin = WEEK_START - timedelta(days=3 * 365 + 10)
    _insert_items(conn, sql, select_list, count, origin=sql.instant(origin), **ctx)


def _week(conn: Connection, sql: _Sql, ctx: dict[str, int], offset: int, count: int) -> None:
    """Last week's items: half done within hours, half acknowledged and due in ten days."""
    span = 7 * 24 * 60 - 10
    minutes = f"(n * {span}) / {count}"
    created = sql.at("start", minutes)
    select_list = ", ".join(
        [
            _common(offset).format(
                status="CASE WHEN n % 2 = 0 THEN 'done' ELSE 'acknowledged' END"
            ),
            sql.at("start", f"{minutes} + 10 * 24 * 60"),
            created,
            created,
            sql.at("start", f"{minutes} + 30 + n % 240"),
            "'user' || (n % 997)",
            f"CASE WHEN n % 2 = 0 THEN {sql.at('start', f'{minutes} + 180')} END",
            f"CASE WHEN n % 2 = 1 THEN {sql.at('start', f'{minutes} + 9 * 24 * 60')} END",
            "'C' || (n % :nd)",
            f"'1700000000.' || (n + {offset})",
            "1",
        ]
    )
    _insert_items(conn, sql, select_list, count, start=sql.instant(WEEK_START), **ctx)


def _active(conn: Connection, sql: _Sql, ctx: dict[str, int], offset: int, count: int) -> None:
    """Open and acknowledged items of the last 20 days, some overdue; DUE of them unanswered
    since Monday 09:00, so their unanswered nudge is due at STANDUP_NOW."""
    every = max(1, count // DUE)
    due = f"(n % {every} = 0 AND n / {every} <= {DUE})"
    created = sql.at("now", f"-(20 * 24 * 60) + (n * 19 * 24 * 60) / {count}")
    select_list = ", ".join(
        [
            _common(offset).format(
                status=f"CASE WHEN {due} OR n % 5 < 2 THEN 'open' ELSE 'acknowledged' END"
            ),
            f"CASE WHEN {due} THEN NULL ELSE {sql.at('now', '((n % 30) - 8) * 24 * 60')} END",
            f"CASE WHEN {due} THEN {sql.at('monday', '0')} ELSE {created} END",
            f"CASE WHEN {due} THEN {sql.at('monday', '0')} ELSE {created} END",
            f"CASE WHEN {due} OR n % 5 < 2 THEN NULL ELSE {sql.at('now', '-60')} END",
            f"CASE WHEN {due} OR n % 5 < 2 THEN NULL ELSE 'user' || (n % 997) END",
            "NULL",
            f"CASE WHEN {due} THEN {sql.at('now', '-5')} ELSE {sql.at('now', '24 * 60')} END",
            "'C' || (n % :nd)",
            f"'1700000000.' || (n + {offset})",
            "1",
        ]
    )
    monday = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
    _insert_items(
        conn,
        sql,
        select_list,
        count,
        now=sql.instant(STANDUP_NOW),
        monday=sql.instant(monday),
        **ctx,
    )


def _trail(conn: Connection, sql: _Sql, ws_id: int) -> None:
    """A `created` update and a sent tracking message for every item; a closing update for
    the closed ones."""
    conn.execute(
        text(
            "INSERT INTO updates (workspace_id, item_id, kind, actor_id, at, data) "
            f"SELECT workspace_id, id, 'created', requester_id, created_at, {sql.empty_json} "
            "FROM items WHERE workspace_id = :ws"
        ),
        {"ws": ws_id},
    )
    conn.execute(
        text(
            "INSERT INTO updates (workspace_id, item_id, kind, actor_id, at, data) "
            f"SELECT workspace_id, id, status, first_response_by, closed_at, {sql.empty_json} "
            "FROM items WHERE workspace_id = :ws AND closed_at IS NOT NULL"
        ),
        {"ws": ws_id},
    )
    conn.execute(
        text(
            "INSERT INTO outbox (workspace_id, dedupe_key, kind, action, item_id, channel_id, "
            "payload, state, attempts, next_attempt_at, created_at, sent_at) "
            "SELECT workspace_id, 'item:' || id || '\\:tracking', 'tracking', 'post_tracking', "
            f"id, channel_id, {sql.empty_json}, 'sent', 1, created_at, created_at, created_at "
            "FROM items WHERE workspace_id = :ws"
        ),
        {"ws": ws_id},
    )


def _standups(conn: Connection, sql: _Sql, ctx: dict[str, int], days: int) -> None:
    """A stand-up a day for every department over `days` days before today, each with a
    reply in half of them."""
    today = STANDUP_NOW.date()
    conn.execute(
        text(
            "INSERT INTO standups (workspace_id, department_id, local_date, posted_at, "
            "channel_id, message_id) "
            f"SELECT :ws, :d0 + (n % :nd), {sql.day('today', f'1 + n / {DEPARTMENTS}')}, "
            f"{sql.at('now', f'-(1 + n / {DEPARTMENTS}) * 24 * 60')}, 'C' || (n % :nd), "
            "'1600000000.' || n "
            f"FROM {sql.series(days * DEPARTMENTS)}"
        ),
        {**ctx, "today": _day(sql, today), "now": sql.instant(STANDUP_NOW)},
    )
    conn.execute(
        text(
            "INSERT INTO standup_replies (standup_id, user_id, text, at, source_ref) "
            "SELECT id, 'member' || (department_id - :d0), '昨天完成了对账', posted_at, "
            "'r' || id FROM standups WHERE workspace_id = :ws AND id % 2 = 0"
        ),
        ctx,
    )


def _day(sql: _Sql, day: date) -> Any:
    return day if sql.pg else day.isoformat()
