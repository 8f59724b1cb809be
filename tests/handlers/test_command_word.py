"""A scheduled message shows each platform's own way of typing a command."""

from __future__ import annotations

from bot.i18n import tr
from bot.messages import Message, MessageKind, Section
from handlers.feishu import markdown
from handlers.slack import mrkdwn
from scheduler import standup  # noqa: F401  (registers the stand-up texts)


def _hint(locale: str) -> Message:
    body = tr(locale, "standup.more", n=3, key="logistics")
    return Message(kind=MessageKind.STANDUP, sections=[Section(body=body)])


def test_slack_shows_the_slash_command_and_feishu_the_mention() -> None:
    spans = _hint("en").sections[0].body
    assert "`/xdept list dept logistics`" in mrkdwn.render(spans)
    assert "@xdept list dept logistics" in markdown.render(spans)
    assert "@xdept list dept logistics" in markdown.plain_text(spans)
    assert "/xdept" not in markdown.render(spans)


def test_the_command_word_survives_the_outbox() -> None:
    """Stored as JSON in the outbox and read back, the span is still a command word."""
    stored = Message.model_validate(_hint("zh").model_dump(mode="json"))
    spans = stored.sections[0].body
    assert "@xdept list dept logistics" in markdown.render(spans)
    assert "`/xdept list dept logistics`" in stored.plain()
