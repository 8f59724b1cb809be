"""`xdept demo` plays the whole story, driven by the scheduler's tick."""

from __future__ import annotations

import pytest

from handlers.console.demo import run_demo


def test_the_demo_tells_the_whole_story(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_demo() == 0
    out = capsys.readouterr().out
    story = [
        "请不要再线下直接拒绝销售订单而不报备",  # the request, in Chinese
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
    positions = [out.find(line) for line in story]
    assert -1 not in positions, [s for s, p in zip(story, positions, strict=True) if p < 0]
    assert positions == sorted(positions)  # in the order the story happens
    # The unanswered nudge mentions the logistics lead.
    nudge = out[out.find("无人响应") - 200 : out.find("无人响应")]
    assert "@Wang 王强" in nudge
