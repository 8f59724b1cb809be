"""Block Kit for meeting minutes: the form to paste them, and the preview to fix and file."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot import minutes_text
from bot.commands import Target
from bot.i18n import register, t
from bot.items.minutes import MinutesLine
from bot.messages import plain
from handlers.slack.blocks import JSON, plain_text
from handlers.slack.views import (
    HINT_TEXT,
    input_block,
    modal,
    state_value,
    text_input,
)

PASTE_FORM = "xdept_minutes_paste"
PREVIEW_FORM = "xdept_minutes_preview"
NOTES = "notes"
LINE = "line_"

register(
    {
        "form.minutes.title": ("Meeting minutes", "会议纪要"),
        "form.minutes.notes": ("Notes", "纪要内容"),
        "form.minutes.notes.hint": (
            "One action item a line, each with an @person or @department and a due date, "
            "e.g. “@wang send the price list by Friday”. At most 3,000 characters.",
            "每行一项，写明 @负责人 或 @部门 及截止时间，如“@王 周五前发报价单”。"
            "最多 3,000 个字符。",
        ),
        "form.minutes.read": ("Read", "识别"),
        "form.minutes.file": ("File", "提交"),
        "form.minutes.line_ok": ("✓ line {n}", "✓ 第 {n} 行"),
        "form.minutes.line_bad": ("✗ line {n}: {why}", "✗ 第 {n} 行：{why}"),
        "form.minutes.line.hint": (
            "Change a line to fix it; empty it to drop it. Lines that are still not items are "
            "listed back to you, not filed.",
            "修改即可更正，清空即可不提交；仍无法识别的行不会提交，并会列出告知你。",
        ),
    }
)


def _metadata(channel: str | None, mentions: Mapping[str, Target]) -> str:
    data: dict[str, Any] = {"c": channel}
    if mentions:
        data["m"] = {key: target.model_dump(exclude_none=True) for key, target in mentions.items()}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def read_metadata(raw: str) -> tuple[str | None, dict[str, Target]]:
    """The channel and the mentions a form carries; nothing for a forged or broken one."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return None, {}
    if not isinstance(data, dict):
        return None, {}
    channel = data.get("c") if isinstance(data.get("c"), str) else None
    mentions: dict[str, Target] = {}
    for key, value in (data.get("m") or {}).items() if isinstance(data.get("m"), dict) else ():
        try:
            mentions[str(key)] = Target.model_validate(value)
        except ValueError:
            continue
    return channel, mentions


def paste_form(*, channel: str | None, locale: str) -> JSON:
    """The modal to paste the notes into."""
    notes = input_block(
        NOTES,
        t(locale, "form.minutes.notes"),
        text_input(multiline=True),
        hint=t(locale, "form.minutes.notes.hint"),
    )
    return modal(
        PASTE_FORM,
        title=t(locale, "form.minutes.title"),
        submit=t(locale, "form.minutes.read"),
        metadata=_metadata(channel, {}),
        blocks=[notes],
        locale=locale,
    )


def preview_form(
    lines: Sequence[MinutesLine],
    *,
    channel: str | None,
    mentions: Mapping[str, Target],
    locale: str,
    tz: str,
) -> JSON:
    """Every line as a field to fix or empty, labelled with what it files or why not."""
    blocks = []
    for line in lines:
        if line.readable:
            label = (
                t(locale, "form.minutes.line_ok", n=line.number)
                + " · "
                + plain(minutes_text.line_text(line, locale=locale, tz=tz)).split(" ", 1)[-1]
            )
        else:
            label = t(
                locale,
                "form.minutes.line_bad",
                n=line.number,
                why=minutes_text.why(line, locale),
            )
        blocks.append(
            input_block(
                f"{LINE}{line.number}",
                label[:HINT_TEXT],
                text_input(initial=line.raw),
                optional=True,
            )
        )
    if blocks:
        blocks[-1]["hint"] = plain_text(t(locale, "form.minutes.line.hint"), HINT_TEXT)
    return modal(
        PREVIEW_FORM,
        title=t(locale, "form.minutes.title"),
        submit=t(locale, "form.minutes.file"),
        metadata=_metadata(channel, mentions),
        blocks=blocks,
        locale=locale,
    )


def preview_notes(values: dict[str, Any]) -> tuple[str, str | None]:
    """The lines as fixed (emptied ones dropped), and the block id of the first line."""
    numbered = sorted(
        (int(block[len(LINE) :]), block)
        for block in values
        if block.startswith(LINE) and block[len(LINE) :].isdigit()
    )
    kept = [state_value(values, block) or "" for _n, block in numbered]
    first = numbered[0][1] if numbered else None
    return "\n".join(line for line in kept if line.strip()), first
