"""What the calendar tests share: zones, country calendars and wall-time helpers."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.calendar import WorkCalendar, build_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")

CN = build_calendar(tz="Asia/Shanghai", holidays=["CN"])
US = build_calendar(tz="America/New_York", holidays=["US"])
DE = build_calendar(tz="Europe/Berlin", holidays=["DE"])
PLAIN = WorkCalendar(tz=SHANGHAI)

H = timedelta(hours=1)


def local(
    tz: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    """An aware local datetime: local(tz, 2026, 3, 9, 16) is 16:00 on 9 March in tz."""
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def wall(instant: datetime, tz: ZoneInfo) -> datetime:
    """The naive local wall time of an instant, to compare with what a person would read."""
    return instant.astimezone(tz).replace(tzinfo=None)
