"""Block Kit for the four-part status form (background, current state, impact, suggestion)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from bot.i18n import register, t
from handlers.slack.blocks import JSON, plain_text
from handlers.slack.views import METADATA_MAX, VIEW_TITLE, input_block, text_input

STATUS_FORM = "xdept_status_form"
# Block ids, the names of the four parts (bot.items.followup.STATUS_PARTS).
PARTS = ("background", "current", "impact", "suggestion")

register(
    {
        "form.status.title": ("Status of {code}", "{code} 状态汇报"),
        "form.status.submit": ("Post", "发布"),
        "form.status.background": ("Background", "背景"),
        "form.status.current": ("Current state", "现状"),
        "form.status.current.hint": (
            "Where it stands now: what is done, what is left, what is in the way.",
            "目前进展：已完成什么、还剩什么、卡在哪里。",
        ),
        "form.status.impact": ("Impact", "影响"),
        "form.status.suggestion": ("Suggestion", "建议"),
    }
)


def status_form(*, code: str, parts: Mapping[str, str], channel: str | None, locale: str) -> JSON:
    """The modal, prefilled from the item; only the current state is required."""
    metadata = json.dumps({"code": code, "c": channel}, separators=(",", ":"))
    blocks = [
        input_block(
            name,
            t(locale, f"form.status.{name}"),
            text_input(multiline=True, initial=parts.get(name) or None),
            optional=name != "current",
            hint=t(locale, "form.status.current.hint") if name == "current" else None,
        )
        for name in PARTS
    ]
    return {
        "type": "modal",
        "callback_id": STATUS_FORM,
        "title": plain_text(t(locale, "form.status.title", code=code), VIEW_TITLE),
        "submit": plain_text(t(locale, "form.status.submit"), VIEW_TITLE),
        "close": plain_text(t(locale, "form.cancel"), VIEW_TITLE),
        "private_metadata": metadata[:METADATA_MAX],
        "blocks": blocks,
    }
