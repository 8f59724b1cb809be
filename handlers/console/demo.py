"""`xdept demo`: a real case played through the real core in a simulated workspace."""

from __future__ import annotations

import tempfile
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.bootstrap import bootstrap
from bot.config import Settings
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


def run_demo(*, db_url: str | None = None) -> int:
    """Play the scenario and print the conversation; 0 when it went as expected."""
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
            xdept_summary_channel=None,
        )
        messenger = RecordingMessenger()
        app = bootstrap(
            settings,
            messenger=messenger,
            store=Store.from_url(settings.sqlalchemy_url),
            sleep=lambda _s: None,
        )
        ws = ConsoleWorkspace(app, messenger, now=local(2026, 11, 23, 8, 50))
        for person in PEOPLE:
            ws.add_person(person)
        ws.add_channel("C-cs", "customer-service")
        ws.add_channel("C-log", "logistics")
        ws.add_channel("C-ops", "ops")
        for person in PEOPLE:
            ws.add_channel(person.user_id, person.name)
        play(ws)
        return 0
    finally:
        if tmpdir is not None:
            tmpdir.cleanup()


def play(ws: ConsoleWorkspace) -> None:
    """The story: set-up, a request in Chinese, a reply, ✅ by the lead, the list."""
    out = ws.out
    out("xdept demo: customer service asks logistics to stop rejecting orders offline.")
    out("Everything below runs through the real services, outbox and delivery, on SQLite.")

    ws.at(local(2026, 11, 23, 8, 50), "the admin registers two departments")
    ws.command(
        "admin",
        "C-ops",
        "dept add customer-service #customer-service lead:@lily "
        "escalate:@zhao name:客服部 alias:客服 tz:Asia/Shanghai holidays:CN locale:zh",
    )
    ws.command(
        "admin",
        "C-ops",
        "dept add logistics #logistics lead:@wang member:@chen "
        "escalate:@zhao name:物流部 alias:物流 tz:Asia/Shanghai holidays:CN locale:zh",
    )

    ws.at(local(2026, 11, 23, 10, 5), "Mei files a request in Chinese, due Friday")
    ws.command("mei", "C-cs", f"ask @物流 {REQUEST}")

    ws.at(
        local(2026, 11, 23, 10, 20),
        "a typo in the department, then a second request without a due date",
    )
    ws.command("mei", "C-cs", "ask @logistic 顺便确认一下退货流程")
    ws.command("mei", "C-cs", "ask @logistics 请确认退货入库流程由谁负责")

    ws.at(local(2026, 11, 24, 11, 0), "a logistics member answers in the thread")
    ws.reply_in_thread("chen", "XD-1", "收到，今天起被拒订单都会在系统登记原因，并抄送客服群。")

    ws.at(
        local(2026, 11, 24, 15, 0),
        "Chen reacts ✅, but only a lead, the owner or the requester may close it",
    )
    ws.react("chen", "XD-1", "white_check_mark")
    ws.at(local(2026, 11, 26, 16, 30), "the logistics lead confirms it is fixed with ✅")
    ws.react("wang", "XD-1", "white_check_mark")

    ws.at(local(2026, 11, 26, 16, 35), "Mei checks her requests")
    ws.command("mei", "C-cs", "list asked")
    ws.command("mei", "C-cs", "show XD-1")
