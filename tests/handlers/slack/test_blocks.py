"""Block Kit rendering: Slack's limits, clean cuts, escaping, and markup only where meant."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.messages import (
    Button,
    ButtonAction,
    ChannelSpan,
    DateSpan,
    LinkSpan,
    Message,
    MessageField,
    MessageKind,
    Section,
    mention,
    text,
)
from handlers.slack import mrkdwn
from handlers.slack.blocks import (
    FIELD_TEXT,
    HEADER_TEXT,
    MAX_BLOCKS,
    SECTION_TEXT,
    message_blocks,
    render,
)
from handlers.slack.escapes import unescape
from tests.fakes.slack.blocks import block_problems


def _ok(blocks: list[dict[str, object]]) -> None:
    """The fake Slack's own checks of what the real API refuses."""
    assert block_problems(blocks, MAX_BLOCKS, "/blocks") == []


def _texts(blocks: list[dict[str, object]]) -> str:
    from tests.fakes.slack import collect_text

    return collect_text(blocks)


def test_user_text_cannot_forge_mentions_or_links() -> None:
    spans = [text("<!channel> <@U0BOSS> <https://evil.example|your bank> & co")]
    out = mrkdwn.render(spans)
    assert out == "&lt;!channel&gt; &lt;@U0BOSS&gt; &lt;https://evil.example|your bank&gt; &amp; co"
    assert "<" not in out and ">" not in out


def test_markup_spans() -> None:
    at = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    spans = [
        mention("U1"),
        text(" in "),
        ChannelSpan(channel_id="C1"),
        text(" by "),
        DateSpan(at=at, fallback="Fri 27 Nov 18:00 <soon>"),
        text(" "),
        LinkSpan(url="https://x.example/a?b=1&c=2", label="XD-1 <b>|x"),
    ]
    out = mrkdwn.render(spans)
    epoch = int(at.timestamp())
    assert "<@U1> in <#C1>" in out
    assert f"<!date^{epoch}^{{date_short_pretty}} {{time}}|Fri 27 Nov 18:00 &lt;soon&gt;>" in out
    assert "<https://x.example/a?b=1&amp;c=2|XD-1 &lt;b&gt;¦x>" in out


def test_a_link_with_an_unsafe_scheme_is_shown_as_text() -> None:
    out = mrkdwn.render([LinkSpan(url="javascript:alert(1)", label="click")])
    assert out == "click (javascript:alert(1))"


@pytest.mark.parametrize(
    "sample",
    [
        "物流" * 2000,  # Chinese: no spaces to break at
        "👍🏽" * 1600,  # emoji with a skin tone: two code points each
        "🇨🇳" * 1600,  # flags: regional indicator pairs
        "e\u0301" * 1600,  # a letter and a combining accent
        "👨‍👩‍👧" * 700,  # a family: joined by zero-width joiners
        "<&>" * 1200,  # every character escapes to 4 or 5
    ],
    ids=["chinese", "skin tone", "flags", "combining", "zwj", "escapes"],
)
def test_long_text_is_split_cleanly_and_nothing_is_lost(sample: str) -> None:
    blocks = message_blocks(Message(kind=MessageKind.NOTE, sections=[Section(body=[text(sample)])]))
    _ok(blocks)
    pieces = [b["text"]["text"] for b in blocks]
    assert len(pieces) > 1 and all(len(p) <= SECTION_TEXT for p in pieces)
    assert unescape("".join(pieces)) == sample
    for p in pieces:  # each piece stands alone: no half a character at either end
        assert mrkdwn.clean_index(p, 0) == 0 and mrkdwn.clean_index(p, len(p)) == len(p)
        assert unescape(p) in sample


def test_cut_never_splits_a_character() -> None:
    assert mrkdwn.cut("abcdef", 4) == "abc…"
    assert mrkdwn.cut("ab👍🏽cd", 4) == "ab…"  # the tone modifier stays with its hand
    assert mrkdwn.cut("a🇨🇳🇺🇸", 4) == "a🇨🇳…"
    assert mrkdwn.cut("a🇨🇳🇺🇸", 3) == "a…"  # never half a flag
    assert mrkdwn.cut("short", 10) == "short"
    lone = "a\ud83d\ude00b"  # a surrogate pair as it may arrive from JSON
    assert mrkdwn.cut(lone, 3) == "a…"


def test_words_are_kept_whole_where_possible() -> None:
    sample = ("word " * 700).strip()
    pieces = mrkdwn.chunks([text(sample)], 100)
    assert all(p.endswith(" ") or p.endswith("word") for p in pieces)
    assert "".join(pieces) == sample


def test_at_most_fifty_blocks_and_the_last_kept_one_says_so() -> None:
    sections = [Section(body=[text(f"line {n} " * 50)]) for n in range(80)]
    buttons = [Button(action=ButtonAction.DONE, label="Done", value="XD-1")]
    message = Message(kind=MessageKind.LIST, title=[text("T")], sections=sections, buttons=buttons)
    blocks = message_blocks(message)
    _ok(blocks)
    assert len(blocks) == MAX_BLOCKS
    assert blocks[0]["type"] == "header" and blocks[-1]["type"] == "actions"
    assert blocks[-2]["text"]["text"].endswith("…")


def test_fields_header_and_buttons_stay_within_their_limits() -> None:
    fields = [MessageField(label=f"f{n}", value=[text("x" * 3000)]) for n in range(23)]
    buttons = [Button(action=ButtonAction.ACK, label="A" * 200, value="XD-1") for _ in range(30)]
    message = Message(
        kind=MessageKind.DETAIL, title=[text("标题" * 200)], fields=fields, buttons=buttons
    )
    blocks = message_blocks(message)
    _ok(blocks)
    assert len(blocks[0]["text"]["text"]) <= HEADER_TEXT
    field_blocks = [b for b in blocks if "fields" in b]
    assert [len(b["fields"]) for b in field_blocks] == [10, 10, 3]
    assert all(len(f["text"]) <= FIELD_TEXT for b in field_blocks for f in b["fields"])
    assert [len(b["elements"]) for b in blocks if b["type"] == "actions"] == [25, 5]


def test_a_title_with_a_mention_is_a_bold_section() -> None:
    message = Message(kind=MessageKind.NOTE, title=[text("Ping "), mention("U1")])
    block = message_blocks(message)[0]
    assert block["type"] == "section" and block["text"]["text"] == "*Ping* <@U1>"


def test_fallback_text_is_escaped_and_short() -> None:
    rendered = render(Message(kind=MessageKind.NOTE, sections=[Section(body=[text("<b>" * 5000)])]))
    assert len(rendered.text) <= 3000 and "<b>" not in rendered.text
