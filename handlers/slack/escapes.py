"""Slack's escaped text as the core's neutral input: placeholders, a mentions map, plain text.

Slack sends a typed command with its markup escaped: people as ``<@U123|alice>``,
user groups as ``<!subteam^S1|@logistics>``, channels as ``<#C1|logistics>``,
links as ``<https://x|label>``, and ``&``, ``<``, ``>`` as entities. The core
reads none of that. Each person, group or channel becomes a placeholder
(``@_user_1``) with an entry in the mentions map; links, dates and broadcasts
become the text a person sees; entities are decoded once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.commands import Target, TargetKind

# Any piece of Slack markup; what is inside decides what it is.
_MARKUP = re.compile(r"<([^<>\n]*)>")
_ENTITY = re.compile(r"&(lt|gt|amp);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&"}
_USER = re.compile(r"@([A-Za-z0-9]+)(?:\|(.*))?", re.DOTALL)
_GROUP = re.compile(r"!subteam\^([A-Za-z0-9]+)(?:\|(.*))?", re.DOTALL)
_CHANNEL = re.compile(r"#([A-Za-z0-9]+)(?:\|(.*))?", re.DOTALL)
_DATE = re.compile(r"!date\^[^|]*\|(.*)", re.DOTALL)
_BROADCAST = re.compile(r"!(here|channel|everyone)(?:\|.*)?", re.DOTALL)
_SCHEMES = ("http://", "https://", "mailto:")

# Placeholder stem and sigil by kind, as the grammar reads them.
_KEYS = {
    TargetKind.PERSON: "@_user_",
    TargetKind.GROUP: "@_group_",
    TargetKind.CHAT: "#_chat_",
}


def unescape(text: str) -> str:
    """Undo Slack's escaping of <, > and & in one pass, so "&amp;lt;" stays "&lt;"."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


@dataclass
class NeutralText:
    """Command text for the core: placeholders in `text`, what each stands for in `mentions`."""

    text: str
    mentions: dict[str, Target] = field(default_factory=dict)


class _Placeholders:
    """Hands out one placeholder per target, never one that the typed text already holds."""

    def __init__(self, source: str, *, most: int) -> None:
        self.source = source
        # Keys of one width are never the start of one another ("@_user_1" of "@_user_10").
        self.width = len(str(max(1, most)))
        self.mentions: dict[str, Target] = {}
        self._by_target: dict[tuple[TargetKind, str], str] = {}

    def key_for(self, target: Target) -> str:
        found = self._by_target.get((target.kind, target.id or ""))
        if found is not None:
            return found
        n = len(self.mentions) + 1
        key = f"{_KEYS[target.kind]}{n:0{self.width}d}"
        while key in self.source:  # typed by the person: a placeholder must not be mistaken for it
            n += 1
            key = f"{_KEYS[target.kind]}{n:0{self.width}d}"
        self.mentions[key] = target
        self._by_target[(target.kind, target.id or "")] = key
        return key


def _label(raw: str | None) -> str | None:
    name = unescape(raw or "").strip().lstrip("@#").strip()
    return name or None


def _link(inner: str) -> str:
    """A link as a person reads it: the address, or its label and address."""
    url, _, label = inner.partition("|")
    url, label = unescape(url), unescape(label).strip()
    if not label:
        return url
    bare = url
    for scheme in _SCHEMES:
        bare = bare.removeprefix(scheme)
    return label if label in (url, bare) else f"{label} ({url})"


def _markup(inner: str, keys: _Placeholders) -> str:
    """One piece of markup as neutral text: a placeholder, or what a person sees."""
    for pattern, kind in ((_USER, TargetKind.PERSON), (_GROUP, TargetKind.GROUP)):
        match = pattern.fullmatch(inner)
        if match:
            return keys.key_for(Target(kind=kind, id=match.group(1), name=_label(match.group(2))))
    match = _CHANNEL.fullmatch(inner)
    if match:
        target = Target(kind=TargetKind.CHAT, id=match.group(1), name=_label(match.group(2)))
        return keys.key_for(target)
    match = _DATE.fullmatch(inner)
    if match:
        return unescape(match.group(1))
    match = _BROADCAST.fullmatch(inner)
    if match:
        return f"@{match.group(1)}"
    return _link(inner)


def neutral_text(text: str) -> NeutralText:
    """Slack's escaped text as placeholders, a mentions map and plain text."""
    pieces = list(_MARKUP.finditer(text))
    keys = _Placeholders(text, most=len(pieces))
    out: list[str] = []
    pos = 0
    for match in pieces:
        out.append(unescape(text[pos : match.start()]))
        out.append(_markup(match.group(1), keys))
        pos = match.end()
    out.append(unescape(text[pos:]))
    return NeutralText(text="".join(out), mentions=keys.mentions)
