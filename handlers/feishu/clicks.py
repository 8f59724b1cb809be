"""Card clicks, answered in the request: a toast, and the card as it stands now.

Feishu waits 3 seconds for the answer to a click, and shows what it says at
once: so the click is stored as an inbox row held by the request, its
command runs right there, and the row is finished in the same transaction.
Acknowledge, Done, Snooze and Escalate answer with the updated tracking card
(the delivery that follows patches it for everyone too); Decline first
checks that the person may decline, then has a worker send the reason form
by direct message; the forms' submits (decline reason, "Track as request",
four-part status, meeting notes) answer with a card that replaces the form
(the notes' with their preview, whose Confirm files them: handlers.feishu.minutes).
The same click twice (a double
click, or Feishu's redelivery) changes things once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from bot import commands as c
from bot import compose
from bot.context import Context
from bot.domain import XdeptError
from bot.i18n import t
from bot.items.followup import FourParts
from bot.lookup import Lookup, normalize_locale
from bot.messages import ButtonAction, Message, MessageKind
from handlers.feishu import cards, forms, minutes
from handlers.feishu.cards import callback_answer
from handlers.feishu.events import CardAction
from handlers.feishu.markdown import applink_chat
from handlers.feishu.runtime import FeishuDeps, StoreUnavailable
from handlers.feishu.verify import Envelope
from handlers.runtime.inbox import Task

log = logging.getLogger(__name__)

JSON = dict[str, Any]

CLICK_KIND = "feishu.click"
DECLINE_FORM_KIND = "feishu.decline_form"
# Clicks of the same button by the same person within this many seconds are one click.
DOUBLE_CLICK = 60

COMMANDS: dict[str, Callable[[str], c.Command]] = {
    ButtonAction.ACK.value: lambda code: c.Ack(code=code),
    ButtonAction.DONE.value: lambda code: c.Done(code=code),
    ButtonAction.SNOOZE.value: lambda code: c.Snooze(code=code, when="1 day"),
    ButtonAction.ESCALATE.value: lambda code: c.Escalate(code=code),
}


def click_key(click: CardAction, create_time: str) -> str:
    """One person's click of one button on one card, within a double click's time."""
    try:
        bucket = int(create_time) // 1000 // DOUBLE_CLICK
    except ValueError:
        bucket = 0
    what = json.dumps(
        [click.message_id, click.operator, click.value, click.form, bucket],
        sort_keys=True,
        ensure_ascii=False,
    )
    return "feishu:click:" + hashlib.sha256(what.encode("utf-8")).hexdigest()[:48]


def _code(click: CardAction) -> str:
    value = click.value.get("value")
    return value if isinstance(value, str) else ""


def answer(deps: FeishuDeps, envelope: Envelope, click: CardAction) -> JSON:
    """The answer to a click (see the module docstring); StoreUnavailable when it could
    not be stored (not acknowledged: the person sees Feishu's error and clicks again)."""
    try:
        return _answer(deps, envelope, click)
    except StoreUnavailable:
        raise
    except Exception:
        log.exception("the click %r by %s failed", click.action, click.operator)
        failure = deps.failure("feishu.what.click")
        return callback_answer(failure.plain(), kind="error")


def _answer(deps: FeishuDeps, envelope: Envelope, click: CardAction) -> JSON:
    if click.action in COMMANDS:
        return _held(deps, envelope, click, _press)
    if click.action == ButtonAction.DECLINE.value:
        return _decline_click(deps, envelope, click)
    if click.action == forms.DECLINE_FORM:
        return _held(deps, envelope, click, _decline_submit)
    if click.action == forms.TRACK_FORM:
        return _held(deps, envelope, click, _track_submit)
    if click.action == forms.STATUS_FORM:
        return _held(deps, envelope, click, _status_submit)
    if click.action == forms.MINUTES_FORM:
        return _held(
            deps, envelope, click, lambda d, task, _ctx, c: minutes.read_submit(d, task, c)
        )
    if click.action == minutes.PREVIEW_FORM:
        return _held(
            deps, envelope, click, lambda d, task, _ctx, c: minutes.file_submit(d, task, c)
        )
    log.info("a click on %r, which no handler takes", click.action)
    return callback_answer(t(deps.resolver.locale, "feishu.click.unknown"), kind="warning")


Handler = Callable[[FeishuDeps, Task, Context, CardAction], JSON]


def _held(deps: FeishuDeps, envelope: Envelope, click: CardAction, handle: Handler) -> JSON:
    """Store the click held by this request, then answer it; a repeat gets a short toast."""
    locale = deps.resolver.locale
    task = deps.store(
        kind=CLICK_KIND, key=click_key(click, envelope.create_time), envelope=envelope, claim=True
    )
    if task is None:
        return callback_answer(t(locale, "feishu.click.again"))
    ctx = deps.context(task, user=click.operator, chat=click.chat_id or None)
    return handle(deps, task, ctx, click)


def _toast(reply: Message, card: JSON | None = None) -> JSON:
    kind = "error" if reply.kind is MessageKind.ERROR else "success"
    return callback_answer(reply.plain(), kind=kind, card=card if kind == "success" else None)


def _press(deps: FeishuDeps, task: Task, ctx: Context, click: CardAction) -> JSON:
    code = _code(click)
    with deps.finishing(task):
        reply = deps.core.execute(ctx, COMMANDS[click.action](code))
        card = tracking_card(deps, ctx, code, click.message_id)
    return _toast(reply, card)


def tracking_card(deps: FeishuDeps, ctx: Context, code: str, message_id: str) -> JSON | None:
    """The item's tracking card as it stands, if the click was on it (not on a DM's card)."""
    lookup = Lookup(deps.app.settings)
    with deps.app.store.unit_of_work() as uow:
        ws = uow.workspaces.get(ctx.platform, ctx.workspace)
        if ws is None:
            return None
        try:
            item = lookup.item(uow, ws, code, lock=False)
        except XdeptError:
            return None
        if item.message_id != message_id:
            return None
        dept = item.department
        locale = normalize_locale(dept.locale if dept else None, deps.app.settings.xdept_locale)
        tz = dept.timezone if dept else ws.timezone
        view = lookup.item_view(uow, item)
    return cards.render(compose.tracking_message(view, locale=locale, now=ctx.now, tz=tz))


def _decline_click(deps: FeishuDeps, envelope: Envelope, click: CardAction) -> JSON:
    """Say at once whether the person may decline; if so, a worker sends them the form."""
    code = _code(click)
    ctx = deps.resolver.context(tenant=envelope.tenant_key, user=click.operator, chat=None)
    locale = deps.core.locale(ctx)
    try:
        view = deps.core.items.may_decline(ctx=ctx, code=code)
    except XdeptError as exc:
        return callback_answer(exc.render(locale, ctx.command_style), kind="error")
    key = click_key(click, envelope.create_time)
    if deps.store(kind=DECLINE_FORM_KIND, key=key, envelope=envelope) is None:
        return callback_answer(t(locale, "feishu.click.again"))
    return callback_answer(t(locale, "feishu.decline.form_sent", code=view.code))


def _replacement(message: Message) -> JSON:
    """A card that replaces a submitted form, so it cannot be sent twice."""
    return cards.render(message)


def _decline_submit(deps: FeishuDeps, task: Task, ctx: Context, click: CardAction) -> JSON:
    code = _code(click)
    reason = (click.form.get(forms.REASON) or "").strip()
    locale = deps.core.locale(ctx)
    if not reason:
        with deps.finishing(task):
            pass
        return callback_answer(t(locale, "feishu.reason_required"), kind="error")
    with deps.finishing(task):
        reply = deps.core.execute(ctx, c.Decline(code=code, reason=reason))
    if reply.kind is MessageKind.ERROR:
        return _toast(reply)
    done = compose.simple(locale, "feishu.declined", code=code)
    return callback_answer(done.plain(), kind="success", card=_replacement(done))


def _track_submit(deps: FeishuDeps, task: Task, ctx: Context, click: CardAction) -> JSON:
    """File the request from the form; a refusal comes back as a toast, the form stays."""
    values = click.form
    chat = click.value.get("chat")
    chat = chat if isinstance(chat, str) and chat else None
    dept = (values.get(forms.DEPT) or "").strip()
    target = c.read_target(dept) or c.Target(kind=c.TargetKind.NAME, name=dept.lstrip("@#"))
    locale = deps.core.locale(ctx)
    refusal: str | None = None
    with deps.finishing(task):
        try:  # a refusal undoes only the filing; the row is finished either way
            filed = deps.core.perform(
                lambda: deps.core.items.ask(
                    ctx=ctx,
                    target=target,
                    text=values.get(forms.TEXT) or "",
                    due_text=(values.get(forms.DUE) or "").strip() or None,
                    background=values.get(forms.BACKGROUND) or None,
                    impact=values.get(forms.IMPACT) or None,
                    suggestion=values.get(forms.SUGGESTION) or None,
                    source_link=applink_chat(chat) if chat else None,
                ),
                now=ctx.now,
            )
        except XdeptError as exc:
            refusal = exc.render(locale, ctx.command_style)
        else:
            confirmation = deps.core.filed_reply(ctx, filed, locale)
    if refusal is not None:
        return callback_answer(refusal, kind="error")
    return callback_answer(confirmation.plain(), kind="success", card=_replacement(confirmation))


def _status_submit(deps: FeishuDeps, task: Task, ctx: Context, click: CardAction) -> JSON:
    """Post the four-part status in the item's thread and record it; a refusal (no
    current state, no longer allowed) comes back as a toast and the form stays."""
    code = _code(click)
    parts = FourParts(**{name: str(click.form.get(name) or "") for name in forms.STATUS_PARTS})
    locale = deps.core.locale(ctx)
    refusal: str | None = None
    with deps.finishing(task):
        try:  # a refusal undoes only the status; the row is finished either way
            view = deps.core.items.status(ctx=ctx, code=code, parts=parts)
        except XdeptError as exc:
            refusal = exc.render(locale, ctx.command_style)
    if refusal is not None:
        return callback_answer(refusal, kind="error")
    done = compose.simple(locale, "reply.status", code=view.code)
    return callback_answer(done.plain(), kind="success", card=_replacement(done))
