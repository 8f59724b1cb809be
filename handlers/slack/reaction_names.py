"""Slack's reaction names as the core's neutral intents: ✅ marks done, 👀 acknowledges."""

from __future__ import annotations

from bot.domain import Reaction

DONE_NAMES = frozenset({"white_check_mark", "heavy_check_mark", "ballot_box_with_check"})
ACKNOWLEDGE_NAMES = frozenset({"eyes"})


def reaction_intent(name: str) -> Reaction | None:
    """What a reaction means ("eyes", "white_check_mark::skin-tone-3"), or None for the rest."""
    # A skin tone is a suffix ("::skin-tone-2") and changes nothing of the meaning.
    base = name.split("::", 1)[0].strip().lower()
    if base in DONE_NAMES:
        return Reaction.DONE
    if base in ACKNOWLEDGE_NAMES:
        return Reaction.ACKNOWLEDGE
    return None
