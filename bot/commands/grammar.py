"""The /xdept grammar: command text in, a typed command (pydantic) or a CommandError out.

The grammar is pure: no database, no clock, no chat platform. It does not
resolve departments or read dates; it hands the service layer the targets
(:class:`~bot.commands.targets.Target`) and the ``when`` text as typed,
because both need the database or the person's time zone.

Reading rules
-------------
- The first word picks the subcommand, in any case, in English or Chinese
  (请求 = ask...). A Chinese subcommand may be glued to what follows
  ("完成XD-12", "请求@物流 ...").
- Full-width ``：``, ``，``, ``＠``, ``＃``, ``－`` and ideographic spaces read as
  their ASCII forms wherever the grammar looks for structure. Free text
  (request text, reasons, ``when``) is kept exactly as typed, except that a
  placeholder the adapter resolved reads as its target ("@alice").
- People, user groups and chats picked from the platform's mention menu
  arrive as placeholders with a map of what each one is
  (:mod:`bot.commands.targets`); department values may be quoted
  (``name:"Logistics Team"``).
- Anything that cannot be read raises :class:`CommandError`, never another
  exception, and the error quotes what it could not read.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from pydantic import ValidationError

from bot.commands.dept_grammar import DEPT_PARSERS
from bot.commands.errors import CommandError, ErrorCode
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
    DeptList,
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
    WorkspaceShow,
)
from bot.commands.scan import (
    DEPT_KINDS,
    PERSON_KINDS,
    Reading,
    Scanner,
    Token,
    check_kind,
    dept_ref,
    end,
    free_text,
    item_code,
    person,
    target_and_text,
    when,
    word,
)
from bot.commands.targets import Mentions, TargetReader, fold
from bot.commands.words import (
    DEPT_SUBCOMMANDS,
    SUBCOMMANDS,
    lookup_dept_subcommand,
    lookup_subcommand,
    usage_lines,
)
from bot.commands.workspace_grammar import WORKSPACE_PARSERS, lookup_workspace_subcommand

__all__ = ["parse_command"]

_Parser = Callable[[Reading], Command]


def _ask(r: Reading) -> Command:
    target, text = target_and_text(r, DEPT_KINDS, wanted="department", what="request")
    return Ask(target=target, text=text)


def _commit(r: Reading) -> Command:
    return Commit(text=free_text(r, "commitment"))


def _todo(r: Reading) -> Command:
    assignee, text = target_and_text(r, PERSON_KINDS, wanted="person", what="action")
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


def _page_number(r: Reading, raw: str, digits: str) -> int:
    number = int(digits) if _PAGE_DIGITS.fullmatch(digits) else 0
    if not 1 <= number <= _MAX_PAGE:
        raise r.fail(ErrorCode.BAD_PAGE, value=raw)
    return number


def _page(r: Reading, token: Token) -> int | None:
    """The page a word asks for ("p2", "page 2", "第2页"), or None when it is no page word."""
    typed = word(token.raw)
    inline = _PAGE_INLINE.fullmatch(typed)
    if inline:
        digits = next(group for group in inline.groups() if group is not None)
        return _page_number(r, token.raw, digits)
    if typed not in _PAGE_WORDS:
        return None
    number = r.scan.take()
    if number is None:
        raise r.fail(ErrorCode.BAD_PAGE, value=token.raw)
    return _page_number(r, f"{token.raw} {number.raw}", word(number.raw))


def _list(r: Reading) -> Command:
    scope, dept, page = ListScope.MINE, None, 1
    token = r.scan.take()
    has_scope = token is not None and word(token.raw) in _SCOPES
    if has_scope and token is not None:
        scope = _SCOPES[word(token.raw)]
        dept = dept_ref(r) if scope is ListScope.DEPT else None
        token = r.scan.take()
    if token is not None:
        found = _page(r, token)
        if found is None:
            # An unknown first word is most likely a mistyped scope.
            code = ErrorCode.UNEXPECTED_ARGUMENT if has_scope else ErrorCode.BAD_SCOPE
            raise r.fail(code, value=r.shown(token.raw))
        page = found
    end(r)
    return ListItems(scope=scope, dept=dept, page=page)


def _code_only(model: type[Show | Ack | Done | Cancel | Reopen | Escalate]) -> _Parser:
    """A parser for subcommands that take one item code and nothing else."""

    def parse(r: Reading) -> Command:
        code = item_code(r)
        end(r)
        return model(code=code)

    return parse


def _decline(r: Reading) -> Command:
    code = item_code(r)
    reason = r.scan.rest()
    if not reason:
        raise r.fail(ErrorCode.MISSING_REASON)
    return Decline(code=code, reason=r.targets.readable(reason))


def _snooze(r: Reading) -> Command:
    code = item_code(r)
    return Snooze(code=code, when=when(r))


def _due(r: Reading) -> Command:
    code = item_code(r)
    return ChangeDue(code=code, when=when(r))


def _assign(r: Reading) -> Command:
    code = item_code(r)
    assignee = person(r)
    end(r)
    return Assign(code=code, assignee=assignee)


def _progress(r: Reading) -> Command:
    code = item_code(r)
    return Progress(code=code, text=free_text(r, "progress"))


def _status(r: Reading) -> Command:
    code = item_code(r)
    return StatusReport(code=code, text=r.targets.readable(r.scan.rest()))


def _edit(r: Reading) -> Command:
    code = item_code(r)
    return Edit(code=code, text=free_text(r, "text"))


def _move(r: Reading) -> Command:
    code = item_code(r)
    token = r.scan.peek()
    if token is not None and word(token.raw) in ("to", "给", "至", "到"):
        r.scan.take()
    token = r.scan.take()
    if token is None:
        raise r.fail(ErrorCode.MISSING_TARGET, wanted="department")
    target, cut, _after = r.targets.leading(token.raw)
    if target is None:
        raw = token.raw[:cut] if cut else token.raw
        code_ = ErrorCode.BAD_TARGET if cut else ErrorCode.MISSING_TARGET
        raise r.fail(code_, value=r.shown(raw), wanted="department")
    check_kind(r, target, token.raw[:cut], DEPT_KINDS, "department")
    end(r)
    return Move(code=code, target=target)


_CONFIRM = frozenset({"confirm", "file", "确认", "提交"})


def _minutes(r: Reading) -> Command:
    token = r.scan.peek()
    confirm = token is not None and word(token.raw) in _CONFIRM
    if confirm:
        r.scan.take()
    # The notes keep their lines and placeholders: each line is read for its own target.
    notes = r.scan.src[r.scan.pos :].strip()
    return Minutes(text=notes, confirm=confirm, mentions=dict(r.targets.mentions))


def _history(r: Reading) -> Command:
    code = item_code(r)
    page = 1
    token = r.scan.take()
    if token is not None:
        found = _page(r, token)
        if found is None:
            raise r.fail(ErrorCode.UNEXPECTED_ARGUMENT, value=r.shown(token.raw))
        page = found
    end(r)
    return History(code=code, page=page)


_LANGUAGES = {"zh": "zh", "中文": "zh", "汉语": "zh", "cn": "zh", "en": "en", "english": "en",
              "英文": "en", "英语": "en"}  # fmt: skip


def _lang(r: Reading) -> Command:
    token = r.scan.take()
    if token is None or word(token.raw) not in _LANGUAGES:
        raw = token.raw if token is not None else ""
        raise r.fail(ErrorCode.BAD_VALUE, field="lang", value=r.shown(raw))
    end(r)
    return Language(locale=_LANGUAGES[word(token.raw)])  # type: ignore[arg-type]


def _away(r: Reading) -> Command:
    return Away(when=when(r))


def _back(r: Reading) -> Command:
    end(r)
    return Back()


def _summary(r: Reading) -> Command:
    end(r)
    return Summary()


_EXPORT_DEPT = frozenset({"dept", "部门"})
_EXPORT_SINCE = frozenset({"since", "from", "从", "自"})


def _since(r: Reading) -> str:
    """The `when` after "since": every word up to a "dept" or the end."""
    start = stop = r.scan.pos
    while (token := r.scan.peek()) is not None and word(token.raw) not in _EXPORT_DEPT:
        r.scan.take()
        stop = token.end
    since = r.scan.src[start:stop].strip()
    if not since:
        raise r.fail(ErrorCode.MISSING_WHEN)
    return r.targets.readable(since)


def _export(r: Reading) -> Command:
    dept: str | None = None
    since: str | None = None
    while (token := r.scan.take()) is not None:
        typed = word(token.raw)
        if typed in _EXPORT_DEPT and dept is None:
            dept = dept_ref(r)
        elif typed in _EXPORT_SINCE and since is None:
            since = _since(r)
        else:
            raise r.fail(ErrorCode.UNEXPECTED_ARGUMENT, value=r.shown(token.raw))
    return Export(dept=dept, since=since)


def _help(r: Reading) -> Command:
    token = r.scan.take()
    if token is None:
        return Help()
    topic = lookup_subcommand(word(token.raw))
    if topic is None:
        raise _unknown(r, token.raw, word(token.raw), SUBCOMMANDS, prefix="")
    following = r.scan.peek()
    sub = lookup_dept_subcommand(word(following.raw)) if following else None
    # Anything after the topic is ignored: help should never be the thing that fails.
    return Help(topic=f"dept {sub}" if topic == "dept" and sub else topic)


def _workspace(r: Reading) -> Command:
    token = r.scan.take()
    if token is None:
        return WorkspaceShow()
    sub = lookup_workspace_subcommand(word(token.raw))
    if sub is None:
        raise _unknown(r, token.raw, word(token.raw), ("show", "set"), prefix="workspace ")
    return WORKSPACE_PARSERS[sub](r)


def _dept(r: Reading) -> Command:
    token = r.scan.take()
    if token is None:
        return DeptList()  # "dept" alone reads as a question about departments
    sub = lookup_dept_subcommand(word(token.raw))
    if sub is None:
        raise _unknown(r, token.raw, word(token.raw), DEPT_SUBCOMMANDS, prefix="dept ")
    r.usage = usage_lines(f"dept {sub}")
    return DEPT_PARSERS[sub](r)


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
    "status": _status,
    "update": _progress,
    "edit": _edit,
    "move": _move,
    "history": _history,
    "minutes": _minutes,
    "lang": _lang,
    "dept": _dept,
    "away": _away,
    "back": _back,
    "export": _export,
    "summary": _summary,
    "workspace": _workspace,
    "help": _help,
}


def _unknown(
    r: Reading, raw: str, typed: str, choices: tuple[str, ...], *, prefix: str
) -> CommandError:
    """UNKNOWN_SUBCOMMAND naming the closest choice and showing its usage."""
    close = difflib.get_close_matches(typed, choices, n=1, cutoff=0.6)
    closest = f"{prefix}{close[0]}" if close else ""
    usage = usage_lines(closest) if closest else usage_lines(prefix.strip() or "help")
    return CommandError(
        ErrorCode.UNKNOWN_SUBCOMMAND,
        usage=usage,
        input=r.shown(r.scan.src),
        value=r.shown(raw),
        closest=closest,
        choices=", ".join(choices),
    )


# Chinese subcommands are often glued to what follows ("完成XD-12"); longest first.
_GLUED_LENGTHS = (4, 3, 2)
_SIGILS = frozenset("@#")


def _glued(token: Token) -> tuple[int, str] | None:
    """A subcommand glued to its argument: its length in the word and its name, or None."""
    folded = fold(token.raw)
    # "ask@logistics": a subcommand right before a target; "完成XD-12": a Chinese one.
    sigil = next((i for i, ch in enumerate(folded) if ch in _SIGILS), 0)
    lengths = [sigil] if sigil else []
    lengths += [n for n in _GLUED_LENGTHS if len(folded) > n and not folded[:n].isascii()]
    for length in lengths:
        name = lookup_subcommand(word(folded[:length]))
        if name is not None:
            return length, name
    return None


def _subcommand(r: Reading, token: Token) -> str:
    """The canonical subcommand of the first word, or UNKNOWN_SUBCOMMAND."""
    name = lookup_subcommand(word(token.raw))
    if name is not None:
        return name
    glued = _glued(token)
    if glued is None:
        raise _unknown(r, token.raw, word(token.raw), SUBCOMMANDS, prefix="")
    length, name = glued
    r.scan.pos = token.start + length
    return name


def _parse(text: str, mentions: Mentions | None) -> Command:
    r = Reading(scan=Scanner(text), targets=TargetReader(mentions), usage=usage_lines("help"))
    token = r.scan.take()
    if token is None:
        return Help()
    name = _subcommand(r, token)
    r.usage = usage_lines(name)
    return _PARSERS[name](r)


def subcommand_of(text: str) -> str | None:
    """The canonical subcommand a command's text starts with ("help" for none), or None
    if its first word is none; reads that one word only, so it costs next to nothing."""
    token = Scanner(text).take()
    if token is None:
        return "help"
    name = lookup_subcommand(word(token.raw))
    if name is not None:
        return name
    glued = _glued(token)
    return glued[1] if glued is not None else None


def parse_command(text: str, *, mentions: Mentions | None = None) -> Command:
    """Read a command (the text after the bot's name) into a typed command, or CommandError.

    `mentions` maps each placeholder the platform's adapter put in `text` to the
    person, user group or chat it stands for.
    """
    try:
        return _parse(text, mentions)
    except ValidationError as exc:
        # Every value is checked before a model is built; this is the last line, not a path.
        raise CommandError(ErrorCode.BAD_INPUT, usage=usage_lines("help"), input=text) from exc
