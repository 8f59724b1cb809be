"""The weekly summary, as one feature: its period, figures, chart, messages and writing.

Monday 09:00 in the workspace's zone it covers the previous Monday to Sunday;
`/xdept summary` posts the week so far at once (SummaryService.post_now).

- compose: which week, and when it is due; the messages, in English and Chinese;
  the chart's bars;
- metrics: each department's figures, from queries bounded by the week or by
  what is still active (never by the archive);
- chart: the response-time chart (matplotlib, imported only when drawn);
- writing: the outbox rows, with the chart stored once per summary.
"""

from __future__ import annotations

from scheduler.summary.compose import Period, due_period, week_so_far
from scheduler.summary.writing import (
    Posted,
    SummaryService,
    period_metrics,
    post_due_summaries,
    summary_departments,
    summary_may_be_due,
    write_summary,
)

__all__ = [
    "Period",
    "Posted",
    "SummaryService",
    "due_period",
    "period_metrics",
    "post_due_summaries",
    "summary_departments",
    "summary_may_be_due",
    "week_so_far",
    "write_summary",
]
