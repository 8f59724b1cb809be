"""Outbound in one place: a use case run through Core sends exactly what it queued."""

from __future__ import annotations

from datetime import timedelta

from bot.bootstrap import App
from bot.compose import reply
from bot.messages import MessageKind, text
from bot.outbox import channel_message
from bot.ports import ByPlatform, Messenger, WorkspaceAddress
from handlers.console.messenger import RecordingMessenger
from scheduler.delivery import Deliverer
from storage.models import OutboxMessage
from tests.bot.test_services import MON, item, run, setup_departments
from tests.conftest import CtxFactory


def _queue_elsewhere(app: App, *, workspace: str, chat: str) -> int:
    """A message another workspace's use case queued and left for the tick."""
    with app.store.unit_of_work() as uow:
        ws = uow.workspaces.get_or_create("slack", workspace, now=MON, timezone="UTC")
        channel_message(
            uow,
            workspace_id=ws.id,
            channel_id=chat,
            message=reply([text("left for the tick")]),
            key=f"elsewhere:{workspace}",
            now=MON,
        )
        return uow.outbox.queued[0]


def _state(app: App, row_id: int) -> str:
    with app.store.unit_of_work() as uow:
        row = uow.session.get(OutboxMessage, row_id)
        assert row is not None
        return row.state


def test_a_command_sends_its_own_messages_and_no_one_elses(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    setup_departments(app, ctx)
    other = _queue_elsewhere(app, workspace="T2", chat="C-T2")
    answer = run(app, ctx, "mei", "ask @logistics fix the pallet labels by Friday")
    assert answer.kind is not MessageKind.ERROR, answer.plain()
    assert [s.chat for s in messenger.of("post")] == ["C0LOG"]  # the tracking message
    assert _state(app, other) == "pending"  # another workspace's row waits for the tick
    app.deliver(MON + timedelta(minutes=1))
    assert _state(app, other) == "sent"


def test_a_bare_service_call_queues_and_perform_delivers_exactly_that(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "mei", "ask @logistics fix the pallet labels by Friday")
    before = len(messenger.sent)
    later = MON + timedelta(hours=1)
    app.core.items.ack(ctx=ctx("chen", later), code="XD-1")
    assert len(messenger.sent) == before  # queued, not sent: the caller decides
    other = _queue_elsewhere(app, workspace="T3", chat="C-T3")
    view, queued = app.core.run(lambda: app.core.items.done(ctx=ctx("wang", later), code="XD-1"))
    assert queued and view.code == "XD-1"
    app.core.send(queued, now=later)
    sent = messenger.sent[before:]
    assert {s.chat for s in sent} == {"C0LOG"}  # the edit and the note, not T3's row
    assert _state(app, other) == "pending"
    assert item(app, 1).status == "done"


def test_a_refused_command_queues_nothing(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "mei", "ask @logistics fix the pallet labels by Friday")
    before = len(messenger.sent)
    refusal = run(app, ctx, "mei", "decline XD-1 not mine")  # only a lead or the owner
    assert refusal.kind is MessageKind.ERROR
    assert len(messenger.sent) == before
    with app.store.unit_of_work() as uow:
        assert uow.outbox.due_ids(MON + timedelta(days=1), limit=10) == []


def test_each_row_goes_through_its_own_workspaces_messenger(app: App) -> None:
    first, second = RecordingMessenger(), RecordingMessenger()
    by_team = {"T1": first, "T2": second}

    class PerTeam:
        def for_workspace(self, workspace: WorkspaceAddress) -> Messenger:
            return by_team[workspace.external_id]

    rows = [_queue_elsewhere(app, workspace=team, chat=f"C-{team}") for team in ("T1", "T2")]
    deliverer = Deliverer(app.store, ByPlatform({"slack": PerTeam()}), app.settings)
    report = deliverer.deliver_rows(rows, now=MON)
    assert report.sent == 2
    assert [s.chat for s in first.sent] == ["C-T1"]
    assert [s.chat for s in second.sent] == ["C-T2"]


def test_a_platform_this_server_does_not_serve_fails_the_row_for_good(app: App) -> None:
    row = _queue_elsewhere(app, workspace="T1", chat="C-T1")
    deliverer = Deliverer(app.store, ByPlatform({}), app.settings)
    report = deliverer.deliver_rows([row], now=MON)
    assert report.failed == 1 and report.sent == 0
    assert _state(app, row) == "failed"
