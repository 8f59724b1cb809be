"""The views.* methods (modals and the Home tab), checked as Slack checks a view."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from tests.fakes.slack.blocks import (
    MAX_ID_LENGTH,
    MAX_PRIVATE_METADATA,
    MAX_VIEW_BLOCKS,
    MAX_VIEW_TITLE,
    block_problems,
    check_text_object,
)
from tests.fakes.slack.lookup import find_user
from tests.fakes.slack.params import JSON, SlackError, param_json, param_str
from tests.fakes.slack.records import ViewCall

if TYPE_CHECKING:
    from tests.fakes.slack.server import FakeSlack, Route


def check_view(fake: FakeSlack, view: Any, kinds: tuple[str, ...]) -> JSON:
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments", "[ERROR] missing required field: view")
    problems: list[str] = []
    kind = view.get("type")
    if kind not in kinds:
        problems.append(f"[ERROR] type must be one of {list(kinds)} [json-pointer:/view/type]")
    if kind == "modal":
        check_text_object(view.get("title"), "/view/title", MAX_VIEW_TITLE, problems)
        for key in ("submit", "close"):
            if key in view:
                check_text_object(view[key], f"/view/{key}", MAX_VIEW_TITLE, problems)
        blocks = view.get("blocks") or []
        has_inputs = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_inputs and "submit" not in view:
            problems.append(
                "[ERROR] submit is required when an input block is present "
                "[json-pointer:/view/submit]"
            )
    problems.extend(block_problems(view.get("blocks", []), MAX_VIEW_BLOCKS, "/view/blocks"))
    metadata = view.get("private_metadata")
    if isinstance(metadata, str) and len(metadata) > MAX_PRIVATE_METADATA:
        problems.append("[ERROR] private_metadata too long [json-pointer:/view/private_metadata]")
    callback_id = view.get("callback_id")
    if isinstance(callback_id, str) and len(callback_id) > MAX_ID_LENGTH:
        problems.append("[ERROR] callback_id too long [json-pointer:/view/callback_id]")
    if problems:
        raise SlackError("invalid_arguments", *problems)
    external_id = view.get("external_id")
    if external_id:
        for current in fake._views.values():
            if current.get("external_id") == external_id:
                raise SlackError("duplicate_external_id")
    return view


def view_json(
    fake: FakeSlack,
    view: JSON,
    view_id: str,
    *,
    root_view_id: str | None = None,
    previous_view_id: str | None = None,
) -> JSON:
    return {
        "id": view_id,
        "team_id": fake.team_id,
        "type": view.get("type"),
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": {}},
        "hash": f"{int(time.time())}.{next(fake._ids):08x}",
        "title": view.get("title"),
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "previous_view_id": previous_view_id,
        "root_view_id": root_view_id or view_id,
        "app_id": fake.app_id,
        "external_id": view.get("external_id", ""),
        "app_installed_team_id": fake.team_id,
        "bot_id": fake.bot_id,
    }


def record_view(
    fake: FakeSlack,
    method: str,
    view: JSON,
    *,
    trigger_id: str | None = None,
    user_id: str | None = None,
) -> JSON:
    fake._views[view["id"]] = view
    fake._view_calls.append(
        ViewCall(
            method=method,
            view_id=view["id"],
            view=view,
            trigger_id=trigger_id,
            user_id=user_id,
            timestamp=time.time(),
        )
    )
    return {"view": view}


def views_open(fake: FakeSlack, params: JSON, method: str = "views.open") -> JSON:
    trigger_id = param_str(params, "trigger_id")
    if not trigger_id and not param_str(params, "interactivity_pointer"):
        raise SlackError("invalid_arguments", "[ERROR] missing required field: trigger_id")
    view = check_view(fake, param_json(params, "view", "invalid_arguments"), ("modal",))
    stored = view_json(fake, view, fake._next_id("V"))
    return record_view(fake, method, stored, trigger_id=trigger_id)


def views_push(fake: FakeSlack, params: JSON) -> JSON:
    return views_open(fake, params, "views.push")


def views_update(fake: FakeSlack, params: JSON) -> JSON:
    view_id = param_str(params, "view_id")
    external_id = param_str(params, "external_id")
    current: JSON | None = None
    if view_id:
        current = fake._views.get(view_id)
    elif external_id:
        current = next(
            (v for v in fake._views.values() if v.get("external_id") == external_id), None
        )
    else:
        raise SlackError("invalid_arguments", "[ERROR] view_id or external_id is required")
    if current is None:
        raise SlackError("not_found")
    expected_hash = param_str(params, "hash")
    if expected_hash and expected_hash != current["hash"]:
        raise SlackError("hash_conflict")
    view = param_json(params, "view", "invalid_arguments")
    if isinstance(view, dict) and current.get("external_id") and not view.get("external_id"):
        view = {**view, "external_id": current["external_id"]}
    fake._views.pop(current["id"])  # so its own external_id is not a duplicate
    try:
        view = check_view(fake, view, (str(current.get("type")),))
    except SlackError:
        fake._views[current["id"]] = current
        raise
    stored = view_json(
        fake,
        view,
        current["id"],
        root_view_id=current.get("root_view_id"),
        previous_view_id=current.get("previous_view_id"),
    )
    return record_view(fake, "views.update", stored)


def views_publish(fake: FakeSlack, params: JSON) -> JSON:
    user = find_user(fake, param_str(params, "user_id"))
    view = param_json(params, "view", "invalid_arguments")
    view_id = fake._home_views.get(user.id) or fake._next_id("V")
    current = fake._views.pop(view_id, None)
    try:
        view = check_view(fake, view, ("home",))
    except SlackError:
        if current is not None:
            fake._views[view_id] = current
        raise
    expected_hash = param_str(params, "hash")
    if current is not None and expected_hash and expected_hash != current["hash"]:
        fake._views[view_id] = current
        raise SlackError("hash_conflict")
    fake._home_views[user.id] = view_id
    return record_view(fake, "views.publish", view_json(fake, view, view_id), user_id=user.id)


METHODS: dict[str, Route] = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
}
