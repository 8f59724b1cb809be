"""The front door of a real `xdept serve` (gunicorn): chunked bodies, and a longer fuzz."""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storage.db import Store
from storage.models import InboxTask, Item, Update
from tests.fakes.slack import FakeSlack, sign, slash_command_body
from tests.handlers.slack.conftest import ALICE, SECRET
from tests.handlers.slack.test_fuzz import (
    CONTENT_TYPES,
    bodies,
    extra_headers,
    fuzz_headers,
    signing,
)
from tests.slow.conftest import Xdept, add_logistics, environment, free_port, get_status

pytestmark = pytest.mark.slow
MIB = 1024 * 1024


@pytest.fixture
def served(tmp_path: Path, slack: FakeSlack) -> Iterator[tuple[str, Xdept, str]]:
    """`xdept serve` on SQLite: its URL, its process and its database."""
    database = f"sqlite:///{tmp_path / 'served.db'}"
    add_logistics(database)
    port = free_port()
    serve = Xdept(
        ["serve", "--host", "127.0.0.1", "--workers", "2", "--no-scheduler"],
        environment(database, slack, PORT=str(port)),
    )
    url = f"http://127.0.0.1:{port}"
    serve.wait_for(r"inbox process (\d+) works the inbox")
    while get_status(url + "/healthz") != 200:
        time.sleep(0.1)
    yield url, serve, database
    assert serve.stop() == 0


def _post(url: str, body: object, headers: dict[str, str], *, chunked: bool = False) -> int:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers, encode_chunked=chunked)  # type: ignore[arg-type]
        response = conn.getresponse()
        response.read()
        return response.status
    except (BrokenPipeError, ConnectionResetError):
        return -1
    finally:
        conn.close()


def _stored(database: str) -> int:
    store = Store.from_url(database)
    try:
        with store.unit_of_work() as uow:
            return sum(
                int(uow.session.scalar(select(func.count()).select_from(m)) or 0)
                for m in (InboxTask, Item, Update)
            )
    finally:
        store.dispose()


def test_chunked_bodies_are_read_up_to_the_limit_only(
    served: tuple[str, Xdept, str], slack: FakeSlack
) -> None:
    url, _serve, database = served
    body = slash_command_body(
        "help", user_id=ALICE, response_url=slack.response_url("chunked")
    ).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Transfer-Encoding": "chunked",
        **sign(SECRET, body, int(time.time())),
    }
    # A small chunked body is read whole and handled.
    pieces = [body[i : i + 50] for i in range(0, len(body), 50)]
    assert _post(url, iter(pieces), headers, chunked=True) == 200
    assert "/xdept ask" in slack.wait_for_response_posts("chunked")[0].all_text
    # A chunked body past 1 MiB is refused after reading one byte more than the limit.
    big = (b"x" * 65536 for _ in range(40))  # 2.5 MiB
    assert _post(url, big, headers, chunked=True) == 413
    assert _stored(database) == 1  # only the help command's row


def test_fuzzing_the_real_server_breaks_nothing(served: tuple[str, Xdept, str]) -> None:
    url, serve, database = served
    before = _stored(database)
    seen: set[int] = set()

    @settings(
        max_examples=600,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        body=bodies, content_type=st.sampled_from(CONTENT_TYPES), how=signing, headers=extra_headers
    )
    def one(body: bytes, content_type: str, how: str, headers: dict[str, str]) -> None:
        sent = fuzz_headers(body, content_type, how, headers)
        status = _post(url, body, sent)
        seen.add(status)
        assert 0 < status < 500, (status, body, content_type, how)

    one()
    assert {200, 400, 401} <= seen, seen
    assert get_status(url + "/healthz") == 200
    assert _stored(database) == before
    assert "Traceback" not in serve.log()
