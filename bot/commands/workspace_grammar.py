"""The `workspace` subcommands: show and set one workspace's own settings.

`workspace set summary:#channel tz:Asia/Shanghai locale:zh admin:@x -admin:@y`;
`summary:`, `tz:` and `locale:` take `default` to go back to the server's
default (XDEPT_SUMMARY_CHANNEL, XDEPT_TIMEZONE, XDEPT_LOCALE). Chinese
names work too: 工作区 设置 汇总频道:#ops 时区:Asia/Shanghai 语言:zh 管理员:@x.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from bot.commands.errors import CommandError, ErrorCode
from bot.commands.fields import DeptField, Fail, parse_field
from bot.commands.models import WorkspaceField, WorkspaceOp, WorkspaceSet, WorkspaceShow
from bot.commands.scan import Reading, end, word
from bot.commands.targets import TargetKind, fold

# The names a setting may be typed as (English and Chinese), folded.
_NAMES: dict[str, WorkspaceField] = {
    "summary": WorkspaceField.SUMMARY,
    "summary_channel": WorkspaceField.SUMMARY,
    "汇总频道": WorkspaceField.SUMMARY,
    "周报频道": WorkspaceField.SUMMARY,
    "tz": WorkspaceField.TZ,
    "timezone": WorkspaceField.TZ,
    "时区": WorkspaceField.TZ,
    "locale": WorkspaceField.LOCALE,
    "lang": WorkspaceField.LOCALE,
    "language": WorkspaceField.LOCALE,
    "语言": WorkspaceField.LOCALE,
    "admin": WorkspaceField.ADMIN,
    "admins": WorkspaceField.ADMIN,
    "管理员": WorkspaceField.ADMIN,
}
# The department field whose checks each setting shares (zone, language, person, channel).
_CHECKED_AS = {
    WorkspaceField.SUMMARY: DeptField.CHANNEL,
    WorkspaceField.TZ: DeptField.TZ,
    WorkspaceField.LOCALE: DeptField.LOCALE,
    WorkspaceField.ADMIN: DeptField.LEAD,
}
_DEFAULT_WORDS = frozenset({"default", "默认", "reset"})


def _setting(r: Reading, raw: str) -> WorkspaceOp | list[WorkspaceOp]:
    index = fold(raw).find(":")
    if index < 0:
        target = r.targets.read(raw)
        if target is not None and target.kind is TargetKind.CHAT:
            # A bare #channel is the summary channel, as in `dept add`.
            return WorkspaceOp(field=WorkspaceField.SUMMARY, value=r.shown(raw), target=target)
        raise r.fail(ErrorCode.BAD_SETTING, value=r.shown(raw))
    key, value = raw[:index], raw[index + 1 :]
    remove = fold(key).startswith("-")
    name = word(fold(key).removeprefix("-")).replace("-", "_")
    field = _NAMES.get(name)
    if field is None:
        names = [f.value for f in WorkspaceField]
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
        raise r.fail(
            ErrorCode.UNKNOWN_SETTING,
            value=key,
            closest=close[0] if close else "",
            choices=", ".join(names),
        )
    if remove and field is not WorkspaceField.ADMIN:
        raise r.fail(ErrorCode.CANNOT_REMOVE_SETTING, value=r.shown(raw))
    if field is not WorkspaceField.ADMIN and word(value) in _DEFAULT_WORDS:
        return WorkspaceOp(field=field, value=None)
    checked = _CHECKED_AS[field]
    typed = f"{'-' if remove else ''}{checked.value}:{value}"
    # The department fields' checks, with errors that name this setting.
    ops = parse_field(
        typed, reader=r.targets, fail=_renamed(r, checked, field), allow_remove=remove
    )
    return [
        WorkspaceOp(field=field, value=op.value, target=op.target, remove=op.remove) for op in ops
    ]


def _renamed(r: Reading, checked: DeptField, field: WorkspaceField) -> Fail:
    def fail(code: ErrorCode, /, **params: str) -> CommandError:
        if params.get("field") == checked.value:
            params = {**params, "field": field.value}
        return r.fail(code, **params)

    return fail


def _workspace_set(r: Reading) -> WorkspaceSet:
    ops: list[WorkspaceOp] = []
    while (token := r.scan.take()) is not None:
        found = _setting(r, token.raw)
        ops.extend(found if isinstance(found, list) else [found])
    if not ops:
        raise r.fail(ErrorCode.MISSING_FIELD, field="<setting>:<value>")
    seen: set[WorkspaceField] = set()
    for op in ops:
        if op.field in seen and op.field is not WorkspaceField.ADMIN:
            raise r.fail(ErrorCode.DUPLICATE_FIELD, field=op.field.value)
        seen.add(op.field)
    return WorkspaceSet(ops=ops)


def _workspace_show(r: Reading) -> WorkspaceShow:
    end(r)
    return WorkspaceShow()


WORKSPACE_PARSERS: dict[str, Callable[[Reading], WorkspaceSet | WorkspaceShow]] = {
    "show": _workspace_show,
    "set": _workspace_set,
}
_WORKSPACE_WORDS = {"show": "show", "set": "set", "查看": "show", "设置": "set"}


def lookup_workspace_subcommand(typed: str) -> str | None:
    """The canonical `workspace` subcommand for a folded word, or None."""
    return _WORKSPACE_WORDS.get(typed)
