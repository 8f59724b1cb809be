"""Who may do what: acknowledging, first responses, open departments, and every state change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import commands as c
from bot.bootstrap import App
from bot.domain import (
    ItemFacts,
    ItemKind,
    Party,
    PermissionDenied,
    Reaction,
    Status,
    check_edit,
    check_status_update,
    counts_as_first_response,
    may_show,
)
from bot.messages import Message, MessageKind
from storage.models import Item
from tests.conftest import CtxFactory, at

MON = at(2026, 11, 23, 10, 0)
LATER = MON + timedelta(hours=1)


@pytest.fixture
def depts(app: App, ctx: CtxFactory) -> None:
    """Logistics: lead wang, member chen, user group S9. Customer service: lead lily only (open)."""
    for line in (
        "dept add logistics #C0LOG lead:@wang member:@chen escalate:@zhao name:物流部",
        "dept add customer-service #C0CS lead:@lily escalate:@zhao name:客服部",
    ):
        reply = app.core.run_command(ctx("admin", MON - timedelta(hours=1)), line)
        assert reply.kind is not MessageKind.ERROR, reply.plain()
    group = c.Target(kind=c.TargetKind.GROUP, id="S9", name="log-team")
    reply = app.core.run_command(
        ctx("admin", MON), "dept set logistics usergroup:@_group_1", mentions={"@_group_1": group}
    )
    assert reply.kind is not MessageKind.ERROR, reply.plain()


def run(app: App, ctx: CtxFactory, user: str, line: str, now=LATER, **kw) -> Message:  # type: ignore[no-untyped-def]
    return app.core.run_command(ctx(user, now, **kw), line)


def stored(app: App, number: int = 1) -> Item:
    with app.store.unit_of_work() as uow:
        found = uow.items.by_number(1, number)
        assert found is not None
        uow.session.expunge(found)
        return found


def untouched(app: App) -> None:
    """The request is as filed: open, nobody owns it, the clock still runs."""
    item = stored(app)
    assert item.status == "open" and item.owner_id is None and item.first_response_at is None


def ask_logistics(app: App, ctx: CtxFactory) -> str:
    reply = run(app, ctx, "mei", "ask @logistics relabel the pallets by Friday", now=MON)
    assert reply.kind is not MessageKind.ERROR, reply.plain()
    message_id = stored(app).message_id
    assert message_id
    return message_id


def reply_in_thread(app: App, ctx: CtxFactory, user: str, message_id: str, n: int, **kw):  # type: ignore[no-untyped-def]
    return app.core.items.record_reply(
        ctx=ctx(user, LATER, **kw),
        channel_id="C0LOG",
        thread_id=message_id,
        message_id=f"2.{n}",
        text=f"reply {n}",
    )


# --------------------------------------------------------------------------- acknowledging


def test_an_outsiders_eyes_are_refused_privately_and_change_nothing(
    app: App, ctx: CtxFactory, depts: None
) -> None:
    message_id = ask_logistics(app, ctx)
    outcome = app.core.items.react(
        ctx=ctx("lily", LATER),
        channel_id="C0LOG",
        message_id=message_id,
        reaction=Reaction.ACKNOWLEDGE,
    )
    assert outcome.item is None
    assert outcome.refused and "member of logistics" in outcome.refused
    untouched(app)


def test_an_outsiders_ack_command_and_button_are_refused_with_the_reason(
    app: App, ctx: CtxFactory, depts: None
) -> None:
    ask_logistics(app, ctx)
    typed = run(app, ctx, "lily", "ack XD-1")
    assert typed.kind is MessageKind.ERROR and "member of logistics" in typed.plain()
    assert "/xdept dept set logistics member:@you" in typed.plain()
    zh = run(app, ctx, "lily", "ack XD-1", locale="zh-CN")
    assert "只有 XD-1 的负责人或 logistics 部门的成员可以确认收到" in zh.plain()
    clicked = app.core.execute(ctx("lily", LATER), c.Ack(code="XD-1"))
    assert clicked.kind is MessageKind.ERROR and "member of logistics" in clicked.plain()
    untouched(app)


def test_an_outsiders_thread_reply_is_recorded_but_stops_no_clock(
    app: App, ctx: CtxFactory, depts: None
) -> None:
    message_id = ask_logistics(app, ctx)
    outsider = reply_in_thread(app, ctx, "lily", message_id, 1)
    assert outsider.item is not None and not outsider.first_response
    untouched(app)
    requester = reply_in_thread(app, ctx, "mei", message_id, 2)
    assert not requester.first_response
    bot = reply_in_thread(app, ctx, "helper-bot", message_id, 3, is_bot=True)
    assert bot.item is None
    untouched(app)
    member = reply_in_thread(app, ctx, "chen", message_id, 4)
    assert member.first_response and member.item and member.item.status is Status.ACKNOWLEDGED
    item = stored(app)
    assert item.first_response_by == "chen" and item.first_response_at == LATER
    with app.store.unit_of_work() as uow:
        replies = [u.actor_id for u in uow.items.updates(item.id) if u.kind == "reply"]
    assert replies == ["lily", "mei", "chen"]  # every human reply is in the trail


def test_a_member_through_the_user_group_acknowledges_and_owns_it(
    app: App, ctx: CtxFactory, depts: None
) -> None:
    message_id = ask_logistics(app, ctx)
    outcome = app.core.items.react(
        ctx=ctx("sun", LATER, usergroups=frozenset({"S9"})),
        channel_id="C0LOG",
        message_id=message_id,
        reaction=Reaction.ACKNOWLEDGE,
    )
    assert outcome.item and outcome.item.status is Status.ACKNOWLEDGED
    item = stored(app)
    assert item.owner_id == "sun" and item.first_response_by == "sun"


def test_a_lead_acknowledges_and_the_owner_may_acknowledge_again(
    app: App, ctx: CtxFactory, depts: None
) -> None:
    ask_logistics(app, ctx)
    assert "acknowledged" in run(app, ctx, "wang", "ack XD-1").plain()
    assert stored(app).owner_id == "wang"
    assert "acknowledged" in run(app, ctx, "wang", "ack XD-1").plain()
    # Someone outside, even once it is owned, still may not.
    assert "member of logistics" in run(app, ctx, "lily", "ack XD-1").plain()


def test_the_requester_may_not_acknowledge_their_own_request(
    app: App, ctx: CtxFactory, depts: None
) -> None:
    ask_logistics(app, ctx)
    assert "can't acknowledge it yourself" in run(app, ctx, "mei", "ack XD-1").plain()
    untouched(app)


# --------------------------------------------------------------------------- open departments


def test_an_open_department_takes_anyone_but_the_requester(
    app: App, ctx: CtxFactory, depts: None
) -> None:
    run(app, ctx, "mei", "ask @customer-service call the client back", now=MON)
    message_id = stored(app).message_id
    assert message_id
    assert "can't acknowledge it yourself" in run(app, ctx, "mei", "ack XD-1").plain()
    own = app.core.items.record_reply(
        ctx=ctx("mei", LATER), channel_id="C0CS", thread_id=message_id, message_id="3.1", text="?"
    )
    assert not own.first_response
    anyone = app.core.items.record_reply(
        ctx=ctx("amy", LATER), channel_id="C0CS", thread_id=message_id, message_id="3.2", text="ok"
    )
    assert anyone.first_response and stored(app).first_response_by == "amy"
    assert "acknowledged" in run(app, ctx, "bob", "ack XD-1").plain()
    assert stored(app).owner_id == "bob"


def test_dept_show_suggests_binding_a_user_group_while_the_department_is_open(
    app: App, ctx: CtxFactory, depts: None
) -> None:
    shown = run(app, ctx, "admin", "dept show customer-service").plain()
    assert "anyone but the requester may acknowledge" in shown
    assert "/xdept dept set customer-service usergroup:@team" in shown
    zh = run(app, ctx, "admin", "dept show customer-service", locale="zh-CN").plain()
    assert "建议绑定部门用户组" in zh
    assert "anyone but" not in run(app, ctx, "admin", "dept show logistics").plain()
    run(app, ctx, "admin", "dept set customer-service member:@ivy")
    assert "anyone but" not in run(app, ctx, "admin", "dept show customer-service").plain()
    # No longer open: an outsider is refused.
    run(app, ctx, "mei", "ask @customer-service call back")
    assert "member of customer-service" in run(app, ctx, "amy", "ack XD-1").plain()


# ---------------------------------------------------------------- commitments and actions


def test_commitments_and_action_items_are_acknowledged_by_their_owner_only(
    app: App, ctx: CtxFactory, depts: None
) -> None:
    run(app, ctx, "lily", "todo @mei 整理客户投诉清单 明天", now=MON, channel="C0CS")
    assert "Only the owner of XD-1" in run(app, ctx, "lily", "ack XD-1").plain()
    assert "Only the owner of XD-1" in run(app, ctx, "wang", "ack XD-1").plain()
    assert "acknowledged" in run(app, ctx, "mei", "ack XD-1").plain()
    assert stored(app).first_response_at is None  # no first-response clock
    run(app, ctx, "mei", "commit 发周报 by Friday", now=MON, channel="C0CS")
    assert "acknowledged" in run(app, ctx, "mei", "ack XD-2").plain()
    assert stored(app, 2).first_response_at is None


# --------------------------------------------------------------------------- state changes


def test_done_decline_cancel_reopen_due_and_escalate(
    app: App, ctx: CtxFactory, depts: None
) -> None:
    ask_logistics(app, ctx)
    # Done: a lead, the owner or the requester. A member who does not own it may not.
    assert "Only a lead" in run(app, ctx, "chen", "done XD-1").plain()
    assert "Only a lead" in run(app, ctx, "lily", "done XD-1").plain()
    # Decline: a lead or the owner; not the requester.
    assert "Only a lead" in run(app, ctx, "mei", "decline XD-1 nope").plain()
    # Cancel: the requester only.
    assert "Only the person who filed" in run(app, ctx, "wang", "cancel XD-1").plain()
    # Change due: the requester, the owner or a lead; not a member.
    assert "Only the requester" in run(app, ctx, "chen", "due XD-1 next Monday").plain()
    assert "now due" in run(app, ctx, "wang", "due XD-1 next Monday").plain()
    # Escalate: the requester, once.
    assert "Only the person who filed" in run(app, ctx, "wang", "escalate XD-1").plain()
    assert "escalated" in run(app, ctx, "mei", "escalate XD-1").plain()
    assert "already been escalated" in run(app, ctx, "mei", "escalate XD-1").plain()
    # The owner closes; reopen: the requester, the owner or a lead, not a member.
    run(app, ctx, "chen", "ack XD-1")
    assert "is now done" in run(app, ctx, "chen", "done XD-1").plain()
    assert "Only the requester" in run(app, ctx, "sun", "reopen XD-1").plain()
    assert "is now open" in run(app, ctx, "mei", "reopen XD-1").plain()
    assert "declined" in run(app, ctx, "wang", "decline XD-1 not ours").plain()
    assert "is now open" in run(app, ctx, "wang", "reopen XD-1").plain()
    assert "cancelled" in run(app, ctx, "mei", "cancel XD-1").plain()


# ---------------------------------------------------------------- rules kept for later commands


def _facts(**kw: object) -> ItemFacts:
    base: dict[str, object] = {
        "code": "XD-1",
        "kind": ItemKind.REQUEST,
        "status": Status.OPEN,
        "requester_id": "mei",
        "owner_id": "chen",
        "leads": ["wang"],
        "department": "logistics",
    }
    return ItemFacts(**{**base, **kw})  # type: ignore[arg-type]


def test_status_and_update_belong_to_requester_owner_and_members() -> None:
    facts = _facts()
    for who in (Party("mei"), Party("chen"), Party("sun", member=True), Party("wang", member=True)):
        check_status_update(facts, who, "status")
    with pytest.raises(PermissionDenied):
        check_status_update(facts, Party("lily"), "update")


def test_edit_belongs_to_the_requester() -> None:
    check_edit(_facts(), Party("mei"))
    for who in (Party("chen"), Party("wang", member=True), Party("lily")):
        with pytest.raises(PermissionDenied):
            check_edit(_facts(), who)


def test_history_follows_show() -> None:
    facts = _facts()
    assert may_show(facts, Party("mei"), public=False)
    assert may_show(facts, Party("chen"), public=False)
    assert may_show(facts, Party("sun", member=True), public=False)
    assert not may_show(facts, Party("lily"), public=False)
    assert may_show(facts, Party("lily"), public=True)


def test_first_response_rules() -> None:
    request = _facts(owner_id=None)
    assert counts_as_first_response(request, Party("sun", member=True))
    assert not counts_as_first_response(request, Party("lily"))
    assert not counts_as_first_response(request, Party("sun", member=True, is_bot=True))
    open_dept = _facts(owner_id=None, department_open=True)
    assert counts_as_first_response(open_dept, Party("lily"))
    assert not counts_as_first_response(open_dept, Party("mei"))
    action = _facts(kind=ItemKind.ACTION, owner_id="chen")
    assert not counts_as_first_response(action, Party("chen"))
