"""Escalating after the scheduler's offer: four parts built from the updates, once."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import ButtonAction, LinkSpan, MessageKind
from tests.conftest import at
from tests.scheduler.conftest import World

MON = at(2026, 11, 23, 8, 0)


def test_escalation_after_the_offer_has_four_parts_from_the_updates(world: World) -> None:
    world.setup(MON)
    code = world.ask("请停止线下拒单 by Wednesday", at(2026, 11, 23, 9, 0))
    world.run("chen", f"snooze {code} 1 day", at(2026, 11, 23, 9, 20), channel="C0LOG")
    world.step(at(2026, 11, 23, 9, 30), at(2026, 11, 26, 10, 0), timedelta(minutes=30))
    (offer,) = world.said(MessageKind.ESCALATION_SUGGESTION)
    assert offer.user == "mei"
    button = offer.message.buttons[0]  # type: ignore[union-attr]
    assert button.action is ButtonAction.ESCALATE and button.value == code

    # The requester presses Escalate (the button calls the same service as the command).
    now = at(2026, 11, 26, 10, 5)
    core = world.app.core
    core.perform(lambda: core.items.escalate(ctx=world.ctx("mei", now), code=code), now=now)
    (dm,) = world.said(MessageKind.ESCALATION)
    assert dm.user == "zhao"
    message = dm.message
    assert message is not None
    background, state, impact, suggestion = (s.body for s in message.sections)
    text = {
        h: "".join(getattr(x, "text", getattr(x, "fallback", "")) for x in b)
        for h, b in (
            ("background", background),
            ("state", state),
            ("impact", impact),
            ("suggestion", suggestion),
        )
    }
    assert "请停止线下拒单" in text["background"] and "Wed 25 Nov 18:00" in text["background"]
    assert "No one has answered" in text["state"]
    assert "Nudges sent: 4" in text["state"]
    # What happened since, from the updates, each with its date.
    assert "• Mon 23 Nov 09:20  snoozed: “1 day”" in text["state"], text["state"]  # by chen
    assert "Thu 26 Nov 09:30 the bot nudged" in text["state"]
    assert "earlier" not in text["state"]
    # Filed Monday 09:00, escalated Thursday 10:05: 9 + 9 + 9 + 1.1 business hours.
    assert "Waiting 28 business hours" in text["impact"]
    assert "16h past its due time (1.1 business hours)" in text["impact"]
    assert "What it blocks" in text["impact"]
    assert "Please make sure" in text["suggestion"]
    assert any(isinstance(s, LinkSpan) for s in message.context)  # the thread
    notes = [s for s in world.said(MessageKind.NOTE) if "escalated" in s.message.plain()]  # type: ignore[union-attr]
    assert len(notes) == 1 and notes[0].thread_id == world.item(code).message_id
    assert world.updates(code, "escalated")[0].actor_id == "mei"

    # A second escalation is refused politely, and nothing more is sent.
    refused = world.app.core.run_command(
        world.ctx("mei", now + timedelta(hours=1)), f"escalate {code}"
    )
    assert refused.kind is MessageKind.ERROR and "already been escalated" in refused.plain()
    world.step(now + timedelta(hours=1), at(2026, 12, 4, 18, 0), timedelta(hours=2))
    assert len(world.said(MessageKind.ESCALATION)) == 1
    assert len(world.said(MessageKind.ESCALATION_SUGGESTION)) == 1


def _section_texts(message: object) -> list[str]:
    return [
        "".join(getattr(x, "text", getattr(x, "fallback", "")) for x in s.body)
        for s in message.sections  # type: ignore[attr-defined]
    ]


def test_impact_and_suggestion_typed_with_the_request_feed_the_escalation(world: World) -> None:
    world.setup(MON)
    code = world.ask(
        "relabel the pallets by Wednesday impact: 12 customer complaints this week "
        "suggest: print the labels at the dock",
        at(2026, 11, 23, 9, 0),
    )
    stored = world.item(code)
    assert stored.text == "relabel the pallets by Wednesday"
    assert stored.impact == "12 customer complaints this week"
    assert stored.suggestion == "print the labels at the dock"
    for n in range(12):  # more than ten things happen before the escalation
        world.run("chen", f"update {code} checked again, round {n}", at(2026, 11, 23, 10, n))
    now = at(2026, 11, 23, 11, 0)
    world.run("mei", f"escalate {code}", now)
    (dm,) = world.said(MessageKind.ESCALATION)
    _, state, impact, suggestion = _section_texts(dm.message)
    assert "What it blocks: 12 customer complaints this week" in impact
    assert "not stated" not in impact
    assert suggestion == "print the labels at the dock"
    assert "round 11" in state and "round 2" in state and "round 1”" not in state, state
    # Twelve notes and the acknowledgement the first one made: ten shown, three before them.
    assert state.count("\n• ") == 10 and "… and 3 earlier." in state


def test_chinese_parts_and_a_chinese_escalation_contact(world: World) -> None:
    world.setup(MON)
    code = world.ask(
        "请停止线下拒单 周三前，影响：本周12起客诉。建议：先登记原因", at(2026, 11, 23, 9, 0)
    )
    stored = world.item(code)
    assert stored.text == "请停止线下拒单 周三前"
    assert stored.impact == "本周12起客诉。" and stored.suggestion == "先登记原因"
    assert stored.due_at == at(2026, 11, 25, 18, 0)


def test_a_chosen_language_is_used_for_scheduled_direct_messages(world: World) -> None:
    world.setup(MON)
    world.run("mei", "lang zh", MON)  # her platform says English
    world.ask("请停止线下拒单 by Wednesday", at(2026, 11, 23, 9, 0))
    world.step(at(2026, 11, 23, 9, 30), at(2026, 11, 26, 10, 0), timedelta(minutes=30))
    (offer,) = world.said(MessageKind.ESCALATION_SUGGESTION)
    assert offer.user == "mei" and "是否升级" in offer.message.plain()  # type: ignore[union-attr]
