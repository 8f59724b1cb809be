"""Department administration and absences: one transaction each."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.calendar import build_calendar
from bot.calendar_text import parse_duration, parse_hours, parse_workdays
from bot.commands import DeptField, FieldOp, Target, TargetKind
from bot.config import Settings
from bot.context import Context
from bot.domain import ACTIVE, Conflict, InvalidInput, Role
from bot.limits import clean, fitted
from bot.lookup import NAME_LIMIT, Lookup, department_view
from bot.views import DepartmentView
from bot.workspace_config import require_admin
from storage.db import Store, UnitOfWork
from storage.models import Department, DepartmentAlias, DepartmentPerson, Workspace

# Fields that name a person, and the role they add.
_PEOPLE = {DeptField.LEAD: Role.LEAD, DeptField.MEMBER: Role.MEMBER}


class DepartmentService:
    """Adding, changing, listing and removing departments; away and back."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.lookup = Lookup(settings)

    def _require_admin(self, ctx: Context) -> None:
        """Admins: the workspace's (bot.workspace_config); with no list configured, anyone."""
        with self.store.unit_of_work() as uow:
            require_admin(uow, self.settings, ctx)

    def add(
        self, *, ctx: Context, key: str, fields: list[FieldOp], channel_private: bool | None = None
    ) -> DepartmentView:
        """Register a department; it needs a channel and at least one lead."""
        self._require_admin(ctx)
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            if uow.departments.by_key(ws.id, key) is not None:
                raise Conflict("err.dept_exists", key=key)
            dept = Department(
                workspace_id=ws.id,
                key=key,
                name=key,
                channel_id="",
                timezone=ws.timezone,
                workdays="mon-fri",
                day_start=time(9, 0),
                day_end=time(18, 0),
                holidays=[],
                standup_time=time(9, 30),
                first_response_minutes=8 * 60,
                escalate_after_minutes=24 * 60,
                created_at=ctx.now,
                channel_private=bool(channel_private),
                people=[],
                aliases=[],
            )
            self._apply(uow, ws, dept, fields)
            if not dept.channel_id:
                raise InvalidInput("err.dept_needs_channel", key=key)
            if not dept.user_ids(Role.LEAD):
                raise InvalidInput("err.dept_needs_lead", key=key)
            if dept.locale is None:
                # Its channel speaks its (first) lead's language unless told otherwise.
                dept.locale = self._lead_language(uow, ws, dept)
            uow.departments.add(dept)
            return department_view(dept)

    def _lead_language(self, uow: UnitOfWork, ws: Workspace, dept: Department) -> str | None:
        for lead in dept.user_ids(Role.LEAD):
            person = uow.people.get(ws.id, lead)
            chosen = (person.language or person.locale) if person else None
            if chosen:
                return "zh" if chosen.lower().startswith("zh") else "en"
        return None

    def set(
        self, *, ctx: Context, key: str, fields: list[FieldOp], channel_private: bool | None = None
    ) -> DepartmentView:
        """Change a department's fields."""
        self._require_admin(ctx)
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            dept = self.lookup.department_by_key(uow, ws, key)
            self._apply(uow, ws, dept, fields)
            if channel_private is not None:
                dept.channel_private = channel_private
            if not dept.user_ids(Role.LEAD):
                raise InvalidInput("err.dept_needs_lead", key=dept.key)
            uow.flush()
            # Thresholds, hours or the zone may have changed: reminders are worked out again.
            uow.items.recheck_department(dept.id, now=ctx.now)
            return department_view(dept, open_items=self._open_count(uow, dept))

    def remove(self, *, ctx: Context, key: str) -> DepartmentView:
        """Remove a department; refused while it has open items, which are listed."""
        self._require_admin(ctx)
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            dept = self.lookup.department_by_key(uow, ws, key)
            open_items = uow.items.open_in_department(dept.id, [s.value for s in ACTIVE])
            if open_items:
                codes = ", ".join(i.code for i in open_items[:20])
                more = f" (+{len(open_items) - 20})" if len(open_items) > 20 else ""
                raise Conflict(
                    "err.dept_has_open", key=dept.key, count=len(open_items), codes=codes + more
                )
            view = department_view(dept)
            uow.departments.remove(dept, now=ctx.now)
            return view

    def list_all(self, *, ctx: Context) -> list[DepartmentView]:
        """All departments with their open counts."""
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            return [
                department_view(d, open_items=self._open_count(uow, d))
                for d in uow.departments.all(ws.id)
            ]

    def show(self, *, ctx: Context, key: str) -> DepartmentView:
        """One department's settings."""
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            dept = self.lookup.department_by_key(uow, ws, key)
            view = department_view(dept, open_items=self._open_count(uow, dept))
            return view.model_copy(update={"gone": self._gone(uow, ws, dept)})

    def _gone(self, uow: UnitOfWork, ws: Workspace, dept: Department) -> list[str]:
        ids = [p.user_id for p in dept.people]
        if dept.escalation_contact_id:
            ids.append(dept.escalation_contact_id)
        found = uow.people.many(ws.id, ids)
        return sorted({u for u in ids if u in found and found[u].deactivated_at is not None})

    def person_left(self, *, ctx: Context, user_id: str, left: bool) -> None:
        """The platform says a person was deactivated (or came back): from now on they are
        treated as away for good, and `dept show` lists them."""
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            person = uow.people.get_or_create(ws.id, user_id, now=ctx.now)
            if left and person.deactivated_at is None:
                person.deactivated_at = ctx.now
            elif not left:
                person.deactivated_at = None
            person.updated_at = ctx.now

    def away(self, *, ctx: Context, when: str) -> datetime:
        """I am away until `when` (read in my zone); returns that instant."""
        from bot.dates import parse_due

        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            tz = self.lookup.actor_tz(uow, ws, ctx)
            until = parse_due(when, now=ctx.now, tz=tz)
            if until is None:
                raise InvalidInput("err.due_unreadable", text=when)
            if until <= ctx.now:
                raise InvalidInput("err.away_past", text=when)
            person = uow.people.get_or_create(ws.id, ctx.actor.user_id, now=ctx.now)
            person.away_until = until
            return until

    def back(self, *, ctx: Context) -> None:
        """I am back: prompts and nudges reach me again."""
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            person = uow.people.get_or_create(ws.id, ctx.actor.user_id, now=ctx.now)
            person.away_until = None

    def set_language(self, *, ctx: Context, locale: str) -> None:
        """My language, chosen: it wins over the platform's locale from now on."""
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            person = uow.people.get_or_create(ws.id, ctx.actor.user_id, now=ctx.now)
            person.language = locale
            person.updated_at = ctx.now

    # -- field application ----------------------------------------------------------------------

    def _open_count(self, uow: UnitOfWork, dept: Department) -> int:
        return len(uow.items.open_in_department(dept.id, [s.value for s in ACTIVE]))

    def _apply(self, uow: UnitOfWork, ws: Workspace, dept: Department, ops: list[FieldOp]) -> None:
        for op in ops:
            self._apply_one(uow, ws, dept, op)

    def _apply_one(self, uow: UnitOfWork, ws: Workspace, dept: Department, op: FieldOp) -> None:
        field, value = op.field, clean(op.value).strip()

        def bad(why: str) -> InvalidInput:
            return InvalidInput("err.bad_field", field=field.value, value=value, why=why)

        if field in _PEOPLE:
            user = _person(op, bad)
            role = _PEOPLE[field].value
            existing = [p for p in dept.people if p.user_id == user and p.role == role]
            if op.remove:
                for p in existing:
                    dept.people.remove(p)
            elif not existing:
                dept.people.append(DepartmentPerson(user_id=user, role=role))
        elif field is DeptField.ALIAS:
            alias = value.lstrip("@").lower()
            if not alias:
                raise bad("an alias needs a name")
            current = [a for a in dept.aliases if a.alias == alias]
            if op.remove:
                for a in current:
                    dept.aliases.remove(a)
            elif not current:
                owner = uow.departments.by_alias(ws.id, alias) or uow.departments.by_key(
                    ws.id, alias
                )
                if owner is not None and owner is not dept:
                    raise Conflict("err.alias_taken", alias=alias, key=owner.key)
                dept.aliases.append(DepartmentAlias(workspace_id=ws.id, alias=alias))
        elif op.remove:
            raise InvalidInput("err.dept_field_not_here", field=field.value)
        elif field is DeptField.NAME:
            if not value:
                raise bad("a name can't be empty")
            dept.name = fitted(value, NAME_LIMIT)
        elif field is DeptField.CHANNEL:
            target = op.target
            if target is None or target.kind is not TargetKind.CHAT:
                raise bad("give a channel, e.g. #logistics")
            dept.channel_id = clean(target.id or target.name or "")
            dept.channel_name = fitted(target.name, NAME_LIMIT) if target.name else None
        elif field is DeptField.ESCALATE:
            dept.escalation_contact_id = _person(op, bad)
        elif field is DeptField.USERGROUP:
            target = op.target
            if target is None or target.kind not in (TargetKind.GROUP, TargetKind.NAME):
                raise bad("give a user group, e.g. @logistics-team")
            dept.usergroup_id = clean(target.id or target.name or "") or None
        elif field is DeptField.TZ:
            try:
                ZoneInfo(value)
            except (KeyError, ValueError) as exc:
                raise bad("use an IANA time zone such as Asia/Shanghai") from exc
            dept.timezone = value
        elif field is DeptField.LOCALE:
            if value not in ("zh", "en"):
                raise bad("use zh or en")
            dept.locale = value
        elif field is DeptField.WORKDAYS:
            try:
                parse_workdays(value)
            except ValueError as exc:
                raise bad(str(exc)) from exc
            dept.workdays = value
        elif field is DeptField.HOURS:
            try:
                dept.day_start, dept.day_end = parse_hours(value)
            except ValueError as exc:
                raise bad(str(exc)) from exc
        elif field is DeptField.HOLIDAYS:
            entries = [v.strip() for v in value.split(",") if v.strip()]
            try:
                build_calendar(tz=dept.timezone or "UTC", holidays=entries)
            except ValueError as exc:
                raise bad(str(exc)) from exc
            dept.holidays = entries
        elif field is DeptField.STANDUP:
            if value.lower() == "off":
                dept.standup_time = None
            else:
                try:
                    hh, mm = value.split(":")
                    dept.standup_time = time(int(hh), int(mm))
                except ValueError as exc:
                    raise bad("use HH:MM, e.g. 09:30, or off") from exc
        elif field in (DeptField.FIRST_RESPONSE, DeptField.ESCALATE_AFTER):
            try:
                minutes = int(parse_duration(value).total_seconds() // 60)
            except ValueError as exc:
                raise bad(str(exc)) from exc
            if minutes <= 0:
                raise bad("must be longer than zero")
            if field is DeptField.FIRST_RESPONSE:
                dept.first_response_minutes = minutes
            else:
                dept.escalate_after_minutes = minutes


def _person(op: FieldOp, bad: object) -> str:
    target: Target | None = op.target
    if target is None or target.kind not in (TargetKind.PERSON, TargetKind.NAME):
        raise bad("mention a person, e.g. @alice")  # type: ignore[operator]
    value = clean(target.id or target.name or "")
    if not value:
        raise bad("mention a person, e.g. @alice")  # type: ignore[operator]
    return value
