"""Every authentic Feishu event, from HTTP or the long connection, handed to the inbox.

What concerns the bot is stored as one inbox row under its idempotency key
before the acknowledgement: a message by its message id (Feishu re-sends a
message under a new event id after a reconnect), anything else by its event
id. What does not concern it is acknowledged and dropped: group messages
that neither mention the bot nor reply in a thread, reactions with no
meaning, the bot being added to a chat, profile changes other than leaving.
A card click is answered in the request (Feishu waits 3 seconds for its toast
and card), after its row is stored. Events of another tenant are ignored.
"""

from __future__ import annotations

import logging
from typing import Any

from handlers.feishu import clicks, people
from handlers.feishu.events import (
    BotMembership,
    CardAction,
    ChatOpened,
    FeishuEvent,
    IncomingMessage,
    MenuClick,
    PersonLeft,
    Reaction,
)
from handlers.feishu.runtime import FeishuDeps
from handlers.feishu.verify import Envelope

log = logging.getLogger(__name__)

JSON = dict[str, Any]

MESSAGE_KIND = "feishu.message"
REACTION_KIND = "feishu.reaction"
HOME_KIND = "feishu.home"


def _row_of(event: FeishuEvent, bot: str | None) -> tuple[str, str] | None:
    """The (kind, idempotency key) to store an event under; None for what is no concern."""
    if isinstance(event, IncomingMessage):
        # In a group the bot also sees everything when it has im:message.group_msg: only
        # thread replies (progress on a card) and messages for the bot are kept. While
        # the bot's own id is unknown, a message that mentions anyone is kept to be sure.
        concerns = (
            event.direct
            or event.root_id is not None
            or event.addressed
            or (bot is None and bool(event.mentions))
        )
        return (MESSAGE_KIND, event.dedupe_key) if concerns else None
    if isinstance(event, Reaction):
        return (REACTION_KIND, event.dedupe_key) if event.intent is not None else None
    if isinstance(event, MenuClick | ChatOpened):
        return HOME_KIND, event.dedupe_key
    if isinstance(event, PersonLeft):
        return people.KIND, event.dedupe_key
    return None


class Intake:
    """Stores events for the workers and answers card clicks (see the module docstring)."""

    def __init__(self, deps: FeishuDeps) -> None:
        self.deps = deps

    def receive(self, envelope: Envelope) -> JSON | None:
        """Take one event; the answer to send back for a card click, else None.

        Raises StoreUnavailable when the event cannot be stored (it must not be
        acknowledged, so Feishu sends it again), and a DeliveryError while Feishu
        cannot say which tenant this app serves.
        """
        if not self.deps.tenant.accepts(envelope.tenant_key):
            return None
        bot = self.deps.bot_open_id()
        event = self.deps.parse(envelope, bot=bot)
        if isinstance(event, CardAction):
            return clicks.answer(self.deps, envelope, event)
        if isinstance(event, BotMembership):
            # The chat's kind may have changed with it (and a removed bot reads nothing).
            self.deps.directory.forget_chat(event.chat_id)
            return None
        if event is None:
            return None
        row = _row_of(event, bot)
        if row is None:
            log.debug("nothing to do for %s %s", envelope.event_type, envelope.event_id)
            return None
        kind, key = row
        self.deps.store(kind=kind, key=key, envelope=envelope)
        return None
