"""Feishu's refusal of bad cards: card JSON 2.0 with only documented properties.

Feishu rejects a card with an unknown property, a wrong value or a misplaced
component (code 230099, "Failed to create card content"). The fake checks the
subset of components xdept uses, with the properties Feishu documents for
them, so a typo in the renderer fails a test instead of a customer's card.
"""

from __future__ import annotations

from typing import Any

MAX_COMPONENTS = 200

_TEXT = {"tag", "content", "i18n_content"}
_TOP = {"schema", "config", "card_link", "header", "body"}
_CONFIG = {
    "streaming_mode",
    "streaming_config",
    "summary",
    "locales",
    "enable_forward",
    "update_multi",
    "width_mode",
    "use_custom_translation",
    "enable_forward_interaction",
    "style",
}
_HEADER = {
    "title",
    "subtitle",
    "text_tag_list",
    "i18n_text_tag_list",
    "template",
    "icon",
    "padding",
}
_BODY = {
    "direction",
    "padding",
    "horizontal_spacing",
    "vertical_spacing",
    "horizontal_align",
    "vertical_align",
    "elements",
}
_COMMON = {"tag", "element_id", "margin"}
_COMPONENTS: dict[str, set[str]] = {
    "markdown": _COMMON | {"text_align", "text_size", "icon", "content", "i18n_content"},
    "div": _COMMON | {"width", "text", "icon"},
    "hr": _COMMON,
    "column_set": _COMMON
    | {"horizontal_spacing", "horizontal_align", "flex_mode", "background_style", "columns"},
    "button": _COMMON
    | {
        "type",
        "size",
        "width",
        "text",
        "icon",
        "hover_tips",
        "disabled",
        "disabled_tips",
        "confirm",
        "behaviors",
        "form_action_type",
        "name",
    },
    "form": _COMMON
    | {
        "name",
        "elements",
        "direction",
        "padding",
        "horizontal_spacing",
        "vertical_spacing",
        "horizontal_align",
        "vertical_align",
    },
    "input": _COMMON
    | {
        "name",
        "required",
        "disabled",
        "placeholder",
        "default_value",
        "width",
        "max_length",
        "input_type",
        "show_icon",
        "rows",
        "auto_resize",
        "max_rows",
        "label",
        "label_position",
        "fallback",
    },
    "checker": _COMMON
    | {
        "name",
        "checked",
        "text",
        "overall_checkable",
        "button_area",
        "checked_style",
        "padding",
        "disabled",
        "disabled_tips",
        "hover_tips",
        "behaviors",
        "confirm",
    },
}
_COLUMN = {
    "tag",
    "element_id",
    "background_style",
    "width",
    "weight",
    "vertical_align",
    "vertical_spacing",
    "horizontal_align",
    "horizontal_spacing",
    "direction",
    "padding",
    "margin",
    "elements",
}
_TEMPLATES = {
    "blue",
    "wathet",
    "turquoise",
    "green",
    "yellow",
    "orange",
    "red",
    "carmine",
    "violet",
    "purple",
    "indigo",
    "grey",
    "default",
}
_BUTTON_TYPES = {
    "default",
    "primary",
    "danger",
    "text",
    "primary_text",
    "danger_text",
    "primary_filled",
    "danger_filled",
    "laser",
}
_FLEX = {"none", "stretch", "flow", "bisect", "trisect"}
_TEXT_SIZES = {"heading-0", "heading-1", "heading-2", "heading-3", "heading-4", "heading"}
_TEXT_SIZES |= {"normal", "notation", "xxxx-large", "xxx-large", "xx-large", "x-large"}
_TEXT_SIZES |= {"large", "medium", "small", "x-small"}


class CardError(ValueError):
    """Why Feishu would refuse the card."""


def _only(node: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise CardError(f"{where} must be an object")
    unknown = set(node) - allowed
    if unknown:
        raise CardError(f"{where} has unknown properties {sorted(unknown)}")
    return node


def _text(node: Any, where: str, *, tags: tuple[str, ...] = ("plain_text",)) -> None:
    node = _only(node, _TEXT, where)
    if node.get("tag") not in tags:
        raise CardError(f"{where}.tag must be one of {tags}")
    if not isinstance(node.get("content"), str):
        raise CardError(f"{where}.content must be a string")


def _behaviors(node: Any, where: str) -> None:
    if not isinstance(node, list) or not node:
        raise CardError(f"{where} must be a non-empty list")
    for i, b in enumerate(node):
        if not isinstance(b, dict) or b.get("type") not in ("callback", "open_url"):
            raise CardError(f"{where}[{i}].type must be callback or open_url")
        if b["type"] == "callback":
            _only(b, {"type", "value"}, f"{where}[{i}]")
            if not isinstance(b.get("value"), dict | str):
                raise CardError(f"{where}[{i}].value must be an object or a string")
        else:
            _only(b, {"type", "default_url", "pc_url", "ios_url", "android_url"}, f"{where}[{i}]")


class _Walk:
    def __init__(self) -> None:
        self.count = 0
        self.names: set[str] = set()

    def name(self, node: dict[str, Any], where: str, *, required: bool) -> None:
        name = node.get("name")
        if name is None:
            if required:
                raise CardError(f"{where}.name is required inside a form")
            return
        if not isinstance(name, str) or not name:
            raise CardError(f"{where}.name must be a non-empty string")
        if name in self.names:
            raise CardError(f"{where}.name {name!r} is used twice in the card")
        self.names.add(name)

    def elements(self, nodes: Any, where: str, *, root: bool, in_form: bool) -> bool:
        """Check a list of components; True if it holds a submit button."""
        if not isinstance(nodes, list):
            raise CardError(f"{where} must be a list")
        submits = False
        for i, node in enumerate(nodes):
            submits |= self.element(node, f"{where}[{i}]", root=root, in_form=in_form)
        return submits

    def element(self, node: Any, where: str, *, root: bool, in_form: bool) -> bool:
        self.count += 1
        if self.count > MAX_COMPONENTS:
            raise CardError(f"a card holds at most {MAX_COMPONENTS} components")
        tag = node.get("tag") if isinstance(node, dict) else None
        if tag not in _COMPONENTS:
            raise CardError(f"{where}.tag {tag!r} is not a component")
        node = _only(node, _COMPONENTS[tag], where)
        if tag == "markdown" and not isinstance(node.get("content"), str):
            raise CardError(f"{where}.content must be a string")
        if tag == "markdown" and node.get("text_size", "normal") not in _TEXT_SIZES:
            raise CardError(f"{where}.text_size is not a size")
        if tag == "div" and "text" in node:
            _text(node["text"], f"{where}.text", tags=("plain_text", "lark_md"))
        if tag == "column_set":
            if node.get("flex_mode", "none") not in _FLEX:
                raise CardError(f"{where}.flex_mode is not a flex mode")
            submits = False
            for j, column in enumerate(node.get("columns") or []):
                column = _only(column, _COLUMN, f"{where}.columns[{j}]")
                if column.get("tag") != "column":
                    raise CardError(f"{where}.columns[{j}].tag must be column")
                submits |= self.elements(
                    column.get("elements", []),
                    f"{where}.columns[{j}].elements",
                    root=False,
                    in_form=in_form,
                )
            return submits
        if tag == "form":
            if not root:
                raise CardError(f"{where}: a form may only sit at the top of the body")
            self.name(node, where, required=True)
            if not self.elements(
                node.get("elements"), f"{where}.elements", root=False, in_form=True
            ):
                raise CardError(f"{where} needs a button with form_action_type submit")
            return False
        if tag == "input":
            self.name(node, where, required=in_form)
            for key in ("placeholder", "label"):
                if key in node:
                    _text(node[key], f"{where}.{key}")
            if node.get("input_type", "text") not in ("text", "multiline_text", "password"):
                raise CardError(f"{where}.input_type is not an input type")
            if "required" in node and not in_form:
                raise CardError(f"{where}.required only works inside a form")
            return False
        if tag == "checker":
            self.checker(node, where, in_form=in_form)
            return False
        if tag == "button":
            return self.button(node, where, in_form=in_form)
        return False

    def checker(self, node: dict[str, Any], where: str, *, in_form: bool) -> None:
        self.name(node, where, required=in_form)
        if "checked" in node and not isinstance(node["checked"], bool):
            raise CardError(f"{where}.checked must be a boolean")
        if "text" in node:
            text = _only(
                node["text"],
                {"tag", "content", "text_size", "text_color", "text_align"},
                f"{where}.text",
            )
            if text.get("tag") not in ("plain_text", "lark_md"):
                raise CardError(f"{where}.text.tag must be plain_text or lark_md")
            if not isinstance(text.get("content"), str):
                raise CardError(f"{where}.text.content must be a string")
        if "behaviors" in node:
            _behaviors(node["behaviors"], f"{where}.behaviors")

    def button(self, node: dict[str, Any], where: str, *, in_form: bool) -> bool:
        _text(node.get("text"), f"{where}.text", tags=("plain_text", "lark_md"))
        if node.get("type", "default") not in _BUTTON_TYPES:
            raise CardError(f"{where}.type is not a button type")
        if "behaviors" in node:
            _behaviors(node["behaviors"], f"{where}.behaviors")
        action = node.get("form_action_type")
        if in_form and action not in ("submit", "reset"):
            raise CardError(f"{where}: a button in a form needs form_action_type")
        if not in_form and action is not None:
            raise CardError(f"{where}.form_action_type only works inside a form")
        self.name(node, where, required=in_form)
        return action == "submit"


def check_card(card: Any) -> None:
    """Raise CardError if Feishu would refuse this card JSON 2.0."""
    card = _only(card, _TOP, "card")
    if card.get("schema") != "2.0":
        raise CardError('card.schema must be "2.0"')
    if "config" in card:
        config = _only(card["config"], _CONFIG, "card.config")
        if "update_multi" in config and not isinstance(config["update_multi"], bool):
            raise CardError("card.config.update_multi must be a boolean")
    if "header" in card:
        header = _only(card["header"], _HEADER, "card.header")
        _text(header.get("title"), "card.header.title", tags=("plain_text", "lark_md"))
        if "subtitle" in header:
            _text(header["subtitle"], "card.header.subtitle", tags=("plain_text", "lark_md"))
        if header.get("template", "default") not in _TEMPLATES:
            raise CardError("card.header.template is not a colour")
    body = _only(card.get("body"), _BODY, "card.body")
    _Walk().elements(body.get("elements"), "card.body.elements", root=True, in_form=False)


def is_shared(card: Any) -> bool:
    """Whether the card declares `config.update_multi: true` (only those can be edited)."""
    return isinstance(card, dict) and (card.get("config") or {}).get("update_multi") is True
