"""`xdept demo`: a real case played through the real core in a simulated workspace."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import compose
from bot.bootstrap import bootstrap
from bot.config import Settings
from bot.domain import Reaction, XdeptError
from bot.i18n import t, tr
from bot.messages import MessageKind, mention
from handlers.console.messenger import RecordingMessenger
from handlers.console.render import message_text
from handlers.console.workspace import PLATFORM, WORKSPACE, ConsoleWorkspace, Member
from storage.db import Store
from storage.purge import purge_workspace

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Story:
    """What the people in the demo say, in one language."""

    locale: str
    people: list[Member]
    cs_name: str
    log_name: str
    log_alias: str
    request: str
    typo: str
    second: str
    standup_answer: str
    thread_reply: str


def _people(locale: str, titles: list[str]) -> list[Member]:
    names = ["Mei 李梅", "Lily 林丽", "Wang 王强", "Chen 陈晨", "Zhao 赵总", "Admin"]
    ids = ["mei", "lily", "wang", "chen", "zhao", "admin"]
    return [
        Member(uid, name, locale=locale if uid != "admin" else "en-US", title=title)
        for uid, name, title in zip(ids, names, titles, strict=True)
    ]


STORIES = {
    "zh": Story(
        locale="zh",
        people=_people(
            "zh-CN",
            [
                "客服专员",
                "客服主管",
                "物流主管",
                "物流专员",
                "运营总监（升级对象）",
                "workspace admin",
            ],
        ),
        cs_name="客服部",
        log_name="物流部",
        log_alias="物流",
        request=(
            "请不要再线下直接拒绝销售订单而不报备：被拒的订单请在系统里登记原因并通知客服。周五前"
            " 影响：本周已有 12 单客户投诉 建议：先在系统里加一个拒单原因字段"
        ),
        typo="顺便确认一下退货流程",
        second="请确认退货入库流程由谁负责",
        standup_answer="今天优先处理双十一的退货积压，其他请求明天再看。",
        thread_reply="收到，今天起被拒订单都会在系统登记原因，并抄送客服群。明天给出名单。",
    ),
    "en": Story(
        locale="en",
        people=_people(
            "en-US",
            [
                "customer service",
                "lead, customer service",
                "lead, logistics",
                "logistics",
                "head of operations, escalation contact",
                "workspace admin",
            ],
        ),
        cs_name="Customer service",
        log_name="Logistics",
        log_alias="warehouse",
        request=(
            "Please stop rejecting sales orders offline without telling us: log the reason in "
            "the system and notify customer service. By Friday impact: 12 customer complaints "
            "this week suggest: add a rejection-reason field first"
        ),
        typo="also check the returns process",
        second="Who owns the returns check-in process?",
        standup_answer="Today the returns backlog comes first; other requests tomorrow.",
        thread_reply=(
            "Got it: from today every rejected order gets its reason logged and customer "
            "service copied. List tomorrow."
        ),
    ),
}
# The story's request, in Chinese (tests and docs quote it).
REQUEST = STORIES["zh"].request


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def run_demo(*, db_url: str | None = None, lang: str = "zh") -> int:
    """Play the scenario and print the conversation; 0 when it went as expected.

    `lang` is the story's language (the people's, the departments' and the bot's). On a
    database that holds an earlier demo, that demo's workspace is cleared first (nothing
    else in the database is touched), so the story starts afresh.
    """
    story = STORIES[lang]
    tmpdir = None
    if db_url is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="xdept-demo-")
        db_url = f"sqlite:///{tmpdir.name}/xdept.db"
    try:
        settings = Settings(
            database_url=db_url,
            xdept_timezone="Asia/Shanghai",
            xdept_locale=story.locale,
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
        ws = ConsoleWorkspace(app, messenger, now=local(2026, 11, 23, 8, 50))
        cleared = clear_earlier_demo(app.store)
        for person in story.people:
            ws.add_person(person)
        ws.add_channel("C-cs", "customer-service")
        ws.add_channel("C-log", "logistics")
        ws.add_channel("C-ops", "ops")
        ws.add_channel("customer-service", "customer-service")
        ws.add_channel("logistics", "logistics")
        for person in story.people:
            ws.add_channel(person.user_id, person.name)
        if cleared:
            ws.out(
                f"This database held an earlier demo story ({cleared} rows); it was cleared, "
                "and the story starts afresh. Nothing else in the database was touched."
            )
        play(ws, story)
        return 0
    finally:
        if tmpdir is not None:
            tmpdir.cleanup()


def clear_earlier_demo(store: Store) -> int:
    """Delete an earlier run's workspace (and only it); how many rows went."""
    with store.unit_of_work() as uow:
        if uow.workspaces.get(PLATFORM, WORKSPACE) is None:
            return 0
        removed = purge_workspace(uow.session, platform=PLATFORM, external_id=WORKSPACE)
        return sum(removed.values())


def press_escalate(ws: ConsoleWorkspace, user_id: str, code: str) -> None:
    """The requester clicks the Escalate button on the bot's suggestion."""
    locale = ws.app.core.locale(ws.ctx(user_id))
    label = t(locale, "button.escalate")
    ws.out(f"  {ws.names.get(user_id, user_id)} clicked [{label}] on {code}")
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
    ws.out(message_text(reply, ws.names))


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


def play(ws: ConsoleWorkspace, story: Story) -> None:
    """The story, with the scheduler's tick every 15 minutes driving what the bot does."""
    out = ws.out
    out(
        f"xdept demo: customer service asks logistics ({story.log_name}) to stop rejecting "
        "orders offline."
    )
    out("Everything below runs through the real services, scheduler tick, outbox and delivery,")
    out("on SQLite, with the clock moving on in 15-minute ticks through the working day; the")
    out("bot's messages appear when the tick sends them.")

    ws.at(local(2026, 11, 23, 8, 50), "the admin registers two departments")
    ws.command(
        "admin",
        "C-ops",
        f'dept add customer-service #C-cs lead:@lily escalate:@zhao name:"{story.cs_name}" '
        f"tz:Asia/Shanghai holidays:CN locale:{story.locale} standup:off",
    )
    ws.command(
        "admin",
        "C-ops",
        f'dept add logistics #C-log lead:@wang member:@chen escalate:@zhao name:"{story.log_name}" '
        f"alias:{story.log_alias} tz:Asia/Shanghai holidays:CN locale:{story.locale} "
        "standup:09:30 first_response:8h escalate_after:24h",
    )

    ws.let_time_pass(local(2026, 11, 23, 9, 10))
    ws.at(
        local(2026, 11, 23, 9, 10), "Mei files a request to logistics, due Friday, with its impact"
    )
    ws.command("mei", "C-cs", f"ask @{story.log_alias} {story.request}")

    ws.at(local(2026, 11, 23, 9, 20), "a typo in the department, then a request with no due date")
    ws.command("mei", "C-cs", f"ask @logistic {story.typo}")
    ws.command("mei", "C-cs", f"ask @logistics {story.second}")

    # 09:30: the stand-up prompt in #logistics lists both requests.
    ws.let_time_pass(local(2026, 11, 23, 9, 40))
    ws.at(local(2026, 11, 23, 9, 40), "Chen takes the small one with 👀; XD-1 gets no answer")
    ws.react("chen", "XD-2", Reaction.ACKNOWLEDGE)
    ws.at(local(2026, 11, 23, 9, 45), "Lily, who is not in logistics, tries 👀 on XD-1")
    ws.react("lily", "XD-1", Reaction.ACKNOWLEDGE)

    # Nobody answers XD-1: eight business hours later the leads are nudged in its thread.
    ws.let_time_pass(local(2026, 11, 24, 9, 45))
    ws.at(local(2026, 11, 24, 9, 45), "the logistics lead answers the stand-up, not the request")
    answer_standup(ws, "wang", "C-log", story.standup_answer)

    # Wednesday afternoon: 24 business hours without an answer; Mei is offered escalation.
    ws.let_time_pass(local(2026, 11, 25, 15, 20))
    ws.at(local(2026, 11, 25, 15, 20), "Mei escalates from the bot's suggestion")
    press_escalate(ws, "mei", "XD-1")

    ws.at(local(2026, 11, 25, 16, 0), "a logistics member finally answers in the thread")
    ws.reply_in_thread("chen", "XD-1", story.thread_reply)

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
