"""What a test reads back from `FakeSlack`, and how it waits for work done after an ack."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from tests.fakes.slack.faults import Fault
from tests.fakes.slack.params import JSON
from tests.fakes.slack.records import Call, Ephemeral, Message, ResponsePost, Upload, ViewCall

_T = TypeVar("_T")


class Recordings:
    """`FakeSlack`'s records: every request, message, view and upload, and waits on them."""

    _cond: threading.Condition
    _calls: list[Call]
    _messages: list[Message]
    _message_index: dict[tuple[str, str], Message]
    _ephemerals: list[Ephemeral]
    _response_posts: list[ResponsePost]
    _view_calls: list[ViewCall]
    _views: dict[str, JSON]
    _home_views: dict[str, str]
    _uploads: dict[str, Upload]
    _faults: dict[str, deque[Fault]]
    _latency: dict[str, float]

    @property
    def calls(self) -> list[Call]:
        """Every request received, in arrival order (a copy)."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """The requests for one API method (or `response_url` / `upload`), in order."""
        with self._cond:
            return [call for call in self._calls if call.method == method]

    def messages(
        self,
        channel: str | None = None,
        *,
        thread_ts: str | None = None,
        include_deleted: bool = False,
        include_seeded: bool = False,
    ) -> list[Message]:
        """Messages the bot posted, in order; optionally in one channel or one thread.

        `thread_ts` selects the thread's parent and its replies. Seeded messages
        (`add_message`) are left out unless `include_seeded`.
        """
        with self._cond:
            found = []
            for message in self._messages:
                if channel is not None and message.channel != channel:
                    continue
                if thread_ts is not None and thread_ts not in (message.ts, message.thread_ts):
                    continue
                if message.deleted and not include_deleted:
                    continue
                if message.bot_id is None and not include_seeded:
                    continue
                found.append(message)
            return found

    def message(self, channel: str, ts: str) -> Message | None:
        """The stored message at (channel, ts), bot's or seeded, or None."""
        with self._cond:
            return self._message_index.get((channel, ts))

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """The replies (by anyone, not the parent) in a thread, oldest first."""
        with self._cond:
            return [
                m
                for m in self._messages
                if m.channel == channel
                and m.thread_ts == thread_ts
                and m.ts != thread_ts
                and not m.deleted
            ]

    @property
    def ephemerals(self) -> list[Ephemeral]:
        """Ephemeral messages posted, in order (a copy)."""
        with self._cond:
            return list(self._ephemerals)

    def ephemerals_to(self, user: str) -> list[Ephemeral]:
        """Ephemeral messages shown to one person, in order."""
        with self._cond:
            return [e for e in self._ephemerals if e.user == user]

    def response_posts(self, name: str | None = None) -> list[ResponsePost]:
        """Posts to `response_url(name)` (all names when None), in order."""
        with self._cond:
            return [p for p in self._response_posts if name is None or p.name == name]

    @property
    def views(self) -> list[ViewCall]:
        """Successful views.open / push / update / publish calls, in order (a copy)."""
        with self._cond:
            return list(self._view_calls)

    def view(self, view_id: str) -> JSON | None:
        """The current state of a view by id."""
        with self._cond:
            return self._views.get(view_id)

    def home_view(self, user_id: str) -> JSON | None:
        """The Home tab last published for a person."""
        with self._cond:
            view_id = self._home_views.get(user_id)
            return self._views.get(view_id) if view_id else None

    @property
    def uploads(self) -> list[Upload]:
        """Files started with `files.getUploadURLExternal`, in order (a copy)."""
        with self._cond:
            return list(self._uploads.values())

    def reset_calls(self) -> None:
        """Forget the recorded requests (workspace state and other records stay)."""
        with self._cond:
            self._calls.clear()

    def reset_records(self) -> None:
        """Forget requests, messages, ephemerals, response posts, views, uploads and faults."""
        with self._cond:
            self._calls.clear()
            self._messages.clear()
            self._message_index.clear()
            self._ephemerals.clear()
            self._response_posts.clear()
            self._view_calls.clear()
            self._views.clear()
            self._home_views.clear()
            self._uploads.clear()
            self._faults.clear()
            self._latency.clear()

    # ------------------------------------------------------------------ waiting

    def wait_until(
        self, predicate: Callable[[], bool], *, timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Block until `predicate()` holds (it is re-checked on every request); else fail."""
        with self._cond:
            if not self._cond.wait_for(predicate, timeout=timeout):
                raise AssertionError(f"FakeSlack: timed out after {timeout}s waiting for {what}")

    def _wait_for(
        self, found: Callable[[], list[_T]], count: int, timeout: float, what: str
    ) -> list[_T]:
        """Wait until `found()` holds `count` records; return them (read under the lock)."""
        self.wait_until(lambda: len(found()) >= count, timeout=timeout, what=what)
        with self._cond:
            return found()

    def wait_for_calls(self, method: str, count: int = 1, *, timeout: float = 5.0) -> list[Call]:
        """Wait until `count` requests to `method` have been answered; return them all."""
        return self._wait_for(
            lambda: [c for c in self._calls if c.method == method and c.status is not None],
            count,
            timeout,
            f"{count} answered call(s) to {method}",
        )

    def wait_for_messages(
        self, channel: str | None = None, count: int = 1, *, timeout: float = 5.0
    ) -> list[Message]:
        """Wait until the bot has posted `count` messages (in `channel`); return them."""
        return self._wait_for(
            lambda: self.messages(channel),
            count,
            timeout,
            f"{count} message(s) in {channel or 'any channel'}",
        )

    def wait_for_ephemerals(
        self, user: str | None = None, count: int = 1, *, timeout: float = 5.0
    ) -> list[Ephemeral]:
        """Wait until `count` ephemeral messages (to `user`) were posted; return them."""
        return self._wait_for(
            lambda: [e for e in self._ephemerals if user is None or e.user == user],
            count,
            timeout,
            f"{count} ephemeral(s) to {user or 'anyone'}",
        )

    def wait_for_response_posts(
        self, name: str | None = None, count: int = 1, *, timeout: float = 5.0
    ) -> list[ResponsePost]:
        """Wait until `count` posts reached `response_url(name)`; return them."""
        return self._wait_for(
            lambda: self.response_posts(name),
            count,
            timeout,
            f"{count} post(s) to response_url {name or '(any)'}",
        )

    def wait_for_views(
        self, method: str | None = None, count: int = 1, *, timeout: float = 5.0
    ) -> list[ViewCall]:
        """Wait until `count` view calls (of `method`) succeeded; return them."""
        return self._wait_for(
            lambda: [v for v in self._view_calls if method is None or v.method == method],
            count,
            timeout,
            f"{count} view call(s) {method or ''}",
        )
