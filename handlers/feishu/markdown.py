"""Neutral spans as Feishu card markdown: escaped user text, mentions, links, clean cuts.

User text reaches a card only as HTML entities for every character Feishu's
markdown reads as markup (``<`` would open an ``<at>`` or ``<font>`` tag,
``*`` and ``~`` would style, ``[`` would start a link), so a request that
contains ``<at id=all></at>`` shows those characters and notifies nobody.
Only spans the core built on purpose become markup. Cuts never split a
character (Chinese, emoji sequences) or an entity.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from urllib.parse import quote

from bot.context import CommandStyle
from bot.domain import Reaction
from bot.messages import (
    ChannelSpan,
    CommandSpan,
    DateSpan,
    LinkSpan,
    MentionSpan,
    ReactionSpan,
    Rich,
    Span,
    TextSpan,
)
from handlers.slack.mrkdwn import ELLIPSIS, clean_index

# Characters that are markup anywhere in a line.
_ENTITIES = {c: f"&#{ord(c)};" for c in "&<>*_~`[]\\$|"}
# Characters that are markup only where a line starts: headings, lists, quotes.
_LINE_START = {c: f"&#{ord(c)};" for c in "#-+>"}
_ORDERED = re.compile(r"(\d+)\.")
# A line's leading spaces, its words, and its trailing spaces.
_LINE = re.compile(r"^([ \t]*)(\S(?:.*\S)?)([ \t]*)$", re.MULTILINE)
_SAFE_SCHEMES = ("https://", "http://")
# How far back from a forced cut to look for a space or newline to break at.
_BREAK_WINDOW = 0.2

# Commands are typed by mentioning the bot on Feishu.
COMMAND_PREFIX = CommandStyle.MENTION.prefix
# The reaction keys the bot reads by default (FEISHU_DONE/ACK_REACTIONS); a messenger told
# other keys names those (spell_reactions).
DEFAULT_REACTIONS: dict[Reaction, tuple[str, ...]] = {
    Reaction.ACKNOWLEDGE: ("OnIt", "Get"),
    Reaction.DONE: ("DONE", "CheckMark"),
}


def reaction_label(span: ReactionSpan, keys: tuple[str, ...] = ()) -> str:
    """A reaction as the names Feishu's picker shows it by ("OnIt / Get")."""
    return " / ".join(keys or DEFAULT_REACTIONS[span.intent])


def applink_chat(chat_id: str, *, lark: bool = False) -> str:
    """A link that opens a chat in the Feishu (or Lark) client."""
    host = "applink.larksuite.com" if lark else "applink.feishu.cn"
    return f"https://{host}/client/chat/open?openChatId={quote(chat_id, safe='')}"


def _escaped_chars(text: str) -> list[str]:
    """Each character of text as it is written in markdown (entities where needed)."""
    out: list[str] = []
    line_start = True
    i = 0
    while i < len(text):
        ch = text[i]
        if line_start and ch in " \t":
            out.append(ch)
            i += 1
            continue
        if line_start:
            ordered = _ORDERED.match(text, i)
            if ordered:
                out.extend(ordered.group(1))
                out.append("&#46;")
                i = ordered.end()
                line_start = False
                continue
            if ch in _LINE_START:
                out.append(_LINE_START[ch])
                i += 1
                line_start = False
                continue
        out.append(_ENTITIES.get(ch, ch))
        line_start = ch == "\n"
        i += 1
    return out


def escape(text: str) -> str:
    """User text as markdown that shows exactly that text."""
    return "".join(_escaped_chars(text))


def _bold(escaped: str) -> str:
    """Bold each non-empty line; `**` must hug the words, so outer spaces stay outside."""
    return _LINE.sub(r"\1**\2**\3", escaped)


def link(span: LinkSpan) -> str:
    """`[label](url)` for an http(s) URL; anything else is shown as text."""
    url = span.url.strip()
    if not url.lower().startswith(_SAFE_SCHEMES) or any(c.isspace() for c in url):
        return escape(f"{span.label} ({span.url})")
    # Parentheses would end the link's target early.
    target = url.replace("(", "%28").replace(")", "%29")
    return f"[{escape(span.label) or escape(url)}]({target})"


def atom(span: Span, *, chat_label: str = "群聊", lark: bool = False) -> str:
    """A span that is markup (never cut in the middle)."""
    if isinstance(span, MentionSpan):
        return f"<at id={span.user_id}></at>"
    if isinstance(span, ChannelSpan):
        return f"[#{escape(chat_label)}]({applink_chat(span.channel_id, lark=lark)})"
    if isinstance(span, LinkSpan):
        return link(span)
    if isinstance(span, DateSpan):
        # Cards have no per-reader time that is documented well enough to rely on.
        return escape(span.fallback)
    if isinstance(span, CommandSpan):
        return escape(COMMAND_PREFIX)
    if isinstance(span, ReactionSpan):
        return escape(reaction_label(span))
    raise TypeError(f"not a markup span: {span!r}")


def plain_text(spans: Rich) -> str:
    """Spans as plain text (for plain_text fields: headers, buttons, placeholders)."""
    out = []
    for span in spans:
        if isinstance(span, TextSpan):
            out.append(span.text)
        elif isinstance(span, LinkSpan):
            out.append(span.label or span.url)
        elif isinstance(span, DateSpan):
            out.append(span.fallback)
        elif isinstance(span, MentionSpan):
            out.append("@" + span.user_id)
        elif isinstance(span, CommandSpan):
            out.append(COMMAND_PREFIX)
        elif isinstance(span, ReactionSpan):
            out.append(reaction_label(span))
        else:
            out.append("#" + span.channel_id)
    return "".join(out)


def _piece(span: Span) -> str:
    if isinstance(span, TextSpan):
        escaped = escape(span.text)
        return _bold(escaped) if span.bold else escaped
    return atom(span)


def render(spans: Rich) -> str:
    """Spans as one markdown string (no length limit)."""
    return "".join(_piece(s) for s in spans)


def _fit(raw: str, budget: int) -> int:
    """How many characters of raw fit in `budget` once escaped, cut cleanly (0 if none)."""
    costs = list(accumulate(len(p) for p in _escaped_chars(raw)))
    n = bisect_right(costs, budget)
    if n >= len(raw):
        return len(raw)
    n = clean_index(raw, n)
    floor = int(n * (1 - _BREAK_WINDOW))
    for sep in ("\n", " "):
        at = raw.rfind(sep, floor, n)
        if at > 0:
            return at + 1
    return n


def limited(spans: Rich, limit: int) -> str:
    """Spans as markdown of at most `limit` characters, cut cleanly and ended with "…".

    Markup (mentions, links) is kept whole or left out; text is cut between words
    where it can be, never inside a character or an entity.
    """
    whole = render(spans)
    if len(whole) <= limit:
        return whole
    room = limit - len(ELLIPSIS)
    out = ""
    for span in spans:
        piece = _piece(span)
        if len(out) + len(piece) <= room:
            out += piece
            continue
        if isinstance(span, TextSpan):
            n = _fit(span.text, room - len(out))
            kept = _piece(TextSpan(text=span.text[:n].rstrip(), bold=span.bold))
            while n and len(out) + len(kept) > room:
                # Bold costs four characters a line; give back text until it fits.
                n = clean_index(span.text, n - 1)
                kept = _piece(TextSpan(text=span.text[:n].rstrip(), bold=span.bold))
            out += kept
        break
    return out.rstrip() + ELLIPSIS if room >= 0 else ELLIPSIS[:limit]
