"""The pieces every subcommand reads: words with offsets, codes, targets, free text and times."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.commands.errors import CommandError, ErrorCode
from bot.commands.fields import slug
from bot.commands.targets import Target, TargetKind, TargetReader, fold
from bot.commands.words import USAGE

# One word: a quoted value stays whole even with spaces inside (name:"Logistics Team").
_TOKEN = re.compile(r'(?:"[^"\n]*"|“[^”\n]*”|\S)+')
_CODE = re.compile(r"#?(?:XD\s*[-_#]?\s*)?0*([1-9][0-9]{0,8})")

DEPT_KINDS = frozenset({TargetKind.NAME, TargetKind.GROUP, TargetKind.CHAT})
PERSON_KINDS = frozenset({TargetKind.NAME, TargetKind.PERSON})


@dataclass(frozen=True)
class Token:
    """One word of the command and where it sits in the text."""

    raw: str
    start: int
    end: int


class Scanner:
    """Words of the command with their offsets, so free text is sliced from the original."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.pos = 0

    def peek(self) -> Token | None:
        """The next word, without moving on."""
        match = _TOKEN.search(self.src, self.pos)
        return Token(match.group(), match.start(), match.end()) if match else None

    def take(self) -> Token | None:
        """The next word."""
        token = self.peek()
        if token is not None:
            self.pos = token.end
        return token

    def rest(self) -> str:
        """Everything not read yet, stripped."""
        text = self.src[self.pos :].strip()
        self.pos = len(self.src)
        return text


@dataclass
class Reading:
    """One command being read: its words, its resolved targets and the usage to show."""

    scan: Scanner
    targets: TargetReader
    usage: tuple[str, ...]

    def fail(self, code: ErrorCode, /, **params: str) -> CommandError:
        """An error about this command: quotes the whole input and shows its usage."""
        return CommandError(code, usage=self.usage, input=self.shown(self.scan.src), **params)

    def shown(self, raw: str) -> str:
        """Words as the person sees them: placeholders shown as their targets."""
        return self.targets.readable(raw).strip()


def word(raw: str) -> str:
    """A keyword as compared: full-width folded, compatibility-normalised, case-free."""
    return unicodedata.normalize("NFKC", fold(raw)).strip().casefold()


def code_of(text: str) -> str | None:
    """The item code a word holds ("xd12" -> "XD-12"), or None."""
    match = _CODE.fullmatch(unicodedata.normalize("NFKC", text).strip().upper())
    return f"XD-{int(match.group(1))}" if match else None


def normalize_code(text: str) -> str:
    """Read an item code ("xd-12", "XD12", "12", "#12", "ＸＤ－１２") as "XD-12"."""
    code = code_of(text)
    if code is None:
        raise CommandError(ErrorCode.BAD_CODE, usage=(USAGE["show"],), value=text, input=text)
    return code


def check_kind(
    r: Reading, target: Target, raw: str, kinds: frozenset[TargetKind], wanted: str
) -> None:
    """Refuse a target of the wrong kind (a person where a department is needed...)."""
    if target.kind not in kinds:
        raise r.fail(
            ErrorCode.WRONG_TARGET_KIND, value=r.shown(raw), wanted=wanted, actual=target.kind.value
        )


def free_text(r: Reading, what: str) -> str:
    """The rest of the command as free text (request text, reason); it may not be empty."""
    text = r.scan.rest()
    if not text:
        raise r.fail(ErrorCode.MISSING_TEXT, what=what)
    return r.targets.readable(text)


def target_and_text(
    r: Reading, kinds: frozenset[TargetKind], *, wanted: str, what: str
) -> tuple[Target, str]:
    """A target, then free text (`ask @dept ...`, `todo @person ...`)."""
    token = r.scan.take()
    if token is None:
        raise r.fail(ErrorCode.MISSING_TARGET, wanted=wanted)
    target, cut, after = r.targets.leading(token.raw)
    if target is None:
        # "ask please help" forgot the target; "ask @" wrote a bad one.
        raw = token.raw[:cut] if cut else token.raw
        code = ErrorCode.BAD_TARGET if cut else ErrorCode.MISSING_TARGET
        raise r.fail(code, value=r.shown(raw), wanted=wanted)
    check_kind(r, target, token.raw[:cut], kinds, wanted)
    r.scan.pos = token.start + after
    return target, free_text(r, what)


def item_code(r: Reading) -> str:
    """An item code ("XD-12", "xd 12", "12")."""
    token = r.scan.take()
    if token is None:
        raise r.fail(ErrorCode.MISSING_CODE)
    code = code_of(token.raw)
    following = r.scan.peek()
    if code is None and word(token.raw) in ("xd", "#xd") and following is not None:
        # "XD 12": the prefix and the number as two words.
        code = code_of(token.raw + following.raw)
        if code is not None:
            r.scan.take()
    if code is None:
        raise r.fail(ErrorCode.BAD_CODE, value=r.shown(token.raw))
    return code


def end(r: Reading) -> None:
    """Nothing may follow."""
    token = r.scan.take()
    if token is not None:
        raise r.fail(ErrorCode.UNEXPECTED_ARGUMENT, value=r.shown(token.raw))


def when(r: Reading) -> str:
    """The rest of the command as a time, as typed (the services read it)."""
    text = r.scan.rest()
    if not text:
        raise r.fail(ErrorCode.MISSING_WHEN)
    return r.targets.readable(text)


def person(r: Reading) -> Target:
    """A person (`assign XD-1 @bob`, "to" and "给" allowed before it)."""
    token = r.scan.take()
    if token is not None and word(token.raw) in ("to", "给"):
        token = r.scan.take()
    if token is None:
        raise r.fail(ErrorCode.MISSING_TARGET, wanted="person")
    target = r.targets.read(token.raw)
    if target is None:
        raise r.fail(ErrorCode.BAD_TARGET, value=r.shown(token.raw), wanted="person")
    check_kind(r, target, token.raw, PERSON_KINDS, "person")
    return target


def dept_ref(r: Reading) -> str:
    """A department as typed after `list dept`, `dept show`...: its key, name or alias."""
    token = r.scan.take()
    if token is None:
        raise r.fail(ErrorCode.MISSING_KEY)
    target = r.targets.read(token.raw)
    if target is None:
        name = fold(token.raw).strip()
    elif target.kind is TargetKind.PERSON:
        raise r.fail(
            ErrorCode.WRONG_TARGET_KIND,
            value=r.shown(token.raw),
            wanted="department",
            actual=TargetKind.PERSON.value,
        )
    elif target.name is None:
        return target.id or token.raw  # a platform id keeps its case
    else:
        name = target.name
    # Keys are lowercase slugs; an alias such as 物流 is passed on as typed.
    return slug(name) or name
