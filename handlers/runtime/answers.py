"""What every platform's inbox handlers share: finishing a row held in a request, and
queueing the private answer to the person behind a row.

Both run inside the transaction that finishes the row, so the answer is as
durable as the change it reports; a worker delivers what was queued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from bot.bootstrap import App
from bot.context import Context
from bot.messages import Message
from bot.outbox import private_answer
from bot.views import ItemView
from handlers.runtime.inbox import Finish, Inbox, Route, Task, follow_up, wall_clock
from storage.db import UnitOfWork
from storage.inbox import TaskState

log = logging.getLogger(__name__)


@contextmanager
def finishing(inbox: Inbox, task: Task, ring: Callable[[], None]) -> Iterator[UnitOfWork]:
    """Finish a row inside the request that holds it; a worker sends what it queued."""
    with Finish(inbox, task, wall_clock)() as uow:
        yield uow
        queued = follow_up(uow, task, now=wall_clock())
    if queued:
        ring()


def queue_answer(
    app: App,
    task: Task,
    ctx: Context,
    message: Message,
    *,
    chat: str | None = None,
    handle: str | None = None,
    handle_expires_at: datetime | None = None,
    filed: ItemView | None = None,
    name: str = "reply",
) -> None:
    """Queue a private answer to the actor, keyed by the row (a retry queues it once).

    It goes through `handle` until it expires, else to the person alone in `chat`,
    else by direct message (scheduler.answers).
    """
    with app.store.unit_of_work() as uow:
        ws = uow.workspaces.get_or_create(
            ctx.platform, ctx.workspace, now=ctx.now, timezone=app.settings.xdept_timezone
        )
        private_answer(
            uow,
            workspace_id=ws.id,
            user_id=ctx.actor.user_id,
            message=message,
            key=f"answer:{task.platform}:{task.key}:{name}"[:200],
            now=ctx.now,
            handle=handle,
            handle_expires_at=handle_expires_at,
            chat=chat,
            filed=_filed(app, ctx, filed) if filed is not None else None,
        )


def _filed(app: App, ctx: Context, view: ItemView) -> dict[str, object]:
    return {
        "item_id": view.id,
        "locale": app.core.locale(ctx),
        "tz": app.core.timezone(ctx),
        "style": ctx.command_style.value,
    }


def _never_answered(task: Task, finish: Finish) -> None:
    # The process that held this request stopped before answering it: the platform
    # showed the person an error (no answer came in time), so they try again.
    log.info("inbox row %d (%s): its request was never answered", task.id, task.kind)
    with finish(state=TaskState.FAILED, error="the request's process stopped before answering"):
        pass


# Rows of work done inside the request: a worker only sees one whose process died.
IN_REQUEST = Route(work=_never_answered)
