"""How people type a command on their platform, as a neutral value the adapter hands in."""

from __future__ import annotations

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
