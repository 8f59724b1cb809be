"""Who a reminder mentions: the owner, or the department's leads; people away are skipped."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def present(user_ids: Sequence[str], is_away: Callable[[str], bool]) -> list[str]:
    """The people among these who are not away, in order, without repeats."""
    seen: list[str] = []
    for user_id in user_ids:
        if user_id not in seen and not is_away(user_id):
            seen.append(user_id)
    return seen


def leads_to_tell(leads: Sequence[str], is_away: Callable[[str], bool]) -> list[str]:
    """The leads who are in; if every lead is away, all of them, so someone is told."""
    return present(leads, is_away) or list(dict.fromkeys(leads))


def owner_or_leads(
    owner: str | None, leads: Sequence[str], is_away: Callable[[str], bool]
) -> list[str]:
    """The owner, unless there is none or they are away; then the leads who are in."""
    if owner is not None and not is_away(owner):
        return [owner]
    told = leads_to_tell(leads, is_away)
    if told:
        return told
    # Nobody else to tell (an away owner without a department): the owner, for when they return.
    return [owner] if owner is not None else []
