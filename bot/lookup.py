"""Shared lookups for use cases: workspace, people, departments, items, views."""

from __future__ import annotations

import difflib
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.commands import Target, TargetKind
from bot.config import Settings
from bot.context import Context
from bot.domain import (
    InvalidInput,
    ItemFacts,
    ItemKind,
    NotFound,
    Party,
    Role,
    Status,
    UpdateKind,
)
from bot.limits import fitted
from bot.views import DepartmentView, ItemView, UpdateView
from storage.db import UnitOfWork
from storage.models import Department, Item, Person, Workspace
from storage.tenancy_models import WorkspaceSettings

# The longest display name stored (the column's size).
NAME_LIMIT = 200
# `updates=ALL_UPDATES` reads an item's whole trail (an escalation counts what came before).
ALL_UPDATES = 1_000_000


class Lookup:
    """Resolution of platform references to rows, shared by the services."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def workspace(self, uow: UnitOfWork, ctx: Context) -> Workspace:
        """The context's workspace (created on first use) with the actor's profile refreshed."""
        ws = uow.workspaces.get_or_create(
            ctx.platform, ctx.workspace, now=ctx.now, timezone=self.settings.xdept_timezone
        )
        self.remember(uow, ws, ctx)
        return ws

    def remember(self, uow: UnitOfWork, ws: Workspace, ctx: Context) -> Person:
        """Store what the platform told us of the actor (zone, language, admin, name)."""
        actor = ctx.actor
        person = uow.people.get_or_create(ws.id, actor.user_id, now=ctx.now)
        wanted = {
            # A name longer than the column is no name a platform gives; keep what fits.
            "display_name": fitted(actor.name, NAME_LIMIT) if actor.name else person.display_name,
            "timezone": actor.timezone or person.timezone,
            "locale": actor.locale or person.locale,
            "is_admin": actor.is_admin,
            "is_bot": actor.is_bot,
        }
        # Write only what changed: most use cases are reads and must not take a write lock.
        changed = {k: v for k, v in wanted.items() if getattr(person, k) != v}
        if changed:
            for name, value in changed.items():
                setattr(person, name, value)
            person.updated_at = ctx.now
        return person

    def actor_tz(self, uow: UnitOfWork, ws: Workspace, ctx: Context) -> str:
        """The zone the actor's words are read in: theirs, else the workspace default."""
        if ctx.actor.timezone:
            return ctx.actor.timezone
        person = uow.people.get(ws.id, ctx.actor.user_id)
        return (person.timezone if person and person.timezone else None) or ws.timezone

    def locale_of(self, uow: UnitOfWork, ws: Workspace, user_id: str) -> str:
        """A person's language: their own choice (`lang`), else their platform locale,
        else the workspace's (`workspace set locale:`, else XDEPT_LOCALE)."""
        person = uow.people.get(ws.id, user_id)
        chosen = (person.language or person.locale) if person else None
        return normalize_locale(chosen, self.workspace_locale(uow, ws))

    def workspace_locale(self, uow: UnitOfWork, ws: Workspace) -> str:
        """The workspace's own language (`workspace set locale:`), else XDEPT_LOCALE."""
        own = uow.session.get(WorkspaceSettings, ws.id)
        return (own.locale if own is not None else None) or self.settings.xdept_locale

    def item(self, uow: UnitOfWork, ws: Workspace, code: str, *, lock: bool = True) -> Item:
        """The item with that code, or NotFound."""
        try:
            number = int(code.rsplit("-", 1)[-1])
        except ValueError:
            raise NotFound("err.no_item", code=code) from None
        item = uow.items.by_number(ws.id, number, lock=lock)
        if item is None:
            raise NotFound("err.no_item", code=code)
        return item

    def department(self, uow: UnitOfWork, ws: Workspace, target: Target) -> Department:
        """The department a target names (key, alias, user group, channel), else a clear error."""
        dept: Department | None = None
        name = (target.name or "").strip().lstrip("@#").lower()
        if target.kind is TargetKind.GROUP and target.id:
            dept = uow.departments.by_usergroup(ws.id, target.id)
        elif target.kind is TargetKind.CHAT and target.id:
            dept = uow.departments.by_channel(ws.id, target.id)
        elif target.kind is TargetKind.PERSON:
            raise InvalidInput("err.target_is_person", name=target.name or target.id or "")
        if dept is None and name:
            dept = uow.departments.by_key(ws.id, name) or uow.departments.by_alias(ws.id, name)
        if dept is None:
            raise self.unknown_department(uow, ws, target.name or target.id or "")
        return dept

    def department_by_key(self, uow: UnitOfWork, ws: Workspace, key: str) -> Department:
        """The department with that key or alias, else a helpful error."""
        dept = uow.departments.by_key(ws.id, key) or uow.departments.by_alias(ws.id, key)
        if dept is None:
            raise self.unknown_department(uow, ws, key)
        return dept

    def unknown_department(self, uow: UnitOfWork, ws: Workspace, name: str) -> NotFound:
        """The error for an unknown department: the known ones and the closest match."""
        depts = uow.departments.all(ws.id)
        names: dict[str, str] = {}
        for d in depts:
            names[d.key] = d.key
            for a in d.aliases:
                names[a.alias] = d.key
        close = difflib.get_close_matches(name.lower(), list(names), n=1, cutoff=0.4)
        known = ", ".join(f"@{d.key} ({d.name})" if d.name != d.key else f"@{d.key}" for d in depts)
        if not depts:
            return NotFound("err.no_departments", name=name)
        if close:
            return NotFound("err.unknown_dept_close", name=name, close=names[close[0]], known=known)
        return NotFound("err.unknown_dept", name=name, known=known)

    def member_department_ids(self, uow: UnitOfWork, ws: Workspace, ctx: Context) -> list[int]:
        """Departments the actor belongs to: lead, member, or through a bound user group."""
        ids = {d.id for d in uow.departments.of_person(ws.id, ctx.actor.user_id)}
        if ctx.actor.usergroups:
            for d in uow.departments.all(ws.id):
                if d.usergroup_id and d.usergroup_id in ctx.actor.usergroups:
                    ids.add(d.id)
        return sorted(ids)

    def public_channels(self, uow: UnitOfWork, ws: Workspace) -> list[str]:
        """Channels of departments that are public (their items are visible to all)."""
        return [d.channel_id for d in uow.departments.all(ws.id) if not d.channel_private]

    def facts(self, item: Item) -> ItemFacts:
        """What the permission rules need."""
        dept = item.department
        return ItemFacts(
            code=item.code,
            kind=ItemKind(item.kind),
            status=Status(item.status),
            requester_id=item.requester_id,
            owner_id=item.owner_id,
            leads=dept.user_ids(Role.LEAD) if dept else [],
            department=dept.key if dept else None,
            department_open=dept is not None and is_open(dept),
        )

    def party(self, ctx: Context, item: Item) -> Party:
        """The actor as the permission rules see them, towards this item."""
        dept = item.department
        return Party(
            user_id=ctx.actor.user_id,
            member=dept is not None and is_member(dept, ctx),
            is_bot=ctx.actor.is_bot,
        )

    def item_view(self, uow: UnitOfWork, item: Item, *, updates: int | None = None) -> ItemView:
        """The read model of an item, with the last `updates` updates if asked."""
        dept = item.department
        trail = uow.items.updates(item.id, last=updates) if updates else []
        return ItemView(
            id=item.id,
            code=item.code,
            kind=ItemKind(item.kind),
            status=Status(item.status),
            text=item.text,
            requester_id=item.requester_id,
            owner_id=item.owner_id,
            department_key=dept.key if dept else None,
            department_name=dept.name if dept else None,
            department_tz=dept.timezone if dept else None,
            department_locale=dept.locale if dept else None,
            leads=dept.user_ids(Role.LEAD) if dept else [],
            due_at=item.due_at,
            created_at=item.created_at,
            first_response_at=item.first_response_at,
            first_response_by=item.first_response_by,
            closed_at=item.closed_at,
            snoozed_until=item.snoozed_until,
            escalated_at=item.escalated_at,
            channel_id=item.channel_id,
            message_id=item.message_id,
            permalink=item.permalink,
            source_link=item.source_link,
            background=item.background,
            impact=item.impact,
            suggestion=item.suggestion,
            close_reason=item.close_reason,
            updates=[
                UpdateView(kind=UpdateKind(u.kind), actor_id=u.actor_id, at=u.at, text=u.text)
                for u in trail
            ],
        )


def is_member(dept: Department, ctx: Context) -> bool:
    """The actor is a lead or member of the department, or in its bound user group."""
    me = ctx.actor.user_id
    if any(p.user_id == me for p in dept.people):
        return True
    return bool(dept.usergroup_id and dept.usergroup_id in ctx.actor.usergroups)


def is_open(dept: Department) -> bool:
    """Its leads are its only known members (no member:, no user group): anyone may take it."""
    return not dept.user_ids(Role.MEMBER) and not dept.usergroup_id


def department_view(dept: Department, *, open_items: int = 0) -> DepartmentView:
    """The read model of a department."""
    return DepartmentView(
        key=dept.key,
        name=dept.name,
        channel_id=dept.channel_id,
        channel_name=dept.channel_name,
        aliases=sorted(a.alias for a in dept.aliases),
        leads=dept.user_ids(Role.LEAD),
        members=dept.user_ids(Role.MEMBER),
        usergroup_id=dept.usergroup_id,
        escalation_contact_id=dept.escalation_contact_id,
        timezone=dept.timezone,
        locale=dept.locale,
        workdays=dept.workdays,
        hours=f"{dept.day_start:%H:%M}-{dept.day_end:%H:%M}",
        holidays=list(dept.holidays or []),
        standup=f"{dept.standup_time:%H:%M}" if dept.standup_time else "off",
        first_response=_minutes(dept.first_response_minutes),
        escalate_after=_minutes(dept.escalate_after_minutes),
        open_items=open_items,
        open_to_all=is_open(dept),
    )


def _minutes(value: int) -> str:
    return f"{value // 60}h" if value % 60 == 0 else f"{value}m"


def normalize_locale(value: str | None, default: str) -> str:
    """'zh-CN', 'zh_TW', 'zh' -> 'zh'; 'en-US' -> 'en'; unknown -> default."""
    if value:
        head = value.replace("_", "-").split("-")[0].lower()
        if head in ("zh", "en"):
            return head
    return default


def local_time(at: datetime, tz: str) -> time:
    """Wall time of an instant in a zone."""
    return at.astimezone(ZoneInfo(tz)).time()
