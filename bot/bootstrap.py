"""The composition root: settings, storage, messenger, core and scheduler wired in one place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.config import Settings, SlackMode
from bot.context import Context
from bot.core import Core
from bot.messages import Message
from bot.metrics import CountedDelivery
from bot.ports import ByPlatform, Messenger, Messengers, OneMessenger
from scheduler.delivery import Deliverer
from storage.db import Store

log = logging.getLogger(__name__)


@dataclass
class App:
    """Everything a process needs, built once."""

    settings: Settings
    store: Store
    messengers: Messengers
    core: Core
    deliverer: Deliverer

    def deliver(self, now: datetime) -> None:
        """Send what is queued and due as of `now`."""
        self.deliverer.deliver_pending(now=now)


def bootstrap(
    settings: Settings | None = None,
    *,
    messenger: Messenger | None = None,
    messengers: Messengers | None = None,
    messenger_factory: Callable[[Settings], Messenger] | None = None,
    store: Store | None = None,
    migrate: bool = True,
    sleep: Callable[[float], None] | None = None,
    channel_private: Callable[[str, str], bool] | None = None,
    person_locale: Callable[[str, str], str | None] | None = None,
) -> App:
    """Build the app; tests pass a store, a messenger and a sleep of their own.

    `messengers` finds each workspace's messenger (many workspaces, several platforms);
    a single `messenger` (or the factory's) speaks for every workspace.
    """
    settings = settings or Settings()
    store = store or Store.from_url(settings.sqlalchemy_url)
    if migrate:
        # Imported here: Alembic (and Mako) stay out of processes that never migrate.
        from storage.migrate import upgrade

        upgrade(store.engine)
    if messengers is None and messenger is None and messenger_factory is not None:
        messenger = messenger_factory(settings)
    if messengers is None:
        messengers = (
            OneMessenger(messenger) if messenger is not None else chat_messengers(settings, store)
        )
    # A process that really waits sends what must wait for a chat's pace from a thread of
    # its own (scheduler.pump); tests and the demo pass `sleep` and never really wait.
    deliverer = (
        Deliverer(store, messengers, settings, sleep=sleep)
        if sleep is not None
        else Deliverer(store, messengers, settings, pump=True)
    )
    core = Core(
        store=store,
        settings=settings,
        delivery=CountedDelivery(deliverer),
        summary=lambda ctx: _post_summary(store, settings, ctx),
        channel_private=channel_private,
        person_locale=person_locale,
    )
    return App(
        settings=settings, store=store, messengers=messengers, core=core, deliverer=deliverer
    )


def _post_summary(store: Store, settings: Settings, ctx: Context) -> Message:
    # Imported here: the summary draws charts, which only the processes that post need.
    from scheduler.summary import SummaryService

    return SummaryService(store, settings).post_now(ctx=ctx)


def chat_messengers(
    settings: Settings, store: Store, *, slack: Messengers | None = None
) -> Messengers:
    """Every platform's directory of messengers this server is set up for: the delivery
    asks it for each workspace's messenger, with that workspace's own credentials.

    `slack`: the Slack adapter's own directory (sharing its clients); built here otherwise.
    """
    directories: dict[str, Messengers] = {}
    if settings.slack_mode is not SlackMode.NONE:
        directories["slack"] = slack or _slack_directory(settings, store)
    return ByPlatform(directories)


def _slack_directory(settings: Settings, store: Store) -> Messengers:
    from handlers.slack.adapter import slack_teams
    from handlers.slack.clients import SlackMessengers

    return SlackMessengers(slack_teams(settings, store).clients)
