"""`/xdept minutes` (纪要) and the "Turn into action items" message shortcut.

The command alone opens a form to paste the notes; with notes after it, or from the
shortcut on a message holding them, the preview opens at once. Reading the notes
(`Read`) turns the form into the preview: every line as a field, labelled with the item
it files or why it files none; the person fixes or empties lines and files them all
(`File`), in one transaction. Each step is done inside its request, after its inbox row
is stored: forms open within the trigger's 3 seconds and a refusal shows in the form.
`minutes confirm <notes>` typed as a command files without a form.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot import commands as c
from bot import compose, minutes_text
from bot.commands.targets import TargetReader
from bot.context import Context
from bot.domain import XdeptError
from handlers.runtime.inbox import Route, Task
from handlers.slack.blocks import JSON
from handlers.slack.escapes import neutral_text
from handlers.slack.minutes_view import (
    NOTES,
    PASTE_FORM,
    PREVIEW_FORM,
    paste_form,
    preview_form,
    preview_notes,
    read_metadata,
)
from handlers.slack.payloads import MessageShortcut, SlashCommand, ViewSubmission, parse
from handlers.slack.runtime import IN_REQUEST, Deps
from handlers.slack.views import state_value

log = logging.getLogger(__name__)

SHORTCUT = "xdept_minutes"
FORM_KIND = "slack.minutes_form"
READ_KIND = "slack.minutes_read"
FILE_KIND = "slack.minutes_file"
ERROR_TEXT = 2000


def register(bolt: App, deps: Deps) -> None:
    """Listen for the shortcut and both forms (the command arrives through `commands`)."""
    from handlers.slack.app import guarded

    @guarded
    def on_shortcut(ack: Ack, body: dict[str, Any]) -> None:
        shortcut = parse(MessageShortcut, body, what="minutes shortcut")
        if shortcut is not None:
            open_from_message(deps, shortcut)
        ack()

    @guarded
    def on_read(ack: Ack, body: dict[str, Any]) -> None:
        submission = parse(ViewSubmission, body, what="minutes form")
        if submission is None:
            ack()
            return
        outcome = read(deps, submission)
        if isinstance(outcome, str):
            ack(response_action="errors", errors={NOTES: outcome[:ERROR_TEXT]})
        elif outcome is not None:
            ack(response_action="update", view=outcome)
        else:
            ack()

    @guarded
    def on_file(ack: Ack, body: dict[str, Any]) -> None:
        submission = parse(ViewSubmission, body, what="minutes preview")
        errors = file(deps, submission) if submission is not None else None
        if errors:
            block, text = errors
            ack(response_action="errors", errors={block: text[:ERROR_TEXT]})
        else:
            ack()

    bolt.shortcut(SHORTCUT)(on_shortcut)
    bolt.view_submission(PASTE_FORM)(on_read)
    bolt.view_submission(PREVIEW_FORM)(on_file)


def routes(deps: Deps) -> dict[str, Route]:
    """Every row is done inside its request."""
    return {FORM_KIND: IN_REQUEST, READ_KIND: IN_REQUEST, FILE_KIND: IN_REQUEST}


def wants_form(parsed: c.Command | None) -> bool:
    """True for `minutes` alone or with notes (not `minutes confirm`, which files at once)."""
    return isinstance(parsed, c.Minutes) and not parsed.confirm


def _readable(text: str, mentions: c.Mentions) -> tuple[str, dict[str, c.Target]]:
    """Notes as a person reads them (“@alice”), and what each such name stands for."""
    reader = TargetReader(mentions)
    named = {target.label(): target for target in reader.mentions.values() if target.label()}
    return reader.readable(text), named


def open_from_command(deps: Deps, command: SlashCommand) -> None:
    """The paste form, or with notes after the command the preview."""
    task = deps.store(
        kind=FORM_KIND,
        key=f"command:{command.trigger_id}",
        team=command.team_id,
        payload=command,
        claim=True,
    )
    if task is None:
        return
    channel = command.channel_id
    ctx = deps.context(task, team=command.team_id, user=command.user_id, channel=channel)
    neutral = neutral_text(command.text)
    parsed = c.parse_command(neutral.text, mentions=neutral.mentions)
    notes = _readable(parsed.text, parsed.mentions) if isinstance(parsed, c.Minutes) else ("", {})
    _open(deps, task, ctx, command.trigger_id, notes, command.response_url)


def open_from_message(deps: Deps, shortcut: MessageShortcut) -> None:
    """The preview of the notes in a message."""
    task = deps.store_interaction(FORM_KIND, shortcut, claim=True)
    if task is None:
        return
    channel = shortcut.channel_id
    ctx = deps.context(task, team=shortcut.team_id, user=shortcut.user_id, channel=channel)
    neutral = neutral_text(shortcut.message.text if shortcut.message else "")
    notes = _readable(neutral.text, neutral.mentions)
    _open(deps, task, ctx, shortcut.trigger_id, notes, shortcut.response_url)


def _open(
    deps: Deps,
    task: Task,
    ctx: Context,
    trigger: str,
    notes: tuple[str, dict[str, c.Target]],
    response_url: str | None,
) -> None:
    locale = deps.core.locale(ctx)
    channel = ctx.channel_id
    try:
        view = _preview(deps, ctx, *notes, locale) if notes[0].strip() else None
        if isinstance(view, str):  # the notes cannot be read at all: say why, privately
            refusal = compose.error_reply(view)
            deps.close(task, ctx, refusal, response_url=response_url, chat=channel)
            return
        deps.client(ctx.workspace).views_open(
            trigger_id=trigger, view=view or paste_form(channel=channel, locale=locale)
        )
    except Exception:
        log.exception("opening the minutes form for %s failed", ctx.actor.user_id)
        failure = deps.failure(ctx, "slack.what.form")
        deps.close(task, ctx, failure, response_url=response_url, chat=channel)
        return
    deps.close(task)


def _preview(
    deps: Deps, ctx: Context, notes: str, named: dict[str, c.Target], locale: str
) -> JSON | str:
    """The preview form, or the refusal to show (notes too long, empty...)."""
    try:
        lines = deps.core.items.read_minutes(ctx=ctx, notes=notes, mentions=named)
    except XdeptError as exc:
        return exc.render(locale, ctx.command_style)
    return preview_form(
        lines, channel=ctx.channel_id, mentions=named, locale=locale, tz=deps.core.timezone(ctx)
    )


def read(deps: Deps, submission: ViewSubmission) -> JSON | str | None:
    """The pasted notes read into the preview (or what is wrong with them)."""
    task = deps.store_interaction(READ_KIND, submission, claim=True)
    if task is None:
        return None
    channel, _ = read_metadata(submission.view.private_metadata)
    ctx = deps.context(task, team=submission.team_id, user=submission.user_id, channel=channel)
    try:
        with deps.finishing(task):
            # Pasted notes may carry Slack's markup for mentions; read it as a command's.
            neutral = neutral_text(state_value(submission.values, NOTES) or "")
            notes, named = _readable(neutral.text, neutral.mentions)
            return _preview(deps, ctx, notes, named, deps.core.locale(ctx))
    except Exception:
        log.exception("reading minutes for %s failed", submission.user_id)
        return deps.failure(ctx, "slack.what.form").plain()


def file(deps: Deps, submission: ViewSubmission) -> tuple[str, str] | None:
    """File the lines as fixed; the block and text of what is wrong, or None when filed."""
    task = deps.store_interaction(FILE_KIND, submission, claim=True)
    if task is None:
        return None
    channel, mentions = read_metadata(submission.view.private_metadata)
    notes, first = preview_notes(submission.values)
    first = first or "line_1"
    ctx = deps.context(task, team=submission.team_id, user=submission.user_id, channel=channel)
    refusal: tuple[str, str] | None = None
    try:
        with deps.finishing(task):
            locale = deps.core.locale(ctx)
            try:  # a refusal undoes the filing; the row is finished either way
                done = deps.core.items.file_minutes(
                    ctx=ctx, notes=notes, mentions=mentions, locale=deps.core.channel_locale(ctx)
                )
            except XdeptError as exc:
                refusal = (first, exc.render(locale, ctx.command_style))
            else:
                reply = minutes_text.filed_reply(done.items, done.skipped, locale=locale)
                deps.answer(task, ctx, reply, chat=channel)
    except Exception:
        log.exception("filing minutes for %s failed", submission.user_id)
        return first, deps.failure(ctx, "slack.what.form").plain()
    return refusal
