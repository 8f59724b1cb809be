"""A person who leaves the Feishu tenant is away for good (`dept show` lists them), and
back when Feishu says so: contact events, signed and encrypted by the fake, through the
inbox, on both databases."""

from __future__ import annotations

from tests.fakes.feishu import events
from tests.fakes.feishu.tenant import CHEN, WANG
from tests.handlers.feishu.inbound_support import FeishuServer, feishu_fake, feishu_server

__all__ = ["feishu_fake", "feishu_server"]


def _gone(server: FeishuServer) -> list[str]:
    view = server.app.core.departments.show(ctx=server.ctx(WANG), key="logistics")
    return list(view.gone)


def _send(server: FeishuServer, kind: str, event: dict[str, object], **kw: str) -> None:
    status, _ = server.deliver(server.feishu.event(kind, event, **kw))
    assert status == 200
    server.settle()


def test_a_deleted_person_is_gone_and_an_unresigned_one_back(feishu_server: FeishuServer) -> None:
    """Deleted: listed as gone. A profile change: nothing. Resigned: gone; back: not."""
    server = feishu_server
    server.add_logistics()
    assert _gone(server) == []
    deleted = events.user_deleted_event(open_id=CHEN, name="陈晨")
    _send(server, events.USER_DELETED, deleted, event_id="ev-deleted")
    assert _gone(server) == [CHEN]
    _send(server, events.USER_DELETED, deleted, event_id="ev-deleted")  # redelivered
    assert _gone(server) == [CHEN]

    back = events.user_updated_event(open_id=CHEN, name="陈晨", resigned=False, was_resigned=True)
    _send(server, events.USER_UPDATED, back)
    assert _gone(server) == []
    renamed = events.user_updated_event(open_id=CHEN, name="陈晨", resigned=False)
    _send(server, events.USER_UPDATED, renamed)
    assert _gone(server) == []
    resigned = events.user_updated_event(
        open_id=CHEN, name="陈晨", resigned=True, was_resigned=False
    )
    _send(server, events.USER_UPDATED, resigned)
    assert _gone(server) == [CHEN]


def test_another_tenants_person_is_no_concern(feishu_server: FeishuServer) -> None:
    """The same event from another tenant changes nothing and stores nothing."""
    server = feishu_server
    server.add_logistics()
    rows = server.inbox_rows()
    payload = server.feishu.event(events.USER_DELETED, events.user_deleted_event(open_id=CHEN))
    payload["header"]["tenant_key"] = "another-tenant"
    status, _ = server.deliver(payload)
    server.settle()
    assert status == 200 and _gone(server) == [] and server.inbox_rows() == rows
