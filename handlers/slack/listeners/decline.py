"""Decline: the button opens a form asking why; the submission declines the item.

Both are done inside the request, after the inbox row is stored: the form
must open within the trigger's 3 seconds, and a refusal of the submission
shows inline in the form. Who may decline is checked before the form opens,
so nobody types a reason only to be refused; the submission checks again.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot import compose
from bot.domain import XdeptError
from bot.i18n import t
from bot.messages import ButtonAction
from handlers.runtime.inbox import Route
from handlers.slack.payloads import ButtonClick, ViewSubmission, parse
from handlers.slack.runtime import IN_REQUEST, Deps
from handlers.slack.views import (
    DECLINE_FORM,
    REASON,
    decline_form,
    read_code_metadata,
    state_value,
)

log = logging.getLogger(__name__)

FORM_KIND = "slack.decline_form"
SUBMIT_KIND = "slack.decline_submit"
ERROR_TEXT = 2000


def register(bolt: App, deps: Deps) -> None:
    """Listen for the Decline button and its form."""
    from handlers.slack.app import guarded

    @guarded
    def on_decline(ack: Ack, body: dict[str, Any]) -> None:
        click = parse(ButtonClick, body, what="decline click")
        if click is not None:
            open_form(deps, click)
        ack()

    @guarded
    def on_submit(ack: Ack, body: dict[str, Any]) -> None:
        submission = parse(ViewSubmission, body, what="decline form")
        if submission is None:
            ack()
            return
        errors = submit(deps, submission)
        if errors:
            ack(response_action="errors", errors={REASON: errors[:ERROR_TEXT]})
        else:
            ack()

    bolt.action(ButtonAction.DECLINE.value)(on_decline)
    bolt.view_submission(DECLINE_FORM)(on_submit)


def routes(deps: Deps) -> dict[str, Route]:
    """Both rows are done inside their requests."""
    return {FORM_KIND: IN_REQUEST, SUBMIT_KIND: IN_REQUEST}


def open_form(deps: Deps, click: ButtonClick) -> None:
    """Open the reason form if the clicker may decline; otherwise say why not, privately."""
    task = deps.store_interaction(FORM_KIND, click, claim=True)
    if task is None:
        return  # the same click again: handled
    code, user, channel = click.action.value or "", click.user_id, click.channel_id
    ctx = deps.context(task, team=click.team_id, user=user, channel=channel)
    locale = deps.core.locale(ctx)
    try:
        view = deps.core.items.may_decline(ctx=ctx, code=code)
    except XdeptError as exc:
        refusal = compose.error_reply(exc.render(locale, ctx.command_style))
        deps.close(task, ctx, refusal, response_url=click.response_url, chat=channel)
        return
    try:
        deps.client(click.team_id).views_open(
            trigger_id=click.trigger_id,
            view=decline_form(code=view.code, channel=channel, locale=locale),
        )
    except Exception:
        log.exception("opening the decline form for %r by %s failed", code, user)
        failure = deps.failure(ctx, "slack.what.button")
        deps.close(task, ctx, failure, response_url=click.response_url, chat=channel)
        return
    deps.close(task)


def submit(deps: Deps, submission: ViewSubmission) -> str | None:
    """Decline with the reason given; what is wrong with the form, or None when done."""
    task = deps.store_interaction(SUBMIT_KIND, submission, claim=True)
    if task is None:
        return None  # the same submission again: it was handled
    code, channel = read_code_metadata(submission.view.private_metadata)
    reason = state_value(submission.values, REASON)
    ctx = deps.context(task, team=submission.team_id, user=submission.user_id, channel=channel)
    refusal: str | None = None
    try:
        with deps.finishing(task):
            if not reason:
                refusal = t(deps.core.locale(ctx), "form.reason_required")
            else:
                try:  # a refusal undoes only the decline; the row is finished either way
                    deps.core.items.decline(ctx=ctx, code=code, reason=reason)
                except XdeptError as exc:
                    refusal = exc.render(deps.locale(ctx), ctx.command_style)
    except Exception:  # shown in the form: the person can submit again
        log.exception("declining %r by %s failed", code, submission.user_id)
        return deps.failure(ctx, "slack.what.form").plain()
    return refusal
