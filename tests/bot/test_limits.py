"""Text limits at the core: items of at most 4,000 characters, no control characters stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot import commands as c
from bot.bootstrap import App
from bot.context import Actor
from bot.domain import InvalidInput
from bot.limits import ITEM_TEXT_LIMIT, bounded, clean, fitted
from bot.messages import MessageKind
from storage.models import Department, Item, Person, StandupReply, Update
from tests.conftest import CtxFactory, at

MON = at(2026, 11, 23, 10, 0)
CONTROLS = "".join(chr(n) for n in range(32) if chr(n) not in "\t\n")


def test_clean_drops_c0_controls_but_tab_and_newline() -> None:
    assert clean("a\x00b\x07c\td\ne\r\nf\x1b[31m") == "abc\td\ne\nf[31m"
    assert clean(CONTROLS) == ""
    assert clean("中文\u200b😀\x7f") == "中文\u200b😀\x7f"  # only C0 goes


@given(st.text())
def test_nothing_cleaned_holds_a_control_character(text: str) -> None:
    cleaned = clean(text)
    assert not any(ch in CONTROLS for ch in cleaned)
    assert clean(cleaned) == cleaned


def test_bounded_refuses_above_the_limit_naming_it() -> None:
    assert bounded("x" * ITEM_TEXT_LIMIT) == "x" * ITEM_TEXT_LIMIT
    assert bounded("\x00" + "x" * ITEM_TEXT_LIMIT) == "x" * ITEM_TEXT_LIMIT  # counted once clean
    with pytest.raises(InvalidInput) as caught:
        bounded("x" * (ITEM_TEXT_LIMIT + 1))
    assert "4,000" in caught.value.render("en") and "4,001" in caught.value.render("en")
    assert "4,000 个字符的上限" in caught.value.render("zh")


def test_fitted_cuts_what_cannot_be_refused() -> None:
    assert fitted("abc\x00", 10) == "abc"
    assert fitted("x" * 20, 10) == "x" * 9 + "…"


def test_an_item_text_over_the_limit_is_refused_and_nothing_is_filed(
    app: App, ctx: CtxFactory
) -> None:
    app.core.run_command(ctx("admin", MON), "dept add logistics #C0LOG lead:@wang escalate:@z")
    long = "请" * (ITEM_TEXT_LIMIT + 1)
    for locale, words in (("en", "the limit is 4,000"), ("zh-CN", "4,000 个字符的上限")):
        reply = app.core.run_command(ctx("mei", MON, locale=locale), f"ask @logistics {long}")
        assert reply.kind is MessageKind.ERROR and words in reply.plain()
    for line in (f"commit {long}", f"todo @chen {long}"):
        assert app.core.run_command(ctx("mei", MON), line).kind is MessageKind.ERROR
    with app.store.unit_of_work() as uow:
        assert uow.session.scalars(select(Item)).all() == []
    at_limit = "请" * ITEM_TEXT_LIMIT
    reply = app.core.run_command(ctx("mei", MON), f"ask @logistics {at_limit}")
    assert reply.kind is not MessageKind.ERROR, reply.plain()
    with pytest.raises(InvalidInput):
        app.core.items.ask(
            ctx=ctx("mei", MON),
            target=c.Target(kind=c.TargetKind.NAME, name="logistics"),
            text="fine",
            impact="x" * (ITEM_TEXT_LIMIT + 1),
        )


def test_no_control_character_reaches_the_database(app: App, ctx: CtxFactory) -> None:
    """A NUL byte in every kind of text a person or a platform hands the core."""
    nul = "\x00\x01\x1f"
    admin = ctx("admin", MON)
    reply = app.core.run_command(
        admin,
        f"dept add logistics #C0LOG{nul} lead:@wang{nul} member:@chen escalate:@z "
        f'name:"物流{nul}部" alias:wu{nul}liu',
    )
    assert reply.kind is not MessageKind.ERROR, reply.plain()
    mei = ctx("mei", MON).as_actor(Actor(user_id="mei", name=f"Mei{nul}", timezone="Asia/Shanghai"))
    reply = app.core.run_command(mei, "ask @logistics re\x00label\r\nthe pallets by Friday")
    assert reply.kind is not MessageKind.ERROR, reply.plain()
    app.core.items.ask(
        ctx=mei,
        target=c.Target(kind=c.TargetKind.NAME, name="logistics"),
        text=f"second{nul}",
        background=f"bg{nul}",
        impact=f"impact{nul}",
        suggestion=f"suggest{nul}",
        source_link=f"https://x.example/{nul}",
    )
    with app.store.unit_of_work() as uow:
        item = uow.items.by_number(1, 1)
        assert item is not None and item.message_id
        thread = item.message_id
    later = MON + timedelta(hours=1)
    app.core.items.record_reply(
        ctx=ctx("chen", later),
        channel_id="C0LOG",
        thread_id=thread,
        message_id="9.1",
        text=f"on it{nul}",
    )
    app.core.items.record_reply_change(
        ctx=ctx("chen", later),
        channel_id="C0LOG",
        thread_id=thread,
        message_id="9.1",
        text=f"edited{nul}",
    )
    app.core.run_command(ctx("wang", later), f"decline XD-2 not{nul} ours")
    app.core.run_command(mei.at(later), f"due XD-1 next{nul} Monday")
    with app.store.unit_of_work() as uow:
        texts: list[str | None] = []
        for item in uow.session.scalars(select(Item)):
            texts += [item.text, item.background, item.impact, item.suggestion]
            texts += [item.close_reason, item.source_link]
        texts += [u.text for u in uow.session.scalars(select(Update))]
        for dept in uow.session.scalars(select(Department)):
            texts += [dept.name, dept.channel_id, dept.channel_name]
            texts += [a.alias for a in dept.aliases] + [p.user_id for p in dept.people]
        texts += [p.display_name for p in uow.session.scalars(select(Person))]
        texts += [r.text for r in uow.session.scalars(select(StandupReply))]
    present = [t for t in texts if t]
    assert "relabel\nthe pallets by Friday" in present and "物流部" in present
    assert "not ours" in present and "edited" in present and "Mei" in present
    assert not [t for t in present if any(ch in CONTROLS for ch in t)]
