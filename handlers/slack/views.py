"""Block Kit for views: the "Track as request" form, the decline form and the Home tab."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import compose
from bot.i18n import t, tr
from bot.messages import LinkSpan, Rich, TextSpan
from bot.views import ItemView
from handlers.slack import mrkdwn
from handlers.slack.blocks import (
    JSON,
    MAX_VIEW_BLOCKS,
    SECTION_TEXT,
    context,
    header,
    plain_text,
    section,
)

TRACK_FORM = "xdept_track_form"
DECLINE_FORM = "xdept_decline_form"
VIEW_TITLE = 24
INPUT_MAX = 3000
HINT_TEXT = 2000
PLACEHOLDER_TEXT = 150
METADATA_MAX = 3000
HOME_ITEMS_PER_GROUP = 25

# Block ids of the track form; the submission is read by them.
DEPT, TEXT, OWNER, DUE, BACKGROUND, IMPACT, SUGGESTION = (
    "dept",
    "text",
    "owner",
    "due",
    "background",
    "impact",
    "suggestion",
)
REASON = "reason"
VALUE = "value"


def input_block(
    block_id: str,
    label: str,
    element: JSON,
    *,
    optional: bool = False,
    hint: str | None = None,
) -> JSON:
    """An input block with a label (and a hint)."""
    block: JSON = {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label, HINT_TEXT),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain_text(hint, HINT_TEXT)
    return block


def text_input(
    *, multiline: bool = False, initial: str | None = None, placeholder: str | None = None
) -> JSON:
    """A plain text input, at most Slack's 3,000 characters."""
    element: JSON = {
        "type": "plain_text_input",
        "action_id": VALUE,
        "multiline": multiline,
        "max_length": INPUT_MAX,
    }
    if initial:
        element["initial_value"] = mrkdwn.cut(initial, INPUT_MAX)
    if placeholder:
        element["placeholder"] = plain_text(placeholder, PLACEHOLDER_TEXT)
    return element


@dataclass(frozen=True)
class TrackSource:
    """The message a "Track as request" form was opened on."""

    channel: str | None
    ts: str | None
    permalink: str | None

    def metadata(self) -> str:
        """As the view's private_metadata (Slack keeps it for the submission)."""
        data = {"c": self.channel, "ts": self.ts, "link": self.permalink}
        text = json.dumps(data, separators=(",", ":"))
        if len(text) > METADATA_MAX:  # a link that long is not a Slack permalink
            text = json.dumps({"c": self.channel, "ts": self.ts, "link": None})
        return text

    @classmethod
    def from_metadata(cls, raw: str) -> TrackSource:
        """Read it back; a missing or unreadable value gives an empty source."""
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        return cls(channel=data.get("c"), ts=data.get("ts"), permalink=data.get("link"))


def track_form(*, text: str, source: TrackSource, known: list[str], locale: str) -> JSON:
    """The "Track as request" modal, prefilled with the message's text and link."""
    known_text = ", ".join(known) if known else "—"
    blocks: list[JSON] = [
        input_block(
            DEPT,
            t(locale, "form.dept"),
            text_input(placeholder=t(locale, "form.dept.placeholder")),
            hint=t(locale, "form.dept.hint", known=known_text),
        ),
        input_block(TEXT, t(locale, "form.text"), text_input(multiline=True, initial=text)),
        input_block(
            OWNER,
            t(locale, "form.owner"),
            {"type": "users_select", "action_id": VALUE},
            optional=True,
        ),
        input_block(
            DUE,
            t(locale, "form.due"),
            text_input(placeholder=t(locale, "form.due.placeholder")),
            optional=True,
        ),
    ]
    for block_id in (BACKGROUND, IMPACT, SUGGESTION):
        blocks.append(
            input_block(
                block_id, t(locale, f"form.{block_id}"), text_input(multiline=True), optional=True
            )
        )
    if source.permalink:
        link = LinkSpan(url=source.permalink, label=source.permalink)
        blocks.append(context(tr(locale, "form.source", link=link)))
    return {
        "type": "modal",
        "callback_id": TRACK_FORM,
        "title": plain_text(t(locale, "form.track.title"), VIEW_TITLE),
        "submit": plain_text(t(locale, "form.submit"), VIEW_TITLE),
        "close": plain_text(t(locale, "form.cancel"), VIEW_TITLE),
        "private_metadata": source.metadata(),
        "blocks": blocks,
    }


def decline_form(*, code: str, channel: str | None, locale: str) -> JSON:
    """The modal asking why an item is declined."""
    metadata = json.dumps({"code": code, "c": channel}, separators=(",", ":"))
    return {
        "type": "modal",
        "callback_id": DECLINE_FORM,
        "title": plain_text(t(locale, "form.decline.title", code=code), VIEW_TITLE),
        "submit": plain_text(t(locale, "form.decline.submit"), VIEW_TITLE),
        "close": plain_text(t(locale, "form.cancel"), VIEW_TITLE),
        "private_metadata": metadata[:METADATA_MAX],
        "blocks": [
            input_block(REASON, t(locale, "form.decline.reason"), text_input(multiline=True)),
        ],
    }


def modal(
    callback_id: str, *, title: str, submit: str, metadata: str, blocks: list[JSON], locale: str
) -> JSON:
    """A modal with a submit button and Cancel, its metadata cut to Slack's limit."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain_text(title, VIEW_TITLE),
        "submit": plain_text(submit, VIEW_TITLE),
        "close": plain_text(t(locale, "form.cancel"), VIEW_TITLE),
        "private_metadata": metadata[:METADATA_MAX],
        "blocks": blocks,
    }


def code_metadata(code: str, channel: str | None) -> str:
    """A form's metadata naming its item and the channel it was opened in."""
    return json.dumps({"code": code, "c": channel}, separators=(",", ":"))


def read_code_metadata(raw: str) -> tuple[str, str | None]:
    """The item code and channel a form carries; empty for a forged or broken one."""
    try:
        meta = json.loads(raw or "{}")
    except ValueError:
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    channel = meta.get("c") if isinstance(meta.get("c"), str) else None
    return str(meta.get("code") or ""), channel


def state_value(values: dict[str, Any], block_id: str) -> str | None:
    """What a person entered in one input block, whatever element it is; None if nothing."""
    actions = values.get(block_id) or {}
    for state in actions.values():
        if not isinstance(state, dict):
            continue
        option = state.get("selected_option")
        for value in (
            state.get("value"),
            option.get("value") if isinstance(option, dict) else None,
            state.get("selected_user"),
            state.get("selected_conversation"),
            state.get("selected_channel"),
            state.get("selected_date"),
        ):
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


@dataclass(frozen=True)
class HomeGroups:
    """The three lists on the Home tab."""

    mine: list[ItemView]
    departments: list[ItemView]
    asked: list[ItemView]


def _item_block(view: ItemView, *, locale: str, now: datetime, tz: str) -> JSON:
    spans: Rich = compose.item_line(view, locale=locale, now=now, tz=tz)
    if view.permalink:
        spans = [*spans, TextSpan(text="  "), LinkSpan(url=view.permalink, label="↗")]
    return section(mrkdwn.limited(spans, SECTION_TEXT))


def home_view(groups: HomeGroups, *, locale: str, now: datetime, tz: str) -> JSON:
    """The Home tab: my items, what waits on my departments, what I asked."""
    blocks: list[JSON] = [
        header([TextSpan(text=t(locale, "home.title"))]),
        context([TextSpan(text=t(locale, "home.hint"))]),
    ]
    for key, items in (
        ("home.mine", groups.mine),
        ("home.depts", groups.departments),
        ("home.asked", groups.asked),
    ):
        blocks.append({"type": "divider"})
        blocks.append(header([TextSpan(text=t(locale, key))]))
        if not items:
            blocks.append(context([TextSpan(text=t(locale, "home.empty"))]))
            continue
        shown = items[:HOME_ITEMS_PER_GROUP]
        blocks.extend(_item_block(v, locale=locale, now=now, tz=tz) for v in shown)
        if len(items) > len(shown):
            more = t(locale, "home.more", count=len(items) - len(shown))
            blocks.append(context([TextSpan(text=more)]))
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}
