"""A person who left the Feishu tenant is treated as away for good, as on Slack.

`contact.user.deleted_v3`, or `contact.user.updated_v3` saying they resigned,
marks them gone: their nudges go to the leads and `dept show` lists them. An
update saying a resigned person is back undoes it. Nothing is asked of Feishu
about them (a deleted person can no longer be looked up).
"""

from __future__ import annotations

import functools

from handlers.feishu.events import PersonLeft
from handlers.feishu.runtime import FeishuDeps
from handlers.runtime.inbox import Finish, Route, Task

KIND = "feishu.person_left"


def routes(deps: FeishuDeps) -> dict[str, Route]:
    """The inbox handler (recording the same state twice is harmless)."""
    return {KIND: Route(functools.partial(record, deps))}


def record(deps: FeishuDeps, task: Task, finish: Finish) -> None:
    """Mark the person as gone (or back)."""
    event = deps.event_of(task)
    if not isinstance(event, PersonLeft):
        return
    ctx = deps.bare_context(task, user=event.user, chat=None)
    with finish():
        deps.core.departments.person_left(ctx=ctx, user_id=event.user, left=event.left)
