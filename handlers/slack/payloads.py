"""What each listener needs from a Slack payload, checked before anything is stored.

A payload that lacks a field a listener needs, or carries one of the wrong
type (a `ts` missing, a `text` that is an object, a reaction whose `item` is
a string), fails these models: the request is acknowledged, logged in one
line, and ignored. What passes is stored in the inbox as the model's own
small dict, and read back through the same model by the worker.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


def _no_nul(value: str) -> str:
    # PostgreSQL's text cannot hold NUL; the core drops the other control characters.
    return value.replace("\x00", "")


# Slack's ids, timestamps, trigger and event ids: short printable ASCII, no spaces.
Id = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
OptId = Annotated[Id | None, BeforeValidator(_blank_is_none)]
Url = Annotated[str, StringConstraints(max_length=2048, pattern=r"^https?://[\x21-\x7e]+$")]
OptUrl = Annotated[Url | None, BeforeValidator(_blank_is_none)]
Text = Annotated[str, AfterValidator(_no_nul)]


class Payload(BaseModel):
    """Strict about what it names, blind to the rest."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def parse(model: type[M], data: Any, *, what: str) -> M | None:
    """The model, or None (logged once) when `data` lacks what the listener needs."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(body)"
        log.info("ignored a %s: %s at %s", what, first["msg"], where)
        return None


class Ref(Payload):
    """`{"id": ...}`: a team, a channel."""

    id: Id


class UserRef(Payload):
    """The acting person of an interaction."""

    id: Id
    team_id: OptId = None


class SlashCommand(Payload):
    """`/xdept <text>`."""

    team_id: Id
    user_id: Id
    channel_id: OptId = None
    text: Text = ""
    response_url: OptUrl = None
    trigger_id: Id


class Action(Payload):
    """One clicked element."""

    action_id: Id
    value: Text | None = Field(default=None, max_length=2000)


class Container(Payload):
    """Where a clicked button lives."""

    channel_id: OptId = None
    message_ts: OptId = None


class Interaction(Payload):
    """What every interaction carries: who, in which team, the trigger, the response_url."""

    team: Ref | None = None
    user: UserRef
    trigger_id: Id
    response_url: OptUrl = None

    @property
    def team_id(self) -> str:
        """The team the interaction happened in."""
        return self.team.id if self.team else (self.user.team_id or "")

    @property
    def user_id(self) -> str:
        """Who acted."""
        return self.user.id


class ButtonClick(Interaction):
    """A click on one of the bot's buttons."""

    actions: list[Action] = Field(min_length=1)
    channel: Ref | None = None
    container: Container | None = None

    @property
    def action(self) -> Action:
        """The clicked button."""
        return self.actions[0]

    @property
    def channel_id(self) -> str | None:
        """The channel of the message the button is on."""
        if self.channel:
            return self.channel.id
        return self.container.channel_id if self.container else None


class ShortcutMessage(Payload):
    """The message a shortcut was used on."""

    ts: OptId = None
    text: Text = ""


class MessageShortcut(Interaction):
    """A message shortcut ("Track as request")."""

    channel: Ref | None = None
    message: ShortcutMessage | None = None
    message_ts: OptId = None

    @property
    def channel_id(self) -> str | None:
        """Where the message is."""
        return self.channel.id if self.channel else None


class ViewState(Payload):
    """A form's values, block by block."""

    values: dict[str, dict[str, dict[str, Any]]] = {}


class View(Payload):
    """A submitted form."""

    callback_id: Id
    private_metadata: str = Field(default="", max_length=3000)
    state: ViewState | None = None


class ViewSubmission(Interaction):
    """A form submitted."""

    view: View

    @property
    def values(self) -> dict[str, dict[str, dict[str, Any]]]:
        """The form's values."""
        return self.view.state.values if self.view.state else {}


class EventEnvelope(Payload):
    """An Events API callback around its event."""

    team_id: Id
    event_id: Id
    event: dict[str, Any]


class ThreadReply(Payload):
    """A person's message in a thread."""

    channel: Id
    user: Id
    ts: Id
    thread_ts: Id
    text: Text = ""


class ChangedMessage(Payload):
    """The message inside an edit or a deletion."""

    user: OptId = None
    ts: OptId = None
    thread_ts: OptId = None
    text: Text | None = None
    bot_id: OptId = None
    subtype: str | None = None


class ReplyChange(Payload):
    """An edit or a deletion of a message."""

    channel: Id
    subtype: Literal["message_changed", "message_deleted"]
    message: ChangedMessage | None = None
    previous_message: ChangedMessage | None = None
    deleted_ts: OptId = None


class ReactionItem(Payload):
    """What a reaction was added to."""

    type: Literal["message"]
    channel: Id
    ts: Id


class ReactionAdded(Payload):
    """`reaction_added`."""

    user: Id
    reaction: Id
    item: ReactionItem


class HomeOpened(Payload):
    """`app_home_opened`."""

    user: Id
    tab: str = "home"


class ChangedUser(Payload):
    """The person inside a `user_change` event (what xdept reads of it)."""

    id: Id
    deleted: bool = False


class UserChange(Payload):
    """`user_change`: a person's profile changed, or they were deactivated."""

    user: ChangedUser


class Mention(Payload):
    """`app_mention`."""

    user: Id
    channel: Id
