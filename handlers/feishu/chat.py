"""Messages to the bot: commands, thread replies as progress, and `@xdept track`.

- In the bot's direct chat every message is a command (with or without a
  leading `/xdept`); in a group, a message that mentions the bot is one.
- A reply in a card's thread (`root_id`) is progress on its item, with the
  first-response rules of any reply; one that mentions the bot and starts
  with a subcommand (`@xdept done`) is that command on the card's item.
- `@xdept track` in reply to a message sends the person the "Track as
  request" form, prefilled with that message, in their direct chat.
- `@xdept status XD-12` with nothing after the code sends the person the
  four-part status form, prefilled from the item, in their direct chat;
  `@xdept minutes` (纪要) with no notes after it sends a form to paste them, and
  with notes the preview to fix and confirm (handlers.feishu.minutes).
- `dept add` typed in a group binds that group (`chat:oc_...` names another).

The answer is private: an ephemeral card in a normal group, a direct message
elsewhere (threads, topic groups, direct chats).
"""

from __future__ import annotations

import functools
import logging
import re

from bot import commands as c
from bot import compose
from bot.commands.targets import TargetReader, fold
from bot.commands.words import lookup_dept_subcommand, lookup_subcommand
from bot.domain import XdeptError
from bot.i18n import t
from bot.messages import Message, MessageKind, Section, TextSpan
from handlers.feishu import forms, minutes
from handlers.feishu.events import IncomingMessage, quoted_text
from handlers.feishu.markdown import applink_chat
from handlers.feishu.runtime import FeishuDeps
from handlers.runtime.inbox import Finish, Route, Task
from storage.db import UnitOfWork

log = logging.getLogger(__name__)

KIND = "feishu.message"
TRACK_WORDS = frozenset({"track", "跟踪"})
# Subcommands that act on one item: in a card's thread, the item is the card's.
ITEM_SUBCOMMANDS = frozenset(
    {
        "show",
        "ack",
        "done",
        "decline",
        "cancel",
        "reopen",
        "snooze",
        "escalate",
        "due",
        "assign",
        "status",
    }
)
_CODE = re.compile(r"^XD-\d+$", re.IGNORECASE)
CHAT_PLACEHOLDER = "@_chat_{}"
_CHAT_FIELD = re.compile(r"(?<!\S)(?:chat|channel|群)[:：](oc_[A-Za-z0-9_-]+)(?!\S)")
# `dept add <key>`: where the bound group goes (after the key).
_AFTER_KEY = re.compile(r"^\s*\S+\s+\S+(?:\s+\S+)?")
_FIRST_WORD = re.compile(r"^\s*\S+")


def routes(deps: FeishuDeps) -> dict[str, Route]:
    """The inbox handler of messages."""
    return {KIND: Route(functools.partial(on_message, deps), functools.partial(give_up, deps))}


def _words(text: str) -> list[str]:
    return fold(text).split()


def on_message(deps: FeishuDeps, task: Task, finish: Finish) -> None:
    """Route one message (see the module docstring)."""
    msg = deps.event_of(task)
    if not isinstance(msg, IncomingMessage):
        return
    words = _words(msg.text)
    first = words[0].lower() if words else ""
    in_thread = msg.root_id is not None and not msg.direct
    if first in TRACK_WORDS and (msg.direct or msg.addressed):
        send_track_form(deps, task, finish, msg)
        return
    subcommand = lookup_subcommand(first)
    if in_thread and not (msg.addressed and subcommand is not None):
        record_reply(deps, task, finish, msg)
        return
    if not msg.direct and not msg.addressed:
        return  # a group message that is not for the bot
    if subcommand == "minutes" and len(words) == 1:
        send_minutes_form(deps, task, msg)
        return
    if subcommand == "minutes" and send_minutes_preview(deps, task, finish, msg):
        return
    code = _status_form_code(deps, msg, subcommand)
    if code is not None:
        send_status_form(deps, task, finish, msg, code)
        return
    run_command(deps, task, finish, msg, subcommand)


def _status_form_code(deps: FeishuDeps, msg: IncomingMessage, subcommand: str | None) -> str | None:
    """The item code when the message is `status XD-12` with nothing after it (the form);
    `status` alone in a card's thread is the card's item."""
    if subcommand != "status":
        return None
    words = _with_item(deps, msg, subcommand).split()
    if len(words) != 2 or not _CODE.match(fold(words[1])):
        return None
    return fold(words[1]).upper()


def private_chat(msg: IncomingMessage) -> str | None:
    """Where a private answer may show as an ephemeral card: a normal group's main flow."""
    return None if msg.direct or msg.root_id is not None else msg.chat_id


def record_reply(deps: FeishuDeps, task: Task, finish: Finish, msg: IncomingMessage) -> None:
    """A reply in a card's (or a stand-up's) thread becomes an update of its item."""
    assert msg.root_id is not None
    root = msg.root_id
    text = TargetReader(msg.mentions).readable(msg.text)
    ctx = deps.context(task, user=msg.sender, chat=msg.chat_id)
    with finish():
        deps.core.perform(
            lambda: deps.core.items.record_reply(
                ctx=ctx,
                channel_id=msg.chat_id,
                thread_id=root,
                message_id=msg.message_id,
                text=text,
            ),
            now=ctx.now,
        )


def _item_code(uow: UnitOfWork, msg: IncomingMessage) -> str | None:
    item = uow.items.by_thread(msg.chat_id, msg.root_id or "")
    return item.code if item is not None else None


def _with_item(deps: FeishuDeps, msg: IncomingMessage, subcommand: str | None) -> str:
    """`done` in a card's thread means `done XD-n` of the card's item."""
    words = msg.text.split()
    if msg.root_id is None or subcommand not in ITEM_SUBCOMMANDS:
        return msg.text
    if len(words) > 1 and _CODE.match(fold(words[1])):
        return msg.text
    with deps.app.store.unit_of_work() as uow:
        code = _item_code(uow, msg)
    if code is None:
        return msg.text
    return _FIRST_WORD.sub(lambda m: f"{m.group(0)} {code}", msg.text, count=1)


def _is_dept_add(words: list[str]) -> bool:
    return (
        len(words) >= 2
        and lookup_subcommand(words[0].lower()) == "dept"
        and lookup_dept_subcommand(words[1].lower()) == "add"
    )


def _bind_chats(
    deps: FeishuDeps, msg: IncomingMessage, line: str
) -> tuple[str, dict[str, c.Target]]:
    """`chat:oc_...` as that chat, and `dept add` in a group without one as this group.

    The line keeps its own spacing and line breaks (`minutes` reads one item a line).
    """
    mentions: dict[str, c.Target] = dict(msg.mentions)

    def chat_field(found: re.Match[str]) -> str:
        key = CHAT_PLACEHOLDER.format(len(mentions) + 1)
        mentions[key] = c.Target(kind=c.TargetKind.CHAT, id=found.group(1))
        return key

    line = _CHAT_FIELD.sub(chat_field, line)
    words = _words(line)
    has_channel = len(mentions) > len(msg.mentions) or any(w.startswith("#") for w in words[2:])
    if _is_dept_add(words) and not msg.direct and not has_channel:
        key = CHAT_PLACEHOLDER.format(len(mentions) + 1)
        mentions[key] = c.Target(kind=c.TargetKind.CHAT, id=msg.chat_id, name=_chat_name(deps, msg))
        line = _AFTER_KEY.sub(lambda m: f"{m.group(0)} {key}", line, count=1)
    return line, mentions


def _chat_name(deps: FeishuDeps, msg: IncomingMessage) -> str | None:
    try:
        return deps.directory.chat(msg.chat_id).name or None
    except Exception as exc:  # noqa: BLE001 - the name is only shown; the id binds
        log.info("no name for chat %s: %s", msg.chat_id, exc)
        return None


def run_command(
    deps: FeishuDeps, task: Task, finish: Finish, msg: IncomingMessage, subcommand: str | None
) -> None:
    """Run the command as the person who typed it and queue their private answer."""
    line, mentions = _bind_chats(deps, msg, _with_item(deps, msg, subcommand))
    ctx = deps.context(task, user=msg.sender, chat=msg.chat_id)
    with finish():
        reply = deps.core.reply_to(ctx, line, mentions=mentions)
        message = reply.message
        here = any(t.kind is c.TargetKind.CHAT and t.id == msg.chat_id for t in mentions.values())
        if _is_dept_add(_words(line)) and here and message.kind is not MessageKind.ERROR:
            # This group is bound now: say what the bot will and will not see in it.
            message = _with_scope_note(message, deps.core.locale(ctx))
        deps.answer(task, ctx, message, chat=private_chat(msg), filed=reply.filed)


def _with_scope_note(message: Message, locale: str) -> Message:
    note = Section(body=[TextSpan(text=t(locale, "feishu.dept_add.scope"))])
    return message.model_copy(update={"sections": [*message.sections, note]})


def send_track_form(deps: FeishuDeps, task: Task, finish: Finish, msg: IncomingMessage) -> None:
    """Send the "Track as request" form for the quoted message to the person, by DM."""
    ctx = deps.context(task, user=msg.sender, chat=msg.chat_id)
    locale = deps.core.locale(ctx)
    if msg.parent_id is None:
        with finish():
            refusal = compose.error_reply(t(locale, "feishu.track.no_message"))
            deps.answer(task, ctx, refusal, chat=private_chat(msg))
        return
    quoted = quoted_text(deps.api.message(msg.parent_id))
    known = [
        f"@{d.key}" + (f" ({d.name})" if d.name != d.key else "")
        for d in deps.core.departments.list_all(ctx=ctx)
    ]
    source = forms.TrackSource(
        chat_id=msg.chat_id, message_id=msg.parent_id, link=applink_chat(msg.chat_id)
    )
    card = forms.track_form(text=quoted, source=source, known=known, locale=locale)
    deps.send_card(user=msg.sender, card=card, key=f"{task.key}:track-form")


def send_status_form(
    deps: FeishuDeps, task: Task, finish: Finish, msg: IncomingMessage, code: str
) -> None:
    """Send the four-part status form, prefilled from the item, to the person by DM;
    who may post a status is checked first, and a refusal answered privately."""
    ctx = deps.context(task, user=msg.sender, chat=msg.chat_id)
    locale = deps.core.locale(ctx)
    try:
        view, parts = deps.core.items.status_prefill(ctx=ctx, code=code)
    except XdeptError as exc:
        with finish():
            refusal = compose.error_reply(exc.render(locale, ctx.command_style))
            deps.answer(task, ctx, refusal, chat=private_chat(msg))
        return
    card = forms.status_form(code=view.code, parts=parts.as_dict(), locale=locale)
    deps.send_card(user=msg.sender, card=card, key=f"{task.key}:status-form")


def send_minutes_form(deps: FeishuDeps, task: Task, msg: IncomingMessage) -> None:
    """Send the form to paste a meeting's notes into, by DM."""
    ctx = deps.context(task, user=msg.sender, chat=msg.chat_id)
    card = forms.minutes_form(chat=msg.chat_id, locale=deps.core.locale(ctx))
    deps.send_card(user=msg.sender, card=card, key=f"{task.key}:minutes-form")


def send_minutes_preview(
    deps: FeishuDeps, task: Task, finish: Finish, msg: IncomingMessage
) -> bool:
    """`minutes <notes>`: the preview card to fix and confirm, by DM (False when it is not
    that, or too big for a card: the command then answers in text, as typed)."""
    parsed = c.parse_command(msg.text, mentions=msg.mentions)
    if not isinstance(parsed, c.Minutes) or parsed.confirm or not parsed.text.strip():
        return False
    # Lines in an input are plain text: people picked from the @ menu become their names,
    # and the Confirm button carries what each name stands for.
    reader = TargetReader(parsed.mentions)
    named = {target.label(): target for target in reader.mentions.values() if target.label()}
    ctx = deps.context(task, user=msg.sender, chat=msg.chat_id)
    locale = deps.core.locale(ctx)
    try:
        notes = reader.readable(parsed.text)
        lines = deps.core.items.read_minutes(ctx=ctx, notes=notes, mentions=named)
    except XdeptError as exc:
        with finish():
            refusal = compose.error_reply(exc.render(locale, ctx.command_style))
            deps.answer(task, ctx, refusal, chat=private_chat(msg))
        return True
    tz = deps.core.timezone(ctx)
    card = minutes.preview_card(
        lines, keep={}, chat=msg.chat_id, mentions=named, locale=locale, tz=tz
    )
    if card is None:
        return False
    deps.send_card(user=msg.sender, card=card, key=f"{task.key}:minutes-preview")
    return True


def give_up(deps: FeishuDeps, task: Task) -> None:
    """Tell the person their message could not be handled."""
    msg = deps.event_of(task)
    if not isinstance(msg, IncomingMessage):
        return
    ctx = deps.bare_context(task, user=msg.sender, chat=msg.chat_id)
    what = "feishu.what.reply" if msg.root_id else "feishu.what.command"
    deps.answer(task, ctx, deps.failure(what), name="failed")
