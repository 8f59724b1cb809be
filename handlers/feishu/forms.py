"""Form cards and the "My items" card, in the bot's direct chat.

Feishu has no modals: the decline reason, "Track as request", the
four-part status and the meeting notes (`minutes`) are cards
with a form (inputs and a submit button) sent to the person who asked for
them; the submit arrives as card.action.trigger with the inputs in
``form_value`` (by input name) and the button's ``value``. "My items" is
Slack's Home tab as a card, sent when the bot's chat is opened and patched in
place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import compose
from bot.i18n import t, tr
from bot.messages import LinkSpan, Rich, TextSpan
from bot.views import ItemView
from handlers.feishu import markdown
from handlers.feishu.cards import JSON, header, md, shell
from handlers.slack.mrkdwn import cut

# What a submit carries in its value's "action", and the input names it reads.
TRACK_FORM = "xdept_track_form"
DECLINE_FORM = "xdept_decline_form"
STATUS_FORM = "xdept_status_form"
MINUTES_FORM = "xdept_minutes_form"
NOTES = "notes"
# The four parts of a status, by input name (bot.items.followup.STATUS_PARTS).
STATUS_PARTS = ("background", "current", "impact", "suggestion")
DEPT, TEXT, DUE, BACKGROUND, IMPACT, SUGGESTION = (
    "dept",
    "text",
    "due",
    "background",
    "impact",
    "suggestion",
)
REASON = "reason"
INPUT_MAX = 4000  # an item's text is at most 4,000 characters
ITEMS_PER_GROUP = 25


def input_field(
    name: str,
    label: str | None,
    *,
    multiline: bool = False,
    rows: int = 3,
    required: bool = False,
    default: str | None = None,
    placeholder: str | None = None,
) -> JSON:
    element: JSON = {
        "tag": "input",
        "name": name,
        "max_length": INPUT_MAX,
    }
    if required:
        element["required"] = True
    if label:
        element["label"] = {"tag": "plain_text", "content": label}
        element["label_position"] = "top"
    if multiline:
        element["input_type"] = "multiline_text"
        element["rows"] = rows
    if default:
        element["default_value"] = cut(default, INPUT_MAX)
    if placeholder:
        element["placeholder"] = {"tag": "plain_text", "content": cut(placeholder, 100)}
    return element


def submit_button(label: str, name: str, value: JSON, *, danger: bool = False) -> JSON:
    return {
        "tag": "button",
        "name": name,
        "text": {"tag": "plain_text", "content": label},
        "type": "danger" if danger else "primary",
        "form_action_type": "submit",
        "behaviors": [{"type": "callback", "value": value}],
    }


@dataclass(frozen=True)
class TrackSource:
    """The message a "Track as request" form was asked for on."""

    chat_id: str | None
    message_id: str | None
    link: str | None = None

    def value(self) -> JSON:
        """As the submit button's value (Feishu gives it back with the form)."""
        return {"action": TRACK_FORM, "chat": self.chat_id, "message": self.message_id}


def track_form(*, text: str, source: TrackSource, known: list[str], locale: str) -> JSON:
    """The "Track as request" form, prefilled with the quoted message's text."""
    inputs = [
        input_field(
            DEPT,
            t(locale, "feishu.form.dept"),
            required=True,
            placeholder=t(locale, "feishu.form.dept.placeholder"),
        ),
        input_field(
            TEXT, t(locale, "feishu.form.text"), multiline=True, required=True, default=text
        ),
        input_field(
            DUE, t(locale, "feishu.form.due"), placeholder=t(locale, "feishu.form.due.placeholder")
        ),
    ]
    for name in (BACKGROUND, IMPACT, SUGGESTION):
        inputs.append(input_field(name, t(locale, f"feishu.form.{name}"), multiline=True))
    inputs.append(
        submit_button(t(locale, "feishu.form.submit"), "xdept_track_submit", source.value())
    )
    elements = [
        md(markdown.escape(t(locale, "feishu.form.dept.hint", known=", ".join(known) or "—")))
    ]
    if source.link:
        link = LinkSpan(url=source.link, label=source.link)
        elements.append(md(markdown.render(tr(locale, "feishu.form.source", link=link))))
    elements.append({"tag": "form", "name": TRACK_FORM, "elements": inputs})
    title = t(locale, "feishu.form.track.title")
    return shell(elements, header=header(title, template="blue"), summary=title)


def decline_form(*, code: str, locale: str) -> JSON:
    """The form asking why an item is declined."""
    value = {"action": DECLINE_FORM, "value": code}
    form = {
        "tag": "form",
        "name": DECLINE_FORM,
        "elements": [
            input_field(
                REASON,
                t(locale, "feishu.form.decline.reason"),
                multiline=True,
                required=True,
                placeholder=t(locale, "feishu.form.decline.placeholder"),
            ),
            submit_button(
                t(locale, "feishu.form.decline.submit"), "xdept_decline_submit", value, danger=True
            ),
        ],
    }
    title = t(locale, "feishu.form.decline.title", code=code)
    return shell([form], header=header(title, template="red"), summary=title)


def status_form(*, code: str, parts: dict[str, str], locale: str) -> JSON:
    """The four-part status of an item, prefilled from it; only the current state is required."""
    inputs = [
        input_field(
            name,
            t(locale, f"feishu.form.status.{name}"),
            multiline=True,
            required=name == "current",
            default=parts.get(name) or None,
            placeholder=t(locale, "feishu.form.status.current.hint") if name == "current" else None,
        )
        for name in STATUS_PARTS
    ]
    value = {"action": STATUS_FORM, "value": code}
    inputs.append(
        submit_button(t(locale, "feishu.form.status.submit"), "xdept_status_submit", value)
    )
    title = t(locale, "feishu.form.status.title", code=code)
    form = {"tag": "form", "name": STATUS_FORM, "elements": inputs}
    return shell([form], header=header(title, template="blue"), summary=title)


def minutes_form(*, chat: str | None, locale: str) -> JSON:
    """One box for a meeting's notes; its submit shows the preview of what they would file."""
    notes = input_field(
        NOTES,
        t(locale, "feishu.form.minutes.notes"),
        multiline=True,
        rows=10,
        required=True,
        placeholder=t(locale, "feishu.form.minutes.placeholder"),
    )
    # Where the notes were asked for: the summary of what they file goes there.
    value = {"action": MINUTES_FORM, "chat": chat}
    submit = submit_button(t(locale, "feishu.form.minutes.submit"), "xdept_minutes_submit", value)
    form = {"tag": "form", "name": MINUTES_FORM, "elements": [notes, submit]}
    hint = md(markdown.escape(t(locale, "feishu.form.minutes.hint")), size="notation")
    title = t(locale, "feishu.form.minutes.title")
    return shell([hint, form], header=header(title, template="blue"), summary=title)


@dataclass(frozen=True)
class MyItems:
    """The three lists of the "My items" card."""

    mine: list[ItemView]
    departments: list[ItemView]
    asked: list[ItemView]


def my_items(groups: MyItems, *, locale: str, now: datetime, tz: str) -> JSON:
    """The "My items" card: mine, what waits on my departments, what I asked."""
    elements: list[JSON] = [md(markdown.escape(t(locale, "feishu.home.hint")), size="notation")]
    for key, items in (
        ("feishu.home.mine", groups.mine),
        ("feishu.home.depts", groups.departments),
        ("feishu.home.asked", groups.asked),
    ):
        elements.append({"tag": "hr"})
        elements.append(md(markdown.render([TextSpan(text=t(locale, key), bold=True)])))
        if not items:
            elements.append(md(markdown.escape(t(locale, "feishu.home.empty")), size="notation"))
            continue
        shown = items[:ITEMS_PER_GROUP]
        for view in shown:
            line: Rich = compose.item_line(view, locale=locale, now=now, tz=tz)
            if view.permalink:
                line = [*line, TextSpan(text="  "), LinkSpan(url=view.permalink, label="↗")]
            elements.append(md(markdown.render(line)))
        if len(items) > len(shown):
            more = t(locale, "feishu.home.more", count=len(items) - len(shown))
            elements.append(md(markdown.escape(more), size="notation"))
    title = t(locale, "feishu.home.title")
    return shell(elements, header=header(title, template="wathet"), summary=title)
