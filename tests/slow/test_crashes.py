"""Processes killed at random moments, and stopped with a backlog: nothing lost, nothing twice.

`xdept serve` (one HTTP worker and its inbox process) and an `xdept worker`
run against a fake Slack that answers a little slowly, as a remote one does.
N signed `ask` commands arrive; meanwhile the inbox process, the extra worker
and the HTTP worker are killed with SIGKILL at random moments (gunicorn
restarts its own; the test starts a new worker). A request whose connection
died unanswered is sent again, as a client would; one that was answered
never is. In the end: exactly N items, N tracking messages and N answers.

The one exception is documented: a message whose sending was cut by the
kill itself (its outbox row left claimed) may have reached Slack already.
Such rows are found, reported, and sent again as the tick would once their
claim is stale; only they may show up twice.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from bot.bootstrap import bootstrap
from handlers.slack.messenger import SlackMessenger, make_client
from storage.db import Store
from storage.models import InboxTask, Item, OutboxMessage
from tests.conftest import make_settings
from tests.fakes.slack import FakeSlack, sign, slash_command_body
from tests.handlers.slack.conftest import ALICE, BOB, CHEN, LOGISTICS, SECRET, SERVICE, TOKEN
from tests.slow.conftest import Xdept, add_logistics, alive, environment, free_port, get_status

pytestmark = pytest.mark.slow

ASKS = 40
KILLS = 6
PEOPLE = (ALICE, BOB, CHEN)


class Client:
    """Sends signed commands to a server, again and again until one is answered."""

    def __init__(self, url: str, slack: FakeSlack) -> None:
        self.url = urlparse(url)
        self.slack = slack
        self.resent = 0

    def ask(self, n: int) -> None:
        """File request number `n`; its answer goes to response_url `ask-<n>`."""
        body = slash_command_body(
            f"ask @logistics count the pallets in bay {n} by Friday 5pm",
            user_id=PEOPLE[n % len(PEOPLE)],
            channel_id=SERVICE,
            response_url=self.slack.response_url(f"ask-{n}"),
            trigger_id=f"{n}.{n}.trigger",
        ).encode()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self._post(body) == 200:
                return
            self.resent += 1
            time.sleep(0.2)  # the worker that held the connection died: wait for another
        raise AssertionError(f"ask {n} was never acknowledged")

    def _post(self, body: bytes) -> int:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **sign(SECRET, body, int(time.time())),
        }
        conn = http.client.HTTPConnection(self.url.hostname or "", self.url.port, timeout=10)
        try:
            conn.request("POST", "/slack/events", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except OSError:
            return 0
        finally:
            conn.close()


def _count(store: Store, model: type, *where: object) -> int:
    with store.unit_of_work() as uow:
        stmt = select(func.count()).select_from(model)
        for clause in where:
            stmt = stmt.where(clause)  # type: ignore[arg-type]
        return int(uow.session.scalar(stmt) or 0)


def _wait_settled(store: Store, timeout: float = 240.0) -> None:
    """Until the inbox is empty and the outbox stops moving (what is left needs the tick)."""
    deadline = time.monotonic() + timeout
    last: tuple[int, int] | None = None
    quiet_since = time.monotonic()
    while True:
        assert time.monotonic() < deadline, "the inbox and the outbox never settled"
        open_rows = _count(store, InboxTask, InboxTask.state.in_(("pending", "working")))
        sent = _count(store, OutboxMessage, OutboxMessage.state == "sent")
        pending = _count(store, OutboxMessage, OutboxMessage.state == "pending")
        if (open_rows, sent) != last:
            last, quiet_since = (open_rows, sent), time.monotonic()
        if open_rows == 0 and (pending == 0 or time.monotonic() - quiet_since > 3):
            return
        time.sleep(0.5)  # waiting on other processes


def _deliver_the_rest(database: str, slack: FakeSlack) -> list[OutboxMessage]:
    """What the tick would send: rows left pending, and rows a killed process was sending
    (once their claim is stale); returns the latter."""
    store = Store.from_url(database)
    try:
        with store.unit_of_work() as uow:
            stuck = list(
                uow.session.scalars(select(OutboxMessage).where(OutboxMessage.state == "sending"))
            )
        settings = make_settings(
            database_url=database, slack_bot_token=TOKEN, slack_api_url=slack.api_url
        )
        app = bootstrap(
            settings,
            messenger=SlackMessenger(make_client(settings)),
            store=store,
            migrate=False,
            sleep=lambda _s: None,
        )
        # A few ticks, as the scheduler would run them: one run waits out at most 30 s of
        # a channel's pace, and a backlog in one channel can need more.
        start = datetime.now(UTC)
        for minute in range(11, 16):
            app.deliver(start + timedelta(minutes=minute))
        return stuck
    finally:
        store.dispose()


def test_kill_9_at_random_moments_loses_nothing_and_repeats_nothing(
    database: str, slack: FakeSlack
) -> None:
    rng = random.Random()
    add_logistics(database)
    slack.set_latency(0.1)  # a remote Slack: work takes a while, so kills land mid-work
    # The fake referees the channel's pace: a post sooner than 1 s after the previous one
    # (from any process) is refused with a 429 and counted.
    slack.chat_interval = 1.0
    port = free_port()
    env = environment(database, slack, PORT=str(port))
    serve = Xdept(
        ["serve", "--host", "127.0.0.1", "--workers", "1", "--threads", "4"]
        + ["--inbox-threads", "3", "--no-scheduler"],
        env,
    )
    workers = [Xdept(["worker", "--threads", "2"], env)]
    store = Store.from_url(database)
    kills: list[str] = []
    try:
        serve.wait_for(r"inbox process (\d+) works the inbox")
        workers[0].wait_for(r"worker (\d+) works the inbox")
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while get_status(url + "/healthz") != 200:
            assert time.monotonic() < deadline, serve.log()
            time.sleep(0.1)
        client = Client(url, slack)
        done = threading.Event()

        def pid_of(victim: str) -> int:
            if victim == "inbox":
                return int(serve.wait_for(r"inbox process (\d+) works")[-1].group(1))
            if victim == "worker":
                return workers[-1].pid
            booted = serve.wait_for(r"Booting worker with pid: (\d+)")
            inbox = {m.group(1) for m in serve.wait_for(r"inbox process (\d+) works")}
            return int([m.group(1) for m in booted if m.group(1) not in inbox][-1])

        def kill(victim: str) -> None:
            pid = pid_of(victim)
            if not alive(pid):
                return
            os.kill(pid, signal.SIGKILL)
            kills.append(f"{victim} {pid}")
            if victim == "worker":
                workers.append(Xdept(["worker", "--threads", "2"], env))

        def holding() -> bool:
            with store.unit_of_work() as uow:
                working = InboxTask.state == "working"
                return bool(
                    uow.session.scalar(select(func.count()).select_from(InboxTask).where(working))
                )

        def killer() -> None:
            # First, one moment when a row is certainly in hand: every process that could
            # hold it dies at once, so at least one row must be taken over by another.
            deadline = time.monotonic() + 20
            while not holding() and time.monotonic() < deadline and not done.is_set():
                time.sleep(0.01)
            for victim in ("inbox", "worker", "http"):
                kill(victim)
            while len(kills) < KILLS and not done.is_set():
                time.sleep(rng.uniform(0.3, 1.2))
                kill(rng.choice(["inbox", "inbox", "worker", "http"]))

        thread = threading.Thread(target=killer)
        thread.start()
        with ThreadPoolExecutor(max_workers=4) as pool:
            for n in range(ASKS):
                pool.submit(client.ask, n)
                time.sleep(0.1)  # about ten asks a second
        while len(kills) < KILLS and thread.is_alive():
            time.sleep(0.2)  # let the killer finish its round
        done.set()
        thread.join()
        _wait_settled(store)
        live_violations = list(slack.pace_violations)
        slack.chat_interval = 0.0  # the rest goes on a logical clock, as in tests
        stuck = _deliver_the_rest(database, slack)
    finally:
        for process in (serve, *workers):
            process.stop(timeout=60)
        store.dispose()
    store = Store.from_url(database)
    try:
        items = _count(store, Item)
        reclaimed = _count(store, InboxTask, InboxTask.attempts > 1)
        inbox = _count(store, InboxTask, InboxTask.state == "done")
        failed = _count(store, InboxTask, InboxTask.state == "failed")
    finally:
        store.dispose()
    tracking = [m for m in slack.messages(LOGISTICS) if m.thread_ts is None]
    answers = {n: len(slack.response_posts(f"ask-{n}")) for n in range(ASKS)}
    stuck_kinds = sorted(r.action for r in stuck)
    repeated_answers = sum(count - 1 for count in answers.values())
    print(
        f"\n{ASKS} asks, kills: {kills}; requests sent again: {client.resent}; "
        f"inbox rows reclaimed: {reclaimed}; sends cut by a kill: {stuck_kinds}; "
        f"items {items}, tracking messages {len(tracking)}, answers {sum(answers.values())}"
    )
    assert len(kills) == KILLS
    # Several processes posted to one channel, some killed mid-send: never faster than 1 s.
    assert live_violations == [], live_violations
    assert items == ASKS and inbox == ASKS and failed == 0
    texts = sorted(m.all_text.split("bay ")[1].split()[0] for m in tracking)
    repeated_posts = len(tracking) - len(set(texts))
    assert set(texts) == {str(n) for n in range(ASKS)}
    # A tracking message a killed sender had posted is found by its key, not posted again.
    assert repeated_posts == 0, (repeated_posts, stuck_kinds)
    assert all(count >= 1 for count in answers.values()), answers
    confirmations = [slack.response_posts(f"ask-{n}")[0].all_text for n in range(ASKS)]
    assert all("XD-" in text for text in confirmations), confirmations[:3]
    assert repeated_answers <= stuck_kinds.count("answer"), answers
    # The kills did land while work was in hand: some rows were taken over.
    assert reclaimed >= 1


def test_sigterm_with_a_backlog_leaves_no_process_and_loses_nothing(
    database: str, slack: FakeSlack
) -> None:
    add_logistics(database)
    # A backlog builds up behind a slow Slack: every call the inbox workers make waits
    # (what waits for the channel's pace does not hold them: the pump sends it later).
    slack.set_latency(0.3)
    port = free_port()
    env = environment(database, slack, PORT=str(port))
    serve = Xdept(
        ["serve", "--host", "127.0.0.1", "--workers", "2", "--threads", "4"]
        + ["--inbox-threads", "1"],
        env,
    )
    serve.wait_for(r"inbox process (\d+) works the inbox")
    url = f"http://127.0.0.1:{port}"
    while get_status(url + "/healthz") != 200:
        time.sleep(0.1)
    client = Client(url, slack)
    asks = 30
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(client.ask, range(asks)))
    store = Store.from_url(database)
    try:
        backlog = _count(store, InboxTask, InboxTask.state.in_(("pending", "working")))
        pids = {int(m.group(1)) for m in serve.wait_for(r"Booting worker with pid: (\d+)", count=3)}
        assert serve.stop(signal.SIGTERM) == 0
        time.sleep(0.5)  # the kernel reaps the workers gunicorn did not wait for
        left = [pid for pid in {serve.pid, *pids} if alive(pid)]
        assert left == [], left
        assert "inbox process" in serve.log() and "stopped" in serve.log()
        assert "Traceback" not in serve.log()
        waiting = _count(store, InboxTask, InboxTask.state.in_(("pending", "working")))
        print(f"\nbacklog at SIGTERM: {backlog}; still in the inbox after the stop: {waiting}")
        assert backlog > 0 and waiting > 0, "no backlog: the test proves nothing"
        # Whatever was not done stays in the inbox: the next process does it, once.
        slack.clear_faults()
        worker = Xdept(["worker", "--threads", "4"], env)
        try:
            _wait_settled(store, timeout=180)
            assert _deliver_the_rest(database, slack) == []
            assert worker.stop(signal.SIGTERM) == 0
            assert not alive(worker.pid)
        finally:
            worker.stop()
        assert _count(store, Item) == asks
        assert _count(store, InboxTask, InboxTask.state == "done") == asks
    finally:
        store.dispose()
    answers = [slack.response_posts(f"ask-{n}") for n in range(asks)]
    assert [len(posts) for posts in answers] == [1] * asks
    assert all("XD-" in posts[0].all_text for posts in answers)
    tracking = [m for m in slack.messages(LOGISTICS) if m.thread_ts is None]
    assert len(tracking) == asks
