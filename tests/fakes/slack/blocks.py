"""Slack's size limits on messages and views, and the subset of Block Kit checks the
fake applies (so a message or view the real API would refuse fails in tests too)."""

from __future__ import annotations

from typing import Any

# Slack's documented limits; checking them here catches messages and views
# that the real API would refuse.
MAX_MESSAGE_TEXT = 40_000
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3_000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2_000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2_000
MAX_ID_LENGTH = 255
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3_000


def collect_text(obj: Any) -> str:
    """All human-readable text in a message, block list or view, joined by newlines."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(obj)
    return "\n".join(found)


def check_text_object(obj: Any, pointer: str, limit: int, problems: list[str]) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        problems.append(f"[ERROR] must be a text object [json-pointer:{pointer}]")
        return
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        problems.append(f"[ERROR] must be more than 0 characters [json-pointer:{pointer}/text]")
    elif len(text) > limit:
        problems.append(
            f"[ERROR] must be less than {limit + 1} characters [json-pointer:{pointer}/text]"
        )


def check_element(element: Any, pointer: str, problems: list[str]) -> None:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        problems.append(f"[ERROR] must be an element [json-pointer:{pointer}]")
        return
    action_id = element.get("action_id")
    if isinstance(action_id, str) and len(action_id) > MAX_ID_LENGTH:
        problems.append(f"[ERROR] action_id too long [json-pointer:{pointer}/action_id]")
    if element["type"] == "button":
        check_text_object(element.get("text"), f"{pointer}/text", MAX_BUTTON_TEXT, problems)
        value = element.get("value")
        if isinstance(value, str) and len(value) > MAX_BUTTON_VALUE:
            problems.append(f"[ERROR] value too long [json-pointer:{pointer}/value]")


def block_problems(blocks: Any, limit: int, prefix: str) -> list[str]:
    """What Slack would reject in a list of blocks (a useful subset of its checks)."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must be an array [json-pointer:{prefix}]"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{prefix}]")
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        pointer = f"{prefix}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"[ERROR] must be a block object [json-pointer:{pointer}]")
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if len(block_id) > MAX_ID_LENGTH:
                problems.append(f"[ERROR] block_id too long [json-pointer:{pointer}/block_id]")
            if block_id in seen_ids:
                problems.append(f"[ERROR] duplicate block_id [json-pointer:{pointer}/block_id]")
            seen_ids.add(block_id)
        kind = block["type"]
        if kind == "section":
            if "text" not in block and "fields" not in block:
                problems.append(f"[ERROR] must provide text or fields [json-pointer:{pointer}]")
            if "text" in block:
                check_text_object(block["text"], f"{pointer}/text", MAX_SECTION_TEXT, problems)
            fields = block.get("fields") or []
            if len(fields) > MAX_SECTION_FIELDS:
                problems.append(f"[ERROR] too many fields [json-pointer:{pointer}/fields]")
            for n, item in enumerate(fields):
                check_text_object(item, f"{pointer}/fields/{n}", MAX_FIELD_TEXT, problems)
            if "accessory" in block:
                check_element(block["accessory"], f"{pointer}/accessory", problems)
        elif kind == "header":
            check_text_object(block.get("text"), f"{pointer}/text", MAX_HEADER_TEXT, problems)
        elif kind in ("actions", "context"):
            elements = block.get("elements")
            most = 25 if kind == "actions" else 10
            if not isinstance(elements, list) or not 1 <= len(elements) <= most:
                problems.append(
                    f"[ERROR] must have 1 to {most} elements [json-pointer:{pointer}/elements]"
                )
            elif kind == "actions":
                for n, element in enumerate(elements):
                    check_element(element, f"{pointer}/elements/{n}", problems)
    return problems
