"""`/xdept status XD-12`: a form with the four parts, prefilled; the submission posts them.

The command alone (no parts typed after the code) opens the form inside the request,
after the inbox row is stored, since the trigger lives 3 seconds; who may post a
status is checked before it opens. With parts typed after the code, the command goes
the ordinary way and the core posts them. The submission posts the status in the
item's thread and records it, in the transaction that finishes its row; a refusal
shows inline in the form.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot import commands as c
from bot import compose
from bot.domain import XdeptError
from bot.items.followup import FourParts
from handlers.runtime.inbox import Route
from handlers.slack.payloads import SlashCommand, ViewSubmission, parse
from handlers.slack.runtime import IN_REQUEST, Deps
from handlers.slack.status_view import PARTS, STATUS_FORM, status_form
from handlers.slack.views import read_code_metadata, state_value

log = logging.getLogger(__name__)

FORM_KIND = "slack.status_form"
SUBMIT_KIND = "slack.status_submit"
ERROR_TEXT = 2000


def register(bolt: App, deps: Deps) -> None:
    """Listen for the form's submission (the command arrives through `commands`)."""
    from handlers.slack.app import guarded

    @guarded
    def on_submit(ack: Ack, body: dict[str, Any]) -> None:
        submission = parse(ViewSubmission, body, what="status form")
        errors = submit(deps, submission) if submission is not None else None
        if errors:
            ack(response_action="errors", errors={"current": errors[:ERROR_TEXT]})
        else:
            ack()

    bolt.view_submission(STATUS_FORM)(on_submit)


def routes(deps: Deps) -> dict[str, Route]:
    """Both rows are done inside their requests."""
    return {FORM_KIND: IN_REQUEST, SUBMIT_KIND: IN_REQUEST}


def wants_form(parsed: c.Command | None) -> str | None:
    """The item code when the command is `status XD-12` with nothing after it."""
    if isinstance(parsed, c.StatusReport) and not parsed.text.strip():
        return parsed.code
    return None


def open_form(deps: Deps, command: SlashCommand, code: str) -> None:
    """Open the prefilled form if the person may post a status; otherwise say why not."""
    task = deps.store(
        kind=FORM_KIND,
        key=f"command:{command.trigger_id}",
        team=command.team_id,
        payload=command,
        claim=True,
    )
    if task is None:
        return  # the same command again: handled
    channel = command.channel_id
    ctx = deps.context(task, team=command.team_id, user=command.user_id, channel=channel)
    locale = deps.core.locale(ctx)
    try:
        view, parts = deps.core.items.status_prefill(ctx=ctx, code=code)
    except XdeptError as exc:
        refusal = compose.error_reply(exc.render(locale, ctx.command_style))
        deps.close(task, ctx, refusal, response_url=command.response_url, chat=channel)
        return
    try:
        deps.client(ctx.workspace).views_open(
            trigger_id=command.trigger_id,
            view=status_form(code=view.code, parts=parts.as_dict(), channel=channel, locale=locale),
        )
    except Exception:
        log.exception("opening the status form of %r for %s failed", code, command.user_id)
        failure = deps.failure(ctx, "slack.what.form")
        deps.close(task, ctx, failure, response_url=command.response_url, chat=channel)
        return
    deps.close(task)


def submit(deps: Deps, submission: ViewSubmission) -> str | None:
    """Post the status; what is wrong with the form, or None when posted."""
    task = deps.store_interaction(SUBMIT_KIND, submission, claim=True)
    if task is None:
        return None  # the same submission again: it was handled
    code, channel = read_code_metadata(submission.view.private_metadata)
    parts = FourParts(**{name: state_value(submission.values, name) or "" for name in PARTS})
    ctx = deps.context(task, team=submission.team_id, user=submission.user_id, channel=channel)
    refusal: str | None = None
    try:
        with deps.finishing(task):
            try:  # a refusal undoes only the status; the row is finished either way
                deps.core.items.status(ctx=ctx, code=code, parts=parts)
            except XdeptError as exc:
                refusal = exc.render(deps.core.locale(ctx), ctx.command_style)
    except Exception:  # shown in the form: the person can submit again
        log.exception("posting the status of %r by %s failed", code, submission.user_id)
        return deps.failure(ctx, "slack.what.form").plain()
    return refusal
