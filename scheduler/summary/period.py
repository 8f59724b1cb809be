"""Which week a summary covers: the previous Monday to Sunday, or this week so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.timefmt import format_instant

SUMMARY_TIME = time(9, 0)
# A bot that was down on Monday morning still posts the summary until Tuesday 09:00.
CATCH_UP = timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A span of time summarised: [start, end) in the workspace's zone."""

    start: datetime
    end: datetime
    tz: str
    label: str  # the ISO week, for dedupe keys
    so_far: bool = False  # the current week up to now (`/xdept summary`)

    def standup_dates(self) -> tuple[str, str]:
        """First and last local dates in the period."""
        zone = ZoneInfo(self.tz)
        last = (self.end - timedelta(microseconds=1)).astimezone(zone).date()
        return self.start.astimezone(zone).date().isoformat(), last.isoformat()

    def describe(self, locale: str) -> str:
        """'Mon 16 Nov – Sun 22 Nov' / '11月16日 周一 – 11月22日 周日' (so far: up to a time)."""
        first = format_instant(self.start, tz=self.tz, locale=locale).rsplit(" ", 1)[0]
        if self.so_far:
            last = format_instant(self.end, tz=self.tz, locale=locale)
        else:
            last_day = self.end - timedelta(minutes=1)
            last = format_instant(last_day, tz=self.tz, locale=locale).rsplit(" ", 1)[0]
        return f"{first} – {last}"


def _monday(local_day: date) -> date:
    return local_day - timedelta(days=local_day.weekday())


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def _label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def due_period(now: datetime, tz: str) -> Period | None:
    """The previous week, if its summary is due at `now` (Monday 09:00 up to a day later)."""
    zone = ZoneInfo(tz)
    monday = _monday(now.astimezone(zone).date())
    at = datetime.combine(monday, SUMMARY_TIME, tzinfo=zone).astimezone(UTC)
    if not at <= now < at + CATCH_UP:
        return None
    start_day = monday - timedelta(days=7)
    return Period(_midnight(start_day, zone), _midnight(monday, zone), tz, _label(start_day))


def week_so_far(now: datetime, tz: str) -> Period:
    """This week from Monday 00:00 up to `now`."""
    zone = ZoneInfo(tz)
    monday = _monday(now.astimezone(zone).date())
    return Period(_midnight(monday, zone), now, tz, _label(monday), so_far=True)
