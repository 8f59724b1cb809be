"""The "Track as request" message shortcut: a form prefilled with the message, then an item.

The submission is checked by filing it: an unreadable due date or an unknown
department comes back as an inline error in the form (`response_action:
errors`) and nothing is created; otherwise the form closes, the tracking
message is posted, and the requester is told where it is.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot import commands as c
from bot.context import Context
from bot.domain import XdeptError
from bot.messages import MessageKind
from bot.ports import DeliveryError
from bot.views import ItemView
from handlers.slack.runtime import Deps, channel_of, reply_via, team_of, user_of
from handlers.slack.views import (
    BACKGROUND,
    DEPT,
    DUE,
    IMPACT,
    OWNER,
    SUGGESTION,
    TEXT,
    TRACK_FORM,
    TrackSource,
    state_value,
    track_form,
)

log = logging.getLogger(__name__)

SHORTCUT = "xdept_track"
ERROR_TEXT = 2000
# Which field of the form a refusal belongs to; the rest go to the department.
ERROR_FIELD = {
    "err.due_unreadable": DUE,
    "err.due_past": DUE,
    "err.empty_text": TEXT,
    "err.not_a_person": OWNER,
    "err.text_too_long": TEXT,
}


def register(bolt: App, deps: Deps) -> None:
    """Listen for the shortcut and its form."""

    def on_shortcut(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        deps.background(f"track form for {user_of(body)}", open_form, body, request=body)

    def on_submit(ack: Ack, body: dict[str, Any]) -> None:
        submit(deps, ack, body)

    bolt.shortcut(SHORTCUT)(on_shortcut)
    bolt.view_submission(TRACK_FORM)(on_submit)


def open_form(deps: Deps, body: dict[str, Any]) -> None:
    """Open the form; if that fails, tell the person instead of leaving them waiting."""
    try:
        _open_form(deps, body)
    except Exception:
        log.exception("opening the track form for %s failed", user_of(body))
        reply_via(
            body.get("response_url"),
            deps.failure(None, "slack.what.form"),
            what=f"track form for {user_of(body)}",
        )


def _open_form(deps: Deps, body: dict[str, Any]) -> None:
    """Open the form with the message's text and link (the trigger lasts 3 seconds)."""
    user = user_of(body)
    channel = channel_of(body)
    message = body.get("message") or {}
    ts = str(body.get("message_ts") or message.get("ts") or "") or None
    ctx = deps.resolver.context(team_id=team_of(body), user_id=user, channel_id=channel)
    locale = deps.core.locale(ctx)
    known = [
        f"@{d.key}" + (f" ({d.name})" if d.name != d.key else "")
        for d in deps.core.departments.list_all(ctx=ctx)
    ]
    link = None
    if channel and ts:
        try:
            link = deps.client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
        except SlackApiError as exc:
            log.warning("no permalink for %s/%s: %s", channel, ts, exc)
    text = str(message.get("text") or "")
    deps.client.views_open(
        trigger_id=body["trigger_id"],
        view=track_form(
            text=text,
            source=TrackSource(channel=channel, ts=ts, permalink=link),
            known=known,
            locale=locale,
        ),
    )


def submit(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """File the request, or show inline what needs fixing."""
    if not deps.first_time(body):
        ack()  # the same submission again: it was handled
        return
    view = body.get("view") or {}
    values = (view.get("state") or {}).get("values") or {}
    source = TrackSource.from_metadata(str(view.get("private_metadata") or ""))
    user = user_of(body)
    ctx = None
    try:
        ctx = deps.resolver.context(team_id=team_of(body), user_id=user, channel_id=source.channel)
        acting = ctx
        filed, queued = deps.core.run(lambda: _file(deps, acting, values, source))
    except XdeptError as exc:
        field = ERROR_FIELD.get(exc.key, DEPT)
        ack(response_action="errors", errors={field: exc.render(deps.locale(ctx))[:ERROR_TEXT]})
        return
    except Exception:
        log.exception("filing a tracked message for %s failed", user)
        failure = deps.failure(ctx, "slack.what.form").plain()
        ack(response_action="errors", errors={DEPT: failure[:ERROR_TEXT]})
        return
    ack()
    owner = state_value(values, OWNER)
    deps.background(f"after filing {filed.code}", confirm, ctx, filed, queued, owner, source)


def _file(deps: Deps, ctx: Context, values: dict[str, Any], source: TrackSource) -> ItemView:
    # Empty fields (only a forged submission has them: Slack requires both) get the
    # core's own refusals: the list of departments, or "say what you need".
    dept = (state_value(values, DEPT) or "").strip()
    target = c.read_target(dept) or c.Target(kind=c.TargetKind.NAME, name=dept.lstrip("@#").strip())
    return deps.core.items.ask(
        ctx=ctx,
        target=target,
        text=state_value(values, TEXT) or "",
        due_text=state_value(values, DUE),
        background=state_value(values, BACKGROUND),
        impact=state_value(values, IMPACT),
        suggestion=state_value(values, SUGGESTION),
        source_link=source.permalink,
    )


def confirm(
    deps: Deps,
    ctx: Context,
    filed: ItemView,
    queued: list[int],
    owner: str | None,
    source: TrackSource,
) -> None:
    """Post the item, hand it to its owner if one was chosen, and tell the requester where."""
    deps.core.send(queued, now=ctx.now)
    locale = deps.core.locale(ctx)
    messenger = deps.app.messenger
    if owner:
        reply = deps.core.execute(
            ctx, c.Assign(code=filed.code, assignee=c.Target(kind=c.TargetKind.PERSON, id=owner))
        )
        if reply.kind is MessageKind.ERROR:
            messenger.dm(user=ctx.actor.user_id, message=reply)
    message = deps.core.filed_reply(ctx, filed, locale)
    if source.channel:
        try:
            messenger.ephemeral(chat=source.channel, user=ctx.actor.user_id, message=message)
            return
        except DeliveryError as exc:  # e.g. the bot is not in that channel: a DM still reaches them
            log.info("confirmation of %s goes by DM: %s", filed.code, exc.reason)
    messenger.dm(user=ctx.actor.user_id, message=message)
