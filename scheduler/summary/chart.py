"""The weekly chart: time to first response by department, as a PNG.

Bars carry the departments' names and the chart speaks the reader's language when a
CJK font is installed (Debian's fonts-noto-cjk, in the image and in CI): matplotlib's
default font has no CJK glyphs. Without one, bars are labelled with the departments'
keys (ASCII slugs) and the words are English, so nothing renders as empty boxes. The
Figure is built without pyplot, so no global state is shared between threads.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from bot.i18n import register, t

register(
    {
        "chart.title": (
            "Time to first response, business hours ({period})",
            "首次响应时间（工作小时，{period}）",
        ),
        "chart.axis": ("business hours", "工作小时"),
        "chart.median": ("median", "中位数"),
        "chart.p90": ("90th percentile", "90% 分位"),
        "chart.answered": ("n={n}", "{n} 个"),
    }
)

# Past this many departments the labels stop being readable; the busiest are shown.
MAX_BARS = 25


@dataclass(frozen=True)
class Bar:
    """One department's response times, in business hours."""

    key: str
    median: float
    p90: float
    answered: int
    name: str = ""  # the display name (物流部), shown where a CJK font is installed


@functools.cache
def cjk_font() -> str | None:
    """The file of an installed CJK font matplotlib can use (Noto CJK), or None."""
    from matplotlib import font_manager

    # The system's font folders, not matplotlib's cached list: a font installed after
    # the cache was built is found too.
    found = [p for p in font_manager.findSystemFonts() if "CJK" in p.rsplit("/", 1)[-1]]
    # The regular weight reads best at label size; bold only if it is all there is.
    found.sort(key=lambda p: ("Regular" not in p, "Sans" not in p, p))
    return str(found[0]) if found else None


def labels(bars: list[Bar], *, locale: str, font: str | None) -> tuple[str, list[str]]:
    """The language the chart can speak and each bar's label: names and the reader's
    language with a CJK font, else keys and English."""
    if font is None:
        return "en", [f"{b.key}\n({t('en', 'chart.answered', n=b.answered)})" for b in bars]
    return locale, [
        f"{b.name or b.key}\n({t(locale, 'chart.answered', n=b.answered)})" for b in bars
    ]


def response_chart(
    bars: list[Bar], *, period: str, locale: str = "en", font: str | None = None
) -> bytes:
    """A grouped bar chart (median and 90th percentile per department) as PNG bytes."""
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    shown = sorted(bars, key=lambda b: (-b.answered, b.key))[:MAX_BARS]
    shown.sort(key=lambda b: (b.median, b.key))
    width = max(6.0, 0.55 * len(shown) + 2.5)
    fig = Figure(figsize=(width, 4.0), dpi=100)
    ax = fig.subplots()
    positions = list(range(len(shown)))
    font = font if font is not None else cjk_font()
    lang, names = labels(shown, locale=locale, font=font)
    prop = FontProperties(fname=font) if font else None
    ax.bar(
        [p - 0.2 for p in positions], [b.median for b in shown], 0.4, label=t(lang, "chart.median")
    )
    ax.bar([p + 0.2 for p in positions], [b.p90 for b in shown], 0.4, label=t(lang, "chart.p90"))
    ax.set_xticks(positions)
    ax.set_xticklabels(names, fontsize=8, fontproperties=prop)
    ax.set_ylabel(t(lang, "chart.axis"), fontproperties=prop)
    ax.set_title(t(lang, "chart.title", period=period), fontsize=10, fontproperties=prop)
    ax.legend(fontsize=8, prop=prop)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
