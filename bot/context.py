"""Who is acting, where and when: the input every use case takes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum


class CommandStyle(StrEnum):
    """The way a command reaches the bot; help, usage and hints show commands this way."""

    # A registered command typed as its own word: "/xdept ask ...".
    SLASH = "slash"
    # The bot mentioned at the start of a chat message: "@xdept ask ...".
    MENTION = "mention"

    @property
    def prefix(self) -> str:
        """What goes before a subcommand ("/xdept", "@xdept")."""
        return "@xdept" if self is CommandStyle.MENTION else "/xdept"

    def line(self, subcommand: str) -> str:
        """A whole command as a person types it: "/xdept ask @dept <text>"."""
        return f"{self.prefix} {subcommand}".rstrip()


@dataclass(frozen=True)
class Actor:
    """A person as the platform reports them (platform ids, zone, language, admin flag)."""

    user_id: str
    name: str | None = None
    timezone: str | None = None
    locale: str | None = None
    is_admin: bool = False
    is_bot: bool = False
    usergroups: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Context:
    """One use case's frame: platform, workspace, actor, channel and the instant `now`."""

    platform: str
    workspace: str
    actor: Actor
    now: datetime
    channel_id: str | None = None
    channel_private: bool = False
    # How the actor types commands on their platform; hints and help show commands this way.
    command_style: CommandStyle = CommandStyle.SLASH

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("Context.now must be timezone-aware")

    def at(self, now: datetime) -> Context:
        """The same frame at another instant."""
        return replace(self, now=now)

    def as_actor(self, actor: Actor) -> Context:
        """The same frame for another person."""
        return replace(self, actor=actor)
