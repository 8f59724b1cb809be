"""Builders of the messages the core sends: tracking message, notes, replies, lists."""

from __future__ import annotations

from datetime import datetime

from bot.context import CommandStyle
from bot.domain import ItemKind, Status, UpdateKind
from bot.i18n import t, tr
from bot.messages import (
    Button,
    ButtonAction,
    ChannelSpan,
    DateSpan,
    LinkSpan,
    Message,
    MessageField,
    MessageKind,
    Rich,
    Section,
    join,
    mention,
    text,
)
from bot.timefmt import format_due, format_instant
from bot.views import HINT_IMPACT, DepartmentView, ItemPage, ItemView


def due_span(at: datetime, *, now: datetime, tz: str, locale: str) -> DateSpan:
    """A due time: each reader's zone where the platform can, else the given zone."""
    return DateSpan(at=at, fallback=format_due(at, now=now, tz=tz, locale=locale))


def when_span(at: datetime, *, tz: str, locale: str) -> DateSpan:
    """An instant without the relative part."""
    return DateSpan(at=at, fallback=format_instant(at, tz=tz, locale=locale))


def person(user_id: str | None, locale: str, *, empty: str = "value.unowned") -> Rich:
    """A mention, or a placeholder word."""
    return [mention(user_id)] if user_id else [text(t(locale, empty))]


def target_of(view: ItemView, locale: str) -> Rich:
    """Who the item waits on: the department, else the owner."""
    if view.department_key:
        label = view.department_name or view.department_key
        suffix = f" (@{view.department_key})" if label != view.department_key else ""
        return [text(label + suffix)]
    return person(view.owner_id, locale)


def status_word(status: Status, locale: str) -> str:
    """A status in the reader's words."""
    return t(locale, f"status.{status.value}")


_STATUS_ICON = {
    Status.OPEN: "🟡",
    Status.ACKNOWLEDGED: "🔵",
    Status.DONE: "✅",
    Status.DECLINED: "⛔",
    Status.CANCELLED: "⚪",
}


def tracking_message(view: ItemView, *, locale: str, now: datetime, tz: str) -> Message:
    """The item's tracking message, edited in place on every change."""
    icon = _STATUS_ICON[view.status]
    title: Rich = [text(f"{icon} {view.code} · {t(locale, f'kind.{view.kind.value}')}", bold=True)]
    fields = [
        MessageField(label=t(locale, "label.requester"), value=[mention(view.requester_id)]),
        MessageField(label=t(locale, "label.target"), value=target_of(view, locale)),
        MessageField(label=t(locale, "label.owner"), value=person(view.owner_id, locale)),
        MessageField(
            label=t(locale, "label.due"),
            value=[due_span(view.due_at, now=now, tz=tz, locale=locale)]
            if view.due_at
            else [text(t(locale, "value.no_due"))],
        ),
        MessageField(
            label=t(locale, "label.status"), value=[text(status_word(view.status, locale))]
        ),
    ]
    if view.snoozed_until and view.snoozed_until > now and not view.status.is_closed:
        fields.append(
            MessageField(
                label=t(locale, "label.snoozed"),
                value=[when_span(view.snoozed_until, tz=tz, locale=locale)],
            )
        )
    sections = [Section(body=[text(view.text)])]
    for key, value in (
        ("label.background", view.background),
        ("label.impact", view.impact),
        ("label.suggestion", view.suggestion),
    ):
        if value:
            sections.append(Section(heading=t(locale, key), body=[text(value)]))
    if view.close_reason:
        sections.append(Section(heading=t(locale, "label.reason"), body=[text(view.close_reason)]))
    context: Rich = []
    if view.source_link:
        context = [
            text(t(locale, "label.source") + ": "),
            LinkSpan(url=view.source_link, label=view.source_link),
        ]
    buttons: list[Button] = []
    if not view.status.is_closed:
        if view.status is Status.OPEN:
            buttons.append(
                Button(action=ButtonAction.ACK, label=t(locale, "button.ack"), value=view.code)
            )
        buttons.append(
            Button(
                action=ButtonAction.DONE,
                label=t(locale, "button.done"),
                value=view.code,
                style="primary",
            )
        )
        buttons.append(
            Button(action=ButtonAction.SNOOZE, label=t(locale, "button.snooze"), value=view.code)
        )
        if view.kind is ItemKind.REQUEST:
            buttons.append(
                Button(
                    action=ButtonAction.DECLINE,
                    label=t(locale, "button.decline"),
                    value=view.code,
                    style="danger",
                )
            )
    return Message(
        kind=MessageKind.TRACKING,
        title=title,
        sections=sections,
        fields=fields,
        buttons=buttons,
        context=context,
    )


def status_note(view: ItemView, *, actor: str, status: Status, locale: str) -> Message:
    """The thread note for a status change, mentioning the requester."""
    if status is Status.DECLINED:
        body = tr(
            locale,
            "note.declined",
            requester=mention(view.requester_id),
            code=view.code,
            actor=mention(actor),
            reason=text(view.close_reason or ""),
        )
    else:
        body = tr(
            locale,
            "note.status",
            requester=mention(view.requester_id),
            code=view.code,
            status=status_word(status, locale),
            actor=mention(actor),
        )
    return Message(kind=MessageKind.NOTE, sections=[Section(body=body)])


def due_changed_note(view: ItemView, *, actor: str, now: datetime, locale: str) -> Message:
    """The thread note for a new due time."""
    tz = view.department_tz or "UTC"
    due: Rich = (
        [due_span(view.due_at, now=now, tz=tz, locale=locale)]
        if view.due_at
        else [text(t(locale, "value.no_due"))]
    )
    body = tr(
        locale,
        "note.due",
        requester=mention(view.requester_id),
        code=view.code,
        due=due,
        actor=mention(actor),
    )
    return Message(kind=MessageKind.NOTE, sections=[Section(body=body)])


def reassigned_note(view: ItemView, *, actor: str, old: str | None, locale: str) -> Message:
    """The thread note for a new owner."""
    body = tr(
        locale,
        "note.assigned",
        requester=mention(view.requester_id),
        code=view.code,
        owner=person(view.owner_id, locale),
        actor=mention(actor),
    )
    return Message(kind=MessageKind.NOTE, sections=[Section(body=body)])


def escalated_note(view: ItemView, *, actor: str, contact: str, locale: str) -> Message:
    """The thread note that an escalation went out."""
    body = tr(
        locale, "note.escalated", code=view.code, contact=mention(contact), actor=mention(actor)
    )
    return Message(kind=MessageKind.NOTE, sections=[Section(body=body)])


# -- replies to the person who typed a command (ephemeral) ---------------------------------------


def reply(body: Rich, *, kind: MessageKind = MessageKind.REPLY) -> Message:
    """A one-paragraph reply."""
    return Message(kind=kind, sections=[Section(body=body)])


def error_reply(message: str) -> Message:
    """A refusal, as text the person can act on."""
    return Message(kind=MessageKind.ERROR, sections=[Section(body=[text("⚠️ " + message)])])


def filed_reply(
    view: ItemView,
    *,
    locale: str,
    now: datetime,
    tz: str,
    link: str | None,
    style: CommandStyle = CommandStyle.SLASH,
) -> Message:
    """The confirmation to the person who filed an item."""
    target = target_of(view, locale)
    if view.due_at:
        body = tr(
            locale,
            "reply.filed_due",
            code=view.code,
            target=target,
            due=due_span(view.due_at, now=now, tz=tz, locale=locale),
        )
    else:
        body = tr(locale, "reply.filed", code=view.code, target=target)
    sections = [Section(body=body)]
    if not view.due_at:
        sections.append(
            Section(body=tr(locale, "reply.no_due_hint", code=view.code, cmd=style.prefix))
        )
    if HINT_IMPACT in view.hints:
        sections.append(
            Section(body=tr(locale, "reply.no_impact_hint", code=view.code, cmd=style.prefix))
        )
    if link:
        sections.append(
            Section(body=tr(locale, "reply.link", link=LinkSpan(url=link, label=view.code)))
        )
    elif view.channel_id:
        sections.append(
            Section(body=tr(locale, "reply.link", link=ChannelSpan(channel_id=view.channel_id)))
        )
    return Message(kind=MessageKind.REPLY, sections=sections)


def item_line(view: ItemView, *, locale: str, now: datetime, tz: str) -> Rich:
    """One line of a list: code, status, target, due, text."""
    due: Rich = (
        [due_span(view.due_at, now=now, tz=tz, locale=locale)]
        if view.due_at
        else [text(t(locale, "value.no_due"))]
    )
    short = view.text if len(view.text) <= 80 else view.text[:79] + "…"
    return [
        text(f"{_STATUS_ICON[view.status]} {view.code}", bold=True),
        text(f" · {status_word(view.status, locale)} · "),
        *target_of(view, locale),
        text(" · "),
        *due,
        text(" — " + short),
    ]


def list_reply(
    page: ItemPage,
    *,
    locale: str,
    now: datetime,
    tz: str,
    style: CommandStyle = CommandStyle.SLASH,
) -> Message:
    """A page of items."""
    scope_key = f"scope.{page.scope}"
    scope = t(locale, scope_key) if not page.scope.startswith("dept ") else page.scope
    title: Rich = [
        text(
            t(
                locale,
                "list.title",
                scope=scope,
                total=page.total,
                page=page.page,
                pages=page.pages,
            ),
            bold=True,
        )
    ]
    if not page.items:
        return Message(
            kind=MessageKind.LIST,
            title=title,
            sections=[Section(body=[text(t(locale, "reply.nothing"))])],
        )
    sections = [Section(body=item_line(v, locale=locale, now=now, tz=tz)) for v in page.items]
    context: Rich = []
    if page.page < page.pages:
        more = t(locale, "list.more", scope=page.scope, next=page.page + 1, cmd=style.prefix)
        context = [text(more)]
    return Message(kind=MessageKind.LIST, title=title, sections=sections, context=context)


def detail_reply(view: ItemView, *, locale: str, now: datetime, tz: str) -> Message:
    """`show`: every fact of an item and its last five updates."""
    base = tracking_message(view, locale=locale, now=now, tz=tz)
    fields = [
        MessageField(
            label=t(locale, "label.kind"), value=[text(t(locale, f"kind.{view.kind.value}"))]
        ),
        *base.fields,
        MessageField(
            label=t(locale, "label.created"),
            value=[when_span(view.created_at, tz=tz, locale=locale)],
        ),
        MessageField(
            label=t(locale, "label.first_response"),
            value=[
                when_span(view.first_response_at, tz=tz, locale=locale),
                text(" "),
                *person(view.first_response_by, locale),
            ]
            if view.first_response_at
            else [text(t(locale, "value.not_yet"))],
        ),
    ]
    lines: list[Rich] = []
    for u in view.updates:
        line: Rich = [when_span(u.at, tz=tz, locale=locale), text(" ")]
        if u.actor_id:
            line += [mention(u.actor_id), text(" ")]
        line.append(text(t(locale, f"update.{UpdateKind(u.kind).value}")))
        if u.text and u.kind is not UpdateKind.CREATED:
            line.append(text(": " + u.text))
        lines.append(line)
    sections = list(base.sections)
    if lines:
        sections.append(Section(heading=t(locale, "label.updates"), body=join(lines, "\n")))
    context: Rich = []
    if view.permalink:
        context = [LinkSpan(url=view.permalink, label=view.code)]
    return Message(
        kind=MessageKind.DETAIL, title=base.title, sections=sections, fields=fields, context=context
    )


def departments_reply(
    depts: list[DepartmentView], *, locale: str, style: CommandStyle = CommandStyle.SLASH
) -> Message:
    """`dept list`."""
    if not depts:
        none = t(locale, "dept.none", cmd=style.prefix)
        return reply([text(none)], kind=MessageKind.DEPARTMENT)
    sections = []
    for d in depts:
        body: Rich = [
            text(f"{d.key}", bold=True),
            text(f" · {d.name} · "),
            ChannelSpan(channel_id=d.channel_id),
            text(" · "),
        ]
        body += join([[mention(u)] for u in d.leads]) if d.leads else [text("—")]
        body.append(text(f" · {d.timezone} · {d.open_items} open"))
        sections.append(Section(body=body))
    return Message(
        kind=MessageKind.DEPARTMENT,
        title=[text(t(locale, "dept.title"), bold=True)],
        sections=sections,
    )


def department_reply(
    d: DepartmentView, *, locale: str, style: CommandStyle = CommandStyle.SLASH
) -> Message:
    """`dept show`: every setting of a department, and a hint when anyone may take its requests."""

    def people(ids: list[str]) -> Rich:
        return join([[mention(u)] for u in ids]) if ids else [text("—")]

    fields = [
        MessageField(label="channel", value=[ChannelSpan(channel_id=d.channel_id)]),
        MessageField(label="lead", value=people(d.leads)),
        MessageField(label="member", value=people(d.members)),
        MessageField(
            label="escalate",
            value=people([d.escalation_contact_id] if d.escalation_contact_id else []),
        ),
        MessageField(label="alias", value=[text(", ".join(d.aliases) or "—")]),
        MessageField(label="usergroup", value=[text(d.usergroup_id or "—")]),
        MessageField(label="tz", value=[text(d.timezone)]),
        MessageField(label="locale", value=[text(d.locale or "—")]),
        MessageField(label="workdays", value=[text(d.workdays)]),
        MessageField(label="hours", value=[text(d.hours)]),
        MessageField(label="holidays", value=[text(", ".join(d.holidays) or "—")]),
        MessageField(label="standup", value=[text(d.standup)]),
        MessageField(label="first_response", value=[text(d.first_response)]),
        MessageField(label="escalate_after", value=[text(d.escalate_after)]),
    ]
    title: Rich = [text(f"{d.key} · {d.name}", bold=True)]
    sections: list[Section] = []
    if d.open_to_all:
        sections.append(Section(body=tr(locale, "dept.open", key=d.key, cmd=style.prefix)))
    if d.gone:
        gone = join([[mention(u)] for u in d.gone], "、" if locale == "zh" else ", ")
        sections.append(Section(body=tr(locale, "dept.gone", people=gone, cmd=style.prefix)))
    return Message(
        kind=MessageKind.DEPARTMENT,
        title=title,
        sections=sections,
        fields=fields,
        context=[text(f"{d.open_items} open")],
    )


def simple(locale: str, text_key: str, /, **params: object) -> Message:
    """A reply from one catalogue entry."""
    return reply(tr(locale, text_key, **params))
