"""`/xdept status XD-n` over the fake Slack: a prefilled four-part form, posted in the thread."""

from __future__ import annotations

from handlers.slack.status_view import STATUS_FORM
from tests.fakes.slack import view_submission_body
from tests.handlers.slack.conftest import BOB, CHEN, LOGISTICS, SlackServer


def _field(view: dict[str, object], block_id: str) -> str:
    blocks = view["blocks"]
    assert isinstance(blocks, list)
    block = next(b for b in blocks if b["block_id"] == block_id)
    return str(block["element"].get("initial_value", ""))


def test_status_opens_a_prefilled_form_and_posts_four_parts_in_the_thread(
    slack_server: SlackServer,
) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    item = slack_server.file_request(
        "Relabel the 40 cartons by Friday 5pm impact: 12 customer complaints this week"
    )
    slack_server.command(f"status {item.code}", user=CHEN, channel=LOGISTICS)
    form = slack.wait_for_views("views.open")[0]
    assert form.callback_id == STATUS_FORM
    assert form.view["title"]["text"] == f"{item.code} 状态汇报"  # Chen reads Chinese
    assert _field(form.view, "background") == "Relabel the 40 cartons by Friday 5pm"
    assert _field(form.view, "impact") == "12 customer complaints this week"

    metadata = form.view["private_metadata"]
    empty = view_submission_body(
        STATUS_FORM, user_id=CHEN, values={"current": {"value": ""}}, private_metadata=metadata
    )
    answer = slack_server.post(empty).json()
    assert answer["response_action"] == "errors" and "current" in answer["errors"]

    values = {
        "background": {"value": "Relabel the 40 cartons by Friday 5pm"},
        "current": {"value": "打印机已修好，已贴完一半"},
        "impact": {"value": "12 customer complaints this week"},
        "suggestion": {"value": "周一再核对一次"},
    }
    body = view_submission_body(STATUS_FORM, user_id=CHEN, values=values, private_metadata=metadata)
    response = slack_server.post(body)
    assert response.status == 200 and response.body in ("", "{}")
    slack_server.settle()
    thread = slack.thread(LOGISTICS, item.message_id or "")
    report = [m for m in thread if "打印机已修好" in m.all_text]
    assert len(report) == 1
    text = report[0].all_text
    for heading in ("背景", "现状", "影响", "建议"):
        assert heading in text, text  # the department's channel speaks Chinese? headings shown
    after = slack_server.item(item.code)
    assert after.first_response_by == CHEN and after.suggestion == "周一再核对一次"
    history = slack_server.app.core.items.history(ctx=slack_server.ctx(CHEN), code=item.code)
    assert [u.kind.value for u in history.updates][-1] == "status"


def test_status_form_is_refused_before_it_opens_for_an_outsider(
    slack_server: SlackServer,
) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    item = slack_server.file_request()
    reply = slack_server.reply_to(f"status {item.code}", user=BOB)
    assert "Only the requester, the owner or a member" in reply
    assert slack.views == []


def test_status_with_parts_typed_posts_without_a_form(slack_server: SlackServer) -> None:
    slack = slack_server.slack
    slack_server.add_logistics()
    item = slack_server.file_request()
    reply = slack_server.reply_to(f"status {item.code} current: half done", user=CHEN)
    assert item.code in reply and slack.views == []
    slack_server.settle()
    thread = slack.thread(LOGISTICS, item.message_id or "")
    assert any("half done" in m.all_text for m in thread)


def test_a_department_speaks_its_leads_language_and_a_contact_is_looked_up(
    slack_server: SlackServer,
) -> None:
    from tests.handlers.slack.conftest import ZHAO

    slack_server.add_logistics()  # lead Wang's Slack locale is zh-CN; he never used the bot
    dept = slack_server.app.core.departments.show(ctx=slack_server.ctx(CHEN), key="logistics")
    assert dept.locale == "zh"
    with slack_server.app.store.unit_of_work() as uow:
        ws = uow.workspaces.get("slack", slack_server.slack.team_id)
        assert ws is not None
        contact = uow.people.get(ws.id, ZHAO)
        assert contact is not None and contact.locale == "zh-CN"  # known before any escalation


def test_a_new_owner_is_looked_up_before_anything_is_sent_to_them(
    slack_server: SlackServer,
) -> None:
    from tests.handlers.slack.conftest import ZHAO

    reply = slack_server.reply_to(f"todo <@{ZHAO}|zhao> 盘点三号仓 by Friday", user=CHEN)
    assert "XD-" in reply, reply
    with slack_server.app.store.unit_of_work() as uow:
        ws = uow.workspaces.get("slack", slack_server.slack.team_id)
        assert ws is not None
        owner = uow.people.get(ws.id, ZHAO)
        assert owner is not None and owner.locale == "zh-CN"  # Zhao never used the bot


def test_a_deactivated_person_is_recorded_from_user_change(slack_server: SlackServer) -> None:
    slack_server.add_logistics()
    event = {"type": "user_change", "user": {"id": CHEN, "deleted": True, "name": "chen"}}
    slack_server.event(event)
    slack_server.settle()
    shown = slack_server.app.core.departments.show(ctx=slack_server.ctx(CHEN), key="logistics")
    assert shown.gone == [CHEN]
    slack_server.event({"type": "user_change", "user": {"id": CHEN, "deleted": False}})
    slack_server.settle()
    shown = slack_server.app.core.departments.show(ctx=slack_server.ctx(CHEN), key="logistics")
    assert shown.gone == []
