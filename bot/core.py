"""The core as one object: the services, and `/xdept <text>` turned into a reply.

Adapters build a Context, call `run_command` or `execute` (or `perform` around a
service call for reactions and thread replies), and render the Message they get
back. Whatever a use case queues in the outbox is delivered right after it, by the
same call, and nothing else: the scheduler's delivery sends the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from bot import commands as c
from bot import compose, minutes_text
from bot import followup_text as say
from bot.config import Settings
from bot.context import Context
from bot.departments import DepartmentService
from bot.domain import XdeptError
from bot.export import ExportService
from bot.i18n import tr
from bot.items.followup import read_status
from bot.limits import clean
from bot.lookup import Lookup, normalize_locale
from bot.messages import LinkSpan, Message, MessageKind, Section, mention, text
from bot.services import ItemService
from bot.views import ItemView
from bot.workspaces import WorkspaceService
from storage.db import Store

log = logging.getLogger(__name__)

T = TypeVar("T")


class RowDelivery(Protocol):
    """Sends given outbox rows now (scheduler.delivery.Deliverer)."""

    def deliver_rows(self, ids: Sequence[int], *, now: datetime) -> object:
        """Send exactly these rows; what fails stays queued for the tick."""
        ...


@dataclass(frozen=True)
class Reply:
    """A command's answer, and the item it filed if it filed one (an adapter that sends the
    answer later can link the item's tracking message once that is posted)."""

    message: Message
    filed: ItemView | None = None


class Core:
    """The services over one store, and the one way to run a use case and send what it said."""

    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        delivery: RowDelivery,
        summary: Callable[[Context], Message] | None = None,
        channel_private: Callable[[str, str], bool] | None = None,
        person_locale: Callable[[str, str], str | None] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.items = ItemService(store, settings)
        self.departments = DepartmentService(store, settings)
        self.exports = ExportService(store, settings)
        self.workspaces = WorkspaceService(store, settings)
        self.lookup = Lookup(settings)
        self._delivery = delivery
        self._summary = summary
        # Adapters that can tell private channels apart pass a check (workspace, channel);
        # items in private channels are not shown to everyone.
        self._channel_private = channel_private or (lambda _workspace, _channel: False)
        # Adapters that can look a person up (workspace, user id -> platform locale) pass
        # it, so someone the bot never heard from is addressed in their own language.
        self._person_locale = person_locale or (lambda _ws, _user: None)

    def run(self, work: Callable[[], T]) -> tuple[T, list[int]]:
        """Run a use case; its result and the outbox rows it queued (not yet sent)."""
        with self.store.collect_queued() as queued:
            result = work()
        return result, queued

    def send(self, queued: Sequence[int], *, now: datetime) -> None:
        """Deliver rows a use case queued; a failure leaves them to the scheduler's delivery."""
        if not queued or self.store.in_transaction():
            # Inside a caller's transaction nothing is committed yet: the caller sends
            # what the whole transaction queued once it has committed.
            return
        try:
            self._delivery.deliver_rows(queued, now=now)
        except Exception:  # the outbox keeps the rows; the next tick retries them
            log.exception("immediate delivery failed; messages stay queued")

    def perform(self, work: Callable[[], T], *, now: datetime) -> T:
        """Run a use case and deliver exactly the messages it queued."""
        result, queued = self.run(work)
        self.send(queued, now=now)
        return result

    def locale(self, ctx: Context) -> str:
        """The actor's language: their own choice (`lang`), else the platform's, else the
        workspace's (`workspace set locale:`, else XDEPT_LOCALE)."""
        with self.store.unit_of_work() as uow:
            ws = uow.workspaces.get(ctx.platform, ctx.workspace)
            person = uow.people.get(ws.id, ctx.actor.user_id) if ws is not None else None
            chosen = person.language if person is not None else None
            default = (
                self.lookup.workspace_locale(uow, ws)
                if ws is not None
                else self.settings.xdept_locale
            )
        return normalize_locale(
            chosen or ctx.actor.locale or (person.locale if person else None), default
        )

    def timezone(self, ctx: Context) -> str:
        """The actor's zone, else the workspace's (`workspace set tz:`, else XDEPT_TIMEZONE)."""
        if ctx.actor.timezone:
            return ctx.actor.timezone
        with self.store.unit_of_work() as uow:
            ws = uow.workspaces.get(ctx.platform, ctx.workspace)
            return ws.timezone if ws is not None else self.settings.xdept_timezone

    def run_command(
        self, ctx: Context, line: str, *, mentions: c.Mentions | None = None
    ) -> Message:
        """Parse a command, run it, and return the reply for the person who typed it.

        `mentions` maps the placeholders the adapter put in `line` to the people,
        user groups and chats they stand for.
        """
        return self.reply_to(ctx, line, mentions=mentions).message

    def reply_to(self, ctx: Context, line: str, *, mentions: c.Mentions | None = None) -> Reply:
        """`run_command`, with the item the command filed if it filed one."""
        try:
            command = c.parse_command(clean(line), mentions=mentions)
        except c.CommandError as exc:
            return Reply(compose.error_reply(exc.render(self.locale(ctx), ctx.command_style)))
        return self.reply_to_command(ctx, command)

    def execute(self, ctx: Context, command: c.Command) -> Message:
        """Run a typed command (a button or a form maps to one) and deliver what it queued;
        refusals come back as errors."""
        return self.reply_to_command(ctx, command).message

    def reply_to_command(self, ctx: Context, command: c.Command) -> Reply:
        """`execute`, with the item the command filed if it filed one."""
        locale = self.locale(ctx)
        self._learn_languages(ctx, command)
        try:
            result = self.perform(lambda: self._run(ctx, command, locale), now=ctx.now)
        except XdeptError as exc:
            return Reply(compose.error_reply(exc.render(locale, ctx.command_style)))
        if isinstance(result, ItemView):  # a filing: its reply links the message just posted
            return Reply(self.filed_reply(ctx, result, locale), filed=result)
        return Reply(result)

    def filed_reply(self, ctx: Context, view: ItemView, locale: str) -> Message:
        """Confirmation of a filing, with the tracking message's link once it is posted."""
        try:
            fresh = self.items.show(ctx=ctx, code=view.code).model_copy(
                update={"hints": view.hints}
            )
        except XdeptError:
            fresh = view
        return compose.filed_reply(
            fresh,
            locale=locale,
            now=ctx.now,
            tz=self.timezone(ctx),
            link=fresh.permalink,
            style=ctx.command_style,
        )

    def _run(  # noqa: C901 - a dispatch table
        self, ctx: Context, cmd: c.Command, locale: str
    ) -> Message | ItemView:
        """The reply, or for a filing the new item (its reply waits for delivery)."""
        now, tz, style = ctx.now, self.timezone(ctx), ctx.command_style
        match cmd:
            case c.Help(topic=topic):
                help_text = c.help_text(locale, topic, style=style)
                return compose.reply([text(help_text)], kind=MessageKind.HELP)
            case c.Ask(target=target, text=body):
                return self.items.ask(ctx=ctx, target=target, text=body)
            case c.Commit(text=body):
                return self.items.commit(ctx=ctx, text=body)
            case c.Todo(assignee=who, text=body):
                return self.items.todo(ctx=ctx, assignee=who, text=body)
            case c.ListItems(scope=scope, dept=dept, page=page):
                result = self.items.list_items(ctx=ctx, scope=scope, dept=dept, page=page)
                return compose.list_reply(result, locale=locale, now=now, tz=tz, style=style)
            case c.Show(code=code):
                view = self.items.show(ctx=ctx, code=code)
                return compose.detail_reply(view, locale=locale, now=now, tz=tz)
            case c.Ack(code=code):
                return self._status(self.items.ack(ctx=ctx, code=code), locale)
            case c.Done(code=code):
                return self._status(self.items.done(ctx=ctx, code=code), locale)
            case c.Decline(code=code, reason=reason):
                return self._status(self.items.decline(ctx=ctx, code=code, reason=reason), locale)
            case c.Cancel(code=code):
                return self._status(self.items.cancel(ctx=ctx, code=code), locale)
            case c.Reopen(code=code):
                return self._status(self.items.reopen(ctx=ctx, code=code), locale)
            case c.Snooze(code=code, when=when):
                view = self.items.snooze(ctx=ctx, code=code, when=when)
                assert view.snoozed_until is not None
                return compose.reply(
                    tr(
                        locale,
                        "reply.snoozed",
                        code=view.code,
                        until=compose.when_span(view.snoozed_until, tz=tz, locale=locale),
                    )
                )
            case c.ChangeDue(code=code, when=when):
                view = self.items.change_due(ctx=ctx, code=code, when=when)
                assert view.due_at is not None
                return compose.reply(
                    tr(
                        locale,
                        "reply.due_set",
                        code=view.code,
                        due=compose.due_span(view.due_at, now=now, tz=tz, locale=locale),
                    )
                )
            case c.Assign(code=code, assignee=who):
                view = self.items.assign(ctx=ctx, code=code, assignee=who)
                return compose.reply(
                    tr(
                        locale,
                        "reply.assigned",
                        code=view.code,
                        owner=compose.person(view.owner_id, locale),
                    )
                )
            case c.Escalate(code=code):
                view = self.items.escalate(ctx=ctx, code=code)
                escalated_to = self.departments.show(ctx=ctx, key=view.department_key or "")
                contact = escalated_to.escalation_contact_id or ""
                return compose.reply(
                    tr(locale, "reply.escalated", code=view.code, contact=mention(contact))
                )
            case c.DeptAdd(key=key, fields=fields):
                d = self.departments.add(
                    ctx=ctx, key=key, fields=fields, channel_private=self._private(ctx, fields)
                )
                return compose.simple(locale, "reply.dept_added", key=d.key, name=d.name)
            case c.DeptSet(key=key, fields=fields):
                d = self.departments.set(
                    ctx=ctx, key=key, fields=fields, channel_private=self._private(ctx, fields)
                )
                return compose.department_reply(d, locale=locale, style=style)
            case c.DeptList():
                depts = self.departments.list_all(ctx=ctx)
                return compose.departments_reply(depts, locale=locale, style=style)
            case c.DeptShow(key=key):
                d = self.departments.show(ctx=ctx, key=key)
                return compose.department_reply(d, locale=locale, style=style)
            case c.DeptRemove(key=key):
                d = self.departments.remove(ctx=ctx, key=key)
                return compose.simple(locale, "reply.dept_removed", key=d.key)
            case c.Away(when=when):
                until = self.departments.away(ctx=ctx, when=when)
                return compose.simple(
                    locale, "reply.away", until=compose.when_span(until, tz=tz, locale=locale)
                )
            case c.Back():
                self.departments.back(ctx=ctx)
                return compose.simple(locale, "reply.back")
            case c.Export(dept=dept, since=since):
                export = self.exports.export(ctx=ctx, dept=dept, since=since)
                return compose.simple(
                    locale, "reply.export", rows=export.rows, updates=export.updates
                )
            case c.Progress() | c.StatusReport() | c.Edit() | c.History() | c.Move() | c.Minutes():
                return self._follow_up(ctx, cmd, locale)
            case c.WorkspaceShow():
                return self.workspaces.show(ctx=ctx, locale=locale)
            case c.WorkspaceSet(ops=ops):
                return self.workspaces.set(ctx=ctx, ops=ops, locale=locale)
            case c.Language(locale=chosen):
                self.departments.set_language(ctx=ctx, locale=chosen)
                return compose.simple(chosen, "reply.lang")
            case c.Summary():
                if self._summary is None:
                    return compose.error_reply("summary is not available in this process")
                return self._summary(ctx)
        raise AssertionError(f"unhandled command {cmd!r}")

    def _follow_up(self, ctx: Context, cmd: c.Command, locale: str) -> Message:
        """`update`, `status`, `edit`, `history`, `move`."""
        tz, style = self.timezone(ctx), ctx.command_style
        match cmd:
            case c.Progress(code=code, text=body):
                view = self.items.progress(ctx=ctx, code=code, text=body)
                return compose.simple(locale, "reply.progress", code=view.code)
            case c.StatusReport(code=code, text=""):
                view, parts = self.items.status_prefill(ctx=ctx, code=code)
                return say.status_template(view.code, parts.as_dict(), locale=locale, style=style)
            case c.StatusReport(code=code, text=body):
                view = self.items.status(ctx=ctx, code=code, parts=read_status(body))
                return compose.simple(locale, "reply.status", code=view.code)
            case c.Edit(code=code, text=body):
                view = self.items.edit(ctx=ctx, code=code, text=body)
                return compose.reply(tr(locale, "reply.edited", code=view.code, cmd=style.prefix))
            case c.History(code=code, page=page):
                h = self.items.history(ctx=ctx, code=code, page=page)
                return say.history_reply(
                    h.item, h.updates, page=h.page, pages=h.pages, total=h.total,
                    locale=locale, tz=tz, style=style,
                )  # fmt: skip
            case c.Minutes(text=""):
                return compose.reply(tr(locale, "minutes.paste", cmd=style.prefix))
            case c.Minutes(text=notes, confirm=False, mentions=mentions):
                lines = self.items.read_minutes(ctx=ctx, notes=notes, mentions=mentions)
                return minutes_text.preview(lines, locale=locale, tz=tz, style=style)
            case c.Minutes(text=notes, confirm=True, mentions=mentions):
                done = self.items.file_minutes(
                    ctx=ctx, notes=notes, mentions=mentions, locale=self.channel_locale(ctx)
                )
                return minutes_text.filed_reply(done.items, done.skipped, locale=locale)
            case c.Move(code=code, target=target):
                view = self.items.move(ctx=ctx, code=code, target=target)
                return compose.reply(
                    tr(locale, "reply.moved", code=view.code, dept=text(view.department_name or ""))
                )
        raise AssertionError(f"unhandled command {cmd!r}")

    def channel_locale(self, ctx: Context) -> str:
        """The language of a channel: its department's, else the workspace default."""
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            dept = uow.departments.by_channel(ws.id, ctx.channel_id) if ctx.channel_id else None
            return normalize_locale(dept.locale if dept else None, self.settings.xdept_locale)

    def _learn_languages(self, ctx: Context, command: c.Command) -> None:
        """Before a department is added, an item handed to someone or an escalation sent,
        look up the language of the people it names whom the bot has not heard from
        (leads, the contact, the new owner)."""
        people: list[str] = []
        if isinstance(command, c.DeptAdd | c.DeptSet):
            people = [
                op.target.id
                for op in command.fields
                if op.field in (c.DeptField.LEAD, c.DeptField.ESCALATE)
                and op.target is not None
                and op.target.id
            ]
        elif isinstance(command, c.Escalate):
            try:
                view = self.items.show(ctx=ctx, code=command.code)
                dept = self.departments.show(ctx=ctx, key=view.department_key or "")
            except XdeptError:
                return  # the command itself will say what is wrong
            people = [dept.escalation_contact_id] if dept.escalation_contact_id else []
        elif isinstance(command, c.Todo | c.Assign) and command.assignee.id:
            people = [command.assignee.id]
        if not people:
            return
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            for user_id in people:
                person = uow.people.get(ws.id, user_id)
                if person is not None and (person.language or person.locale):
                    continue
                try:
                    found = self._person_locale(ctx.workspace, user_id)
                except Exception:  # a lookup that fails leaves the workspace default
                    log.warning("could not look up the language of %s", user_id, exc_info=True)
                    continue
                if found:
                    person = person or uow.people.get_or_create(ws.id, user_id, now=ctx.now)
                    person.locale = found
                    person.updated_at = ctx.now

    def _private(self, ctx: Context, fields: list[c.FieldOp]) -> bool | None:
        """Whether a channel named among the fields is private (None if none is named)."""
        for op in fields:
            if op.field is c.DeptField.CHANNEL and op.target is not None:
                channel = op.target.id or op.target.name or ""
                return self._channel_private(ctx.workspace, channel)
        return None

    def _status(self, view: ItemView, locale: str) -> Message:
        body = tr(
            locale, "reply.changed", code=view.code, status=compose.status_word(view.status, locale)
        )
        if view.permalink:
            body += [text(" "), LinkSpan(url=view.permalink, label=view.code)]
        return Message(kind=MessageKind.REPLY, sections=[Section(body=body)])
