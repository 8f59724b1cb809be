"""Decline: the button opens a form asking why; the submission declines the item.

Who may decline is checked before the form opens, so nobody types a reason
only to be refused; the submission checks again (things change meanwhile)
and shows any refusal inline in the form.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App

from bot import compose
from bot.domain import XdeptError
from bot.i18n import t
from bot.messages import ButtonAction
from handlers.slack.listeners.buttons import clicked_value
from handlers.slack.runtime import Deps, channel_of, reply_via, team_of, user_of
from handlers.slack.views import DECLINE_FORM, REASON, decline_form, state_value

log = logging.getLogger(__name__)

ERROR_TEXT = 2000


def register(bolt: App, deps: Deps) -> None:
    """Listen for the Decline button and its form."""

    def on_decline(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        deps.background(f"decline form for {user_of(body)}", open_form, body, request=body)

    def on_submit(ack: Ack, body: dict[str, Any]) -> None:
        submit(deps, ack, body)

    bolt.action(ButtonAction.DECLINE.value)(on_decline)
    bolt.view_submission(DECLINE_FORM)(on_submit)


def open_form(deps: Deps, body: dict[str, Any]) -> None:
    """Open the reason form if the clicker may decline; otherwise say why not."""
    user, code = user_of(body), clicked_value(body)
    channel = channel_of(body)
    ctx = None
    try:
        ctx = deps.resolver.context(team_id=team_of(body), user_id=user, channel_id=channel)
        locale = deps.core.locale(ctx)
        try:
            view = deps.core.items.may_decline(ctx=ctx, code=code)
        except XdeptError as exc:
            reply_via(
                body.get("response_url"),
                compose.error_reply(exc.render(locale, ctx.command_style)),
                what=f"decline {code} by {user}",
            )
            return
        deps.client.views_open(
            trigger_id=body["trigger_id"],
            view=decline_form(code=view.code, channel=channel, locale=locale),
        )
    except Exception:
        log.exception("opening the decline form for %r by %s failed", code, user)
        reply_via(
            body.get("response_url"),
            deps.failure(ctx, "slack.what.button"),
            what=f"decline {code} by {user}",
        )


def submit(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """Decline with the reason given, or show what is wrong inside the form."""
    if not deps.first_time(body):
        ack()  # the same submission again: it was handled
        return
    view = body.get("view") or {}
    values = (view.get("state") or {}).get("values") or {}
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    code = str(meta.get("code") or "") if isinstance(meta, dict) else ""
    channel = meta.get("c") if isinstance(meta, dict) else None
    user = user_of(body)
    reason = state_value(values, REASON)
    ctx = None
    try:
        ctx = deps.resolver.context(team_id=team_of(body), user_id=user, channel_id=channel)
        locale = deps.core.locale(ctx)
        if not reason:
            ack(response_action="errors", errors={REASON: t(locale, "form.reason_required")})
            return
        acting = ctx
        _view, queued = deps.core.run(
            lambda: deps.core.items.decline(ctx=acting, code=code, reason=reason)
        )
    except XdeptError as exc:
        ack(response_action="errors", errors={REASON: exc.render(deps.locale(ctx))[:ERROR_TEXT]})
        return
    except Exception:
        log.exception("declining %r by %s failed", code, user)
        failure = deps.failure(ctx, "slack.what.form").plain()
        ack(response_action="errors", errors={REASON: failure[:ERROR_TEXT]})
        return
    ack()
    deps.background(f"delivery after declining {code}", deliver, queued, ctx.now)


def deliver(deps: Deps, queued: list[int], now: datetime) -> None:
    """Send what the decline queued: the edited tracking message and the note."""
    deps.core.send(queued, now=now)
