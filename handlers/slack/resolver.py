"""Slack ids to plain values: who a person is (zone, language, admin), their groups, channels.

Every answer is cached for a while: a person's zone or groups change rarely,
and a busy channel must not cost a `users.info` per message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.commands import CommandStyle
from bot.context import Actor, Context

log = logging.getLogger(__name__)

PLATFORM = "slack"
USER_TTL = 15 * 60.0
GROUPS_TTL = 5 * 60.0
CHANNEL_TTL = 60 * 60.0
# After a failed lookup, try again this soon rather than on every request.
FAILURE_TTL = 30.0

K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """A small thread-safe cache whose entries expire."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._data: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The live value, or None."""
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                return None
            if hit[0] <= self._clock():
                del self._data[key]
                return None
            return hit[1]

    def put(self, key: K, value: V, ttl: float) -> V:
        """Store a value for `ttl` seconds."""
        with self._lock:
            self._data[key] = (self._clock() + ttl, value)
        return value

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()


_LOOKUP_ERRORS = (SlackApiError, SlackClientError, URLError, OSError)


ClientFor = Callable[[str], WebClient]


class Resolver:
    """Resolves Slack users, user groups and channels through the Web API, with caches.

    Each lookup goes through the client of the team it is about (`client_for`), and
    the caches are kept per team: nothing one team's token saw answers for another.
    """

    def __init__(
        self,
        client_for: WebClient | ClientFor,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if isinstance(client_for, WebClient):
            one = client_for
            self.client_for: ClientFor = lambda _team: one
        else:
            self.client_for = client_for
        self._now = now
        self._users: TTLCache[tuple[str, str], Actor] = TTLCache(clock)
        self._groups: TTLCache[str, dict[str, frozenset[str]]] = TTLCache(clock)
        self._private: TTLCache[tuple[str, str], bool] = TTLCache(clock)

    def actor(self, team_id: str, user_id: str) -> Actor:
        """The person with zone, language, admin flag, bot flag, name and user groups."""
        cached = self._users.get((team_id, user_id))
        if cached is not None:
            return cached
        try:
            client = self.client_for(team_id)
            user: dict[str, Any] = client.users_info(user=user_id, include_locale=True)["user"]
        except _LOOKUP_ERRORS as exc:
            # The person can still act; dates fall back to the workspace zone.
            log.warning("users.info failed for %s in %s: %s", user_id, team_id, exc)
            return self._users.put((team_id, user_id), Actor(user_id=user_id), FAILURE_TTL)
        profile = user.get("profile") or {}
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
        )
        actor = Actor(
            user_id=user_id,
            name=name or None,
            timezone=user.get("tz") or None,
            locale=user.get("locale") or None,
            is_admin=bool(
                user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
            ),
            is_bot=bool(user.get("is_bot") or user.get("is_app_user")),
            usergroups=self.groups_of(team_id, user_id),
        )
        return self._users.put((team_id, user_id), actor, USER_TTL)

    def groups_of(self, team_id: str, user_id: str) -> frozenset[str]:
        """The ids of the user groups a person is in."""
        members = self._groups.get(team_id)
        if members is None:
            members = self._load_groups(team_id)
        return members.get(user_id, frozenset())

    def _load_groups(self, team_id: str) -> dict[str, frozenset[str]]:
        try:
            client = self.client_for(team_id)
            groups = client.usergroups_list(include_users=True).get("usergroups") or []
        except _LOOKUP_ERRORS as exc:
            log.warning("usergroups.list failed in %s: %s", team_id, exc)
            return self._groups.put(team_id, {}, FAILURE_TTL)
        by_user: dict[str, set[str]] = {}
        for group in groups:
            users = group.get("users")
            if users is None:  # some answers leave the members out: ask for them
                users = self._group_users(client, str(group.get("id")))
            for user in users:
                by_user.setdefault(str(user), set()).add(str(group.get("id")))
        frozen = {user: frozenset(ids) for user, ids in by_user.items()}
        return self._groups.put(team_id, frozen, GROUPS_TTL)

    def _group_users(self, client: WebClient, group_id: str) -> list[str]:
        try:
            return list(client.usergroups_users_list(usergroup=group_id).get("users") or [])
        except _LOOKUP_ERRORS as exc:
            log.warning("usergroups.users.list failed for %s: %s", group_id, exc)
            return []

    def channel_private(self, team_id: str, channel_id: str) -> bool:
        """Whether a channel is private; one the bot cannot see is taken as private."""
        if not channel_id or channel_id[0] not in "CG":
            return False
        cached = self._private.get((team_id, channel_id))
        if cached is not None:
            return cached
        try:
            client = self.client_for(team_id)
            channel = client.conversations_info(channel=channel_id)["channel"]
        except SlackApiError as exc:
            if exc.response.get("error") == "channel_not_found":
                return self._private.put((team_id, channel_id), True, CHANNEL_TTL)
            log.warning("conversations.info failed for %s: %s", channel_id, exc)
            return False
        except (SlackClientError, URLError, OSError) as exc:
            log.warning("conversations.info failed for %s: %s", channel_id, exc)
            return False
        private = bool(channel.get("is_private") or channel.get("is_group"))
        return self._private.put((team_id, channel_id), private, CHANNEL_TTL)

    def context(self, *, team_id: str, user_id: str, channel_id: str | None = None) -> Context:
        """A use case's frame for a person acting now."""
        return Context(
            platform=PLATFORM,
            workspace=team_id,
            actor=self.actor(team_id, user_id),
            now=self._now(),
            channel_id=channel_id,
            command_style=CommandStyle.SLASH,
        )
