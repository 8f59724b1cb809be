"""Use cases end to end through Core.run_command, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.bootstrap import App
from bot.commands import Target, TargetKind
from bot.domain import InvalidInput, NotFound, PermissionDenied, Reaction, Status
from bot.messages import MessageKind, plain
from handlers.console.messenger import RecordingMessenger
from storage.models import Item, OutboxMessage
from tests.conftest import CtxFactory, at

MON = at(2026, 11, 23, 10, 0)  # Monday, Asia/Shanghai


def setup_departments(app: App, ctx: CtxFactory) -> None:
    """Logistics (物流部) led by wang with member chen; customer service led by lily."""
    for line in (
        "dept add logistics #C0LOG lead:@wang member:@chen escalate:@zhao name:物流部 alias:物流",
        "dept add customer-service #C0CS lead:@lily escalate:@zhao name:客服部",
    ):
        reply = app.core.run_command(ctx("admin", MON - timedelta(hours=1)), line)
        assert reply.kind is not MessageKind.ERROR, reply.plain()


def run(app: App, ctx: CtxFactory, user: str, line: str, now=MON, **kw):  # type: ignore[no-untyped-def]
    return app.core.run_command(ctx(user, now, **kw), line)


def item(app: App, number: int) -> Item:
    with app.store.unit_of_work() as uow:
        found = uow.items.by_number(1, number)
        assert found is not None
        uow.session.expunge(found)
        return found


def test_ask_files_request_posts_tracking_message_and_links_it(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    setup_departments(app, ctx)
    reply = run(app, ctx, "mei", "ask @物流 请停止线下拒单，被拒订单登记原因 周五前")
    text = reply.plain()
    assert "XD-1" in text and "Fri 27 Nov 18:00" in text, text
    posts = messenger.of("post")
    assert len(posts) == 1 and posts[0].chat == "C0LOG"
    tracking = posts[0].message
    assert tracking is not None and tracking.kind is MessageKind.TRACKING
    assert "请停止线下拒单，被拒订单登记原因 周五前" in tracking.plain()
    stored = item(app, 1)
    assert stored.text == "请停止线下拒单，被拒订单登记原因 周五前"  # stored as typed
    assert stored.due_at == at(2026, 11, 27, 18, 0)
    assert stored.message_id == posts[0].message_id and stored.permalink
    assert stored.permalink in [
        s.url for sec in reply.sections for s in sec.body if hasattr(s, "url")
    ]


def test_due_is_read_in_the_requesters_zone(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "amy", "ask @logistics relabel pallets by tomorrow 5pm", tz="America/New_York")
    # Monday 10:00 Shanghai is Sunday 21:00 in New York; tomorrow 5pm there is Monday 17:00 EST.
    assert item(app, 1).due_at == datetime(2026, 11, 23, 22, 0, tzinfo=UTC)


def test_past_due_is_refused_and_nothing_is_created(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    reply = run(app, ctx, "mei", "ask @logistics fix labels by 2026-11-01")
    assert reply.kind is MessageKind.ERROR and "2026-11-01" in reply.plain()
    with app.store.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Item)) == 0
        assert uow.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    # The number was not used up by the failed attempt.
    run(app, ctx, "mei", "ask @logistics fix labels by Friday")
    assert item(app, 1).text == "fix labels by Friday"


def test_no_due_date_suggests_setting_one(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    reply = run(app, ctx, "mei", "ask @logistics check the return process")
    assert "/xdept due XD-1" in reply.plain()
    assert item(app, 1).due_at is None


def test_unknown_department_names_the_closest_and_the_known(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    reply = run(app, ctx, "mei", "ask @logistic fix it")
    assert reply.kind is MessageKind.ERROR
    assert "@logistics" in reply.plain() and "customer-service" in reply.plain()
    zh = run(app, ctx, "mei", "ask @物流部门 修一下", locale="zh-CN")
    assert "物流" in zh.plain() and "没有名为" in zh.plain()


def test_targets_by_alias_usergroup_and_channel(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    group = Target(kind=TargetKind.GROUP, id="S9", name="log-team")
    chat = Target(kind=TargetKind.CHAT, id="C0LOG", name="logistics")
    mentions = {"@_group_1": group, "#_chat_1": chat}
    admin = ctx("admin", MON)
    app.core.run_command(admin, "dept set logistics usergroup:@_group_1", mentions=mentions)
    for line in ("ask @_group_1 one", "ask #_chat_1 two", "ask @物流 三"):
        reply = app.core.run_command(ctx("mei", MON), line, mentions=mentions)
        assert reply.kind is not MessageKind.ERROR, reply.plain()
    with app.store.unit_of_work() as uow:
        depts = {i.department.key for i in uow.session.scalars(select(Item))}
    assert depts == {"logistics"}


def test_first_reply_by_another_person_acknowledges(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "mei", "ask @logistics fix labels by Friday")
    it = item(app, 1)
    items = app.core.items
    later = MON + timedelta(hours=2)
    own = items.record_reply(
        ctx=ctx("mei", later),
        channel_id="C0LOG",
        thread_id=it.message_id,
        message_id="1.1",
        text="any news?",
    )
    assert not own.first_response and own.item and own.item.status is Status.OPEN
    bot = items.record_reply(
        ctx=ctx("bot", later, is_bot=True),
        channel_id="C0LOG",
        thread_id=it.message_id,
        message_id="1.2",
        text="beep",
    )
    assert bot.item is None
    first = items.record_reply(
        ctx=ctx("chen", later),
        channel_id="C0LOG",
        thread_id=it.message_id,
        message_id="1.3",
        text="收到，今天处理",
    )
    assert first.first_response and first.item and first.item.status is Status.ACKNOWLEDGED
    again = items.record_reply(
        ctx=ctx("chen", later),
        channel_id="C0LOG",
        thread_id=it.message_id,
        message_id="1.3",
        text="收到，今天处理",
    )
    assert not again.first_response
    app.deliver(later)
    stored = item(app, 1)
    assert stored.first_response_by == "chen" and stored.first_response_at == later
    notes = [s for s in messenger.of("post") if s.thread_id == it.message_id]
    assert len(notes) == 1 and "@mei" in plain(notes[0].message.sections[0].body)  # type: ignore[union-attr]
    assert len(messenger.of("update")) == 1
    with app.store.unit_of_work() as uow:
        replies = [u for u in uow.items.updates(stored.id) if u.kind == "reply"]
    assert [r.text for r in replies] == ["any news?", "收到，今天处理"]


def test_permissions_on_state_changes(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "mei", "ask @logistics fix labels by Friday")
    assert "can't acknowledge" in run(app, ctx, "mei", "ack XD-1").plain()
    assert "Only a lead" in run(app, ctx, "stranger", "done XD-1").plain()
    assert "Only a lead" in run(app, ctx, "chen", "decline XD-1 not ours").plain()
    assert "Only the person who filed" in run(app, ctx, "wang", "cancel XD-1").plain()
    assert "Only the person who filed" in run(app, ctx, "wang", "escalate XD-1").plain()
    assert "Only the requester" in run(app, ctx, "stranger", "due XD-1 next Monday").plain()
    # Acknowledging an unowned item makes you its owner.
    assert "acknowledged" in run(app, ctx, "chen", "ack XD-1").plain()
    assert item(app, 1).owner_id == "chen"
    assert "done" in run(app, ctx, "chen", "done XD-1").plain()
    assert "already done" in run(app, ctx, "chen", "done XD-1").plain()
    assert "Only the requester" in run(app, ctx, "stranger", "reopen XD-1").plain()
    assert "open" in run(app, ctx, "mei", "reopen XD-1").plain()
    assert item(app, 1).status == "open" and item(app, 1).closed_at is None
    assert "declined" in run(app, ctx, "wang", "decline XD-1 not ours, try finance").plain()
    assert item(app, 1).close_reason == "not ours, try finance"


def test_service_errors_are_typed(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    items = app.core.items
    view = items.ask(
        ctx=ctx("mei", MON), target=Target(kind=TargetKind.NAME, name="logistics"), text="fix it"
    )
    with pytest.raises(PermissionDenied):
        items.done(ctx=ctx("stranger", MON), code=view.code)
    with pytest.raises(NotFound):
        items.done(ctx=ctx("mei", MON), code="XD-99")
    with pytest.raises(InvalidInput):
        items.change_due(ctx=ctx("mei", MON), code=view.code, when="whenever")
    with pytest.raises(InvalidInput):
        items.ask(ctx=ctx("mei", MON), target=Target(kind=TargetKind.PERSON, id="U1"), text="x")


def test_change_due_assign_and_snooze(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    fri = at(2026, 11, 27, 15, 0)
    run(app, ctx, "mei", "ask @logistics fix labels by Friday")
    assert "Mon 30 Nov" in run(app, ctx, "mei", "due XD-1 next Monday").plain()
    assert item(app, 1).due_at == at(2026, 11, 30, 18, 0)
    assert "past" in run(app, ctx, "mei", "due XD-1 2026-01-01").plain()
    assert "owned by" in run(app, ctx, "wang", "assign XD-1 @chen").plain()
    assert item(app, 1).owner_id == "chen"
    # "1 day" is the same time on the next work day: Friday 15:00 -> Monday 15:00.
    run(app, ctx, "chen", "snooze XD-1 1 day", now=fri)
    assert item(app, 1).snoozed_until == at(2026, 11, 30, 15, 0)
    assert item(app, 1).status == "open"  # snoozing changes no status


def test_escalate_once_in_four_parts(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "mei", "ask @logistics 请在系统登记被拒订单 by Friday")
    later = MON + timedelta(days=2)
    reply = run(app, ctx, "mei", "escalate XD-1", now=later)
    assert "escalated" in reply.plain()
    dms = messenger.of("dm")
    assert len(dms) == 1 and dms[0].user == "zhao"
    message = dms[0].message
    assert message is not None and message.kind is MessageKind.ESCALATION
    assert [s.heading for s in message.sections] == [
        "Background",
        "Current state",
        "Impact",
        "Suggestion",
    ]
    assert "请在系统登记被拒订单" in message.plain()
    assert "already been escalated" in run(app, ctx, "mei", "escalate XD-1", now=later).plain()
    assert len(messenger.of("dm")) == 1
    assert item(app, 1).escalated_at == later


def test_escalation_without_contact_is_refused(app: App, ctx: CtxFactory) -> None:
    run(app, ctx, "admin", "dept add ops #C0OPS lead:@olga escalate:@zed")
    with app.store.unit_of_work() as uow:  # e.g. the contact left and was cleared by hand
        dept = uow.departments.by_key(1, "ops")
        assert dept is not None
        dept.escalation_contact_id = None
    run(app, ctx, "mei", "ask @ops reset the printer")
    reply = run(app, ctx, "mei", "escalate XD-1")
    assert "no escalation contact" in reply.plain() and "dept set ops escalate:" in reply.plain()


def test_reactions(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "mei", "ask @logistics fix labels by Friday")
    ts = item(app, 1).message_id
    assert ts
    items = app.core.items
    elsewhere = items.react(
        ctx=ctx("wang", MON), channel_id="C0LOG", message_id="1.999", reaction=Reaction.DONE
    )
    assert elsewhere.item is None and elsewhere.refused is None  # not a tracking message
    refused = items.react(
        ctx=ctx("chen", MON), channel_id="C0LOG", message_id=ts, reaction=Reaction.DONE
    )
    assert refused.refused and "Only a lead" in refused.refused
    ack = items.react(
        ctx=ctx("chen", MON), channel_id="C0LOG", message_id=ts, reaction=Reaction.ACKNOWLEDGE
    )
    assert ack.item and ack.item.status is Status.ACKNOWLEDGED
    done = items.react(
        ctx=ctx("wang", MON), channel_id="C0LOG", message_id=ts, reaction=Reaction.DONE
    )
    assert done.item and done.item.status is Status.DONE


def test_list_scopes_pages_and_visibility(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "admin", "dept add secret #G0SEC lead:@sam escalate:@zed")
    with app.store.unit_of_work() as uow:
        dept = uow.departments.by_key(1, "secret")
        assert dept is not None
        dept.channel_private = True
    for n in range(25):
        run(app, ctx, "mei", f"ask @logistics task {n} in {n + 1} days")
    run(app, ctx, "mei", "ask @secret classified thing")
    first = run(app, ctx, "wang", "list").plain()
    assert "26" not in first.split("\n")[0] and "25 items, page 1 of 2" in first
    assert "task 0" in first and "task 24" not in first  # soonest due first
    assert "task 24" in run(app, ctx, "wang", "list page 2").plain()
    assert "26 items" in run(app, ctx, "mei", "list asked").plain()
    # Private department: a stranger can't see it, the lead can.
    assert "no XD-26" in run(app, ctx, "stranger", "show XD-26").plain().replace("There is ", "")
    assert "classified" in run(app, ctx, "sam", "show XD-26").plain()
    assert "classified" in run(app, ctx, "stranger", "show XD-1").plain().replace(
        "task 0", "classified"
    )
    overdue = run(app, ctx, "wang", "list overdue", now=MON + timedelta(days=3)).plain()
    assert "task 0" in overdue and "task 1 " in overdue and "task 5" not in overdue


def test_departments_admin_rules(app: App, ctx: CtxFactory, settings) -> None:  # type: ignore[no-untyped-def]
    settings_admins = settings.model_copy(update={"xdept_admins": "boss"})
    app.core.departments.settings = settings_admins
    refused = run(app, ctx, "mei", "dept add logistics #C0LOG lead:@wang escalate:@zed")
    assert "Only workspace admins" in refused.plain() and "boss" in refused.plain()
    ok = run(app, ctx, "boss", "dept add logistics #C0LOG lead:@wang escalate:@zed name:物流部")
    assert "added" in ok.plain()
    platform_admin = run(
        app, ctx, "ann", "dept add cs #C0CS lead:@lily escalate:@zed", is_admin=True
    )
    assert "added" in platform_admin.plain()
    assert (
        "already exists"
        in run(app, ctx, "boss", "dept add logistics #C0X lead:@a escalate:@zed").plain()
    )
    assert "missing lead:" in run(app, ctx, "boss", "dept add hr #C0HR escalate:@zed").plain()
    run(app, ctx, "boss", "dept set logistics alias:物流")
    assert "already belongs" in run(app, ctx, "boss", "dept set cs alias:物流").plain()
    no_lead = run(app, ctx, "boss", "dept set logistics -lead:@wang").plain()
    assert "needs at least one lead" in no_lead
    shown = run(
        app,
        ctx,
        "boss",
        "dept set logistics tz:Europe/Berlin hours:08:00-17:00 "
        "standup:off first_response:4h holidays:DE",
    ).plain()
    assert "Europe/Berlin" in shown and "08:00-17:00" in shown and "4h" in shown
    run(app, ctx, "mei", "ask @logistics move boxes")
    blocked = run(app, ctx, "boss", "dept remove logistics").plain()
    assert "XD-1" in blocked and "still has 1 open" in blocked
    run(app, ctx, "mei", "cancel XD-1")
    assert "removed" in run(app, ctx, "boss", "dept remove logistics").plain()
    listing = run(app, ctx, "boss", "dept list").plain()
    assert "cs" in listing and "logistics" not in listing


def test_away_and_back(app: App, ctx: CtxFactory) -> None:
    assert "away until Mon 30 Nov 18:00" in run(app, ctx, "wang", "away next Monday").plain()
    with app.store.unit_of_work() as uow:
        person = uow.people.get(1, "wang")
        assert person is not None and person.away_until == at(2026, 11, 30, 18, 0)
    assert "past" in run(app, ctx, "wang", "away 2026-01-01").plain()
    run(app, ctx, "wang", "back")
    with app.store.unit_of_work() as uow:
        person = uow.people.get(1, "wang")
        assert person is not None and person.away_until is None


def test_export_csv_escapes_formulas_and_keeps_chinese(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "mei", 'ask @logistics =HYPERLINK("http://evil") by Friday')
    run(app, ctx, "mei", "ask @物流 @all 请核对库存")
    reply = run(app, ctx, "mei", "export dept logistics")
    assert "Exported 2 items and their 2 updates" in reply.plain()
    uploads = messenger.of("upload")
    assert len(uploads) == 2  # items, and every update
    raw = uploads[0].content or b""
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads the Chinese
    body = raw.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "'@all 请核对库存" in body
    header, first = body.splitlines()[:2]
    assert header.startswith("code,kind,status,department,department_name,requester")
    # Department names beside keys, times in the reader's zone (Asia/Shanghai here).
    assert "logistics,物流部,mei,mei" in first and "2026-11-23 10:00" in first
    assert first.endswith("Asia/Shanghai")
    trail = (uploads[1].content or b"").decode("utf-8-sig").splitlines()
    assert trail[0] == "code,at,who,who_name,what,text,time_zone"
    assert trail[1].startswith("XD-1,2026-11-23 10:00,mei,mei,created,")


def test_chinese_text_survives_unchanged(app: App, ctx: CtxFactory, messenger) -> None:  # type: ignore[no-untyped-def]
    setup_departments(app, ctx)
    text = "请把「3号仓库」的10箱退货𠮷野家标签改正，谢谢！😀 周五前"
    run(app, ctx, "mei", f"ask @物流 {text}")
    assert item(app, 1).text == text
    assert text in messenger.of("post")[0].message.plain()
    assert text in run(app, ctx, "mei", "show XD-1").plain()


def test_a_failure_halfway_leaves_nothing(app: App, ctx: CtxFactory) -> None:
    setup_departments(app, ctx)
    before = run(app, ctx, "admin", "dept show logistics").plain()
    bad = run(app, ctx, "admin", "dept set logistics name:Logistics tz:Mars/Base")
    assert bad.kind is MessageKind.ERROR
    assert run(app, ctx, "admin", "dept show logistics").plain() == before


def test_commitments_and_action_items_are_tracked_where_typed(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    reply = run(app, ctx, "mei", "commit 发周报给全组 by Friday", channel="C0CS")
    assert "XD-1" in reply.plain()
    todo = run(app, ctx, "lily", "todo @mei 整理客户投诉清单 明天下午3点", channel="C0CS")
    assert "XD-2" in todo.plain()
    posts = messenger.of("post")
    assert [p.chat for p in posts] == ["C0CS", "C0CS"]
    assert item(app, 1).kind == "commitment" and item(app, 1).owner_id == "mei"
    action = item(app, 2)
    assert action.kind == "action" and action.owner_id == "mei" and action.requester_id == "lily"
    assert action.due_at == at(2026, 11, 24, 15, 0)
    # The owner closes an action item; a bystander can't.
    assert "Only a lead" in run(app, ctx, "stranger", "done XD-2").plain()
    assert "done" in run(app, ctx, "mei", "done XD-2").plain()
    # No first-response clock for commitments and action items.
    assert item(app, 2).first_response_at is None


def test_list_dept_and_export_since(
    app: App, ctx: CtxFactory, messenger: RecordingMessenger
) -> None:
    setup_departments(app, ctx)
    run(app, ctx, "mei", "ask @logistics old one", now=MON - timedelta(days=10))
    run(app, ctx, "mei", "ask @logistics new one")
    run(app, ctx, "lily", "ask @customer-service 客服的事")
    listing = run(app, ctx, "stranger", "list dept logistics").plain()
    assert "old one" in listing and "new one" in listing and "客服的事" not in listing
    assert "unknown" not in listing
    typo = run(app, ctx, "mei", "list dept logistcs").plain()
    assert "@logistics" in typo
    run(app, ctx, "mei", "export since 2026-11-20")
    body = (messenger.of("upload")[-1].content or b"").decode("utf-8-sig")
    assert "new one" in body and "old one" not in body
