"""`xdept demo`: a real case played through the real core in a simulated workspace."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import compose
from bot.bootstrap import bootstrap
from bot.config import Settings
from bot.domain import Reaction, XdeptError
from bot.i18n import tr
from bot.messages import Message, MessageKind, mention
from handlers.console.messenger import RecordingMessenger
from handlers.console.workspace import ConsoleWorkspace, Member
from storage.db import Store

SHANGHAI = ZoneInfo("Asia/Shanghai")

PEOPLE = [
    Member("mei", "Mei 李梅", title="客服专员 customer service"),
    Member("lily", "Lily 林丽", title="客服主管 lead, customer service"),
    Member("wang", "Wang 王强", title="物流主管 lead, logistics"),
    Member("chen", "Chen 陈晨", title="物流专员 logistics"),
    Member("zhao", "Zhao 赵总", title="运营总监 escalation contact"),
    Member("admin", "Admin", locale="en-US", title="workspace admin"),
]

REQUEST = (
    "请不要再线下直接拒绝销售订单而不报备：被拒的订单请在系统里登记原因并通知客服，"
    "本周已有 12 单客户投诉。周五前"
)


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def run_demo(*, db_url: str | None = None, platform: str = "console") -> int:
    """Play the scenario and print the conversation; 0 when it went as expected.

    With platform "feishu" each bot message is drawn as the Feishu card it would be.
    """
    tmpdir = None
    if db_url is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="xdept-demo-")
        db_url = f"sqlite:///{tmpdir.name}/xdept.db"
    try:
        settings = Settings(
            database_url=db_url,
            xdept_timezone="Asia/Shanghai",
            xdept_locale="zh",
            xdept_admins="",
            xdept_summary_channel="C-ops",
        )
        messenger = RecordingMessenger()
        app = bootstrap(
            settings,
            messenger=messenger,
            store=Store.from_url(settings.sqlalchemy_url),
            sleep=lambda _s: None,
        )
        ws = ConsoleWorkspace(
            app, messenger, now=local(2026, 11, 23, 8, 50), render=_renderer(platform)
        )
        for person in PEOPLE:
            ws.add_person(person)
        ws.add_channel("C-cs", "customer-service")
        ws.add_channel("C-log", "logistics")
        ws.add_channel("C-ops", "ops")
        ws.add_channel("customer-service", "customer-service")
        ws.add_channel("logistics", "logistics")
        for person in PEOPLE:
            ws.add_channel(person.user_id, person.name)
        play(ws)
        return 0
    finally:
        if tmpdir is not None:
            tmpdir.cleanup()


def _renderer(platform: str) -> Callable[[Message, Mapping[str, str]], str]:
    if platform == "feishu":
        from handlers.console.cards import card_text

        return card_text
    from handlers.console.render import message_text

    return message_text


def press_escalate(ws: ConsoleWorkspace, user_id: str, code: str) -> None:
    """The requester clicks the Escalate button on the bot's suggestion."""
    ws.out(f"  {ws.names.get(user_id, user_id)} clicked [升级 Escalate] on {code}")
    locale = ws.app.core.locale(ws.ctx(user_id))
    try:
        view = ws.app.core.perform(
            lambda: ws.app.core.items.escalate(ctx=ws.ctx(user_id), code=code), now=ws.now
        )
    except XdeptError as exc:
        reply = compose.error_reply(exc.render(locale))
    else:
        contact = ws.app.core.departments.show(ctx=ws.ctx(user_id), key=view.department_key or "")
        reply = compose.reply(
            tr(
                locale,
                "reply.escalated",
                code=view.code,
                contact=mention(contact.escalation_contact_id or ""),
            )
        )
    ws.out(f"  xdept → {ws.names.get(user_id, user_id)} (only you see this):")
    ws.out(ws.render(reply, ws.names))


def answer_standup(ws: ConsoleWorkspace, user_id: str, channel_id: str, text: str) -> None:
    """Someone answers today's stand-up prompt in its thread."""
    prompts = [
        s
        for s in ws.messenger.sent
        if s.message is not None and s.message.kind is MessageKind.STANDUP and s.chat == channel_id
    ]
    assert prompts and prompts[-1].message_id, "no stand-up prompt was posted"
    ws.out(
        f"  {ws.names.get(user_id, user_id)} in #{ws.names.get(channel_id)} › thread of stand-up:"
    )
    ws.out(f"    {text}")
    ws.app.core.items.record_reply(
        ctx=ws.ctx(user_id, channel_id),
        channel_id=channel_id,
        thread_id=prompts[-1].message_id,
        message_id=f"{ws.now.timestamp():.6f}",
        text=text,
    )


def play(ws: ConsoleWorkspace) -> None:
    """The story, with the scheduler's tick every 15 minutes driving what the bot does."""
    out = ws.out
    out("xdept demo: customer service asks logistics (物流部) to stop rejecting orders offline.")
    out("Everything below runs through the real services, scheduler tick, outbox and delivery,")
    out("on SQLite, with the clock moving on; the bot's messages appear when the tick sends them.")

    ws.at(local(2026, 11, 23, 8, 50), "the admin registers two departments")
    ws.command(
        "admin",
        "C-ops",
        "dept add customer-service #C-cs lead:@lily escalate:@zhao name:客服部 alias:客服 "
        "tz:Asia/Shanghai holidays:CN locale:zh standup:off",
    )
    ws.command(
        "admin",
        "C-ops",
        "dept add logistics #C-log lead:@wang member:@chen escalate:@zhao name:物流部 alias:物流 "
        "tz:Asia/Shanghai holidays:CN locale:zh standup:09:30 first_response:8h "
        "escalate_after:24h",
    )

    ws.let_time_pass(local(2026, 11, 23, 9, 10))
    ws.at(local(2026, 11, 23, 9, 10), "Mei files a request to logistics in Chinese, due Friday")
    ws.command("mei", "C-cs", f"ask @物流 {REQUEST}")

    ws.at(local(2026, 11, 23, 9, 20), "a typo in the department, then a request with no due date")
    ws.command("mei", "C-cs", "ask @logistic 顺便确认一下退货流程")
    ws.command("mei", "C-cs", "ask @logistics 请确认退货入库流程由谁负责")

    # 09:30: the stand-up prompt in #logistics lists both requests.
    ws.let_time_pass(local(2026, 11, 23, 9, 40))
    ws.at(local(2026, 11, 23, 9, 40), "Chen takes the small one with 👀; XD-1 gets no answer")
    ws.react("chen", "XD-2", Reaction.ACKNOWLEDGE)
    ws.at(local(2026, 11, 23, 9, 45), "Lily, who is not in logistics, tries 👀 on XD-1")
    ws.react("lily", "XD-1", Reaction.ACKNOWLEDGE)

    # Nobody answers XD-1: eight business hours later the leads are nudged in its thread.
    ws.let_time_pass(local(2026, 11, 24, 9, 45))
    ws.at(local(2026, 11, 24, 9, 45), "the logistics lead answers the stand-up, not the request")
    answer_standup(ws, "wang", "C-log", "今天优先处理双十一的退货积压，其他请求明天再看。")

    # Wednesday afternoon: 24 business hours without an answer; Mei is offered escalation.
    ws.let_time_pass(local(2026, 11, 25, 15, 20))
    ws.at(local(2026, 11, 25, 15, 20), "Mei escalates from the bot's suggestion")
    press_escalate(ws, "mei", "XD-1")

    ws.at(local(2026, 11, 25, 16, 0), "a logistics member finally answers in the thread")
    ws.reply_in_thread(
        "chen", "XD-1", "收到，今天起被拒订单都会在系统登记原因，并抄送客服群。明天给出名单。"
    )

    ws.let_time_pass(local(2026, 11, 26, 10, 0))
    ws.at(
        local(2026, 11, 26, 10, 0), "Chen reacts ✅, but only a lead, the owner or Mei may close it"
    )
    ws.react("chen", "XD-1", Reaction.DONE)
    ws.at(local(2026, 11, 26, 10, 30), "the logistics lead confirms it is fixed with ✅")
    ws.react("wang", "XD-1", Reaction.DONE)

    # The rest of the week passes; Monday 09:00 the weekly summary goes to #ops.
    ws.let_time_pass(local(2026, 11, 30, 9, 35))
    ws.at(local(2026, 11, 30, 9, 40), "Mei checks her requests")
    ws.command("mei", "C-cs", "list asked")
    ws.command("mei", "C-cs", "show XD-1")
