"""Instants in a reader's terms: 'Fri 27 Nov 18:00, in 5 days', '11月27日 周五 18:00，5天后'."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ZH_DAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def format_instant(at: datetime, *, tz: str, locale: str) -> str:
    """The instant as a local date and time, without the relative part."""
    local = at.astimezone(ZoneInfo(tz))
    if locale == "zh":
        return f"{local.month}月{local.day}日 {_ZH_DAYS[local.weekday()]} {local:%H:%M}"
    return f"{_EN_DAYS[local.weekday()]} {local.day} {_EN_MONTHS[local.month - 1]} {local:%H:%M}"


def format_relative(at: datetime, *, now: datetime, locale: str) -> str:
    """'in 5 days', '3 hours ago', '5天后', '3小时前'."""
    delta = at - now
    future = delta >= timedelta(0)
    span = abs(delta)
    if span < timedelta(minutes=1):
        return "now" if locale != "zh" else "现在"
    if span < timedelta(hours=1):
        n, en, zh = int(span.total_seconds() // 60), "minute", "分钟"
    elif span < timedelta(days=1):
        n, en, zh = int(span.total_seconds() // 3600), "hour", "小时"
    else:
        n, en, zh = span.days, "day", "天"
    if locale == "zh":
        return f"{n}{zh}{'后' if future else '前'}"
    unit = en if n == 1 else en + "s"
    return f"in {n} {unit}" if future else f"{n} {unit} ago"


def format_due(at: datetime, *, now: datetime, tz: str, locale: str) -> str:
    """Due time with its distance: 'Fri 27 Nov 18:00, in 5 days'."""
    sep = "，" if locale == "zh" else ", "
    return (
        format_instant(at, tz=tz, locale=locale) + sep + format_relative(at, now=now, locale=locale)
    )


def format_duration(span: timedelta, *, locale: str) -> str:
    """A duration such as '2d 3h' / '2天3小时'."""
    minutes = int(span.total_seconds() // 60)
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if locale == "zh":
        out = (f"{days}天" if days else "") + (f"{hours}小时" if hours else "")
        return out or f"{mins}分钟"
    parts = ([f"{days}d"] if days else []) + ([f"{hours}h"] if hours else [])
    return " ".join(parts) or f"{mins}m"
