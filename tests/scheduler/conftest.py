"""A small world for scheduler tests: departments, people, a clock, and what the bot said."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.bootstrap import App
from bot.context import Actor, Context
from bot.messages import Message, MessageKind
from handlers.console.messenger import RecordingMessenger, Sent
from scheduler.runner import RunReport, tick_and_deliver
from storage.models import Item, OutboxMessage, Update


class World:
    """Drives the real core and the tick; every instant is given explicitly."""

    def __init__(self, app: App, messenger: RecordingMessenger) -> None:
        self.app = app
        self.messenger = messenger

    def ctx(
        self,
        user: str,
        now: datetime,
        *,
        channel: str | None = "C-general",
        tz: str = "Asia/Shanghai",
        locale: str = "en",
    ) -> Context:
        """A person acting at `now`."""
        actor = Actor(user_id=user, name=user, timezone=tz, locale=locale)
        return Context(platform="slack", workspace="T1", actor=actor, now=now, channel_id=channel)

    def run(self, user: str, line: str, now: datetime, **kwargs: object) -> Message:
        """`/xdept <line>` typed by `user` at `now`; refusals fail the test."""
        reply = self.app.core.run_command(self.ctx(user, now, **kwargs), line)  # type: ignore[arg-type]
        assert reply.kind is not MessageKind.ERROR, reply.plain()
        return reply

    def setup(self, now: datetime, *, tz: str = "Asia/Shanghai", extra: str = "") -> None:
        """Logistics (lead wang, member chen, escalation contact zhao) and customer service."""
        self.run(
            "admin",
            f"dept add logistics #C0LOG lead:@wang member:@chen escalate:@zhao name:物流部 "
            f"alias:物流 tz:{tz} {extra}".strip(),
            now,
        )
        self.run(
            "admin",
            f"dept add cs #C0CS lead:@lily escalate:@zhao name:客服部 tz:{tz} standup:off",
            now,
        )

    def ask(self, text: str, now: datetime, *, user: str = "mei", tz: str = "Asia/Shanghai") -> str:
        """File a request to logistics; returns its code."""
        reply = self.run(user, f"ask @logistics {text}", now, tz=tz)
        code = reply.plain().split()[1]
        assert code.startswith("XD-"), reply.plain()
        return code

    def tick(self, now: datetime) -> RunReport:
        """One tick and delivery at `now`."""
        return tick_and_deliver(self.app, now=now)

    def step(self, start: datetime, end: datetime, every: timedelta) -> list[RunReport]:
        """Tick at start, start+every, ... up to and including end."""
        reports = []
        at = start
        while at <= end:
            reports.append(self.tick(at))
            at += every
        return reports

    def said(self, kind: MessageKind) -> list[Sent]:
        """What the bot sent of one kind, in order."""
        return [s for s in self.messenger.sent if s.message is not None and s.message.kind is kind]

    def keys(self, kind: str | None = None) -> list[str]:
        """Dedupe keys of outbox rows (sent or not), optionally of one kind."""
        with self.app.store.unit_of_work() as uow:
            stmt = select(OutboxMessage.dedupe_key).order_by(OutboxMessage.id)
            if kind is not None:
                stmt = stmt.where(OutboxMessage.kind == kind)
            return list(uow.session.scalars(stmt))

    def rows(self, kind: str) -> list[OutboxMessage]:
        """Outbox rows of one kind, detached."""
        with self.app.store.unit_of_work() as uow:
            found = list(
                uow.session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.kind == kind)
                    .order_by(OutboxMessage.id)
                )
            )
            for row in found:
                uow.session.expunge(row)
            return found

    def updates(self, code: str, kind: str) -> list[Update]:
        """An item's updates of one kind."""
        number = int(code.split("-")[1])
        with self.app.store.unit_of_work() as uow:
            found = list(
                uow.session.scalars(
                    select(Update)
                    .join(Item, Item.id == Update.item_id)
                    .where(Item.number == number, Update.kind == kind)
                    .order_by(Update.id)
                )
            )
            for row in found:
                uow.session.expunge(row)
            return found

    def item(self, code: str) -> Item:
        """An item row, detached."""
        with self.app.store.unit_of_work() as uow:
            found = uow.items.by_number(1, int(code.split("-")[1]))
            assert found is not None
            uow.session.expunge(found)
            return found


@pytest.fixture
def world(app: App, messenger: RecordingMessenger) -> Iterator[World]:
    """A World over the test app (both databases)."""
    yield World(app, messenger)
