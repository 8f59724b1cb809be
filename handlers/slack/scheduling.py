"""Starting the scheduler's tick next to the Slack listeners (background process, Socket Mode)."""

from __future__ import annotations

from typing import Protocol

from bot.bootstrap import App


class Running(Protocol):
    """What `scheduler.runner.start_in_background` returns."""

    def shutdown(self) -> None:
        """Stop the tick."""
        ...


def start_scheduler(app: App) -> Running:
    """Start the scheduler's background tick (imported here: only these modes need it)."""
    from scheduler.runner import start_in_background

    running: Running = start_in_background(app)
    return running
