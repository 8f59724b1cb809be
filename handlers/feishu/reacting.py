"""Reactions on a tracking card (DONE/CheckMark mark done, OnIt/Get acknowledge), and
the decline form a worker sends after a permitted Decline click.

Feishu's reaction event names the message but not its chat: the worker asks
Feishu which chat the message is in, then applies the reaction with the same
permissions as a command. Someone who may not is told why, privately.
"""

from __future__ import annotations

import functools
import logging

from bot import compose
from bot.domain import XdeptError
from handlers.feishu import forms
from handlers.feishu.clicks import DECLINE_FORM_KIND
from handlers.feishu.events import CardAction, Reaction
from handlers.feishu.resolver import PLATFORM
from handlers.feishu.runtime import FeishuDeps
from handlers.runtime.inbox import Finish, Route, Task

log = logging.getLogger(__name__)

KIND = "feishu.reaction"


def routes(deps: FeishuDeps) -> dict[str, Route]:
    """The inbox handlers of reactions and of the decline form."""
    return {
        KIND: Route(functools.partial(react, deps), functools.partial(give_up, deps)),
        DECLINE_FORM_KIND: Route(functools.partial(send_decline_form, deps)),
    }


def react(deps: FeishuDeps, task: Task, finish: Finish) -> None:
    """Apply the reaction as the person who reacted; a refusal is told privately."""
    reaction = deps.event_of(task)
    if not isinstance(reaction, Reaction) or reaction.intent is None:
        return
    intent = reaction.intent
    chat = chat_of(deps, task.workspace, reaction.message_id)
    if not chat:
        log.info("reaction on %s: Feishu names no chat for it", reaction.message_id)
        return
    ctx = deps.context(task, user=reaction.operator, chat=chat)
    with finish():
        outcome = deps.core.perform(
            lambda: deps.core.items.react(
                ctx=ctx, channel_id=chat, message_id=reaction.message_id, reaction=intent
            ),
            now=ctx.now,
        )
        if outcome.refused:
            deps.answer(task, ctx, compose.error_reply(outcome.refused), chat=chat)


def chat_of(deps: FeishuDeps, tenant: str, message_id: str) -> str:
    """The chat a message is in: a department's group holding a card of that id, else
    whatever Feishu says (a commitment's card lives where it was typed)."""
    with deps.app.store.unit_of_work() as uow:
        ws = uow.workspaces.get(PLATFORM, tenant)
        for dept in uow.departments.all(ws.id) if ws is not None else ():
            if dept.channel_id and uow.items.by_thread(dept.channel_id, message_id) is not None:
                return dept.channel_id
    return str(deps.api.message(message_id).get("chat_id") or "")


def give_up(deps: FeishuDeps, task: Task) -> None:
    """Tell the person their reaction could not be applied."""
    reaction = deps.event_of(task)
    if not isinstance(reaction, Reaction):
        return
    ctx = deps.bare_context(task, user=reaction.operator, chat=None)
    deps.answer(task, ctx, deps.failure("feishu.what.reaction"), name="failed")


def send_decline_form(deps: FeishuDeps, task: Task, finish: Finish) -> None:
    """Send the reason form by DM to a person who may decline (checked again here)."""
    click = deps.event_of(task)
    if not isinstance(click, CardAction):
        return
    code = str(click.value.get("value") or "")
    ctx = deps.context(task, user=click.operator, chat=None)
    try:
        view = deps.core.items.may_decline(ctx=ctx, code=code)
    except XdeptError as exc:
        log.info("no decline form for %s on %s: %s", click.operator, code, exc)
        return  # the click's toast said why
    card = forms.decline_form(code=view.code, locale=deps.core.locale(ctx))
    deps.send_card(user=click.operator, card=card, key=f"{task.key}:decline-form")
