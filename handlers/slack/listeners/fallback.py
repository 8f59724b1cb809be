"""Requests no other listener takes are acknowledged, so Slack neither retries nor shows an error.

An event type added to the app's subscriptions, a button from an older
message, or a view closed: each gets its 200 and a line in the log. This
module is registered last; Bolt gives a request to the first listener that
matches.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

from handlers.runtime.inbox import Route
from handlers.slack.runtime import Deps

log = logging.getLogger(__name__)

ANY = re.compile(".*")


def register(bolt: App, deps: Deps) -> None:
    """Catch everything the other listeners leave."""

    def on_other_event(event: dict[str, Any]) -> None:
        log.debug("ignored a %s event", event.get("type"))

    def on_other_interaction(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        log.info("no listener for a %s request; acknowledged", body.get("type"))

    bolt.event(ANY)(on_other_event)
    bolt.action(ANY)(on_other_interaction)
    bolt.shortcut(ANY)(on_other_interaction)
    bolt.view(ANY)(on_other_interaction)


def routes(deps: Deps) -> dict[str, Route]:
    """Nothing is stored for what nobody handles."""
    return {}
