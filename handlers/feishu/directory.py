"""What the adapter looks up on Feishu and remembers for a while: chats, people, the bot.

A chat's kind decides how a private reply is shown (an ephemeral card in a
normal group, a direct message elsewhere), and is asked for on every such
reply, so it is cached; so are people, whose names and time zones change
rarely. Entries live an hour; the cache holds a bounded number of them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from handlers.feishu.api import FeishuApi

_V = TypeVar("_V")

TTL = 3600.0
MAX_ENTRIES = 4096


@dataclass(frozen=True)
class ChatInfo:
    """A chat's kind: a normal group, a topic group, or a direct chat."""

    chat_id: str
    name: str
    mode: str  # group | topic | p2p
    threaded: bool  # every message lives in a thread (topic groups)
    external: bool = False
    # Anyone in the tenant may find and join it (else only its members see what it tracks).
    public: bool = False

    @property
    def allows_ephemeral(self) -> bool:
        """Ephemeral cards work in normal groups only (not topic groups, not direct chats)."""
        return self.mode == "group" and not self.threaded


@dataclass(frozen=True)
class Person:
    """A member of the tenant, as the adapter needs them."""

    open_id: str
    name: str
    time_zone: str | None
    department_ids: tuple[str, ...]
    leader: str | None
    is_admin: bool


class _Cache(Generic[_V]):
    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self.clock = clock
        self.entries: OrderedDict[str, tuple[float, _V]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, load: Callable[[], _V]) -> _V:
        now = self.clock()
        with self.lock:
            found = self.entries.get(key)
            if found and found[0] > now:
                self.entries.move_to_end(key)
                return found[1]
        value = load()
        with self.lock:
            self.entries[key] = (now + self.ttl, value)
            self.entries.move_to_end(key)
            while len(self.entries) > MAX_ENTRIES:
                self.entries.popitem(last=False)
        return value

    def forget(self, key: str) -> None:
        with self.lock:
            self.entries.pop(key, None)


class FeishuDirectory:
    """Cached lookups over FeishuApi (see the module docstring)."""

    def __init__(
        self, api: FeishuApi, *, ttl: float = TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.api = api
        self._chats: _Cache[ChatInfo] = _Cache(ttl, clock)
        self._people: _Cache[Person] = _Cache(ttl, clock)
        self._bot: _Cache[str] = _Cache(float("inf"), clock)

    def chat(self, chat_id: str) -> ChatInfo:
        """A chat's kind (raises FeishuError when Feishu won't say)."""
        return self._chats.get(chat_id, lambda: _chat(chat_id, self.api.chat(chat_id)))

    def person(self, open_id: str) -> Person:
        """A person's name, zone, departments and leader."""
        return self._people.get(open_id, lambda: _person(open_id, self.api.user(open_id)))

    def forget_chat(self, chat_id: str) -> None:
        """Ask again next time (the bot was added to or removed from the chat)."""
        self._chats.forget(chat_id)

    def bot_open_id(self) -> str:
        """The bot's own open_id (to recognise its mention), asked once."""
        return self._bot.get("bot", lambda: str(self.api.bot_info().get("open_id", "")))


def _chat(chat_id: str, data: dict[str, Any]) -> ChatInfo:
    mode = str(data.get("chat_mode") or "group")
    return ChatInfo(
        chat_id=chat_id,
        name=str(data.get("name") or ""),
        mode=mode,
        threaded=mode == "topic" or data.get("group_message_type") == "thread",
        external=bool(data.get("external")),
        public=data.get("chat_type") == "public",
    )


def _person(open_id: str, data: dict[str, Any]) -> Person:
    return Person(
        open_id=open_id,
        name=str(data.get("name") or data.get("en_name") or open_id),
        time_zone=data.get("time_zone") or None,
        department_ids=tuple(str(d) for d in data.get("department_ids") or ()),
        leader=data.get("leader_user_id") or None,
        is_admin=bool(data.get("is_tenant_manager")),
    )
