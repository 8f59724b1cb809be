"""Writing the weekly summary to the outbox, on Monday morning or on `/xdept summary`.

With XDEPT_SUMMARY_CHANNEL set, one message there covers every department;
otherwise each department's own channel gets its department's figures. The
chart is drawn once per summary and stored once (table outbox_files); every row that
sends it names it by id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import compose
from bot.config import Settings
from bot.context import Context
from bot.i18n import t
from bot.lookup import Lookup, normalize_locale
from bot.messages import ChannelSpan, Message, MessageKind, Rich
from bot.outbox import OutboxAction, StoredFile, channel_message
from bot.workspace_config import config_by_id
from scheduler import facts
from scheduler.facts import DeptInfo
from scheduler.summary.compose import (
    CHART_NAME,
    Period,
    chart_for,
    department_summary,
    due_period,
    week_so_far,
    workspace_summary,
)
from scheduler.summary.metrics import DeptWeek, week_metrics
from scheduler.summary.progress import ProgressRow, progress_rows, progress_section, with_progress
from storage.db import Store, UnitOfWork
from storage.models import OutboxMessage, Workspace
from storage.repositories import FileRepository
from storage.tenancy_models import WorkspaceSettings


@dataclass(frozen=True)
class Posted:
    """Where a summary went."""

    channels: list[str]
    departments: int


def summary_departments(session: Session, ws_id: int, period: Period) -> dict[int, DeptInfo]:
    """Departments that existed during the period and were not removed before it."""
    return {
        d.id: d
        for d in facts.departments(session).values()
        if d.workspace_id == ws_id
        and d.created_at < period.end
        and (d.removed_at is None or d.removed_at >= period.start)
    }


def period_metrics(
    session: Session, ws_id: int, period: Period, depts: dict[int, DeptInfo]
) -> dict[int, DeptWeek]:
    """Each department's figures for the period."""
    return week_metrics(
        session,
        ws_id,
        depts,
        start=period.start,
        end=period.end,
        standup_dates=period.standup_dates(),
    )


def write_summary(
    uow: UnitOfWork,
    settings: Settings,
    ws_id: int,
    period: Period,
    *,
    now: datetime,
    key_prefix: str,
) -> Posted:
    """Compute the period's figures and queue the summary messages (each key once)."""
    session = uow.session
    depts = summary_departments(session, ws_id, period)
    config = config_by_id(uow, settings, ws_id)  # the workspace's own, over the defaults
    channel = config.summary_channel
    if not depts:
        return Posted([], 0)  # no department yet in that period: nothing to summarise
    keys = (
        [f"{key_prefix}:ws:{ws_id}:{period.label}"]
        if channel
        else [f"{key_prefix}:dept:{d}:{period.label}" for d in depts]
    )
    if _all_written(session, keys):
        return Posted([], 0)
    weeks = period_metrics(session, ws_id, period, depts)
    ordered = sorted(weeks.values(), key=lambda w: w.key)
    # Each language's chart is drawn once and stored once: each row names its language's
    # chart by id (a PNG copied into 500 departments' rows made the outbox carry tens of
    # megabytes every Monday).
    charts: dict[str, StoredFile | None] = {}

    def attachment_in(locale: str) -> StoredFile | None:
        if locale not in charts:
            png = chart_for(ordered, period, locale)
            charts[locale] = (
                StoredFile(
                    FileRepository(session).store(
                        workspace_id=ws_id,
                        key=f"{key_prefix}:chart:ws:{ws_id}:{period.label}:{locale}",
                        content=png,
                        now=now,
                    ),
                    CHART_NAME,
                    t(locale, "summary.chart"),
                )
                if png
                else None
            )
        return charts[locale]

    # Every department's open items in one query, not one per department.
    open_items = progress_rows(session, depts)
    progress: dict[int, list[ProgressRow]] = defaultdict(list)
    for row in open_items:
        progress[row.department_id or 0].append(row)
    if channel:
        locale = config.locale
        message = workspace_summary(ordered, period, locale=locale)
        names = {d.id: d.name for d in depts.values()}
        table = progress_section(open_items, locale=locale, tz=period.tz, departments=names)
        channel_message(
            uow,
            workspace_id=ws_id,
            channel_id=channel,
            message=with_progress(message, table),
            key=keys[0],
            now=now,
            attachment=attachment_in(locale),
        )
        return Posted([channel], len(ordered))
    posted: list[str] = []
    for week in ordered:
        dept = depts[week.dept_id]
        key = f"{key_prefix}:dept:{dept.id}:{period.label}"
        if not week.has_news or not dept.channel_id or dept.removed_at is not None:
            # Recorded as skipped, so later ticks of the morning do not work it out again.
            uow.outbox.enqueue(
                workspace_id=ws_id,
                dedupe_key=key,
                kind=MessageKind.SUMMARY.value,
                action=OutboxAction.POST.value,
                department_id=dept.id,
                state="skipped",
                last_error="nothing to report",
                created_at=now,
            )
            continue
        locale = normalize_locale(dept.locale, config.locale)
        table = progress_section(progress[dept.id], locale=locale, tz=period.tz, name=dept.name)
        if channel_message(
            uow,
            workspace_id=ws_id,
            channel_id=dept.channel_id,
            message=with_progress(department_summary(week, period, locale=locale), table),
            key=key,
            now=now,
            department_id=dept.id,
            attachment=attachment_in(locale),
        ):
            posted.append(dept.channel_id)
    return Posted(posted, len(posted))


def _all_written(session: Session, keys: list[str]) -> bool:
    found = session.scalars(
        select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))
    ).all()
    return len(set(found)) == len(set(keys))


def summary_may_be_due(session: Session, settings: Settings, now: datetime) -> bool:
    """Whether it is Monday morning in XDEPT_TIMEZONE or in a zone a workspace set for itself
    (a cheap look before the summaries' work)."""
    zones = {settings.xdept_timezone}
    zones.update(
        session.scalars(
            select(WorkspaceSettings.timezone).where(WorkspaceSettings.timezone.is_not(None))
        )
    )
    return any(due_period(now, zone) is not None for zone in zones)


def post_due_summaries(uow: UnitOfWork, settings: Settings, *, now: datetime) -> int:
    """Queue the weekly summary of every workspace whose Monday 09:00 has come; messages queued.

    Monday 09:00 in each workspace's own zone (`workspace set tz:`, else XDEPT_TIMEZONE).
    """
    queued = 0
    for ws_id in uow.session.scalars(select(Workspace.id).order_by(Workspace.id)):
        period = due_period(now, config_by_id(uow, settings, ws_id).timezone)
        if period is None:
            continue
        posted = write_summary(uow, settings, ws_id, period, now=now, key_prefix="summary")
        queued += len(posted.channels)
    return queued


class SummaryService:
    """`/xdept summary`: the week so far, posted now."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.lookup = Lookup(settings)

    def post_now(self, *, ctx: Context) -> Message:
        """Post this week's summary so far; the reply tells the person where it went."""
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            locale = self.lookup.locale_of(uow, ws, ctx.actor.user_id)
            if ctx.actor.locale:
                locale = normalize_locale(ctx.actor.locale, self.settings.xdept_locale)
            config = config_by_id(uow, self.settings, ws.id)
            period = week_so_far(ctx.now, config.timezone)
            # Each command posts once; a retried delivery of the same command does not.
            stamp = ctx.now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
            posted = write_summary(
                uow, self.settings, ws.id, period, now=ctx.now, key_prefix=f"summary-now:{stamp}"
            )
        described = period.describe(locale)
        if not posted.channels:
            return compose.simple(locale, "summary.posted_nothing", period=described)
        if config.summary_channel:
            where: Rich = [ChannelSpan(channel_id=posted.channels[0])]
            return compose.simple(locale, "summary.posted", period=described, where=where)
        return compose.simple(
            locale, "summary.posted_depts", period=described, n=len(posted.channels)
        )
