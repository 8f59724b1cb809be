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
    assert "snoozed (1 day)" in text["state"]  # what happened since, from the updates
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
