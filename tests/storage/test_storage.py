"""Storage on both databases: migrations, item codes under concurrency, outbox dedupe, UTC."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from bot.commands import DeptAdd, Target, TargetKind, parse_command
from bot.config import Settings
from bot.context import Actor, Context
from bot.departments import DepartmentService
from bot.services import ItemService
from storage.db import Store
from storage.migrate import current
from storage.models import Base
from tests.conftest import at

NOW = at(2026, 11, 23, 10, 0)


def _ctx(user: str, now: datetime = NOW) -> Context:
    return Context(
        platform="slack", workspace="T1", actor=Actor(user_id=user), now=now, channel_id="C0GEN"
    )


def test_migrations_create_every_table_and_index(store: Store) -> None:
    assert current(store.engine) is not None
    inspector = inspect(store.engine)
    tables = set(inspector.get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    item_indexes = {ix["name"] for ix in inspector.get_indexes("items")}
    assert {"ix_items_status_due", "ix_items_unanswered", "ix_items_thread"} <= item_indexes


def test_datetimes_come_back_aware_in_utc(store: Store) -> None:
    with store.unit_of_work() as uow:
        ws = uow.workspaces.get_or_create("slack", "T1", now=NOW, timezone="UTC")
        created = ws.created_at
    with store.unit_of_work() as uow:
        again = uow.workspaces.get("slack", "T1")
        assert again is not None
        assert again.created_at == created == NOW
        assert again.created_at.tzinfo is not None and again.created_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive"), store.unit_of_work() as uow:
        uow.workspaces.get_or_create("slack", "T2", now=datetime(2026, 1, 1), timezone="UTC")


def test_outbox_dedupe_key_is_unique(store: Store) -> None:
    with store.unit_of_work() as uow:
        ws = uow.workspaces.get_or_create("slack", "T1", now=NOW, timezone="UTC")
        values = dict(
            workspace_id=ws.id,
            dedupe_key="standup:dept:1:2026-11-23",
            kind="standup",
            action="post",
            channel_id="C1",
            created_at=NOW,
        )
        assert uow.outbox.enqueue(**values) is True
        assert uow.outbox.enqueue(**values) is False
    with store.unit_of_work() as uow:
        assert uow.outbox.by_key("standup:dept:1:2026-11-23") is not None


class _Services:
    """The item services alone: these tests are about storage, not delivery."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.items = ItemService(store, settings)
        self.departments = DepartmentService(store, settings)


def test_workspaces_are_isolated(store: Store) -> None:
    settings = Settings(xdept_timezone="UTC")
    core = _Services(store, settings)
    for team in ("T1", "T2"):
        command = parse_command("dept add logistics #C0LOG lead:@wang escalate:@zhao")
        assert isinstance(command, DeptAdd)
        ctx = Context(platform="slack", workspace=team, actor=Actor(user_id="admin"), now=NOW)
        DepartmentService(store, settings).add(ctx=ctx, key=command.key, fields=command.fields)
    a = core.items.ask(
        ctx=_ctx("mei"), target=Target(kind=TargetKind.NAME, name="logistics"), text="one"
    )
    other = Context(platform="slack", workspace="T2", actor=Actor(user_id="mei"), now=NOW)
    b = core.items.ask(ctx=other, target=Target(kind=TargetKind.NAME, name="logistics"), text="two")
    assert a.code == b.code == "XD-1"  # numbered per workspace
    assert core.items.show(ctx=other, code="XD-1").text == "two"


def test_fifty_parallel_requests_get_fifty_distinct_codes(store: Store) -> None:
    """Filed from parallel threads, every request gets its own XD number, without gaps."""
    settings = Settings(xdept_timezone="UTC")
    core = _Services(store, settings)
    command = parse_command("dept add logistics #C0LOG lead:@wang escalate:@zhao")
    assert isinstance(command, DeptAdd)
    core.departments.add(ctx=_ctx("admin"), key=command.key, fields=command.fields)
    target = Target(kind=TargetKind.NAME, name="logistics")

    def file(n: int) -> str:
        when = NOW + timedelta(seconds=n)
        return core.items.ask(ctx=_ctx(f"user{n}", when), target=target, text=f"request {n}").code

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(file, range(50)))
    assert len(set(codes)) == 50
    assert sorted(int(c.split("-")[1]) for c in codes) == list(range(1, 51))


def test_store_ping(store: Store) -> None:
    assert store.ping() is True
    broken = Store.from_url("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    assert broken.ping() is False


def test_utc_constant_is_utc() -> None:
    assert NOW.astimezone(UTC).hour == 2
