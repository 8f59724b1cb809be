"""Benchmark parse_due on short phrases and on whole request texts (prints JSON)."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dates import parse_due

TZ = "Asia/Shanghai"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo(TZ))

SHORT: tuple[str, ...] = (
    "by Friday",
    "by Fri 5pm",
    "tomorrow",
    "in 3 days",
    "next Tuesday",
    "EOD",
    "end of month",
    "2026-12-01",
    "Dec 1 at 3pm",
    "in 2 hours",
    "明天下午3点",
    "周五前",
    "下周一",
    "12月1日",
    "月底",
    "3天后",
    "下周一上午10点",
    "今晚8点",
    "本周内",
    "3号仓库",
    "by december the 1st",  # read by the dateparser fallback
)

# About 200 characters each, with counts that must not be read as dates.
LONG: tuple[str, ...] = (
    "Hi logistics team, order 12345 was rejected again this morning although the customer "
    "address is correct. We have 3 pallets and 2 people waiting in room 101. Could you fix "
    "the pallet labels and re-release it by Fri 5pm?",
    "Following up on last week's thread: the 40 cartons for PO 88231 are still at dock 7 and "
    "finance needs the revised invoice (about 15% lower) before closing. Was due Monday, now "
    "please send it by end of next week.",
    "物流部的同事好，订单12345这周已经被错误拒收了3次，客户地址没有问题，系统里的收货信息也核对过两遍。"
    "现在3号仓库还压着10箱货，2个人在现场等着处理，已经影响到本月的交付指标和客户满意度评分（下降了约5%），"
    "客服这两天接到了好几个投诉电话，销售部门也在追问进度，希望物流这边尽快给一个明确的答复。"
    "麻烦确认一下拒收原因并重新放行，原定周一完成，现在请务必在周五下午5点前处理完毕，谢谢！",
    "财务部你好：上个月的报销单（共23张，合计约5万元）到现在还没有审批，已经影响了3个项目的结算，"
    "供应商也催了两次，说再拖下去就要暂停供货，采购部已经在评估备选供应商，"
    "项目组每天都在问进展，年终决算的时间表也因此受到影响。请协助加快处理，最好在12月1日下午3点之前给出结论；"
    "如果有缺失的材料请直接列出来，我们会尽快补齐，需要的话也可以安排2个人过去当面对一下账，谢谢配合。",
)


def _timings(texts: Sequence[str], rounds: int) -> list[float]:
    """Milliseconds per call, one sample per call."""
    samples: list[float] = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            parse_due(text, now=NOW, tz=TZ)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def bench_parse_due() -> dict[str, float]:
    """Median and p99 latency of parse_due for short phrases and long texts, and calls/s."""
    _timings(SHORT + LONG, rounds=20)  # warm-up: imports, caches, lazy fallback
    short = _timings(SHORT, rounds=200)
    long = _timings(LONG, rounds=250)
    mixed = SHORT + LONG
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < 1.0:
        for text in mixed:
            parse_due(text, now=NOW, tz=TZ)
        calls += len(mixed)
    elapsed = time.perf_counter() - start
    return {
        "parse_due_short_median_ms": round(statistics.median(short), 4),
        "parse_due_short_p99_ms": round(_p99(short), 4),
        "parse_due_long_median_ms": round(statistics.median(long), 4),
        "parse_due_long_p99_ms": round(_p99(long), 4),
        "parse_due_calls_per_second": round(calls / elapsed, 1),
    }


if __name__ == "__main__":
    print(json.dumps(bench_parse_due(), indent=2))
