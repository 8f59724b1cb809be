"""What the bot says for progress notes, four-part status, edits, moves and history."""

from __future__ import annotations

from collections.abc import Mapping

from bot.context import CommandStyle
from bot.i18n import register, t, tr
from bot.messages import LinkSpan, Message, MessageKind, Rich, Section, join, mention, text
from bot.timefmt import format_instant
from bot.views import ItemView, UpdateView

register(
    {
        "note.progress": ("{actor} on {code}: {text}", "{actor}更新了 {code} 的进展：{text}"),
        "note.status_title": ("Status of {code} from {actor}", "{actor}发布了 {code} 的状态汇报"),
        "note.edited": (
            "{requester} {actor} corrected the text of {code} (it was: “{old}”).",
            "{requester} {actor}修改了 {code} 的内容（原为：「{old}」）。",
        ),
        "note.edited_parts": (
            "{requester} {actor} updated the impact or suggestion of {code}.",
            "{requester} {actor}更新了 {code} 的影响或建议。",
        ),
        "reply.progress": (
            "Noted on {code}, in its thread.",
            "已记录 {code} 的进展，并发到讨论串。",
        ),
        "reply.status": (
            "Status of {code} posted in its thread.",
            "{code} 的状态汇报已发到讨论串。",
        ),
        "reply.edited": (
            "{code} corrected; the old text stays in its history (`{cmd} history {code}`).",
            "{code} 已修改，原内容保留在历史记录中（`{cmd} history {code}`）。",
        ),
        "reply.status_template": (
            "To post a status of {code}, send it with its four parts (prefilled from the item):",
            "发布 {code} 的状态汇报，请按四部分发送（已按事项预填）：",
        ),
        "history.title": (
            "History of {code}: page {page} of {pages} ({total} entries)",
            "{code} 的历史记录：第 {page}/{pages} 页（共 {total} 条）",
        ),
        "history.more": (
            "Next page: `{cmd} history {code} page {next}`",
            "下一页：`{cmd} history {code} page {next}`",
        ),
        "err.status_current": (
            "A status needs its current state: where does it stand now?",
            "状态汇报需要填写现状：目前进展如何？",
        ),
        "err.edit_same": (
            "That is what {code} already says; nothing was changed.",
            "{code} 的内容与此相同，未做更改。",
        ),
    }
)

_PART_LABELS = {
    "background": "label.background",
    "current": "label.current",
    "impact": "label.impact",
    "suggestion": "label.suggestion",
}
# The words people type before each part (the form's field names, for text-only chats).
_PART_WORDS = {
    "en": {"background": "background", "current": "current", "impact": "impact",
           "suggestion": "suggest"},
    "zh": {"background": "背景", "current": "现状", "impact": "影响", "suggestion": "建议"},
}  # fmt: skip


def progress_note(view: ItemView, *, actor: str, text: str, locale: str) -> Message:
    """A progress note in the item's thread."""
    body = tr(locale, "note.progress", actor=mention(actor), code=view.code, text=_t(text))
    return Message(kind=MessageKind.NOTE, sections=[Section(body=body)])


def status_report(view: ItemView, *, actor: str, parts: Mapping[str, str], locale: str) -> Message:
    """A four-part status in the item's thread; empty parts are left out."""
    sections = [
        Section(heading=t(locale, label), body=_t(parts[name]))
        for name, label in _PART_LABELS.items()
        if parts.get(name)
    ]
    title = tr(locale, "note.status_title", code=view.code, actor=mention(actor))
    return Message(kind=MessageKind.NOTE, title=title, sections=sections)


def edited_note(
    view: ItemView, *, actor: str, old: Mapping[str, str | None], locale: str
) -> Message:
    """The thread note for a corrected text, quoting the old one."""
    if old.get("text") == view.text:
        body = tr(
            locale,
            "note.edited_parts",
            requester=mention(view.requester_id),
            actor=mention(actor),
            code=view.code,
        )
    else:
        body = tr(
            locale,
            "note.edited",
            requester=mention(view.requester_id),
            actor=mention(actor),
            code=view.code,
            old=_t(old.get("text") or ""),
        )
    return Message(kind=MessageKind.NOTE, sections=[Section(body=body)])


def status_template(
    code: str, parts: Mapping[str, str], *, locale: str, style: CommandStyle
) -> Message:
    """For chats without forms: the status command to send, prefilled."""
    words = _PART_WORDS[locale if locale == "zh" else "en"]
    colon = "：" if locale == "zh" else ": "
    lines = [f"{style.prefix} status {code}"] + [
        f"{words[name]}{colon}{' '.join(parts.get(name, '').split())}" for name in _PART_LABELS
    ]
    return Message(
        kind=MessageKind.REPLY,
        sections=[
            Section(body=tr(locale, "reply.status_template", code=code)),
            Section(body=[text("\n".join(lines))]),
        ],
    )


def history_reply(
    view: ItemView,
    updates: list[UpdateView],
    *,
    page: int,
    pages: int,
    total: int,
    locale: str,
    tz: str,
    style: CommandStyle,
) -> Message:
    """`history`: a page of updates, each with when, who, what, and its text in full."""
    lines: list[Rich] = []
    for u in updates:
        line: Rich = [text(format_instant(u.at, tz=tz, locale=locale) + " ")]
        if u.actor_id:
            line += [mention(u.actor_id), text(" " if locale != "zh" else "")]
        line.append(text(t(locale, f"update.{u.kind.value}")))
        if u.text:
            line.append(text(("：" if locale == "zh" else ": ") + u.text))
        lines.append(line)
    title: Rich = [
        text(
            t(locale, "history.title", code=view.code, page=page, pages=pages, total=total),
            bold=True,
        )
    ]
    context: Rich = []
    if page < pages:
        context = tr(locale, "history.more", code=view.code, next=page + 1, cmd=style.prefix)
    elif view.permalink:
        context = [LinkSpan(url=view.permalink, label=view.code)]
    return Message(
        kind=MessageKind.DETAIL,
        title=title,
        sections=[Section(body=join(lines, "\n"))] if lines else [],
        context=context,
    )


def _t(value: str) -> Rich:
    return [text(value)]
