"""Meeting minutes into items: each line naming a person or a department and a due date.

`read_minutes` proposes an item for every such line (an action item for a person, a
request for a department) and says why each other line is not one; `file_minutes`
files the readable lines in one transaction, all or none, and posts one summary in
the channel where the notes were typed. Unreadable lines are shown, never dropped
silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from bot import minutes_text, outbox
from bot.commands import Mentions, Target, TargetKind
from bot.commands.targets import TargetReader
from bot.context import Context
from bot.domain import InvalidInput, NotFound, XdeptError
from bot.items.filing import Filing
from bot.limits import clean
from bot.messages import Message
from bot.views import ItemView
from storage.db import UnitOfWork
from storage.models import Department, DepartmentPerson, Person, Workspace

# Notes longer than this are no meeting's action items (a chat's form field holds less).
MINUTES_LIMIT = 20_000
MAX_LINES = 60
# "1.", "1)", "-", "*", "•", "·", "（1）", "[ ]" before a line's text.
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,3}[.)、]|[（(]\d{1,3}[)）]|\[[ xX]?\])\s*")
_TRIM = " \t:：,，;；-—"


@dataclass(frozen=True)
class MinutesLine:
    """One non-empty line of the notes, and what it would file (or why it would not)."""

    number: int
    raw: str
    text: str = ""
    owner: str | None = None  # an action item's owner (a person)
    department: str | None = None  # a request's department key
    department_name: str | None = None
    due: datetime | None = None
    problem: str | None = None  # an i18n key: why this line files nothing
    detail: str = ""  # what the problem quotes

    @property
    def readable(self) -> bool:
        """True when the line files an item."""
        return self.problem is None


@dataclass(frozen=True)
class MinutesFiled:
    """What confirming filed, and the lines it could not read."""

    items: list[ItemView]
    skipped: list[MinutesLine]


class Minutes(Filing):
    """`minutes`: the preview and the filing."""

    def read_minutes(
        self, *, ctx: Context, notes: str, mentions: Mentions | None = None
    ) -> list[MinutesLine]:
        """Every non-empty line, read as an item or with the reason it is not one."""
        notes = clean(notes)
        if len(notes) > MINUTES_LIMIT:
            raise InvalidInput("err.minutes_long", length=len(notes), limit=MINUTES_LIMIT)
        reader = TargetReader(mentions)
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            lines = [
                self._read_line(uow, ws, ctx, reader, number, raw)
                for number, raw in enumerate(notes.splitlines(), start=1)
                if raw.strip()
            ]
        if not lines:
            raise InvalidInput("err.minutes_empty")
        if len(lines) > MAX_LINES:
            raise InvalidInput("err.minutes_lines", count=len(lines), limit=MAX_LINES)
        return lines

    def _read_line(
        self,
        uow: UnitOfWork,
        ws: Workspace,
        ctx: Context,
        reader: TargetReader,
        number: int,
        raw: str,
    ) -> MinutesLine:
        shown = reader.readable(raw).strip()
        body = _BULLET.sub("", raw, count=1)
        target, rest = _first_target(reader, body)
        if target is None:
            return MinutesLine(number, shown, problem="minutes.no_target")
        text = reader.readable(rest).strip(_TRIM)
        if not text:
            return MinutesLine(number, shown, problem="minutes.no_text")
        dept = None
        owner: str | None = None
        if target.kind is TargetKind.PERSON:
            owner = target.id
        else:
            try:
                dept = self.lookup.department(uow, ws, target)
            except NotFound:
                owner = self._known_person(uow, ws, target)
                if owner is None:
                    return MinutesLine(
                        number, shown, problem="minutes.unknown", detail=target.label()
                    )
        try:
            due = self._read_due(uow, ws, ctx, rest, dept=dept, explicit=False)
        except XdeptError as exc:
            return MinutesLine(
                number, shown, problem="minutes.bad_due", detail=exc.render("en").split("\n")[0]
            )
        if due is None:
            return MinutesLine(number, shown, problem="minutes.no_due")
        return MinutesLine(
            number,
            shown,
            text=text,
            owner=owner,
            department=dept.key if dept else None,
            department_name=dept.name if dept else None,
            due=due,
        )

    def _known_person(self, uow: UnitOfWork, ws: Workspace, target: Target) -> str | None:
        """A plain @name that is no department: a person the bot knows by id or name."""
        name = target.name or ""
        if target.kind is not TargetKind.NAME or not name:
            return None
        found = uow.session.scalar(
            select(Person.user_id).where(
                Person.workspace_id == ws.id,
                or_(Person.user_id == name, Person.display_name == name),
            )
        ) or uow.session.scalar(
            select(DepartmentPerson.user_id)
            .join(Department, Department.id == DepartmentPerson.department_id)
            .where(Department.workspace_id == ws.id, DepartmentPerson.user_id == name)
            .limit(1)
        )
        return str(found) if found else None

    def file_minutes(
        self, *, ctx: Context, notes: str, mentions: Mentions | None = None, locale: str
    ) -> MinutesFiled:
        """File every readable line in one transaction (all or none) and post one summary
        where the notes were typed."""
        lines = self.read_minutes(ctx=ctx, notes=notes, mentions=mentions)
        wanted = [line for line in lines if line.readable]
        if not wanted:
            raise InvalidInput("err.minutes_nothing")
        channel = ctx.channel_id
        if not channel:
            raise InvalidInput("err.no_channel")
        # One transaction: the items' own units of work join it, so a refusal of any line
        # undoes them all (inside a caller's transaction, this block is a savepoint).
        joined = self.store.in_transaction()
        with self.store.unit_of_work() if joined else self.store.transaction() as uow:
            filed = [self._file_line(ctx, line) for line in wanted]
            ws = self.lookup.workspace(uow, ctx)
            summary: Message = minutes_text.summary(
                filed, actor=ctx.actor.user_id, locale=locale, tz=self.lookup.actor_tz(uow, ws, ctx)
            )
            outbox.channel_message(
                uow,
                workspace_id=ws.id,
                channel_id=channel,
                message=summary,
                key=f"minutes:{ctx.actor.user_id}:{filed[0].code}",
                now=ctx.now,
            )
        return MinutesFiled(items=filed, skipped=[line for line in lines if not line.readable])

    def _file_line(self, ctx: Context, line: MinutesLine) -> ItemView:
        # The due date was read from the line; the item's text is the line without its
        # target, so the date phrase in it is read again the same way.
        if line.department:
            target = Target(kind=TargetKind.NAME, name=line.department)
            return self.ask(ctx=ctx, target=target, text=line.text)
        person = Target(kind=TargetKind.PERSON, id=line.owner)
        return self.todo(ctx=ctx, assignee=person, text=line.text)


def _first_target(reader: TargetReader, body: str) -> tuple[Target | None, str]:
    """The first word that is a target, and the line without it."""
    for match in re.finditer(r"\S+", body):
        target, cut, after = reader.leading(match.group())
        if target is not None and target.kind is not TargetKind.CHAT:
            start = match.start()
            return target, body[:start] + body[start + max(cut, after) :]
    return None, body
