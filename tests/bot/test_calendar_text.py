"""Tests for the calendar settings read from text (bot.calendar_text) and building calendars."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta

import pytest

from bot.calendar import WorkCalendar, build_calendar
from bot.calendar_text import parse_duration, parse_holidays, parse_hours, parse_workdays
from tests.bot.calendar_support import (
    SHANGHAI,
)

# --------------------------------------------------------------------------- text settings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("Mon - Fri", {0, 1, 2, 3, 4}),
        ("mon,tue,thu", {0, 1, 3}),
        ("Monday, Wednesday", {0, 2}),
        ("sun-thu", {6, 0, 1, 2, 3}),
        ("fri-mon", {4, 5, 6, 0}),
        ("周一至周五", {0, 1, 2, 3, 4}),
        ("周一到周六", {0, 1, 2, 3, 4, 5}),
        ("周一至五", {0, 1, 2, 3, 4}),
        ("星期一、星期三，礼拜五", {0, 2, 4}),
        ("周日", {6}),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("daily", set(range(7))),
        ("工作日,周六", {0, 1, 2, 3, 4, 5}),
    ],
)
def test_parse_workdays(text: str, expected: set[int]) -> None:
    assert parse_workdays(text) == frozenset(expected)


@pytest.mark.parametrize("text", ["mon-fry", "", "  ", "1-5", "mon-", "周八"])
def test_parse_workdays_errors(text: str) -> None:
    with pytest.raises(ValueError, match="mon-fri, mon,tue,thu or 周一至周五"):
        parse_workdays(text)


def test_parse_workdays_error_names_the_bad_day() -> None:
    with pytest.raises(ValueError, match="'fry' is not a day of the week"):
        parse_workdays("mon-fry")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-18:00", (time(9), time(18))),
        ("9:00-18:00", (time(9), time(18))),
        ("9-18", (time(9), time(18))),
        ("9:30 - 17:45", (time(9, 30), time(17, 45))),
        ("9am-6pm", (time(9), time(18))),
        ("12pm-1pm", (time(12), time(13))),
        ("09:00～18:00", (time(9), time(18))),
        ("9：00至18：00", (time(9), time(18))),
    ],
)
def test_parse_hours(text: str, expected: tuple[time, time]) -> None:
    assert parse_hours(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nine to five", "cannot read work hours 'nine to five'; write them like 09:00-18:00"),
        ("18:00-09:00", "must end later the same day than they start"),
        ("09:00-09:00", "must end later the same day than they start"),
        ("09:00-24:00", "'24:00' is not a time"),
        ("09:75-18:00", "'09:75' is not a time"),
        ("13pm-2pm", "'13pm' is not a time"),
        ("", "cannot read work hours"),
    ],
)
def test_parse_hours_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_hours(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8h", timedelta(hours=8)),
        ("90m", timedelta(minutes=90)),
        ("2d", timedelta(hours=48)),
        ("1.5h", timedelta(minutes=90)),
        ("0.1h", timedelta(minutes=6)),
        ("1h30m", timedelta(minutes=90)),
        (" 2 hours 15 minutes ", timedelta(hours=2, minutes=15)),
        ("8小时", timedelta(hours=8)),
        ("30分钟", timedelta(minutes=30)),
        ("2天", timedelta(days=2)),
        ("24H", timedelta(hours=24)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("8", "cannot read duration '8'"),
        ("8 weeks", "unknown unit 'weeks'"),
        ("", "cannot read duration ''"),
        ("0h", "must be longer than zero"),
        ("-1h", "cannot read duration '-1h'"),
        ("1h30", "cannot read duration '1h30'"),
        ("h", "cannot read duration 'h'"),
        ("99999999999d", "too long"),
    ],
)
def test_parse_duration_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        parse_duration(text)
    if "too long" not in message:
        assert "8h, 90m, 1.5h, 2d or 8小时" in str(error.value)


# --------------------------------------------------------------------------- building


def test_build_calendar_defaults() -> None:
    cal = build_calendar(tz="Asia/Shanghai")
    assert cal == WorkCalendar(tz=SHANGHAI)
    assert (cal.day_start, cal.day_end) == (time(9), time(18))
    assert cal.workdays == frozenset(range(5))


def test_build_calendar_takes_values_as_well_as_text() -> None:
    from_text = build_calendar(tz="Europe/Berlin", workdays="mon-thu", hours="08:00-16:30")
    from_values = build_calendar(
        tz="Europe/Berlin", workdays=[0, 1, 2, 3], hours=(time(8), time(16, 30))
    )
    from_names = build_calendar(
        tz="Europe/Berlin", workdays=["mon", "tue", "wed", "thu"], hours="8:00-16:30"
    )
    assert from_text == from_values == from_names


def test_build_calendar_is_cached() -> None:
    first = build_calendar(tz="Asia/Shanghai", holidays=["CN", "2026-12-24"])
    again = build_calendar(tz="Asia/Shanghai", holidays=("CN", "2026-12-24"))
    assert first is again


def test_calendars_are_hashable_values() -> None:
    direct = WorkCalendar(tz=SHANGHAI, workdays={0, 1}, holidays={date(2026, 1, 2)})  # type: ignore[arg-type]
    assert isinstance(direct.workdays, frozenset) and isinstance(direct.holidays, frozenset)
    assert hash(direct) == hash(
        WorkCalendar(
            tz=SHANGHAI, workdays=frozenset({1, 0}), holidays=frozenset({date(2026, 1, 2)})
        )
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"holidays": ["XX"]},
            "unknown holiday calendar 'XX'; use a country code such as CN or US, "
            "or dates like 2026-12-24",
        ),
        ({"holidays": ["China"]}, "unknown holiday calendar 'China'"),
        ({"holidays": ["US-ZZ"]}, "unknown region 'ZZ' in holiday calendar 'US-ZZ'"),
        ({"holidays": ["2026-02-30"]}, "'2026-02-30' is not a real date"),
        ({"holidays": ["2026-13-01"]}, "'2026-13-01' is not a real date"),
        ({"holidays": ["2026-12"]}, "'2026-12' is not a date; write dates like 2026-12-24"),
        ({"holidays": ["2026-12-31..2026-12-24"]}, "ends before it starts"),
        ({"holidays": ["2026-12-24..2026-12-x"]}, "is not a date"),
        ({"holidays": ["2026-01-01..2027-06-01"]}, "longer than a year"),
        ({"tz": "Asia/Shang"}, "unknown time zone 'Asia/Shang'; use a name such as"),
        ({"tz": ""}, "unknown time zone"),
        ({"workdays": "mon-fry"}, "'fry' is not a day of the week"),
        ({"hours": "18-9"}, "must end later the same day"),
        ({"workdays": [7]}, "0 \\(Monday\\) to 6 \\(Sunday\\)"),
    ],
)
def test_build_calendar_errors(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"tz": "Asia/Shanghai", **kwargs}
    with pytest.raises(ValueError, match=message):
        build_calendar(**arguments)  # type: ignore[arg-type]


def test_holiday_ranges_accept_chinese_separators() -> None:
    cal = build_calendar(tz="Asia/Shanghai", holidays=["2026-12-24至2026-12-26"])
    assert cal.holidays == frozenset({date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)})


def test_direct_construction_is_validated() -> None:
    with pytest.raises(ValueError, match="must end later the same day"):
        WorkCalendar(tz=SHANGHAI, day_start=time(18), day_end=time(9))
    with pytest.raises(ValueError, match="at least one work day"):
        WorkCalendar(tz=SHANGHAI, workdays=frozenset())
    with pytest.raises(ValueError, match="unknown holiday calendar 'XX'"):
        WorkCalendar(tz=SHANGHAI, holiday_countries=("XX",))
    with pytest.raises(ValueError, match="wall time without a zone"):
        WorkCalendar(tz=SHANGHAI, day_start=time(9, tzinfo=UTC))
    with pytest.raises(TypeError, match="takes a zone name"):
        WorkCalendar(tz="Asia/Shanghai")  # type: ignore[arg-type]
    assert WorkCalendar(tz=SHANGHAI, holiday_countries=("cn",)).holiday_countries == ("CN",)


def test_parse_holidays_splits_codes_from_days_off() -> None:
    codes, days = parse_holidays(("CN, de-by", "2026-12-24..2026-12-26；2027-01-02"))
    assert codes == ("CN", "de-by")  # checked and normalised by the calendar
    assert days == {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 2)}
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_holidays(("2026-12-26..2026-12-24",))
