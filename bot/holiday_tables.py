"""Public holidays and official make-up work days by country, from the holidays library.

Codes are the library's: a country ("CN", "US") or a country and region
("DE-BY"). Each year is looked up once and cached; make-up days are the
weekend days a country works to bridge a holiday (China's 调休).
"""

from __future__ import annotations

import functools
from datetime import date

import holidays as holidays_lib

__all__ = ["check_country", "country_year"]

_HOLIDAY_HINT = "use a country code such as CN or US, or dates like 2026-12-24"


@functools.lru_cache(maxsize=1)
def _supported_countries() -> dict[str, frozenset[str]]:
    """Country codes the holiday library knows, each with its subdivision codes."""
    return {
        code.upper(): frozenset(sub.upper() for sub in subdivisions)
        for code, subdivisions in holidays_lib.list_supported_countries().items()
    }


def check_country(entry: str) -> str:
    """Normalise a holiday calendar code ("cn", "DE-BY") or raise ValueError."""
    code = entry.strip().upper()
    country, dash, region = code.partition("-")
    known = _supported_countries()
    if country not in known:
        raise ValueError(f"unknown holiday calendar {entry!r}; {_HOLIDAY_HINT}")
    if dash and region not in known[country]:
        regions = sorted(known[country])
        if not regions:
            raise ValueError(f"holiday calendar {country} has no regions; use {country} on its own")
        listed = ", ".join(regions[:20]) + (", ..." if len(regions) > 20 else "")
        raise ValueError(
            f"unknown region {region!r} in holiday calendar {entry!r}; "
            f"use {country} alone or one of its regions: {listed}"
        )
    return code


@functools.lru_cache(maxsize=4096)
def country_year(code: str, year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Public days off and official make-up work days of one calendar code in one year."""
    country, _, region = code.partition("-")
    table = holidays_lib.country_holidays(country, subdiv=region or None, years=year)
    # The library's make-up day set can hold days of other years; keep only this one's.
    made_up = getattr(table, "weekend_workdays", ())
    days_off = frozenset(d for d in table if d.year == year)
    workdays = frozenset(d for d in made_up if d.year == year)
    return days_off, workdays
