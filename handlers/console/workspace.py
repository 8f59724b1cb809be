"""A local simulated workspace: people type commands, reply in threads and react; the bot answers.

It drives the real core (services, outbox, delivery) with a RecordingMessenger,
and prints the conversation with the clock, as the people in it would see it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.bootstrap import App
from bot.context import Actor, Context
from bot.domain import Reaction
from bot.messages import Message, MessageKind, plain
from handlers.console.messenger import RecordingMessenger, Sent
from handlers.console.render import message_text, without_code_marks
from handlers.console.width import WIDTH, display_width, wrap
from scheduler.runner import tick_and_deliver

# The simulated clock ticks within these hours of work days.
DAY_START, DAY_END = time(8, 0), time(19, 0)
PLATFORM = "console"
WORKSPACE = "demo"
# How a person in the simulated workspace shows each reaction.
_EMOJI = {Reaction.DONE: "✅", Reaction.ACKNOWLEDGE: "👀"}


@dataclass(frozen=True)
class Member:
    """A person in the simulated workspace."""

    user_id: str
    name: str
    timezone: str = "Asia/Shanghai"
    locale: str = "zh-CN"
    title: str = ""


class ConsoleWorkspace:
    """People, channels, a clock, and the bot; everything said is printed."""

    def __init__(
        self,
        app: App,
        messenger: RecordingMessenger,
        *,
        now: datetime,
        clock_tz: str = "Asia/Shanghai",
        out: Callable[[str], None] = print,
    ) -> None:
        self.app = app
        self.messenger = messenger
        self.now = now
        self.clock_tz = ZoneInfo(clock_tz)
        self._print = out
        self.people: dict[str, Member] = {}
        self.names: dict[str, str] = {}
        self._threads: dict[tuple[str, str], str] = {}
        # Printed before the first thing a scheduler tick says, so quiet ticks stay silent.
        self._pending_clock: str | None = None
        messenger.on_send = self._show_bot_message

    def out(self, text: str) -> None:
        """Print, each line cut to the terminal's 100 columns."""
        for line in text.split("\n"):
            for piece in wrap(line):
                self._print(piece)

    # -- set-up ---------------------------------------------------------------------------------

    def add_person(self, member: Member) -> None:
        """Someone who can type."""
        self.people[member.user_id] = member
        self.names[member.user_id] = member.name

    def add_channel(self, channel_id: str, name: str) -> None:
        """A channel (its id is shown by name)."""
        self.names[channel_id] = name
        self.names[f"D-{channel_id}"] = name

    # -- the clock ------------------------------------------------------------------------------

    def at(self, when: datetime, caption: str | None = None) -> None:
        """Move the clock forward and print it."""
        if when < self.now:
            raise ValueError("the demo clock only moves forward")
        self.now = when
        self.out("")
        self.out(self._clock_line(when, caption))

    def _clock_line(self, when: datetime, caption: str | None) -> str:
        local = when.astimezone(self.clock_tz)
        head = f"── {local:%a %Y-%m-%d %H:%M} ({self.clock_tz.key})"
        head += (f" · {caption}" if caption else "") + " "
        return head + "─" * max(0, WIDTH - display_width(head))

    # -- the scheduler --------------------------------------------------------------------------

    def tick(self, when: datetime) -> int:
        """Move the clock to `when` and run one scheduler tick and its delivery, as a server does.

        The clock is printed only when the tick has something to say; returns what it queued.
        """
        if when < self.now:
            raise ValueError("the demo clock only moves forward")
        self.now = when
        self._pending_clock = self._clock_line(when, "the scheduler's tick")
        try:
            return tick_and_deliver(self.app, now=when).tick.messages
        finally:
            self._pending_clock = None

    def let_time_pass(self, until: datetime, *, every: timedelta = timedelta(minutes=15)) -> int:
        """Tick on every `every` mark (in UTC) after now, up to and including `until`, in the
        working day only (Monday to Friday, 08:00-19:00 on the clock): reminders that fall
        outside work hours wait for them, so ticking at night would say nothing."""
        epoch = datetime(2000, 1, 1, tzinfo=UTC)
        mark = self.now + (every - (self.now - epoch) % every)
        queued = 0
        while mark <= until:
            local = mark.astimezone(self.clock_tz)
            if local.weekday() < 5 and DAY_START <= local.time() <= DAY_END:
                queued += self.tick(mark)
            mark += every
        if self.now < until:
            self.now = until
        return queued

    # -- what people do -------------------------------------------------------------------------

    def ctx(self, user_id: str, channel_id: str | None = None) -> Context:
        """The context of a person acting now."""
        m = self.people[user_id]
        actor = Actor(user_id=m.user_id, name=m.name, timezone=m.timezone, locale=m.locale)
        return Context(
            platform=PLATFORM, workspace=WORKSPACE, actor=actor, now=self.now, channel_id=channel_id
        )

    def command(self, user_id: str, channel_id: str, line: str) -> Message:
        """Someone types `/xdept <line>` in a channel; the reply is shown to them only."""
        self._say(user_id, channel_id, f"/xdept {line}")
        reply = self.app.core.run_command(self.ctx(user_id, channel_id), line)
        self.out(f"  xdept → {self.names.get(user_id, user_id)} (only you see this):")
        self.out(message_text(reply, self.names))
        return reply

    def reply_in_thread(self, user_id: str, code: str, text: str) -> None:
        """Someone replies in an item's thread."""
        item = self.app.core.items.show(ctx=self.ctx(user_id), code=code)
        assert item.channel_id and item.message_id, "the tracking message was not posted"
        self._say(user_id, item.channel_id, text, thread=code)
        channel, thread = item.channel_id, item.message_id
        self.app.core.perform(
            lambda: self.app.core.items.record_reply(
                ctx=self.ctx(user_id, channel),
                channel_id=channel,
                thread_id=thread,
                message_id=f"{self.now.timestamp():.6f}",
                text=text,
            ),
            now=self.now,
        )

    def react(self, user_id: str, code: str, reaction: Reaction) -> None:
        """Someone reacts to an item's tracking message (✅ for done, 👀 to acknowledge)."""
        item = self.app.core.items.show(ctx=self.ctx(user_id), code=code)
        assert item.channel_id and item.message_id
        emoji = _EMOJI[reaction]
        self.out(
            f"  {self._who(user_id)} reacted {emoji} to {code} "
            f"in #{self.names.get(item.channel_id, item.channel_id)}"
        )
        channel, message = item.channel_id, item.message_id
        outcome = self.app.core.perform(
            lambda: self.app.core.items.react(
                ctx=self.ctx(user_id, channel),
                channel_id=channel,
                message_id=message,
                reaction=reaction,
            ),
            now=self.now,
        )
        if outcome.refused:
            self.out(f"  xdept → {self.names.get(user_id, user_id)} (only you see this):")
            self.out("    ⚠️ " + without_code_marks(outcome.refused))

    # -- printing -------------------------------------------------------------------------------

    def _who(self, user_id: str) -> str:
        m = self.people.get(user_id)
        return f"{m.name}{f' ({m.title})' if m and m.title else ''}" if m else user_id

    def _say(self, user_id: str, channel_id: str, text: str, *, thread: str | None = None) -> None:
        where = f"#{self.names.get(channel_id, channel_id)}" + (
            f" › thread of {thread}" if thread else ""
        )
        self.out(f"  {self._who(user_id)} in {where}:")
        for line in text.splitlines():
            self.out(f"    {line}")

    def _show_bot_message(self, sent: Sent) -> None:
        names = self.names
        if self._pending_clock is not None:
            self.out("")
            self.out(self._pending_clock)
            self._pending_clock = None
        self._learn_thread(sent)
        if sent.action == "post":
            where = f"#{names.get(sent.chat, sent.chat)}"
            if sent.thread_id:
                code = self._code_for_thread(sent.chat, sent.thread_id)
                where += f" › thread of {code}" if code else " › thread"
            self.out(f"  xdept in {where}:")
        elif sent.action == "update":
            self.out(f"  xdept edited its message in #{names.get(sent.chat, sent.chat)}:")
        elif sent.action == "dm":
            self.out(f"  xdept → {names.get(sent.user or '', sent.user)} (direct message):")
        elif sent.action == "upload":
            self.out(f"  xdept shared a file {sent.filename} ({len(sent.content or b'')} bytes)")
            return
        else:
            self.out(f"  xdept ({sent.action}) in {sent.chat}:")
        if sent.message is not None:
            self.out(message_text(sent.message, names))

    def _code_for_thread(self, channel: str, thread_id: str) -> str | None:
        return self._threads.get((channel, thread_id))

    def _learn_thread(self, sent: Sent) -> None:
        """Remember which item or stand-up a top-level post starts, to label its thread."""
        if sent.message is None or sent.thread_id or sent.message_id is None:
            return
        if sent.message.kind is MessageKind.TRACKING:
            found = re.search(r"XD-\d+", plain(sent.message.title))
            if found:
                self._threads[(sent.chat, sent.message_id)] = found.group(0)
        elif sent.message.kind is MessageKind.STANDUP:
            self._threads[(sent.chat, sent.message_id)] = "stand-up"
