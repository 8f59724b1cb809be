"""`xdept demo` plays the whole story, driven by the scheduler's tick."""

from __future__ import annotations

import re

import pytest

from handlers.console.demo import run_demo


def test_the_demo_tells_the_whole_story(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_demo() == 0
    printed = capsys.readouterr().out
    # Long lines are wrapped at 100 columns; read the story with the wraps undone.
    out = re.sub(r"\n *│ |\n {4,}(?! *│)", "", printed)
    story = [
        "请不要再线下直接拒绝销售订单而不报备",  # the request, in Chinese
        "【影响】",  # its impact, typed after the request, on the tracking message
        "没有名为「logistic」的部门",  # the typo'd department
        "☀️ 站会 · 物流部",  # the stand-up prompt lists it
        "只有 XD-1 的负责人或 logistics 部门的成员可以确认收到",  # an outsider's 👀
        "XD-1 已 8 个工作小时无人响应",  # the unanswered nudge mentions the leads
        "XD-1 仍在等待，是否升级？",  # the escalation offer reaches the requester
        "升级：XD-1 需要你的协助",  # the escalation in four parts
        "【背景】",
        "【现状】",
        "【影响】",
        "【建议】",
        "收到，今天起被拒订单都会在系统登记原因",  # a logistics member replies
        "reacted ✅ to XD-1",  # the lead's ✅
        "📊 周报",  # Monday's weekly summary
        "已升级：XD-1",
        "感谢@Chen 陈晨",
        "xdept-response-times.png",
        "我发起的请求",  # list and show at the end
    ]
    # In the order the story happens: each line is looked for after the one before.
    positions: list[int] = []
    for line in story:
        positions.append(out.find(line, positions[-1] if positions else 0))
    assert -1 not in positions, [s for s, p in zip(story, positions, strict=True) if p < 0]
    # The unanswered nudge mentions the logistics lead.
    nudge = out[out.find("无人响应") - 200 : out.find("无人响应")]
    assert "@Wang 王强" in nudge


@pytest.mark.slow
def test_the_demo_in_english_twice_on_one_database(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from handlers.console.width import display_width

    url = f"sqlite:///{tmp_path}/demo.db"
    assert run_demo(db_url=url, lang="en") == 0
    first = capsys.readouterr().out
    assert "earlier demo" not in first
    assert run_demo(db_url=url, lang="en") == 0  # the same database: a fresh story
    second = capsys.readouterr().out
    assert second.startswith("This database held an earlier demo story")
    for out in (first, second):
        flat = re.sub(r"\n *│ |\n {4,}(?! *│)", "", out)
        for line in (
            "Filed XD-1 for Logistics",
            "Escalation: XD-1 needs your help",
            "What it blocks: 12 customer complaints this week",
            "📊 Weekly summary",
        ):
            assert line in flat, line  # fmt: skip
        assert "XD-4" not in flat  # numbering started again
        assert max(display_width(line) for line in out.splitlines()) <= 100
        assert "`" not in out and "*" not in out  # rendered as a person sees it


def test_the_demo_fits_100_columns_and_shows_no_markup(capsys: pytest.CaptureFixture[str]) -> None:
    from handlers.console.width import display_width, wrap

    assert wrap("a" * 250) == ["a" * 100, "  " + "a" * 98, "  " + "a" * 52]
    cjk = "    text    │ " + "请不要再线下直接拒绝销售订单" * 8
    pieces = wrap(cjk)
    assert all(display_width(p) <= 100 for p in pieces) and pieces[1].startswith(" " * 12 + "│ ")
    assert "".join(p.split("│ ", 1)[1] for p in pieces) == "请不要再线下直接拒绝销售订单" * 8
