"""The Slack adapter under test: `xdept serve`'s WSGI app on a free port, a FakeSlack behind it.

`slack_server` serves the same front door gunicorn runs (handlers.slack.wsgi)
from a threaded WSGI server in this process, with inbox workers in threads
of this process too, so tests can read the store. Requests are signed and
shaped exactly as Slack's (tests/fakes/slack).
"""

from __future__ import annotations

import socketserver
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from bot.bootstrap import App, bootstrap
from bot.config import Settings
from bot.context import Actor, Context
from bot.views import ItemView
from handlers.runtime.service import WorkerService
from handlers.runtime.workers import LocalBell
from handlers.slack.adapter import build_slack
from handlers.slack.escapes import neutral_text
from handlers.slack.messenger import SlackMessenger, make_client
from handlers.slack.resolver import Resolver
from handlers.slack.wsgi import front_door
from storage.db import Store
from tests.conftest import make_settings
from tests.fakes.slack import (
    FakeSlack,
    SignedResponse,
    block_actions_body,
    event_body,
    new_trigger_id,
    signed_post,
    slash_command_body,
)

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
TEAM = "T1"

ALICE = "UALICE"  # customer service, files requests
WANG = "UWANG"  # lead of logistics
CHEN = "UCHEN"  # member of logistics
ZHAO = "UZHAO"  # escalation contact
BOB = "UBOB"  # nobody in particular
ADMIN = "UADMIN"  # workspace admin
LOGISTICS = "CLOG"
SERVICE = "CCS"
GENERAL = "CGEN"
LOGISTICS_GROUP = "SLOG"

# Slack gives an app 3 seconds to answer.
ACK_BUDGET = 3.0


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


def seed_workspace(slack: FakeSlack) -> None:
    """People, channels and a user group of a small company."""
    slack.add_user(ALICE, "alice", tz="Asia/Shanghai", locale="en-US")
    slack.add_user(WANG, "wang", tz="Asia/Shanghai", locale="zh-CN")
    slack.add_user(CHEN, "chen", tz="Asia/Shanghai", locale="zh-CN")
    slack.add_user(ZHAO, "zhao", tz="Asia/Shanghai", locale="zh-CN")
    slack.add_user(BOB, "bob", tz="America/New_York", locale="en-US")
    slack.add_user(ADMIN, "admin", tz="UTC", locale="en-US", is_admin=True)
    slack.add_channel(LOGISTICS, "logistics")
    slack.add_channel(SERVICE, "customer-service")
    slack.add_channel(GENERAL, "general")
    slack.add_usergroup(LOGISTICS_GROUP, "logistics-team", "Logistics team", [CHEN])


@dataclass
class SlackServer:
    """The app on a port, the fake Slack it talks to, and request helpers."""

    url: str
    app: App
    slack: FakeSlack
    settings: Settings
    workers: WorkerService
    timings: list[float] = field(default_factory=list)

    def settle(self) -> None:
        """Wait until the work every answered request left in the inbox is done."""
        self.workers.workers.wait_idle()

    @property
    def events_url(self) -> str:
        """POST /slack/events."""
        return self.url + "/slack/events"

    def post(self, body: str, **kwargs: Any) -> SignedResponse:
        """Send a body signed as Slack signs it; check the answer came within 3 seconds."""
        started = time.monotonic()
        response = signed_post(self.events_url, SECRET, body, **kwargs)
        elapsed = time.monotonic() - started
        self.timings.append(elapsed)
        assert elapsed < ACK_BUDGET, f"answered after {elapsed:.2f}s"
        return response

    def command(
        self,
        text: str,
        *,
        user: str = ALICE,
        channel: str = SERVICE,
        name: str | None = None,
        trigger_id: str | None = None,
        **kwargs: Any,
    ) -> str:
        """Type `/xdept <text>`; returns the response_url name where the reply will land."""
        name = name or f"cmd-{new_trigger_id()}"
        body = slash_command_body(
            text,
            user_id=user,
            channel_id=channel,
            response_url=self.slack.response_url(name),
            trigger_id=trigger_id,
        )
        response = self.post(body, **kwargs)
        assert response.status == 200, response
        return name

    def reply_to(self, text: str, **kwargs: Any) -> str:
        """Type a command and wait for its private reply; returns the reply's text."""
        name = self.command(text, **kwargs)
        reply = self.slack.wait_for_response_posts(name)[0].all_text
        # The answer may go out before its round's record commits: let that finish too.
        self.settle()
        return reply

    def click(
        self,
        action: str,
        value: str,
        *,
        user: str,
        channel: str = LOGISTICS,
        message_ts: str | None = None,
        name: str | None = None,
        **extra: Any,
    ) -> str:
        """Click a button; returns the response_url name of any private answer."""
        name = name or f"click-{new_trigger_id()}"
        body = block_actions_body(
            action_id=action,
            value=value,
            user_id=user,
            channel_id=channel,
            message_ts=message_ts,
            response_url=self.slack.response_url(name),
            **extra,
        )
        response = self.post(body)
        assert response.status == 200, response
        return name

    def event(self, event: dict[str, Any], **kwargs: Any) -> SignedResponse:
        """Deliver an Events API event."""
        event_id = kwargs.pop("event_id", None)
        response = self.post(event_body(event, event_id=event_id), **kwargs)
        assert response.status == 200, response
        return response

    def ctx(self, user: str, **actor: Any) -> Context:
        """A context as the adapter would build it (for arranging state directly)."""
        return Context(
            platform="slack",
            workspace=TEAM,
            actor=Actor(user_id=user, name=user, timezone="Asia/Shanghai", locale="en", **actor),
            now=datetime.now(UTC),
            channel_id=SERVICE,
        )

    def item(self, code: str, *, as_user: str = ALICE) -> ItemView:
        """An item as its requester sees it."""
        return self.app.core.items.show(ctx=self.ctx(as_user), code=code)

    def item_count(self) -> int:
        """How many items exist."""
        from sqlalchemy import func, select

        from storage.models import Item

        with self.app.store.unit_of_work() as uow:
            return int(uow.session.scalar(select(func.count()).select_from(Item)) or 0)

    def add_logistics(self) -> None:
        """Register the logistics department (lead Wang, member Chen, escalation Zhao)."""
        # Typed as Slack sends it, through the adapter's reading of its escaped forms.
        command = neutral_text(
            f"dept add logistics <#{LOGISTICS}|logistics> lead:<@{WANG}|wang> "
            f"member:<@{CHEN}|chen> escalate:<@{ZHAO}|zhao> name:物流部 alias:物流 "
            f"usergroup:<!subteam^{LOGISTICS_GROUP}|@logistics-team> tz:Asia/Shanghai"
        )
        reply = self.app.core.run_command(
            self.ctx(ADMIN, is_admin=True), command.text, mentions=command.mentions
        )
        assert "logistics" in reply.plain(), reply.plain()

    def file_request(self, text: str = "Please confirm the 3 pallets by Friday 5pm") -> ItemView:
        """Alice asks logistics through the slash command; returns the posted item."""
        before = len(self.slack.messages(LOGISTICS))
        reply = self.reply_to(f"ask @logistics {text}")
        assert "XD-" in reply, reply
        self.slack.wait_for_messages(LOGISTICS, before + 1)
        code = "XD-" + reply.split("XD-")[1].split()[0].strip("*.,:")
        item = self.item(code)
        assert item.message_id, "the tracking message was not recorded"
        return item


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake Slack with a small company in it."""
    with FakeSlack() as fake:
        seed_workspace(fake)
        yield fake
        assert fake.errors == []


def serve_wsgi(wsgi: Any) -> tuple[str, WSGIServer, threading.Thread]:
    """Serve a WSGI app on a free port of 127.0.0.1 from a thread."""
    server = make_server(
        "127.0.0.1", 0, wsgi, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    return f"http://127.0.0.1:{server.server_address[1]}", server, thread


@pytest.fixture
def slack_server(store: Store, slack: FakeSlack) -> Iterator[SlackServer]:
    """`xdept serve`'s front door over the store (both databases) and the fake Slack."""
    settings = make_settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url.rstrip("/"),  # works without the trailing slash too
    )
    client = make_client(settings)
    resolver = Resolver(client)
    app = bootstrap(
        settings,
        messenger=SlackMessenger(client),
        store=store,
        migrate=False,
        sleep=lambda _seconds: None,
        channel_private=resolver.channel_private,
        person_locale=lambda team, user: resolver.actor(team, user).locale,
    )
    ring = LocalBell()
    adapter = build_slack(settings, app=app, ring=ring)
    workers = WorkerService(app, adapter.routes(), threads=4, poll=0.2)
    ring.workers = workers.workers
    workers.start()
    url, server, thread = serve_wsgi(front_door(adapter))
    try:
        yield SlackServer(url=url, app=app, slack=slack, settings=settings, workers=workers)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        # Inbox work finishes before the next test empties the database.
        assert workers.stop(timeout=20)
