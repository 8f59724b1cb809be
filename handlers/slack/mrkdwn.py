"""Neutral spans as Slack mrkdwn: escaped user text, mentions, links, dates, and clean cuts.

User text only ever reaches Slack escaped (`&`, `<`, `>`), so a request that
contains `<!channel>` or `<https://evil|bank>` shows those characters and
notifies or links nobody. Only spans the core built on purpose become markup.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC

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

# Commands are typed as a slash command on Slack.
COMMAND_PREFIX = CommandStyle.SLASH.prefix
# The emoji whose reactions the bot reads (handlers.slack.reaction_names), as mrkdwn.
_REACTIONS = {Reaction.ACKNOWLEDGE: ":eyes:", Reaction.DONE: ":white_check_mark:"}

ELLIPSIS = "…"
# Schemes a link may carry; anything else is shown as text, never as a link.
_LINK_SCHEMES = ("https://", "http://", "mailto:", "slack://")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ZWJ = "\u200d"
# A cut that lands this close to the limit looks for a space or a newline to break at.
_BREAK_WINDOW = 0.2


def escape(text: str) -> str:
    """Escape the three characters Slack reads as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cost(ch: str) -> int:
    return len(_ESCAPES.get(ch, ch))


def _joins_previous(text: str, i: int) -> bool:
    """True if a cut before index i would split one visible character (grapheme)."""
    if i <= 0 or i >= len(text):
        return False
    ch, prev = text[i], text[i - 1]
    code, prev_code = ord(ch), ord(prev)
    if 0xDC00 <= code <= 0xDFFF and 0xD800 <= prev_code <= 0xDBFF:
        return True  # a surrogate pair that arrived unpaired from JSON
    if ch == _ZWJ or prev == _ZWJ:
        return True
    if unicodedata.combining(ch) or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF:
        return True  # combining marks, variation selectors, skin tones
    if 0xE0020 <= code <= 0xE007F:
        return True  # tag characters of subdivision flags
    if 0x1F1E6 <= code <= 0x1F1FF and 0x1F1E6 <= prev_code <= 0x1F1FF:
        # Regional indicators pair up from the start of their run.
        run = 0
        j = i - 1
        while j >= 0 and 0x1F1E6 <= ord(text[j]) <= 0x1F1FF:
            run += 1
            j -= 1
        return run % 2 == 1
    return False


def clean_index(text: str, i: int) -> int:
    """The largest index <= i where text can be cut without breaking a character."""
    i = max(0, min(i, len(text)))
    while i > 0 and _joins_previous(text, i):
        i -= 1
    return i


def cut(text: str, limit: int) -> str:
    """Text shortened to at most `limit` characters, cut cleanly and marked with "…"."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    return text[: clean_index(text, limit - len(ELLIPSIS))] + ELLIPSIS


def _fit_escaped(raw: str, budget: int) -> int:
    """How many characters of raw fit in `budget` once escaped, cut cleanly (0 if none)."""
    used = 0
    n = 0
    for ch in raw:
        c = _cost(ch)
        if used + c > budget:
            break
        used += c
        n += 1
    if n >= len(raw):
        return n
    n = clean_index(raw, n)
    # Prefer to break after a newline or a space near the end, so words stay whole.
    floor = int(n * (1 - _BREAK_WINDOW))
    for sep in ("\n", " "):
        at = raw.rfind(sep, floor, n)
        if at > 0:
            return at + 1
    return n


def _bold(escaped: str) -> str:
    """Bold each line; Slack's `*` must hug the words, so outer spaces stay outside."""
    out = []
    for line in escaped.split("\n"):
        core = line.strip()
        if not core:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        trail = line[len(line.rstrip()) :]
        out.append(f"{lead}*{core}*{trail}")
    return "\n".join(out)


def date_markup(span: DateSpan) -> str:
    """A date every reader sees in their own zone; the fallback where Slack can't."""
    at = span.at if span.at.tzinfo else span.at.replace(tzinfo=UTC)
    epoch = int(at.timestamp())
    fallback = escape(span.fallback).replace("|", "¦")
    return f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{fallback}>"


def link_markup(span: LinkSpan) -> str:
    """`<url|label>` for a safe URL; otherwise the label and URL as plain text."""
    label = escape(span.label).replace("|", "¦") or escape(span.url)
    url = span.url.strip()
    if not url.lower().startswith(_LINK_SCHEMES) or any(c.isspace() for c in url):
        return escape(f"{span.label} ({span.url})")
    return f"<{escape(url).replace('|', '%7C')}|{label}>"


def atom(span: Span) -> str:
    """A span that is markup (never cut in the middle)."""
    if isinstance(span, MentionSpan):
        return f"<@{span.user_id}>"
    if isinstance(span, ChannelSpan):
        return f"<#{span.channel_id}>"
    if isinstance(span, LinkSpan):
        return link_markup(span)
    if isinstance(span, DateSpan):
        return date_markup(span)
    if isinstance(span, CommandSpan):
        return escape(COMMAND_PREFIX)
    if isinstance(span, ReactionSpan):
        return _REACTIONS[span.intent]
    raise TypeError(f"not a markup span: {span!r}")


def render(spans: Rich) -> str:
    """Spans as one mrkdwn string (no length limit)."""
    parts = []
    for span in spans:
        if isinstance(span, TextSpan):
            escaped = escape(span.text)
            parts.append(_bold(escaped) if span.bold else escaped)
        else:
            parts.append(atom(span))
    return "".join(parts)


def chunks(spans: Rich, limit: int) -> list[str]:
    """Spans as mrkdwn pieces of at most `limit` characters each, split between words.

    Markup (mentions, links, dates) is never split; user text is split at a
    clean point, so nothing is lost when the caller has room for every piece.
    """
    out: list[str] = []
    current = ""
    for span in spans:
        if not isinstance(span, TextSpan):
            piece = atom(span)
            if len(piece) > limit:
                piece = cut(render([TextSpan(text=_plain(span))]), limit)
            if len(current) + len(piece) > limit:
                out.append(current)
                current = ""
            current += piece
            continue
        raw = span.text
        overhead = 2 if span.bold else 0
        while raw:
            room = limit - len(current) - overhead
            n = _fit_escaped(raw, room) if room > 0 else 0
            if n == 0:
                if current:
                    out.append(current)
                    current = ""
                    continue
                n = _first_character(raw)  # a limit below one character: never loop forever
            escaped = escape(raw[:n])
            current += _bold(escaped) if span.bold else escaped
            raw = raw[n:]
            if raw:
                out.append(current)
                current = ""
    if current:
        out.append(current)
    return out


def _first_character(raw: str) -> int:
    n = 1
    while n < len(raw) and _joins_previous(raw, n):
        n += 1
    return n


def _plain(span: Span) -> str:
    if isinstance(span, LinkSpan):
        return f"{span.label} ({span.url})"
    if isinstance(span, DateSpan):
        return span.fallback
    if isinstance(span, MentionSpan):
        return f"@{span.user_id}"
    if isinstance(span, ChannelSpan):
        return f"#{span.channel_id}"
    if isinstance(span, CommandSpan):
        return COMMAND_PREFIX
    if isinstance(span, ReactionSpan):
        return span.fallback
    return span.text


def plain_text(spans: Rich) -> str:
    """Spans as Slack plain_text (no markup: mentions as ids, dates as their fallback)."""
    return "".join(_plain(s) for s in spans)


def limited(spans: Rich, limit: int) -> str:
    """Spans as mrkdwn, cut cleanly to `limit` characters with "…" when too long."""
    whole = render(spans)
    if len(whole) <= limit:
        return whole
    pieces = chunks(spans, limit - len(ELLIPSIS))
    return pieces[0] + ELLIPSIS if pieces else ""
