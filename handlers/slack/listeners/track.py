"""The "Track as request" message shortcut: a form prefilled with the message, then an item.

Both steps are done inside the request, after the inbox row is stored: the
form must open within the trigger's 3 seconds, and the submission is checked
by filing it, so an unreadable due date or an unknown department comes back
as an inline error (`response_action: errors`) and nothing is created.
Otherwise the item, its owner and the requester's confirmation land in one
transaction, and a worker posts the tracking message and the confirmation.
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
from bot.views import ItemView
from handlers.runtime.inbox import Route, Task
from handlers.slack.payloads import MessageShortcut, ViewSubmission, parse
from handlers.slack.runtime import IN_REQUEST, Deps
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
FORM_KIND = "slack.track_form"
SUBMIT_KIND = "slack.track_submit"
ERROR_TEXT = 2000
# Which field of the form a refusal belongs to; the rest go to the department.
ERROR_FIELD = {
    "err.due_unreadable": DUE,
    "err.due_past": DUE,
    "err.empty_text": TEXT,
    "err.not_a_person": OWNER,
}


def register(bolt: App, deps: Deps) -> None:
    """Listen for the shortcut and its form."""
    from handlers.slack.app import guarded

    @guarded
    def on_shortcut(ack: Ack, body: dict[str, Any]) -> None:
        shortcut = parse(MessageShortcut, body, what="track shortcut")
        if shortcut is not None:
            open_form(deps, shortcut)
        ack()

    @guarded
    def on_submit(ack: Ack, body: dict[str, Any]) -> None:
        submission = parse(ViewSubmission, body, what="track form")
        errors = submit(deps, submission) if submission is not None else None
        if errors:
            field, text = errors
            ack(response_action="errors", errors={field: text[:ERROR_TEXT]})
        else:
            ack()

    bolt.shortcut(SHORTCUT)(on_shortcut)
    bolt.view_submission(TRACK_FORM)(on_submit)


def routes(deps: Deps) -> dict[str, Route]:
    """Both rows are done inside their requests."""
    return {FORM_KIND: IN_REQUEST, SUBMIT_KIND: IN_REQUEST}


def open_form(deps: Deps, shortcut: MessageShortcut) -> None:
    """Open the form with the message's text and link; if that fails, say so privately."""
    task = deps.store_interaction(FORM_KIND, shortcut, claim=True)
    if task is None:
        return
    channel = shortcut.channel_id
    ctx = deps.context(task, team=shortcut.team_id, user=shortcut.user_id, channel=channel)
    try:
        _open_form(deps, ctx, shortcut)
    except Exception:
        log.exception("opening the track form for %s failed", shortcut.user_id)
        failure = deps.failure(ctx, "slack.what.form")
        deps.close(task, ctx, failure, response_url=shortcut.response_url, chat=channel)
        return
    deps.close(task)


def _open_form(deps: Deps, ctx: Context, shortcut: MessageShortcut) -> None:
    """Open the form (the trigger lasts 3 seconds)."""
    channel = shortcut.channel_id
    message = shortcut.message
    ts = shortcut.message_ts or (message.ts if message else None)
    locale = deps.core.locale(ctx)
    known = [
        f"@{d.key}" + (f" ({d.name})" if d.name != d.key else "")
        for d in deps.core.departments.list_all(ctx=ctx)
    ]
    link = None
    client = deps.client(shortcut.team_id)
    if channel and ts:
        try:
            link = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
        except SlackApiError as exc:
            log.warning("no permalink for %s/%s: %s", channel, ts, exc)
    client.views_open(
        trigger_id=shortcut.trigger_id,
        view=track_form(
            text=message.text if message else "",
            source=TrackSource(channel=channel, ts=ts, permalink=link),
            known=known,
            locale=locale,
        ),
    )


def submit(deps: Deps, submission: ViewSubmission) -> tuple[str, str] | None:
    """File the request; the form field and text of what needs fixing, or None when filed."""
    task = deps.store_interaction(SUBMIT_KIND, submission, claim=True)
    if task is None:
        return None  # the same submission again: it was handled
    values = submission.values
    source = TrackSource.from_metadata(submission.view.private_metadata)
    channel = source.channel if isinstance(source.channel, str) else None
    ctx = deps.context(task, team=submission.team_id, user=submission.user_id, channel=channel)
    refusal: tuple[str, str] | None = None
    try:
        with deps.finishing(task):
            try:  # a refusal undoes only the filing; the row is finished either way
                filed = _file(deps, ctx, values, source)
            except XdeptError as exc:
                refusal = (
                    ERROR_FIELD.get(exc.key, DEPT),
                    exc.render(deps.locale(ctx), ctx.command_style),
                )
            else:
                owner = state_value(values, OWNER)
                _confirm(deps, task, ctx, filed, owner, channel)
    except Exception:  # shown in the form: the person can submit again
        log.exception("filing a tracked message for %s failed", submission.user_id)
        return DEPT, deps.failure(ctx, "slack.what.form").plain()
    return refusal


def _file(deps: Deps, ctx: Context, values: dict[str, Any], source: TrackSource) -> ItemView:
    # Empty fields (only a forged submission has them: Slack requires both) get the
    # core's own refusals: the list of departments, or "say what you need".
    dept = (state_value(values, DEPT) or "").strip()
    target = c.read_target(dept) or c.Target(kind=c.TargetKind.NAME, name=dept.lstrip("@#").strip())
    link = source.permalink if isinstance(source.permalink, str) else None
    return deps.core.items.ask(
        ctx=ctx,
        target=target,
        text=state_value(values, TEXT) or "",
        due_text=state_value(values, DUE),
        background=state_value(values, BACKGROUND),
        impact=state_value(values, IMPACT),
        suggestion=state_value(values, SUGGESTION),
        source_link=link,
    )


def _confirm(
    deps: Deps, task: Task, ctx: Context, filed: ItemView, owner: str | None, channel: str | None
) -> None:
    """Hand the item to its owner if one was chosen, and queue the requester's confirmation."""
    if owner:
        assign = c.Assign(code=filed.code, assignee=c.Target(kind=c.TargetKind.PERSON, id=owner))
        reply = deps.core.execute(ctx, assign)
        if reply.kind is MessageKind.ERROR:
            deps.answer(task, ctx, reply, name="assign")  # by direct message
    confirmation = deps.core.filed_reply(ctx, filed, deps.core.locale(ctx))
    deps.answer(task, ctx, confirmation, chat=channel, filed=filed)
