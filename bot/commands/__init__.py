"""The /xdept command: its grammar, typed commands, targets, errors and help text.

:func:`parse_command` turns command text (with the placeholders the platform's
adapter resolved) into one of the typed commands in :mod:`bot.commands.models`.
"""

from __future__ import annotations

from bot.commands.errors import CommandError, ErrorCode
from bot.commands.fields import DeptField, FieldOp
from bot.commands.grammar import parse_command, subcommand_of
from bot.commands.help import help_text
from bot.commands.models import (
    Ack,
    Ask,
    Assign,
    Away,
    Back,
    Cancel,
    ChangeDue,
    Command,
    Commit,
    Decline,
    DeptAdd,
    DeptList,
    DeptRemove,
    DeptSet,
    DeptShow,
    Done,
    Edit,
    Escalate,
    Export,
    Help,
    History,
    Language,
    ListItems,
    ListScope,
    Minutes,
    Move,
    Progress,
    Reopen,
    Show,
    Snooze,
    StatusReport,
    Summary,
    Todo,
    WorkspaceField,
    WorkspaceOp,
    WorkspaceSet,
    WorkspaceShow,
)
from bot.commands.scan import normalize_code
from bot.commands.targets import Mentions, Target, TargetKind, read_target
from bot.commands.words import USAGE
from bot.context import CommandStyle

__all__ = [
    "USAGE",
    "Ack",
    "Ask",
    "Assign",
    "Away",
    "Back",
    "Cancel",
    "ChangeDue",
    "Command",
    "CommandError",
    "CommandStyle",
    "Commit",
    "Decline",
    "DeptAdd",
    "DeptField",
    "DeptList",
    "DeptRemove",
    "DeptSet",
    "DeptShow",
    "Done",
    "ErrorCode",
    "Escalate",
    "Export",
    "FieldOp",
    "Edit",
    "Help",
    "History",
    "Language",
    "Minutes",
    "Move",
    "Progress",
    "StatusReport",
    "ListItems",
    "ListScope",
    "Mentions",
    "Reopen",
    "Show",
    "Snooze",
    "Summary",
    "Target",
    "TargetKind",
    "Todo",
    "WorkspaceField",
    "WorkspaceOp",
    "WorkspaceSet",
    "WorkspaceShow",
    "help_text",
    "normalize_code",
    "parse_command",
    "subcommand_of",
    "read_target",
]
