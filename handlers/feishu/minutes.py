"""Meeting minutes on Feishu: the preview to fix, drop and confirm, as a form card.

The notes form's submit (in the person's direct chat) is answered with the
preview, which replaces it; notes typed after the command get it by direct
message. Every line is a tick box labelled with what it would file or why it
cannot be read, over an input prefilled with the line, and a Confirm button
closes the form (Feishu's checker sits in a form and submits true or false).
Confirming reads the lines again as edited, leaves out the unticked ones and
files the rest in one transaction through the same use case as Slack's form
and `minutes confirm`; the summary goes to the chat where `minutes` was
typed. A ticked line that still cannot be read files nothing: the preview
comes back with an error toast naming it (Slack files the readable lines and
lists the others; a card can only point at a line by coming back). The chat
and the mentions travel in the Confirm button's value, as Slack keeps them in
the modal's metadata.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot import minutes_text
from bot.commands import Target
from bot.context import Context
from bot.domain import InvalidInput, XdeptError
from bot.i18n import t
from bot.items.minutes import MinutesLine
from bot.messages import Message, MessageKind, Rich, TextSpan
from handlers.feishu import cards, forms, markdown
from handlers.feishu.cards import JSON, callback_answer, header, md, shell
from handlers.feishu.events import CardAction
from handlers.feishu.runtime import FeishuDeps
from handlers.runtime.inbox import Task

PREVIEW_FORM = "xdept_minutes_file"
LINE = "line_"
KEEP = "keep_"
# A line's label is cut to this when the whole preview would not fit in one card.
SHORT_LABEL = 60
_SLOT = "\x00"


def _origin(value: Mapping[str, Any], fallback: str | None) -> tuple[str | None, dict[str, Target]]:
    """The chat where `minutes` was typed and the mentions its notes had; nothing forged
    is trusted beyond being read as a target (the use case checks every one)."""
    chat = value.get("chat")
    chat = chat if isinstance(chat, str) and chat else fallback
    mentions: dict[str, Target] = {}
    raw = value.get("m")
    for key, target in raw.items() if isinstance(raw, dict) else ():
        try:
            mentions[str(key)] = Target.model_validate(target)
        except ValueError:
            continue
    return chat, mentions


def _value(chat: str | None, mentions: Mapping[str, Target], dropped: list[int]) -> JSON:
    value: JSON = {"action": PREVIEW_FORM, "chat": chat}
    if dropped:  # the boxes shown unticked: a submit that leaves a box out meant them so
        value["d"] = dropped
    if mentions:
        value["m"] = {k: v.model_dump(exclude_none=True) for k, v in mentions.items()}
    return value


def _label(line: MinutesLine, *, locale: str, tz: str, short: bool) -> str:
    if not line.readable:
        why = minutes_text.why(line, locale)
        return markdown.escape(t(locale, "feishu.minutes.line_bad", n=line.number, why=why))
    what = minutes_text.line_text(line, locale=locale, tz=tz)
    shown = markdown.limited(what, SHORT_LABEL) if short else markdown.render(what)
    # The shared line text numbers the line ("1. "); the label says the number already.
    shown = re.sub(rf"^{line.number}\\?\.\s*", "", shown)
    frame = markdown.escape(t(locale, "feishu.minutes.line_ok", n=line.number, what=_SLOT))
    return frame.replace(_SLOT, shown)


def _checker(name: str, label: str, *, keep: bool) -> JSON:
    """The line's "file it" box, labelled with what it files or why it cannot be read."""
    return {
        "tag": "checker",
        "name": name,
        "checked": keep,
        "text": {"tag": "lark_md", "content": label},
    }


def preview_card(
    lines: Sequence[MinutesLine],
    *,
    keep: Mapping[int, bool],
    chat: str | None,
    mentions: Mapping[str, Target],
    locale: str,
    tz: str,
) -> JSON | None:
    """The preview form; None when even with short labels it is too big for a card."""
    for short in (False, True):
        elements: list[JSON] = []
        for line in lines:
            label = _label(line, locale=locale, tz=tz, short=short)
            kept = keep.get(line.number, True)
            elements.append(_checker(f"{KEEP}{line.number}", label, keep=kept))
            elements.append(forms.input_field(f"{LINE}{line.number}", None, default=line.raw))
        dropped = sorted(n for n, kept in keep.items() if not kept)
        value = _value(chat, mentions, dropped)
        submit = forms.submit_button(
            t(locale, "feishu.minutes.confirm"), "xdept_minutes_confirm", value
        )
        form = {"tag": "form", "name": PREVIEW_FORM, "elements": [*elements, submit]}
        hint = md(markdown.escape(t(locale, "feishu.minutes.hint")), size="notation")
        title = t(locale, "feishu.minutes.title")
        card = shell([hint, form], header=header(title, template="blue"), summary=title)
        if cards.fits(card):
            return card
    return None


def _show(
    deps: FeishuDeps,
    ctx: Context,
    lines: Sequence[MinutesLine],
    keep: Mapping[int, bool],
    mentions: Mapping[str, Target],
    toast: tuple[str, str],
) -> JSON:
    """Answer with the preview (or, too big for a card, only an error toast)."""
    locale = deps.core.locale(ctx)
    card = preview_card(
        lines,
        keep=keep,
        chat=ctx.channel_id,
        mentions=mentions,
        locale=locale,
        tz=deps.core.timezone(ctx),
    )
    if card is None:
        return callback_answer(t(locale, "feishu.minutes.too_big"), kind="error")
    text, kind = toast
    return callback_answer(text, kind=kind, card=card)


def read_submit(deps: FeishuDeps, task: Task, click: CardAction) -> JSON:
    """The notes form's submit: the preview replaces the form; notes that cannot be read
    at all (empty, too long): an error toast, and the form stays."""
    chat, mentions = _origin(click.value, click.chat_id or None)
    ctx = deps.context(task, user=click.operator, chat=chat)
    locale = deps.core.locale(ctx)
    notes = str(click.form.get(forms.NOTES) or "")
    refusal: str | None = None
    with deps.finishing(task):
        try:
            if not notes.strip():  # the box is required: only a forged submit is empty
                raise InvalidInput("err.minutes_empty")
            lines = deps.core.items.read_minutes(ctx=ctx, notes=notes, mentions=mentions)
        except XdeptError as exc:
            refusal = exc.render(locale, ctx.command_style)
    if refusal is not None:
        return callback_answer(refusal, kind="error")
    toast = (t(locale, "feishu.minutes.previewed"), "success")
    return _show(deps, ctx, lines, {}, mentions, toast)


@dataclasses.dataclass(frozen=True)
class _Edited:
    number: int
    text: str
    keep: bool


def _edited(form: Mapping[str, str], dropped: Any) -> list[_Edited]:
    """The preview's lines as submitted, in order; emptied lines are dropped."""
    shown_dropped = set(dropped) if isinstance(dropped, list) else set()
    numbers = sorted(
        int(name[len(LINE) :])
        for name in form
        if name.startswith(LINE) and name[len(LINE) :].isdigit()
    )
    found = []
    for n in numbers:
        # An input holds one line; a forged one with line breaks is still one line.
        text = " ".join(str(form.get(f"{LINE}{n}") or "").split())
        if text:
            ticked = form.get(f"{KEEP}{n}")
            keep = n not in shown_dropped if ticked is None else ticked == "true"
            found.append(_Edited(n, text, keep))
    return found


def file_submit(deps: FeishuDeps, task: Task, click: CardAction) -> JSON:
    """Confirm: file the kept lines as edited, or show the preview again with the line
    that still cannot be read (see the module docstring)."""
    chat, mentions = _origin(click.value, click.chat_id or None)
    ctx = deps.context(task, user=click.operator, chat=chat)
    locale = deps.core.locale(ctx)
    edited = _edited(click.form, click.value.get("d"))
    keep = {e.number: e.keep for e in edited}
    refusal: str | None = None
    lines: list[MinutesLine] = []
    filed: Message | None = None
    with deps.finishing(task):
        try:
            if not edited:
                raise InvalidInput("err.minutes_empty")
            read = deps.core.items.read_minutes(
                ctx=ctx, notes="\n".join(e.text for e in edited), mentions=mentions
            )
            # Each edited line is one line of the notes read, in order: number them as shown.
            lines = [
                dataclasses.replace(r, number=e.number) for r, e in zip(read, edited, strict=True)
            ]
            bad = next((line for line in lines if keep[line.number] and not line.readable), None)
            if bad is not None:
                why = minutes_text.why(bad, locale)
                refusal = t(locale, "feishu.minutes.still_bad", n=bad.number, why=why)
            elif not any(keep.values()):
                refusal = t(locale, "feishu.minutes.none_kept")
            else:
                kept = "\n".join(e.text for e in edited if e.keep)
                done = deps.core.items.file_minutes(
                    ctx=ctx, notes=kept, mentions=mentions, locale=deps.core.channel_locale(ctx)
                )
                filed = _filed(deps, ctx, done.items, done.skipped, locale)
        except XdeptError as exc:
            refusal = exc.render(locale, ctx.command_style)
    if filed is not None:
        return callback_answer(filed.plain(), kind="success", card=cards.render(filed))
    if not lines:
        return callback_answer(refusal or "", kind="error")
    return _show(deps, ctx, lines, keep, mentions, (refusal or "", "error"))


def _filed(
    deps: FeishuDeps,
    ctx: Context,
    items: Sequence[Any],
    skipped: Sequence[MinutesLine],
    locale: str,
) -> Message:
    """What was filed, item by item, in the card that replaces the preview."""
    listing = minutes_text.summary(
        items, actor=ctx.actor.user_id, locale=locale, tz=deps.core.timezone(ctx)
    )
    reply = minutes_text.filed_reply(items, skipped, locale=locale)
    title: Rich = [TextSpan(text=t(locale, "feishu.minutes.filed", n=len(items)), bold=True)]
    return Message(
        kind=MessageKind.REPLY,
        title=title,
        sections=[*listing.sections, *reply.sections[1:]],
    )
