"""`user_change`: a person deactivated in Slack is treated as away for good.

Their nudges go to the leads and `dept show` lists them; reactivating them undoes it.
Only the deactivation flag is read: zones and languages come fresh from `users.info`.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_bolt import App

from handlers.runtime.inbox import Finish, Route, Task
from handlers.slack.payloads import EventEnvelope, UserChange, parse
from handlers.slack.runtime import Deps

log = logging.getLogger(__name__)

KIND = "slack.user_change"


def register(bolt: App, deps: Deps) -> None:
    """Listen for profile changes."""
    from handlers.slack.app import guarded

    @guarded
    def on_change(body: dict[str, Any], event: dict[str, Any]) -> None:
        envelope = parse(EventEnvelope, body, what="user_change event")
        change = parse(UserChange, event, what="user_change") if envelope else None
        if envelope is None or change is None:
            return
        deps.store(
            kind=KIND, key=f"event:{envelope.event_id}", team=envelope.team_id, payload=change
        )

    bolt.event("user_change")(on_change)


def routes(deps: Deps) -> dict[str, Route]:
    """The inbox handler (recording the same state twice is harmless)."""
    return {KIND: Route(functools.partial(record, deps))}


def record(deps: Deps, task: Task, finish: Finish) -> None:
    """Mark the person as gone (or back)."""
    change = UserChange.model_validate(task.payload)
    user = change.user
    ctx = deps.context(task, team=task.workspace, user=user.id, channel=None)
    with finish():
        deps.core.departments.person_left(ctx=ctx, user_id=user.id, left=user.deleted)
