"""Slack's escaped forms reach the core as neutral placeholders, mentions and plain text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import (
    Ask,
    Assign,
    CommandError,
    Commit,
    Decline,
    DeptField,
    DeptSet,
    FieldOp,
    ListItems,
    ListScope,
    Target,
    TargetKind,
    Todo,
    parse_command,
)
from bot.domain import Reaction
from handlers.slack.escapes import neutral_text
from handlers.slack.reaction_names import reaction_intent

PERSON, GROUP, CHAT, NAME = TargetKind.PERSON, TargetKind.GROUP, TargetKind.CHAT, TargetKind.NAME


def slack(text: str) -> object:
    """A command as Slack sends it, through the adapter, into the grammar."""
    neutral = neutral_text(text)
    return parse_command(neutral.text, mentions=neutral.mentions)


DEPT_FORMS = [
    ("<!subteam^S123|@logistics>", Target(kind=GROUP, id="S123", name="logistics")),
    ("<!subteam^S123|logistics>", Target(kind=GROUP, id="S123", name="logistics")),
    ("<!subteam^S123>", Target(kind=GROUP, id="S123")),
    ("<#C123|logistics>", Target(kind=CHAT, id="C123", name="logistics")),
    ("<#C123>", Target(kind=CHAT, id="C123")),
    ("@logistics", Target(kind=NAME, name="logistics")),
    ("@R&amp;D", Target(kind=NAME, name="R&D")),
]
PERSON_FORMS = [
    ("<@U123>", Target(kind=PERSON, id="U123")),
    ("<@U123|alice>", Target(kind=PERSON, id="U123", name="alice")),
    ("<@W9ABC|alice smith>", Target(kind=PERSON, id="W9ABC", name="alice smith")),
]


@pytest.mark.parametrize(("raw", "target"), DEPT_FORMS)
@pytest.mark.parametrize("gap", [" ", "\n", ": ", "："])
def test_every_department_form_reaches_the_core_resolved(
    raw: str, target: Target, gap: str
) -> None:
    assert slack(f"ask {raw}{gap}请帮忙 by Friday") == Ask(target=target, text="请帮忙 by Friday")


@pytest.mark.parametrize(("raw", "target"), PERSON_FORMS)
def test_every_person_form_reaches_the_core_resolved(raw: str, target: Target) -> None:
    assert slack(f"todo {raw} send the report") == Todo(assignee=target, text="send the report")
    assert slack(f"assign XD-3 to {raw}") == Assign(code="XD-3", assignee=target)


def test_free_text_keeps_what_a_person_sees() -> None:
    command = slack(
        "ask <!subteam^S1|@logistics> see <https://x.example/o/1|order 1>, cc <@U2|bob> "
        "&lt;b&gt; &amp;lt; <!here> <mailto:a@b.example|a@b.example> <https://y.example> "
        "by <!date^1700000000^{date_short}|Nov 14>"
    )
    assert command == Ask(
        target=Target(kind=GROUP, id="S1", name="logistics"),
        text="see order 1 (https://x.example/o/1), cc @bob <b> &lt; @here a@b.example "
        "https://y.example by Nov 14",
    )
    assert slack("commit fix A&amp;B") == Commit(text="fix A&B")
    assert slack("decline XD-1 ask <#C9|finance> &amp; co") == Decline(
        code="XD-1", reason="ask #finance & co"
    )


def test_department_fields_take_the_escaped_forms() -> None:
    command = slack("dept set logistics lead:<@U1|amy> usergroup:<!subteam^S1|@log-team> <#C1>")
    assert command == DeptSet(
        key="logistics",
        fields=[
            FieldOp(
                field=DeptField.LEAD, value="@amy", target=Target(kind=PERSON, id="U1", name="amy")
            ),
            FieldOp(
                field=DeptField.USERGROUP,
                value="@log-team",
                target=Target(kind=GROUP, id="S1", name="log-team"),
            ),
            FieldOp(field=DeptField.CHANNEL, value="#C1", target=Target(kind=CHAT, id="C1")),
        ],
    )
    assert slack("list dept <!subteam^S1|@logistics>") == ListItems(
        scope=ListScope.DEPT, dept="logistics"
    )


def test_a_person_is_no_department_and_the_error_shows_the_name() -> None:
    with pytest.raises(CommandError) as caught:
        slack("ask <@U1|bob> hello")
    assert "@bob" in caught.value.render("en") and "<@" not in caught.value.render("en")


def test_placeholders_never_collide_with_typed_text() -> None:
    neutral = neutral_text("commit tell @_user_1 about <@U1|amy>")
    assert "@_user_1" not in neutral.mentions
    assert slack("commit tell @_user_1 about <@U1|amy>") == Commit(text="tell @_user_1 about @amy")


def test_the_same_person_twice_is_one_placeholder_and_many_keep_apart() -> None:
    many = " ".join(f"<@U{n}|p{n}>" for n in range(1, 13))
    neutral = neutral_text(f"commit {many} <@U1|p1>")
    assert len(neutral.mentions) == 12
    assert slack(f"commit {many}") == Commit(text=" ".join(f"@p{n}" for n in range(1, 13)))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "ask",
                    "todo",
                    "dept set x",
                    "<@U1>",
                    "<@U1|a b>",
                    "<!subteam^S1|@l>",
                    "<#C1>",
                    "<https://x|y z>",
                    "<!here>",
                    "&lt;",
                    "&amp;",
                    "<",
                    ">",
                    "@_user_1",
                    " ",
                ]
            ),  # fmt: skip
            st.text(max_size=6),
        ),
        max_size=8,
    ).map(" ".join)
)
def test_any_slack_text_is_a_command_or_a_command_error(text: str) -> None:
    try:
        slack(text)
    except CommandError as error:
        assert error.render("en")


@pytest.mark.parametrize(
    ("name", "intent"),
    [
        ("white_check_mark", Reaction.DONE),
        ("heavy_check_mark", Reaction.DONE),
        ("ballot_box_with_check", Reaction.DONE),
        ("white_check_mark::skin-tone-2", Reaction.DONE),
        ("heavy_check_mark::skin-tone-6", Reaction.DONE),
        ("eyes", Reaction.ACKNOWLEDGE),
        ("eyes::skin-tone-3", Reaction.ACKNOWLEDGE),
        ("thumbsup", None),
        ("", None),
        ("eyes_closed", None),
    ],
)
def test_reaction_names_map_to_neutral_intents(name: str, intent: Reaction | None) -> None:
    assert reaction_intent(name) is intent
