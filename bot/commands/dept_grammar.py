"""The `dept` subcommands: add, set, show, remove and list departments."""

from __future__ import annotations

from collections.abc import Callable

from bot.commands.errors import ErrorCode
from bot.commands.fields import MULTI_FIELDS, DeptField, FieldOp, parse_field, slug
from bot.commands.models import Command, DeptAdd, DeptList, DeptRemove, DeptSet, DeptShow
from bot.commands.scan import Reading, dept_ref, end
from bot.commands.targets import TargetKind, fold

# What `dept add` cannot do without, and how the error names it.
_REQUIRED = (
    (DeptField.CHANNEL, "#channel"),
    (DeptField.LEAD, "lead:@person"),
    (DeptField.ESCALATE, "escalate:@person"),
)


def _fields(r: Reading, *, allow_remove: bool) -> list[FieldOp]:
    """The field:value words of `dept add` / `dept set`; a bare #channel is the channel field."""
    ops: list[FieldOp] = []
    while (token := r.scan.take()) is not None:
        target = r.targets.read(token.raw)
        if target is not None and target.kind is TargetKind.CHAT:
            ops.append(FieldOp(field=DeptField.CHANNEL, value=r.shown(token.raw), target=target))
        elif fold(token.raw).startswith("#"):
            raise r.fail(
                ErrorCode.BAD_VALUE, field=DeptField.CHANNEL.value, value=r.shown(token.raw)
            )
        else:
            ops.extend(
                parse_field(token.raw, reader=r.targets, fail=r.fail, allow_remove=allow_remove)
            )
    _check_duplicates(r, ops)
    return ops


def _check_duplicates(r: Reading, ops: list[FieldOp]) -> None:
    """Fields that hold one value may be given once: which of two would win is a guess."""
    seen: set[DeptField] = set()
    for op in ops:
        if op.field in seen and op.field not in MULTI_FIELDS:
            raise r.fail(ErrorCode.DUPLICATE_FIELD, field=op.field.value)
        seen.add(op.field)


def _dept_add(r: Reading) -> Command:
    token = r.scan.take()
    if token is None:
        raise r.fail(ErrorCode.MISSING_KEY)
    key = slug(token.raw)
    if key is None:
        raise r.fail(ErrorCode.BAD_KEY, value=r.shown(token.raw))
    fields = _fields(r, allow_remove=False)
    present = {op.field for op in fields}
    for field, shown in _REQUIRED:
        if field not in present:
            raise r.fail(ErrorCode.MISSING_FIELD, field=shown)
    return DeptAdd(key=key, fields=fields)


def _dept_set(r: Reading) -> Command:
    key = dept_ref(r)
    fields = _fields(r, allow_remove=True)
    if not fields:
        raise r.fail(ErrorCode.MISSING_FIELD, field="<field>:<value>")
    return DeptSet(key=key, fields=fields)


def _dept_show(r: Reading) -> Command:
    key = dept_ref(r)
    end(r)
    return DeptShow(key=key)


def _dept_remove(r: Reading) -> Command:
    key = dept_ref(r)
    end(r)
    return DeptRemove(key=key)


def _dept_list(r: Reading) -> Command:
    end(r)
    return DeptList()


DEPT_PARSERS: dict[str, Callable[[Reading], Command]] = {
    "add": _dept_add,
    "list": _dept_list,
    "show": _dept_show,
    "set": _dept_set,
    "remove": _dept_remove,
}
