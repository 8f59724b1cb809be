"""Block Kit for the four-part status form (background, current state, impact, suggestion)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import register, t
from handlers.slack.blocks import JSON
from handlers.slack.views import code_metadata, input_block, modal, text_input

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
    return modal(
        STATUS_FORM,
        title=t(locale, "form.status.title", code=code),
        submit=t(locale, "form.status.submit"),
        metadata=code_metadata(code, channel),
        blocks=blocks,
        locale=locale,
    )
