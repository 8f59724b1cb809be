"""Targets of the /xdept grammar: who or what a command names, in a platform-neutral form.

A command names departments, people, user groups and chats in one of two ways:

- typed as plain text: ``@logistics``, ``@物流``, ``@alice``, ``#logistics``;
- picked from the platform's mention menu. The adapter puts a placeholder in
  the text (``@_user_1``) and hands over a map from each placeholder to the
  :class:`Target` it stands for (kind, platform id, display name). Platforms
  whose messages carry a mentions list arrive in this shape already; others'
  adapters build it from their own escaped forms.

The grammar only ever sees these two forms, so it knows nothing of any
platform's markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = [
    "MAX_TARGET",
    "Mentions",
    "Target",
    "TargetKind",
    "TargetReader",
    "fold",
    "read_target",
]


class TargetKind(StrEnum):
    """What a target is: a name as typed, or a resolved person, user group or chat."""

    NAME = "name"
    PERSON = "person"
    GROUP = "group"
    CHAT = "chat"


class Target(BaseModel):
    """A department, person, user group or chat named in a command (not yet looked up)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: TargetKind
    id: str | None = None  # the platform's id, when the platform resolved it
    name: str | None = None  # without the leading @ or #

    def label(self) -> str:
        """A short human form: "@logistics", "#logistics", or the platform id."""
        if self.name:
            return f"#{self.name}" if self.kind is TargetKind.CHAT else f"@{self.name}"
        if self.id:
            return f"#{self.id}" if self.kind is TargetKind.CHAT else f"@{self.id}"
        return ""


# Placeholder as it appears in the command text -> the target it stands for.
Mentions = Mapping[str, Target]

# Ids and names longer than this fit no column they are stored in, and are no real name.
MAX_TARGET = 64

# Full-width punctuation Chinese keyboards produce, read as the ASCII the grammar expects.
# One character to one character, so offsets into the folded text match the original.
_FOLD = str.maketrans({"：": ":", "，": ",", "＠": "@", "＃": "#", "\u3000": " ", "－": "-"})
_SEPARATORS = (":", ",")


def fold(text: str) -> str:
    """Read full-width ：，＠＃－ and ideographic spaces as their ASCII forms (same length)."""
    return text.translate(_FOLD)


def clean_name(raw: str | None) -> str | None:
    """A target's name without sigil or surrounding space; None when nothing is left."""
    if raw is None:
        return None
    name = fold(raw).strip().lstrip("@#").strip()
    return name or None


class TargetReader:
    """Reads targets out of command words, knowing which placeholders the adapter resolved."""

    def __init__(self, mentions: Mentions | None = None) -> None:
        self.mentions: dict[str, Target] = {}
        for key, target in (mentions or {}).items():
            if key and target.kind is not TargetKind.NAME and _fits(target):
                self.mentions[fold(key)] = target
        # Longest first, so "@_user_10" is not read as "@_user_1" followed by "0".
        self._keys = sorted(self.mentions, key=len, reverse=True)

    def placeholder(self, text: str, start: int = 0) -> str | None:
        """The placeholder at `start` of `text`, or None.

        Placeholders end in a number, so one followed by a digit is part of another word.
        """
        folded = fold(text)
        for key in self._keys:
            if folded.startswith(key, start) and not _digit_at(folded, start + len(key)):
                return key
        return None

    def read(self, raw: str) -> Target | None:
        """One whole word as a target (placeholder, @name or #name); None when it is not one."""
        text = fold(raw).strip()
        if text in self.mentions:
            return self.mentions[text]
        if text[:1] in ("@", "#"):
            name = clean_name(text[1:])
            if name is None or len(name) > MAX_TARGET or self.placeholder(text) is not None:
                return None
            kind = TargetKind.CHAT if text[0] == "#" else TargetKind.NAME
            return Target(kind=kind, name=name)
        return None

    def leading(self, raw: str) -> tuple[Target | None, int, int]:
        """The target at the start of a word: it, where it ends, and where the text after starts.

        "@物流：请帮忙" is a target and text typed without a space; a colon or comma
        right after the target separates them and belongs to neither. A placeholder
        may be followed by text directly ("@_user_1please").
        """
        folded = fold(raw)
        key = self.placeholder(folded)
        if key is not None:
            cut = len(key)
        elif folded.startswith(("@", "#")):
            cut = min((i for i, ch in enumerate(folded) if ch in _SEPARATORS), default=len(folded))
        else:
            return None, 0, 0
        after = cut + 1 if folded[cut : cut + 1] in _SEPARATORS else cut
        return self.read(raw[:cut]), cut, after

    def readable(self, text: str) -> str:
        """Free text with each placeholder shown as its target (“@alice”, “#ops”)."""
        if not self._keys:
            return text
        out: list[str] = []
        i = 0
        folded = fold(text)
        while i < len(text):
            key = self.placeholder(folded, i)
            if key is None:
                out.append(text[i])
                i += 1
                continue
            out.append(self.mentions[key].label())
            i += len(key)
        return "".join(out)


def read_target(text: str, mentions: Mentions | None = None) -> Target | None:
    """One typed target ("@物流", "#ops", or a resolved placeholder), or None."""
    return TargetReader(mentions).read(text)


def _digit_at(text: str, index: int) -> bool:
    return index < len(text) and text[index] in "0123456789"


def _fits(target: Target) -> bool:
    """A resolved target needs an id, and one that fits where ids are stored."""
    return bool(target.id) and len(target.id or "") <= MAX_TARGET
