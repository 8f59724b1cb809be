"""What the due-date tests share: the zones, the moment phrases are typed, wall times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

ZONES = ("Asia/Shanghai", "America/New_York", "Europe/Berlin")

# Wednesday 25 November 2026, 10:00 local.
NOW_WALL = datetime(2026, 11, 25, 10, 0)


def local_now(tz: str, wall: datetime = NOW_WALL) -> datetime:
    """The wall time `wall` in zone `tz`, as an aware instant."""
    return wall.replace(tzinfo=ZoneInfo(tz))


def wall_of(found: datetime | None) -> str | None:
    """A found instant as its local wall time "YYYY-MM-DD HH:MM"."""
    return None if found is None else found.strftime("%Y-%m-%d %H:%M")
