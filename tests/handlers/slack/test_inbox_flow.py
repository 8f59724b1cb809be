"""An `ask` through the inbox: its commits, its durable answer, and answers that arrive late."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, select, update

from handlers.runtime.inbox import Runner
from storage.models import InboxTask, Item, OutboxMessage
from tests.handlers.slack.conftest import ALICE, LOGISTICS, SlackServer

_WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)', re.IGNORECASE)


@contextmanager
def counting_commits(engine: Engine) -> Iterator[list[str]]:
    """Every transaction committed on `engine` meanwhile, named by what it wrote first."""
    commits: list[str] = []
    first: dict[int, str] = {}

    def statement(conn, cursor, sql, params, context, many):  # type: ignore[no-untyped-def]
        written = _WRITE.match(sql)
        if written and id(conn) not in first:
            first[id(conn)] = f"{written.group(1).split()[0].lower()} {written.group(2)}"

    def commit(conn):  # type: ignore[no-untyped-def]
        commits.append(first.pop(id(conn), "read only"))

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        yield commits
    finally:
        event.remove(engine, "commit", commit)
        event.remove(engine, "before_cursor_execute", statement)


def _runner(server: SlackServer) -> Runner:
    return server.workers.runner


def test_an_ask_commits_its_change_its_answer_and_its_row_at_once(
    slack_server: SlackServer,
) -> None:
    slack_server.add_logistics()
    slack_server.workers.stop()  # run the row by hand, counting
    name = slack_server.command("ask @logistics count the pallets by Friday 5pm", user=ALICE)
    inbox = _runner(slack_server).inbox
    engine = slack_server.app.store.engine
    with counting_commits(engine) as commits:
        task = inbox.claim(now=datetime.now(UTC))
        assert task is not None and task.kind == "slack.command"
        claim_commits = len(commits)
        _runner(slack_server).run(task)
    assert claim_commits == 1
    # The claim, then one transaction with the item, its tracking message, the answer
    # and the row's completion; everything after it is delivery.
    assert commits[1] == "update inbox", commits
    work = 2
    with slack_server.app.store.unit_of_work() as uow:
        row = uow.session.scalars(select(InboxTask)).one()
        item = uow.session.scalars(select(Item)).one()
        rows = list(uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert row.state == "done" and item.message_id is not None
    assert [(r.action, r.state) for r in rows] == [("post_tracking", "sent"), ("answer", "sent")]
    delivery = len(commits) - work
    print(f"\ncommits per ask: {work} for the inbox and the use case, {delivery} for delivery")
    # Delivery is one round: one commit takes both rows and the channel's pace, one
    # records them (the answer links the tracking message posted just before it).
    assert delivery == 2 and len(commits) <= 5, commits
    reply = slack_server.slack.wait_for_response_posts(name)[0]
    assert slack_server.slack.permalink(LOGISTICS, item.message_id) in reply.all_text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_answer_later_than_25_minutes_goes_by_direct_message(
    slack_server: SlackServer,
) -> None:
    slack = slack_server.slack
    slack_server.workers.stop()  # an outage: the command waits in the inbox
    name = slack_server.command("help", user=ALICE)
    with slack_server.app.store.unit_of_work() as uow:
        uow.session.execute(
            update(InboxTask).values(
                received_at=datetime.now(UTC) - timedelta(minutes=26),
                available_at=datetime.now(UTC) - timedelta(minutes=26),
            )
        )
    inbox = _runner(slack_server).inbox
    task = inbox.claim(now=datetime.now(UTC))
    assert task is not None
    _runner(slack_server).run(task)
    (dm,) = slack.wait_for_messages(slack.dm_channel(ALICE), 1)
    assert "/xdept ask" in dm.all_text
    assert slack.response_posts(name) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_answer_survives_a_worker_that_dies_before_sending_it(
    slack_server: SlackServer,
) -> None:
    slack_server.workers.stop()
    name = slack_server.command("help", user=ALICE)
    runner = _runner(slack_server)
    task = runner.inbox.claim(now=datetime.now(UTC))
    assert task is not None
    # The worker commits the row and dies before it sends anything.
    dead = Runner(runner.inbox, runner.routes, send=lambda _ids, _now: None)
    dead.run(task)
    assert slack_server.slack.response_posts(name) == []
    # The scheduler's delivery finds the answer in the outbox and sends it, once.
    slack_server.app.deliver(datetime.now(UTC))
    slack_server.app.deliver(datetime.now(UTC))
    assert len(slack_server.slack.wait_for_response_posts(name)) == 1
