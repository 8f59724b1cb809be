"""The typed commands the /xdept grammar produces: one frozen pydantic model each.

:func:`bot.commands.parse_command` builds them; handlers and services read
them. Targets and ``when`` texts are as typed: resolving a department or a
date needs the database or the person's time zone, which the grammar has not.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.commands.fields import FieldOp
from bot.commands.targets import Target


class ListScope(StrEnum):
    """Which items `list` shows."""

    MINE = "mine"
    ASKED = "asked"
    DEPT = "dept"
    OVERDUE = "overdue"


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Ask(_Command):
    """A request to a department; `text` is as typed and still holds its due phrase."""

    name: Literal["ask"] = "ask"
    target: Target
    text: str


class Commit(_Command):
    """A commitment of my own."""

    name: Literal["commit"] = "commit"
    text: str


class Todo(_Command):
    """An action item for someone (a person target)."""

    name: Literal["todo"] = "todo"
    assignee: Target
    text: str


class ListItems(_Command):
    """A page of items in one scope; `dept` is the department as typed for the dept scope."""

    name: Literal["list"] = "list"
    scope: ListScope = ListScope.MINE
    dept: str | None = None
    page: int = 1


class Show(_Command):
    """One item in detail."""

    name: Literal["show"] = "show"
    code: str


class Ack(_Command):
    """Acknowledge an item."""

    name: Literal["ack"] = "ack"
    code: str


class Done(_Command):
    """Mark an item done."""

    name: Literal["done"] = "done"
    code: str


class Decline(_Command):
    """Decline an item, saying why."""

    name: Literal["decline"] = "decline"
    code: str
    reason: str


class Cancel(_Command):
    """Cancel an item I requested."""

    name: Literal["cancel"] = "cancel"
    code: str


class Reopen(_Command):
    """Reopen a closed item."""

    name: Literal["reopen"] = "reopen"
    code: str


class Snooze(_Command):
    """No reminders for an item until `when` (as typed)."""

    name: Literal["snooze"] = "snooze"
    code: str
    when: str


class Escalate(_Command):
    """Send an item's escalation."""

    name: Literal["escalate"] = "escalate"
    code: str


class ChangeDue(_Command):
    """Change an item's due time to `when` (as typed)."""

    name: Literal["due"] = "due"
    code: str
    when: str


class Assign(_Command):
    """Hand an item to another owner."""

    name: Literal["assign"] = "assign"
    code: str
    assignee: Target


class DeptAdd(_Command):
    """Register a department; `fields` hold at least a channel, a lead and an escalation contact."""

    name: Literal["dept_add"] = "dept_add"
    key: str
    fields: list[FieldOp]


class DeptList(_Command):
    """List the departments."""

    name: Literal["dept_list"] = "dept_list"


class DeptShow(_Command):
    """One department's settings; `key` is its key, or a name or alias as typed."""

    name: Literal["dept_show"] = "dept_show"
    key: str


class DeptSet(_Command):
    """Change a department's settings."""

    name: Literal["dept_set"] = "dept_set"
    key: str
    fields: list[FieldOp]


class DeptRemove(_Command):
    """Remove a department."""

    name: Literal["dept_remove"] = "dept_remove"
    key: str


class Away(_Command):
    """I am out of office until `when` (as typed)."""

    name: Literal["away"] = "away"
    when: str


class Back(_Command):
    """I am back."""

    name: Literal["back"] = "back"


class Export(_Command):
    """A CSV of items, optionally of one department and since `since` (as typed)."""

    name: Literal["export"] = "export"
    dept: str | None = None
    since: str | None = None


class Summary(_Command):
    """Post this week's summary now."""

    name: Literal["summary"] = "summary"


class WorkspaceField(StrEnum):
    """The settings `workspace set` accepts."""

    SUMMARY = "summary"
    TZ = "tz"
    LOCALE = "locale"
    ADMIN = "admin"


class WorkspaceOp(BaseModel):
    """One setting: its field, its normalised value (None: back to the default), its target."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: WorkspaceField
    value: str | None
    target: Target | None = None
    remove: bool = False


class WorkspaceShow(_Command):
    """The workspace's settings: its own where set, else the server's defaults."""

    name: Literal["workspace_show"] = "workspace_show"


class WorkspaceSet(_Command):
    """Change the workspace's own settings (admins only)."""

    name: Literal["workspace_set"] = "workspace_set"
    ops: list[WorkspaceOp]


class Progress(_Command):
    """A quick progress note on an item, posted in its thread (`update XD-12 <text>`)."""

    name: Literal["update"] = "update"
    code: str
    text: str


class StatusReport(_Command):
    """A four-part status; `text` holds its parts as typed (`current: ... impact: ...`),
    empty when the person wants the form (or, without forms, the template)."""

    name: Literal["status"] = "status"
    code: str
    text: str = ""


class Edit(_Command):
    """Correct an item's text (its `impact:`/`suggest:` parts too); the old text is kept."""

    name: Literal["edit"] = "edit"
    code: str
    text: str


class Move(_Command):
    """Send a request to another department."""

    name: Literal["move"] = "move"
    code: str
    target: Target


class History(_Command):
    """Every update of an item, a page at a time."""

    name: Literal["history"] = "history"
    code: str
    page: int = 1


class Language(_Command):
    """My language: "zh" or "en"."""

    name: Literal["lang"] = "lang"
    locale: Literal["zh", "en"]


class Minutes(_Command):
    """Meeting notes to turn into items: a preview, or with `confirm` the filing. `text` is
    as typed (placeholders kept) and `mentions` says what each placeholder stands for."""

    name: Literal["minutes"] = "minutes"
    text: str = ""
    confirm: bool = False
    mentions: dict[str, Target] = {}


class Help(_Command):
    """The command list, or one command's help (`topic` is canonical: "ask", "dept add")."""

    name: Literal["help"] = "help"
    topic: str | None = None


Command = Annotated[
    Ask
    | Commit
    | Todo
    | ListItems
    | Show
    | Ack
    | Done
    | Decline
    | Cancel
    | Reopen
    | Snooze
    | Escalate
    | ChangeDue
    | Assign
    | DeptAdd
    | DeptList
    | DeptShow
    | DeptSet
    | DeptRemove
    | Away
    | Back
    | Export
    | Summary
    | WorkspaceShow
    | WorkspaceSet
    | Progress
    | StatusReport
    | Edit
    | Move
    | Minutes
    | History
    | Language
    | Help,
    Field(discriminator="name"),
]
