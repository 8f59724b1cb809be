"""The /xdept grammar: command text in, a typed command (pydantic) or a CommandError out.

The grammar is pure: no database, no clock, no chat platform. It does not
resolve departments or read dates; it hands the service layer the targets as
written (:class:`Target`) and the ``when`` text as typed, because both need
the database or the person's time zone.

Reading rules
-------------
- The first word picks the subcommand, in any case, in English or Chinese
  (请求 = ask...). A Chinese subcommand may be glued to what follows
  ("完成XD-12", "请求@物流 ...").
- Full-width ``：``, ``，``, ``＠``, ``＃``, ``－`` and ideographic spaces read as
  their ASCII forms wherever the grammar looks for structure. Free text
  (request text, reasons, ``when``) is kept exactly as typed, except that
  Slack's ``&lt;``, ``&gt;`` and ``&amp;`` are decoded.
- Slack markup (``<@U1|alice>``, ``<https://x|a link>``) is one word even
  when its label has spaces; department values may be quoted
  (``name:"Logistics Team"``).
- Anything that cannot be read raises :class:`CommandError`, never another
  exception, and the error quotes what it could not read.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from bot.command_fields import (
    MULTI_FIELDS,
    DeptField,
    FieldOp,
    Target,
    TargetKind,
    fold,
    parse_field,
    parse_target,
    slug,
    unescape,
)
from bot.command_models import (
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
    Escalate,
    Export,
    Help,
    ListItems,
    ListScope,
    Reopen,
    Show,
    Snooze,
    Summary,
    Todo,
)
from bot.command_text import (
    DEPT_SUBCOMMANDS,
    SUBCOMMANDS,
    USAGE,
    CommandError,
    ErrorCode,
    help_text,
    lookup_dept_subcommand,
    lookup_subcommand,
    usage_lines,
)

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
    "Help",
    "ListItems",
    "ListScope",
    "Reopen",
    "Show",
    "Snooze",
    "Summary",
    "Target",
    "TargetKind",
    "Todo",
    "help_text",
    "normalize_code",
    "parse_command",
]


# --------------------------------------------------------------------------- scanning

# One word: Slack markup <...> and quoted values stay whole even with spaces inside.
_TOKEN = re.compile(r'(?:<[^<>\n]*>|"[^"\n]*"|“[^”\n]*”|\S)+')


@dataclass(frozen=True)
class _Token:
    raw: str
    start: int
    end: int


class _Scanner:
    """Words of the command with their offsets, so free text is sliced from the original."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.pos = 0

    def peek(self) -> _Token | None:
        match = _TOKEN.search(self.src, self.pos)
        return _Token(match.group(), match.start(), match.end()) if match else None

    def take(self) -> _Token | None:
        token = self.peek()
        if token is not None:
            self.pos = token.end
        return token

    def rest(self) -> str:
        text = self.src[self.pos :].strip()
        self.pos = len(self.src)
        return text


@dataclass
class _Ctx:
    scan: _Scanner
    usage: tuple[str, ...]

    def fail(self, code: ErrorCode, /, **params: str) -> CommandError:
        """An error about this command: quotes the whole input and shows its usage."""
        return CommandError(code, usage=self.usage, input=self.scan.src.strip(), **params)


def _word(raw: str) -> str:
    """A keyword as compared: full-width folded, compatibility-normalised, case-free."""
    return unicodedata.normalize("NFKC", fold(raw)).strip().casefold()


# --------------------------------------------------------------------------- pieces

_DEPT_KINDS = frozenset({TargetKind.NAME, TargetKind.USERGROUP, TargetKind.CHANNEL})
_PERSON_KINDS = frozenset({TargetKind.NAME, TargetKind.USER})
_CODE = re.compile(r"#?(?:XD\s*[-_#]?\s*)?0*([1-9][0-9]{0,8})")
_SEPARATORS = (":", ",")


def _code_of(text: str) -> str | None:
    match = _CODE.fullmatch(unicodedata.normalize("NFKC", text).strip().upper())
    return f"XD-{int(match.group(1))}" if match else None


def normalize_code(text: str) -> str:
    """Read an item code ("xd-12", "XD12", "12", "#12", "ＸＤ－１２") as "XD-12"."""
    code = _code_of(text)
    if code is None:
        raise CommandError(ErrorCode.BAD_CODE, usage=(USAGE["show"],), value=text, input=text)
    return code


def _leading_target(token: _Token) -> tuple[Target | None, int, str]:
    """The target at the start of a word, where the text after it starts, and its raw form.

    "@物流：请帮忙" is a target and text typed without a space; a colon or comma
    right after the target separates them and belongs to neither.
    """
    folded = fold(token.raw)
    if folded.startswith("<"):
        close = folded.find(">")
        cut = len(folded) if close < 0 else close + 1
    elif folded.startswith(("@", "#")):
        cut = min((i for i, ch in enumerate(folded) if ch in _SEPARATORS), default=len(folded))
    else:
        return None, token.end, token.raw
    after = cut + 1 if folded[cut : cut + 1] in _SEPARATORS else cut
    head = token.raw[:cut]
    return parse_target(head), token.start + after, head


def _check_kind(
    ctx: _Ctx, target: Target, raw: str, kinds: frozenset[TargetKind], wanted: str
) -> None:
    if target.kind not in kinds:
        raise ctx.fail(
            ErrorCode.WRONG_TARGET_KIND, value=raw, wanted=wanted, actual=target.kind.value
        )


def _text(ctx: _Ctx, what: str) -> str:
    text = ctx.scan.rest()
    if not text:
        raise ctx.fail(ErrorCode.MISSING_TEXT, what=what)
    return unescape(text)


def _target_and_text(
    ctx: _Ctx, kinds: frozenset[TargetKind], *, wanted: str, what: str
) -> tuple[Target, str]:
    token = ctx.scan.take()
    if token is None:
        raise ctx.fail(ErrorCode.MISSING_TARGET, wanted=wanted)
    target, after, raw = _leading_target(token)
    if target is None:
        # "ask please help" forgot the target; "ask @" or "ask <!here>" wrote a bad one.
        sigil = fold(token.raw)[:1] in ("@", "#", "<")
        code = ErrorCode.BAD_TARGET if sigil else ErrorCode.MISSING_TARGET
        raise ctx.fail(code, value=raw, wanted=wanted)
    _check_kind(ctx, target, raw, kinds, wanted)
    ctx.scan.pos = after
    return target, _text(ctx, what)


def _code(ctx: _Ctx) -> str:
    token = ctx.scan.take()
    if token is None:
        raise ctx.fail(ErrorCode.MISSING_CODE)
    code = _code_of(token.raw)
    following = ctx.scan.peek()
    if code is None and _word(token.raw) in ("xd", "#xd") and following is not None:
        # "XD 12": the prefix and the number as two words.
        code = _code_of(token.raw + following.raw)
        if code is not None:
            ctx.scan.take()
    if code is None:
        raise ctx.fail(ErrorCode.BAD_CODE, value=token.raw)
    return code


def _end(ctx: _Ctx) -> None:
    token = ctx.scan.take()
    if token is not None:
        raise ctx.fail(ErrorCode.UNEXPECTED_ARGUMENT, value=token.raw)


def _when(ctx: _Ctx) -> str:
    when = ctx.scan.rest()
    if not when:
        raise ctx.fail(ErrorCode.MISSING_WHEN)
    return unescape(when)


def _person(ctx: _Ctx) -> Target:
    token = ctx.scan.take()
    if token is not None and _word(token.raw) in ("to", "给"):
        token = ctx.scan.take()
    if token is None:
        raise ctx.fail(ErrorCode.MISSING_TARGET, wanted="person")
    target = parse_target(token.raw)
    if target is None:
        raise ctx.fail(ErrorCode.BAD_TARGET, value=token.raw, wanted="person")
    _check_kind(ctx, target, token.raw, _PERSON_KINDS, "person")
    return target


def _dept_ref(ctx: _Ctx) -> str:
    """A department as typed after `list dept`, `dept show`...: its key, name or alias."""
    token = ctx.scan.take()
    if token is None:
        raise ctx.fail(ErrorCode.MISSING_KEY)
    target = parse_target(token.raw)
    if target is None:
        name = unescape(fold(token.raw)).strip()
    elif target.kind is TargetKind.USER:
        raise ctx.fail(
            ErrorCode.WRONG_TARGET_KIND, value=token.raw, wanted="department", actual="user"
        )
    elif target.name is None:
        return target.id or token.raw  # a platform id keeps its case
    else:
        name = target.name
    # Keys are lowercase slugs; an alias such as 物流 is passed on as typed.
    return slug(name) or name


# --------------------------------------------------------------------------- subcommands


def _ask(ctx: _Ctx) -> Command:
    target, text = _target_and_text(ctx, _DEPT_KINDS, wanted="department", what="request")
    return Ask(target=target, text=text)


def _commit(ctx: _Ctx) -> Command:
    return Commit(text=_text(ctx, "commitment"))


def _todo(ctx: _Ctx) -> Command:
    assignee, text = _target_and_text(ctx, _PERSON_KINDS, wanted="person", what="action")
    return Todo(assignee=assignee, text=text)


_SCOPES: dict[str, ListScope] = {
    "mine": ListScope.MINE, "my": ListScope.MINE, "我的": ListScope.MINE,
    "asked": ListScope.ASKED, "我发起的": ListScope.ASKED, "我提的": ListScope.ASKED,
    "dept": ListScope.DEPT, "部门": ListScope.DEPT,
    "overdue": ListScope.OVERDUE, "逾期": ListScope.OVERDUE, "已逾期": ListScope.OVERDUE,
}  # fmt: skip
_PAGE_WORDS = frozenset({"page", "p", "pg", "页"})
_PAGE_INLINE = re.compile(r"(?:page|pg|p)[:#]?(\d+)|第?(\d+)页|(\d+)")
_PAGE_DIGITS = re.compile(r"[0-9]{1,6}")
_MAX_PAGE = 100_000


def _page_number(ctx: _Ctx, raw: str, digits: str) -> int:
    number = int(digits) if _PAGE_DIGITS.fullmatch(digits) else 0
    if not 1 <= number <= _MAX_PAGE:
        raise ctx.fail(ErrorCode.BAD_PAGE, value=raw)
    return number


def _page(ctx: _Ctx, token: _Token) -> int | None:
    """The page a word asks for ("p2", "page 2", "第2页"), or None when it is no page word."""
    word = _word(token.raw)
    inline = _PAGE_INLINE.fullmatch(word)
    if inline:
        digits = next(group for group in inline.groups() if group is not None)
        return _page_number(ctx, token.raw, digits)
    if word not in _PAGE_WORDS:
        return None
    number = ctx.scan.take()
    if number is None:
        raise ctx.fail(ErrorCode.BAD_PAGE, value=token.raw)
    return _page_number(ctx, f"{token.raw} {number.raw}", _word(number.raw))


def _list(ctx: _Ctx) -> Command:
    scope, dept, page = ListScope.MINE, None, 1
    token = ctx.scan.take()
    has_scope = token is not None and _word(token.raw) in _SCOPES
    if has_scope and token is not None:
        scope = _SCOPES[_word(token.raw)]
        dept = _dept_ref(ctx) if scope is ListScope.DEPT else None
        token = ctx.scan.take()
    if token is not None:
        found = _page(ctx, token)
        if found is None:
            # An unknown first word is most likely a mistyped scope.
            code = ErrorCode.UNEXPECTED_ARGUMENT if has_scope else ErrorCode.BAD_SCOPE
            raise ctx.fail(code, value=token.raw)
        page = found
    _end(ctx)
    return ListItems(scope=scope, dept=dept, page=page)


def _code_only(model: type[Show | Ack | Done | Cancel | Reopen | Escalate]) -> _Parser:
    """A parser for subcommands that take one item code and nothing else."""

    def parse(ctx: _Ctx) -> Command:
        code = _code(ctx)
        _end(ctx)
        return model(code=code)

    return parse


def _decline(ctx: _Ctx) -> Command:
    code = _code(ctx)
    reason = ctx.scan.rest()
    if not reason:
        raise ctx.fail(ErrorCode.MISSING_REASON)
    return Decline(code=code, reason=unescape(reason))


def _snooze(ctx: _Ctx) -> Command:
    code = _code(ctx)
    return Snooze(code=code, when=_when(ctx))


def _due(ctx: _Ctx) -> Command:
    code = _code(ctx)
    return ChangeDue(code=code, when=_when(ctx))


def _assign(ctx: _Ctx) -> Command:
    code = _code(ctx)
    assignee = _person(ctx)
    _end(ctx)
    return Assign(code=code, assignee=assignee)


def _away(ctx: _Ctx) -> Command:
    return Away(when=_when(ctx))


def _back(ctx: _Ctx) -> Command:
    _end(ctx)
    return Back()


def _summary(ctx: _Ctx) -> Command:
    _end(ctx)
    return Summary()


_EXPORT_DEPT = frozenset({"dept", "部门"})
_EXPORT_SINCE = frozenset({"since", "from", "从", "自"})


def _since(ctx: _Ctx) -> str:
    """The `when` after "since": every word up to a "dept" or the end."""
    start = end = ctx.scan.pos
    while (token := ctx.scan.peek()) is not None and _word(token.raw) not in _EXPORT_DEPT:
        ctx.scan.take()
        end = token.end
    when = ctx.scan.src[start:end].strip()
    if not when:
        raise ctx.fail(ErrorCode.MISSING_WHEN)
    return unescape(when)


def _export(ctx: _Ctx) -> Command:
    dept: str | None = None
    since: str | None = None
    while (token := ctx.scan.take()) is not None:
        word = _word(token.raw)
        if word in _EXPORT_DEPT and dept is None:
            dept = _dept_ref(ctx)
        elif word in _EXPORT_SINCE and since is None:
            since = _since(ctx)
        else:
            raise ctx.fail(ErrorCode.UNEXPECTED_ARGUMENT, value=token.raw)
    return Export(dept=dept, since=since)


def _help(ctx: _Ctx) -> Command:
    token = ctx.scan.take()
    if token is None:
        return Help()
    topic = lookup_subcommand(_word(token.raw))
    if topic is None:
        raise _unknown(ctx, token.raw, _word(token.raw), SUBCOMMANDS, prefix="")
    following = ctx.scan.peek()
    sub = lookup_dept_subcommand(_word(following.raw)) if following else None
    # Anything after the topic is ignored: help should never be the thing that fails.
    return Help(topic=f"dept {sub}" if topic == "dept" and sub else topic)


def _fields(ctx: _Ctx, *, allow_remove: bool) -> list[FieldOp]:
    """The field:value words of `dept add` / `dept set`; a bare #channel is the channel field."""
    ops: list[FieldOp] = []
    while (token := ctx.scan.take()) is not None:
        if fold(token.raw).startswith(("#", "<#")):
            target = parse_target(token.raw)
            if target is None or target.kind is not TargetKind.CHANNEL:
                raise ctx.fail(ErrorCode.BAD_VALUE, field=DeptField.CHANNEL.value, value=token.raw)
            ops.append(FieldOp(field=DeptField.CHANNEL, value=token.raw, target=target))
        else:
            ops.extend(parse_field(token.raw, fail=ctx.fail, allow_remove=allow_remove))
    _check_duplicates(ctx, ops)
    return ops


def _check_duplicates(ctx: _Ctx, ops: list[FieldOp]) -> None:
    """Fields that hold one value may be given once: which of two would win is a guess."""
    seen: set[DeptField] = set()
    for op in ops:
        if op.field in seen and op.field not in MULTI_FIELDS:
            raise ctx.fail(ErrorCode.DUPLICATE_FIELD, field=op.field.value)
        seen.add(op.field)


# What `dept add` cannot do without, and how the error names it.
_REQUIRED = (
    (DeptField.CHANNEL, "#channel"),
    (DeptField.LEAD, "lead:@person"),
    (DeptField.ESCALATE, "escalate:@person"),
)


def _dept_add(ctx: _Ctx) -> Command:
    token = ctx.scan.take()
    if token is None:
        raise ctx.fail(ErrorCode.MISSING_KEY)
    key = slug(token.raw)
    if key is None:
        raise ctx.fail(ErrorCode.BAD_KEY, value=token.raw)
    fields = _fields(ctx, allow_remove=False)
    present = {op.field for op in fields}
    for field, shown in _REQUIRED:
        if field not in present:
            raise ctx.fail(ErrorCode.MISSING_FIELD, field=shown)
    return DeptAdd(key=key, fields=fields)


def _dept_set(ctx: _Ctx) -> Command:
    key = _dept_ref(ctx)
    fields = _fields(ctx, allow_remove=True)
    if not fields:
        raise ctx.fail(ErrorCode.MISSING_FIELD, field="<field>:<value>")
    return DeptSet(key=key, fields=fields)


def _dept_show(ctx: _Ctx) -> Command:
    key = _dept_ref(ctx)
    _end(ctx)
    return DeptShow(key=key)


def _dept_remove(ctx: _Ctx) -> Command:
    key = _dept_ref(ctx)
    _end(ctx)
    return DeptRemove(key=key)


def _dept_list(ctx: _Ctx) -> Command:
    _end(ctx)
    return DeptList()


_Parser = Callable[[_Ctx], Command]

_DEPT_PARSERS: dict[str, _Parser] = {
    "add": _dept_add,
    "list": _dept_list,
    "show": _dept_show,
    "set": _dept_set,
    "remove": _dept_remove,
}


def _dept(ctx: _Ctx) -> Command:
    token = ctx.scan.take()
    if token is None:
        return DeptList()  # "dept" alone reads as a question about departments
    sub = lookup_dept_subcommand(_word(token.raw))
    if sub is None:
        raise _unknown(ctx, token.raw, _word(token.raw), DEPT_SUBCOMMANDS, prefix="dept ")
    ctx.usage = usage_lines(f"dept {sub}")
    return _DEPT_PARSERS[sub](ctx)


_PARSERS: dict[str, _Parser] = {
    "ask": _ask,
    "commit": _commit,
    "todo": _todo,
    "list": _list,
    "show": _code_only(Show),
    "ack": _code_only(Ack),
    "done": _code_only(Done),
    "decline": _decline,
    "cancel": _code_only(Cancel),
    "reopen": _code_only(Reopen),
    "snooze": _snooze,
    "escalate": _code_only(Escalate),
    "due": _due,
    "assign": _assign,
    "dept": _dept,
    "away": _away,
    "back": _back,
    "export": _export,
    "summary": _summary,
    "help": _help,
}


def _unknown(
    ctx: _Ctx, raw: str, word: str, choices: tuple[str, ...], *, prefix: str
) -> CommandError:
    """UNKNOWN_SUBCOMMAND naming the closest choice and showing its usage."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    closest = f"{prefix}{close[0]}" if close else ""
    usage = usage_lines(closest) if closest else usage_lines(prefix.strip() or "help")
    return CommandError(
        ErrorCode.UNKNOWN_SUBCOMMAND,
        usage=usage,
        input=ctx.scan.src.strip(),
        value=raw,
        closest=closest,
        choices=", ".join(choices),
    )


# Chinese subcommands are often glued to what follows ("完成XD-12"); longest first.
_GLUED_LENGTHS = (4, 3, 2)
_SIGILS = frozenset("@#<")


def _glued(token: _Token) -> tuple[int, str] | None:
    """A subcommand glued to its argument: its length in the word and its name, or None."""
    folded = fold(token.raw)
    # "ask@logistics": a subcommand right before a target; "完成XD-12": a Chinese one.
    sigil = next((i for i, ch in enumerate(folded) if ch in _SIGILS), 0)
    lengths = [sigil] if sigil else []
    lengths += [n for n in _GLUED_LENGTHS if len(folded) > n and not folded[:n].isascii()]
    for length in lengths:
        name = lookup_subcommand(_word(folded[:length]))
        if name is not None:
            return length, name
    return None


def _subcommand(ctx: _Ctx, token: _Token) -> str:
    """The canonical subcommand of the first word, or UNKNOWN_SUBCOMMAND."""
    name = lookup_subcommand(_word(token.raw))
    if name is not None:
        return name
    glued = _glued(token)
    if glued is None:
        raise _unknown(ctx, token.raw, _word(token.raw), SUBCOMMANDS, prefix="")
    length, name = glued
    ctx.scan.pos = token.start + length
    return name


def _parse(text: str) -> Command:
    ctx = _Ctx(scan=_Scanner(text), usage=usage_lines("help"))
    token = ctx.scan.take()
    if token is None:
        return Help()
    name = _subcommand(ctx, token)
    ctx.usage = usage_lines(name)
    return _PARSERS[name](ctx)


def parse_command(text: str) -> Command:
    """Read the text after /xdept into a typed command; raise CommandError when it cannot."""
    try:
        return _parse(text)
    except ValidationError as exc:
        # Every value is checked before a model is built; this is the last line, not a path.
        raise CommandError(ErrorCode.BAD_INPUT, usage=usage_lines("help"), input=text) from exc
