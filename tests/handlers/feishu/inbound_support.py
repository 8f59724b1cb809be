"""`xdept serve`'s front door with Feishu on it, over a fake Feishu and a real database.

`feishu_server` serves the front door `serve` runs in each HTTP worker
(handlers.platforms) from a threaded WSGI server in this process, with inbox
workers in threads of this process too, so tests can read the store. Events
are signed and encrypted exactly as Feishu's (tests.fakes.feishu.crypto); the
adapter talks to the fake through the real lark-oapi SDK.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from bot.bootstrap import App
from bot.context import Actor, CommandStyle, Context
from bot.views import ItemView
from handlers.platforms import Platforms, build
from handlers.runtime.service import WorkerService
from handlers.runtime.workers import LocalBell
from storage.db import Store
from storage.models import InboxTask, Item
from tests.fakes.feishu import events
from tests.fakes.feishu.events import Mention
from tests.fakes.feishu.server import FakeFeishu, wait_until
from tests.fakes.feishu.tenant import ALICE, CHEN, LOGISTICS, WANG, seed
from tests.handlers.feishu.conftest import feishu_settings
from tests.handlers.slack.conftest import serve_wsgi

ZHAO = "ou_zhao00000000000000000000000000"  # Wang's manager: the escalation contact
BOB = "ou_bob000000000000000000000000000"  # in sales: nobody to the logistics requests
SERVICE = "oc_service00000000000000000000000"  # customer service's group

# Feishu gives an app 3 seconds to answer.
ACK_BUDGET = 3.0


@dataclass
class FeishuServer:
    """The app on a port, the fake Feishu it talks to, and request helpers."""

    url: str
    platforms: Platforms
    feishu: FakeFeishu
    workers: WorkerService
    timings: list[float] = field(default_factory=list)

    @property
    def app(self) -> App:
        """The core's app."""
        return self.platforms.app

    @property
    def events_url(self) -> str:
        """POST /feishu/events."""
        return self.url + "/feishu/events"

    def settle(self) -> None:
        """Wait until the work every answered event left in the inbox is done."""
        self.workers.workers.wait_idle(timeout=30)

    def deliver(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Send an event as Feishu does (encrypted, signed); status and JSON answer."""
        started = time.monotonic()
        status, body = self.feishu.deliver(self.events_url, payload)
        elapsed = time.monotonic() - started
        self.timings.append(elapsed)
        assert elapsed < ACK_BUDGET, f"answered after {elapsed:.2f}s"
        return status, json.loads(body) if body else {}

    def post_raw(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST bytes as they are (forged requests); status and body."""
        parts = urlsplit(self.events_url)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        try:
            conn.request("POST", parts.path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def say(
        self,
        text: str,
        *,
        sender: str,
        chat: str,
        mentions: list[Mention] | None = None,
        to_bot: bool = True,
        event_id: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A person's message; `to_bot` puts the bot's mention first (as @_user_1)."""
        people = list(mentions or [])
        if to_bot:
            people.insert(0, Mention(self.feishu.bot_open_id, self.feishu.bot_name))
            text = "@_user_1 " + text
        payload = self.feishu.person_message(
            event_id=event_id, chat_id=chat, sender=sender, text=text, mentions=people, **fields
        )
        status, _ = self.deliver(payload)
        assert status == 200
        return payload

    def react(self, message_id: str, emoji: str, *, operator: str) -> dict[str, Any]:
        """A reaction on a message."""
        payload = self.feishu.event(
            events.REACTION_CREATED,
            events.reaction_event(message_id=message_id, operator=operator, emoji=emoji),
        )
        status, _ = self.deliver(payload)
        assert status == 200
        return payload

    def click(
        self, message_id: str, value: dict[str, Any], *, operator: str, **kw: Any
    ) -> dict[str, Any]:
        """Click a button on a card; the answer (toast and card)."""
        payload = self.feishu.click(operator=operator, message_id=message_id, value=value, **kw)
        status, answer = self.deliver(payload)
        assert status == 200
        return answer

    def ctx(self, user: str) -> Context:
        """A context as the adapter builds it (for reading state directly)."""
        return Context(
            platform="feishu",
            workspace=self.feishu.tenant_key,
            actor=Actor(user_id=user, locale="zh", timezone="Asia/Shanghai"),
            now=datetime.now(UTC),
            channel_id=None,
            command_style=CommandStyle.MENTION,
        )

    def item(self, code: str, *, as_user: str = ALICE) -> ItemView:
        """An item as its requester sees it."""
        return self.app.core.items.show(ctx=self.ctx(as_user), code=code)

    def count(self, model: Any) -> int:
        """Rows of a table."""
        with self.app.store.unit_of_work() as uow:
            return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)

    def items(self) -> int:
        """How many items exist."""
        return self.count(Item)

    def inbox_rows(self) -> int:
        """How many inbox rows exist."""
        return self.count(InboxTask)

    def cards_in(self, chat: str) -> list[Any]:
        """The bot's cards in a chat, oldest first."""
        return [
            m
            for m in self.feishu.messages_in(chat)
            if m.msg_type == "interactive" and m.sender_type == "app"
        ]

    def dms_to(self, open_id: str) -> list[Any]:
        """The bot's cards in its direct chat with a person."""
        return self.cards_in(self.feishu.dm_chat(open_id))

    def wait_for_cards(self, chat: str, count: int) -> list[Any]:
        """Wait until the chat holds `count` cards of the bot."""
        assert wait_until(lambda: len(self.cards_in(chat)) >= count, timeout=15), self.cards_in(
            chat
        )
        return self.cards_in(chat)

    def add_logistics(self) -> None:
        """Wang registers logistics in its group by typing `dept add` to the bot."""
        self.say(
            "dept add logistics lead:@_user_2 member:@_user_3 escalate:@_user_4 "
            "name:物流部 alias:物流 tz:Asia/Shanghai",
            sender=WANG,
            chat=LOGISTICS,
            mentions=[Mention(WANG, "王强"), Mention(CHEN, "陈晨"), Mention(ZHAO, "赵敏")],
        )
        self.settle()


def dept_add_event(fake: FakeFeishu) -> dict[str, Any]:
    """Wang types `@xdept dept add logistics ...` in the logistics group (a short form)."""
    return fake.person_message(
        chat_id=LOGISTICS,
        sender=WANG,
        text="@_user_1 dept add logistics lead:@_user_2 escalate:@_user_3 alias:物流",
        mentions=[
            Mention(fake.bot_open_id, fake.bot_name),
            Mention(WANG, "王强"),
            Mention(CHEN, "陈晨"),
        ],
    )


def tracking_cards(fake: FakeFeishu, chat: str) -> list[str]:
    """The ids of the bot's cards that open a thread in a chat (its tracking cards)."""
    return [
        m.message_id
        for m in fake.messages_in(chat)
        if m.msg_type == "interactive" and m.sender_type == "app" and m.root_id is None
    ]


def card_text(message: Any) -> str:
    """Everything a card says, as one string."""
    return json.dumps(message.card, ensure_ascii=False)


@pytest.fixture
def feishu_fake() -> Iterator[FakeFeishu]:
    """A fake tenant with customer service, logistics, a manager and a stranger."""
    with FakeFeishu() as fake:
        seed(fake)
        fake.add_user(ZHAO, "赵敏", department_ids=["od-ops"])
        fake.add_user(BOB, "刘波", department_ids=["od-sales"])
        fake.add_chat(SERVICE, "客服部", members=[ALICE, BOB])
        yield fake
        assert fake.errors == []


def _serving(store: Store, fake: FakeFeishu) -> Iterator[FeishuServer]:
    settings = feishu_settings(fake)
    ring = LocalBell()
    platforms = build(settings, store=store, ring=ring, sleep=lambda _s: None)
    workers = WorkerService(platforms.app, platforms.routes(), threads=4, poll=0.2)
    ring.workers = workers.workers
    workers.start()
    url, server, thread = serve_wsgi(platforms.front_door())
    try:
        yield FeishuServer(url=url, platforms=platforms, feishu=fake, workers=workers)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        assert workers.stop(timeout=20)


@pytest.fixture
def feishu_server(store: Store, feishu_fake: FakeFeishu) -> Iterator[FeishuServer]:
    """`xdept serve`'s front door with Feishu, over the store (both databases)."""
    yield from _serving(store, feishu_fake)


@pytest.fixture
def feishu_on_sqlite(sqlite_url: str, feishu_fake: FakeFeishu) -> Iterator[FeishuServer]:
    """The same on SQLite only: for checks that no database changes (the front door,
    clicks and forms whose changes the story checks on both)."""
    store = Store.from_url(sqlite_url)
    try:
        yield from _serving(store, feishu_fake)
    finally:
        store.dispose()
