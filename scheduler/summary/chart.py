"""The weekly chart: time to first response by department, as a PNG.

matplotlib's default font has no CJK glyphs, so bars are labelled with the
departments' keys (ASCII slugs), never their display names. The Figure is
built without pyplot, so no global state is shared between threads.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

# Past this many departments the labels stop being readable; the busiest are shown.
MAX_BARS = 25


@dataclass(frozen=True)
class Bar:
    """One department's response times, in business hours."""

    key: str
    median: float
    p90: float
    answered: int


def response_chart(bars: list[Bar], *, title: str) -> bytes:
    """A grouped bar chart (median and p90 per department) as PNG bytes."""
    from matplotlib.figure import Figure

    shown = sorted(bars, key=lambda b: (-b.answered, b.key))[:MAX_BARS]
    shown.sort(key=lambda b: (b.median, b.key))
    width = max(6.0, 0.55 * len(shown) + 2.5)
    fig = Figure(figsize=(width, 4.0), dpi=100)
    ax = fig.subplots()
    positions = list(range(len(shown)))
    ax.bar([p - 0.2 for p in positions], [b.median for b in shown], 0.4, label="median")
    ax.bar([p + 0.2 for p in positions], [b.p90 for b in shown], 0.4, label="p90")
    ax.set_xticks(positions)
    ax.set_xticklabels([f"{b.key}\n(n={b.answered})" for b in shown], fontsize=8)
    ax.set_ylabel("business hours")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
