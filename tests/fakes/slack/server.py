"""`FakeSlack`: the workspace it keeps, its life cycle and how a test seeds it.

What the fake records and how a test waits for it is in `recordings`, the
faults it can be told to inject in `faults`, the HTTP side in `http`, and the
Web API methods in the `routes_*` modules (one per method family).
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterable
from types import TracebackType
from zoneinfo import ZoneInfo

from tests.fakes.slack import (
    routes_chat,
    routes_conversations,
    routes_files,
    routes_reactions,
    routes_team,
    routes_users,
    routes_views,
)
from tests.fakes.slack.faults import Fault, FaultInjection
from tests.fakes.slack.http import FakeSlackServer
from tests.fakes.slack.installs import Install, Installs
from tests.fakes.slack.lookup import open_dm
from tests.fakes.slack.params import JSON
from tests.fakes.slack.recordings import Recordings
from tests.fakes.slack.records import (
    Call,
    Channel,
    Ephemeral,
    Message,
    ResponsePost,
    Upload,
    User,
    Usergroup,
    ViewCall,
)

# A Web API method: runs with the fake's lock held, answers the fields after "ok".
Route = Callable[["FakeSlack", JSON], JSON]


class FakeSlack(Recordings, FaultInjection, Installs):
    """A local Slack Web API over real HTTP, with a seeded workspace and a request log."""

    def __init__(
        self,
        *,
        team_id: str = "T1",
        team_name: str = "xdept test",
        team_domain: str = "xdept-test",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        bot_name: str = "xdept",
        app_id: str = "A1",
        valid_tokens: Iterable[str] | None = None,
        ts_base: int = 1_700_000_000,
        host: str = "127.0.0.1",
        chat_interval: float = 0.0,
    ) -> None:
        self.team_id = team_id
        # Slack's pace: with an interval, a post to a channel sooner than that after the
        # previous one is answered 429 (and counted in `pace_violations`), as Slack does.
        self.chat_interval = chat_interval
        self.pace_violations: list[tuple[str, float]] = []  # (channel, gap in seconds)
        self._last_post: dict[str, float] = {}
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self.valid_tokens = set(valid_tokens) if valid_tokens is not None else None
        self._host = host
        self._ts_base = ts_base
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)
        # One re-entrant lock guards all state; the condition lets tests wait
        # for work a Bolt listener does after it has acknowledged.
        self._cond = threading.Condition(threading.RLock())
        self._server: FakeSlackServer | None = None
        self._thread: threading.Thread | None = None

        self._users: dict[str, User] = {}
        self._channels: dict[str, Channel] = {}
        self._usergroups: dict[str, Usergroup] = {}
        self._messages: list[Message] = []
        self._message_index: dict[tuple[str, str], Message] = {}
        self._ephemerals: list[Ephemeral] = []
        self._response_posts: list[ResponsePost] = []
        self._view_calls: list[ViewCall] = []
        self._views: dict[str, JSON] = {}
        self._home_views: dict[str, str] = {}
        self._uploads: dict[str, Upload] = {}
        self._calls: list[Call] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._latency: dict[str, float] = {}
        self.errors: list[BaseException] = []
        # Set by a FakeSocketMode: the ws:// URL `apps.connections.open` hands out.
        self.socket_mode_url: str | None = None
        # Teams that install the app through OAuth (installs), and the token of the call
        # being answered, so a method can tell which team it is for.
        self._installs: dict[str, Install] = {}
        self._oauth_client: tuple[str, str] | None = None
        self._revoked: set[str] = set()
        self._exchanged: set[str] = set()
        self.current_token: str | None = None

        self._methods: dict[str, Route] = {
            **routes_team.METHODS,
            **routes_chat.METHODS,
            **routes_conversations.METHODS,
            **routes_users.METHODS,
            **routes_views.METHODS,
            **routes_reactions.METHODS,
            **routes_files.METHODS,
        }
        self.add_user(bot_user_id, bot_name, is_bot=True, bot_id=bot_id)

    # ------------------------------------------------------------------ life cycle

    def start(self) -> FakeSlack:
        """Start serving on a free port in a daemon thread; returns self."""
        if self._server is not None:
            return self
        self._server = FakeSlackServer(self, self._host)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-slack-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{self._host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL, for ``WebClient(base_url=...)`` or ``SLACK_API_URL``."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "default") -> str:
        """A URL on this server that records POSTs, for a payload's ``response_url``."""
        return f"{self.base_url}/response/{name}"

    def upload_url(self, file_id: str) -> str:
        """Where the bytes of a file started with `files.getUploadURLExternal` go."""
        return f"{self.base_url}/upload/{file_id}"

    def permalink(self, channel: str, ts: str, thread_ts: str | None = None) -> str:
        """The permalink Slack would give for a message (as `chat.getPermalink` does)."""
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        if thread_ts and thread_ts != ts:
            link += f"?thread_ts={thread_ts}&cid={channel}"
        return link

    # ------------------------------------------------------------------ seeding

    def add_user(
        self,
        id: str,
        name: str,
        tz: str = "UTC",
        locale: str = "en-US",
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
        deleted: bool = False,
        bot_id: str | None = None,
    ) -> User:
        """Add (or replace) a person in the workspace."""
        ZoneInfo(tz)  # fail at seeding time, not inside a request
        user = User(
            id=id,
            name=name,
            tz=tz,
            locale=locale,
            is_admin=is_admin,
            is_owner=is_owner,
            is_bot=is_bot,
            real_name=real_name if real_name is not None else name.title(),
            display_name=display_name if display_name is not None else name,
            email=email if email is not None else f"{name}@example.com",
            deleted=deleted,
            bot_id=bot_id,
        )
        with self._cond:
            self._users[id] = user
        return user

    def add_channel(
        self,
        id: str,
        name: str,
        private: bool = False,
        members: Iterable[str] | None = None,
        bot_is_member: bool = True,
    ) -> Channel:
        """Add (or replace) a channel; `members` lists people (the bot is `bot_is_member`)."""
        channel = Channel(
            id=id,
            name=name.lstrip("#"),
            private=private,
            members=list(members) if members is not None else None,
            bot_is_member=bot_is_member,
        )
        with self._cond:
            self._channels[id] = channel
        return channel

    def archive_channel(self, id: str) -> None:
        """Archive a channel: posting to it then answers `is_archived`."""
        with self._cond:
            self._channels[id].archived = True

    def add_usergroup(
        self,
        id: str,
        handle: str,
        name: str,
        users: Iterable[str] | None = None,
        *,
        description: str = "",
    ) -> Usergroup:
        """Add (or replace) a user group."""
        group = Usergroup(
            id=id,
            handle=handle.lstrip("@"),
            name=name,
            users=list(users or []),
            description=description,
        )
        with self._cond:
            self._usergroups[id] = group
        return group

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        blocks: list[JSON] | None = None,
    ) -> Message:
        """Seed a message written by a person (for reactions, permalinks, history)."""
        with self._cond:
            message = Message(
                channel=channel,
                ts=ts or self._next_ts(),
                text=text,
                user=user,
                blocks=blocks,
                thread_ts=thread_ts,
            )
            self._store_message(message)
            return message

    def add_reaction(self, channel: str, ts: str, name: str, user: str) -> None:
        """Seed a reaction by a person on a stored message."""
        with self._cond:
            message = self._message_index[(channel, ts)]
            users = message.reactions.setdefault(name, [])
            if user not in users:
                users.append(user)

    def dm_channel(self, user_id: str) -> str:
        """The id of the bot's DM channel with a person: always ``"D" + user_id``."""
        with self._cond:
            return open_dm(self, user_id).id

    def _record_error(self, exc: BaseException) -> None:
        with self._cond:
            self.errors.append(exc)

    # ------------------------------------------------------------------ helpers (lock held)

    def _next_ts(self) -> str:
        micros = next(self._seq) * 100
        return f"{self._ts_base + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    def _store_message(self, message: Message) -> None:
        self._messages.append(message)
        self._message_index[(message.channel, message.ts)] = message
