"""Due dates written in Chinese: 明天下午3点, 周五前, 12月18号, 3个工作日内, 一个半小时后.

The choices this reader makes where SPEC.md is silent:

- 凌晨 alone is 06:00, 上午 alone 12:00 (the whole forenoon), 下午 and 傍晚
  alone 17:00, 晚上/今晚/明晚 alone 21:00; 晚上12点 is 23:59 of that day.
- A bare "N点" is a time only when it ends the clause or is followed by
  前/之前/钟/整/半 or minutes, or sits beside a date ("明天3点开会"): "以下3点
  建议" and "快一点" are no times.
- "N号"/"N日" alone is a day of the month when a verb, a time, 前 or the end of
  the clause follows ("18号给我", "15号下午3点", "3号前"); after anything else
  ("3号仓库", "2号线", "3号会议室") it is a count or a name.
- "月中" is the 15th; "这个月中" without 旬 means "during this month" and is
  no date.
- "N天"/"2小时"/"半小时" without 后/内 is a span only when it is all the text.
- A fraction of a day, week or month ("半天内", "1.5天后") has no clear due
  time: unreadable, so the command asks.
"""

from __future__ import annotations

import re
from decimal import Decimal

from bot.dates.terms import (
    CN_NUM,
    CN_YEAR,
    LAST_MINUTE,
    WEEKDAYS_CN,
    Ambiguity,
    DateTerm,
    Form,
    Kind,
    N,
    Part,
    Roll,
    TimeTerm,
    Unreadable,
    Value,
    num,
    real_day,
    shift_for_part,
    span,
    whole_text,
    year,
)

_PREFIX_PART: dict[str, Part] = {
    "凌晨": Part.EARLY,
    "早上": Part.MORNING, "早晨": Part.MORNING, "清晨": Part.MORNING,
    "清早": Part.MORNING, "早": Part.MORNING,
    "上午": Part.FORENOON,
    "中午": Part.NOON,
    "午后": Part.AFTERNOON, "下午": Part.AFTERNOON, "傍晚": Part.AFTERNOON,
    "晚上": Part.EVENING, "夜里": Part.EVENING, "夜间": Part.EVENING, "晚": Part.EVENING,
}  # fmt: skip
# Single-character 早/晚 only count before digits: "早一点" means "a bit earlier".
_PREFIX = (
    r"(?P<pre>凌晨|早上|早晨|清晨|清早|上午|中午|午后|下午|傍晚|晚上|夜里|夜间"
    r"|(?<![今明昨傍])晚(?=\s*\d)|(?<![今明昨清提尽趁])早(?=\s*\d))"
)

# What may follow a day of the month for it to be a date. Nouns that begin like
# a verb ("出口", "会议室", "交换机") are checked first.
_DAY_NOUNS = (
    "出口", "出入口", "会议", "会客", "交换", "发电", "发动", "开关", "办公", "处理器",
    "报告", "批次", "回路", "上铺", "出租", "到达口",
)  # fmt: skip
_DAY_FOLLOWERS = re.compile(
    r"(?:$|[,.;:!?。；！？、()\[\]]|前|之前|以前|截止|左右|之内|以内|内|当天|下班|晚上|早上"
    r"|上午|下午|中午|凌晨|傍晚|夜里|\d|[" + CN_NUM + r"]{1,3}[点點]|周|星期|礼拜"
    r"|给|交|发|寄|送|提|完成|做|弄|搞|处理|解决|上线|上班|到|回|确认|开|见|要|必须|务必"
    r"|需要|得|能|可以|再|就|一定|过来|来|去|走|办|改|修|签|付|还|报|批|审|安排|约|碰|聊"
    r"|汇报|反馈|答复|出|有|会|请|麻烦|帮|把|将|让|准备|结|收|放|领|取|拿|统一|之后再)",
)
_BARE_HOUR_AFTER = re.compile(r"(?:前|之前|以前|左右|$|[\s,.;!?。；！？、)）])", re.ASCII)
_NUMERAL_HOUR_AFTER = re.compile(r"(?:前|之前|以前)")
_NOT_WEEKDAY_ONE = frozenset("起些样直般共同切")
_SPACES = re.compile(r"\s*")


def _b_ymd(m: re.Match[str], text: str) -> Value | None:
    month, day = num(m["m"]), num(m["d"])
    if month is None or day is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    y = year(m["y"])
    if not real_day(y, month, day):
        return Unreadable()
    return DateTerm(Kind.ABSOLUTE, year=y, month=month, day=day)


def _month(raw: str) -> int | None:
    month = num(raw)
    return month if month is not None and 1 <= month <= 12 else None


def _b_year_month_end(m: re.Match[str], text: str) -> Value | None:
    month = _month(m["m"])
    return None if month is None else DateTerm(Kind.MONTH_END, year=year(m["y"]), month=month)


def _b_month_end_numbered(m: re.Match[str], text: str) -> Value | None:
    month = _month(m["m"])
    return None if month is None else DateTerm(Kind.MONTH_END, roll=Roll.DAY, month=month)


def _b_month_middle_numbered(m: re.Match[str], text: str) -> Value | None:
    month = _month(m["m"])
    return None if month is None else DateTerm(Kind.MONTH_DAY, roll=Roll.DAY, month=month, day=15)


def _b_month_day(m: re.Match[str], text: str) -> Value | None:
    month, day = num(m["m"]), num(m["d"])
    if month is None or day is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if m["suf"] is None and not _day_follower(text, m.end()):
        return None
    if not real_day(2000, month, day):  # 2000 was a leap year: 2月29日 is real
        return Unreadable()
    return DateTerm(Kind.MONTH_DAY, roll=Roll.DAY, month=month, day=day)


def _rel_months(rel: str) -> int:
    if rel.startswith("下下"):
        return 2
    return 1 if rel.startswith("下") else 0


def _b_rel_month_day(m: re.Match[str], text: str) -> Value | None:
    day = num(m["d"])
    if day is None or not 1 <= day <= 31:
        return None
    return DateTerm(Kind.DAY_OF_MONTH, day=day, offset=_rel_months(m["rel"]))


def _day_follower(text: str, end: int) -> bool:
    """Whether what follows a day of the month makes it a date (see the module notes)."""
    at = _SPACES.match(text, end)
    pos = at.end() if at else end
    if text.startswith(_DAY_NOUNS, pos):
        return False
    return _DAY_FOLLOWERS.match(text, pos) is not None


def _b_day(m: re.Match[str], text: str) -> Value | None:
    day = num(m["d"])
    if day is None or not 1 <= day <= 31 or not _day_follower(text, m.end()):
        return None
    return DateTerm(Kind.DAY_OF_MONTH, roll=Roll.DAY, day=day)


_REL_DAY: dict[str, tuple[int, Part | None]] = {
    "大后天": (3, None), "后天": (2, None), "明天": (1, None), "明日": (1, None),
    "明儿": (1, None), "明早": (1, Part.MORNING), "明晚": (1, Part.EVENING),
    "今天": (0, None), "今日": (0, None), "今儿": (0, None), "今早": (0, Part.MORNING),
    "今晚": (0, Part.EVENING), "今夜": (0, Part.EVENING), "昨天": (-1, None),
    "昨日": (-1, None),
}  # fmt: skip


def _b_rel_day(m: re.Match[str], text: str) -> Value | None:
    offset, part = _REL_DAY[m["w"]]
    return DateTerm(Kind.RELATIVE, offset=offset, part=part)


def _week_offset(rel: str) -> int:
    if rel.startswith("下下"):
        return 2
    if rel.startswith("下"):
        return 1
    return -1 if rel.startswith("上") else 0


def _b_weekday(m: re.Match[str], text: str) -> Value | None:
    mark = m["wd"]
    following = text[m.end() : m.end() + 1]
    # "下周一起" reads as "next week, together"; "周1" followed by digits is no day.
    if mark == "一" and following in _NOT_WEEKDAY_ONE:
        return None
    if mark.isdigit() and following.isdigit():
        return None
    rel = m["rel"]
    if rel is None:
        return DateTerm(Kind.WEEKDAY, roll=Roll.INSTANT, weekday=WEEKDAYS_CN[mark])
    return DateTerm(Kind.WEEKDAY, weekday=WEEKDAYS_CN[mark], offset=_week_offset(rel))


def _b_week(m: re.Match[str], text: str) -> Value | None:
    rel = m["rel"]
    if rel is None:
        if m["end"] is None:
            return None
        return DateTerm(Kind.WEEK_END, roll=Roll.INSTANT)
    return DateTerm(Kind.WEEK_END, offset=_week_offset(rel))


def _b_month_end(m: re.Match[str], text: str) -> Value | None:
    rel = m["rel"]
    if rel is None:
        return DateTerm(Kind.MONTH_END, roll=Roll.INSTANT)
    return DateTerm(Kind.MONTH_END, offset=_rel_months(rel))


def _b_month_middle(m: re.Match[str], text: str) -> Value | None:
    rel = m["rel"]
    if rel is None:
        return DateTerm(Kind.DAY_OF_MONTH, roll=Roll.DAY, day=15)
    if rel.startswith("这") and m["xun"] is None:  # "这个月中" is "during this month"
        return None
    return DateTerm(Kind.DAY_OF_MONTH, day=15, offset=_rel_months(rel))


def _b_year_end(m: re.Match[str], text: str) -> Value | None:
    if m["y"] is not None:
        return DateTerm(Kind.YEAR_END, year=year(m["y"]))
    rel = m["rel"]
    if rel is None:
        return DateTerm(Kind.YEAR_END, roll=Roll.INSTANT)
    return DateTerm(Kind.YEAR_END, offset=1 if rel == "明" else 0)


_UNITS: dict[str, str] = {
    "小时": "h", "钟头": "h", "分钟": "min", "工作日": "wd", "天": "d", "日": "d",
    "周": "w", "星期": "w", "礼拜": "w", "月": "m",
}  # fmt: skip


def _b_span(m: re.Match[str], text: str) -> Value | None:
    if m["suf"] is None and not whole_text(text, m.start(), m.end()):
        return None
    unit = _UNITS[m["u"]]
    if unit == "m" and m["ge"] is None and m["n"] != "半":  # "3月后" is "after March"
        return None
    if m["n"] == "半":
        if m["half"] is not None:
            return None
        count = Decimal("0.5")
    elif m["n"].isascii():
        count = Decimal(m["n"])
    else:
        whole = num(m["n"])
        if whole is None:
            return None
        count = Decimal(whole)
    if m["half"] is not None:
        count += Decimal("0.5")
    if m["mi"] is not None:
        minutes = num(m["mi"])
        if unit != "h" or minutes is None or minutes > 59:
            return None
        count += Decimal(minutes) / 60
    return span(count, unit)


def _hour_minutes(
    pre: str | None, hour: int, minute: int
) -> tuple[int, Ambiguity, Part | None] | None:
    """Minutes after midnight for a Chinese clock time, or None when impossible."""
    if hour > 24 or minute > 59:
        return None
    if pre is None:
        if hour == 24:
            return LAST_MINUTE, Ambiguity.NONE, None
        return hour * 60 + minute, (Ambiguity.BARE if hour <= 12 else Ambiguity.NONE), None
    part = _PREFIX_PART[pre]
    if part is Part.EVENING and hour in (12, 24):
        return LAST_MINUTE, Ambiguity.NONE, part
    if part is Part.EARLY and hour == 12:
        hour = 0
    hour = shift_for_part(hour, part)
    if hour > 23:
        return None
    return hour * 60 + minute, Ambiguity.NONE, part


def _b_clock(m: re.Match[str], text: str) -> Value | None:
    hour = num(m["h"])
    if hour is None:
        return None
    minute = 0
    if m["mi"] is not None:
        parsed = num(m["mi"])
        if parsed is None:
            return None
        minute = parsed
    elif m["half"] is not None:
        minute = 30
    elif m["q"] is not None:
        minute = 15 if m["q"] == "一刻" else 45
    found = _hour_minutes(m["pre"], hour, minute)
    if found is None:
        return None
    minutes, ambiguity, _ = found
    alone = True
    if m["pre"] is None and m["mi"] is None and m["half"] is None and m["q"] is None:
        # "以下3点建议", "快一点": a bare 点 is only a time when it is clearly one.
        after = _BARE_HOUR_AFTER if m["h"].isdigit() else _NUMERAL_HOUR_AFTER
        alone = m["zh"] is not None or after.match(text, m.end()) is not None
    return TimeTerm(minutes=minutes, ambiguity=ambiguity, alone=alone)


def _b_clock_colon(m: re.Match[str], text: str) -> Value | None:
    found = _hour_minutes(m["pre"], int(m["h"]), int(m["mi"]))
    return None if found is None else TimeTerm(minutes=found[0])


def _b_part(m: re.Match[str], text: str) -> Value | None:
    part = _PREFIX_PART[m["pre"]]
    if part is Part.NOON:
        return TimeTerm(minutes=12 * 60)
    # "下午有空吗" is no due date; "下午前" and "下午" said alone are.
    alone = _NUMERAL_HOUR_AFTER.match(text, m.end()) is not None or whole_text(
        text, m.start(), m.end()
    )
    return TimeTerm(part=part, alone=alone)


def _b_eod(m: re.Match[str], text: str) -> Value | None:
    return TimeTerm(eod=True)


_REL = r"(?P<rel>本|这个|这|下下个|下下|下个|下)"
_NO_NUMBER_BEFORE = rf"(?<![\d{CN_NUM}年])"
# "3月中" is mid-March, "3月中国市场" is "China's market in March".
_MIDDLE_END = r"(?:(?P<xun>旬)|(?![国心间央文部层学午]))"

FORMS: tuple[Form, ...] = (
    Form(
        rf"(?<!\d)(?P<y>\d{{4}}|{CN_YEAR})\s*年\s*(?P<m>{N})\s*月\s*(?P<d>{N})\s*[日号]?",
        _b_ymd,
        ("年",),
    ),
    Form(
        rf"(?<!\d)(?P<y>\d{{4}}|{CN_YEAR})\s*年\s*(?P<m>{N})\s*月\s*[底末]",
        _b_year_month_end,
        ("底", "末"),
    ),
    Form(rf"{_NO_NUMBER_BEFORE}(?P<m>{N})\s*月\s*[底末]", _b_month_end_numbered, ("底", "末")),
    Form(
        rf"{_NO_NUMBER_BEFORE}(?P<m>{N})\s*月\s*中{_MIDDLE_END}", _b_month_middle_numbered, ("中",)
    ),
    Form(
        rf"{_NO_NUMBER_BEFORE}(?P<m>{N})\s*月\s*(?P<d>{N})\s*(?P<suf>[日号])?",
        _b_month_day,
        ("月",),
    ),
    Form(rf"{_REL}月\s*(?P<d>{N})\s*[日号]", _b_rel_month_day, ("月",)),
    Form(rf"(?<![\d月第])(?P<d>\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*[日号]", _b_day, ("日", "号")),
    Form(
        r"(?P<w>大后天|后天|明天|明日|明儿|明早|明晚|今天|今日|今儿|今早|今晚|今夜|昨天|昨日)",
        _b_rel_day,
        ("天", "日", "儿", "早", "晚", "夜"),
    ),
    Form(
        r"(?<!每)(?<!每个)(?P<rel>下下个|下下|下个|下|上个|上|本|这个|这)?"
        r"(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])",
        _b_weekday,
        ("周", "星期", "礼拜"),
    ),
    Form(
        r"(?<!每)(?P<rel>下下个|下下|下个|下|本|这个|这)?(?:周|星期|礼拜)(?P<end>末)?",
        _b_week,
        ("周", "星期", "礼拜"),
    ),
    Form(rf"{_NO_NUMBER_BEFORE}{_REL}?月(?:底|末)", _b_month_end, ("月底", "月末")),
    Form(rf"(?<![\d{CN_NUM}年个岁每]){_REL}?月中{_MIDDLE_END}", _b_month_middle, ("月中",)),
    Form(
        rf"(?<!\d)(?:(?P<y>\d{{4}}|{CN_YEAR})\s*|(?P<rel>今|明))?年(?:底|末)",
        _b_year_end,
        ("年底", "年末"),
    ),
    Form(
        rf"(?<![\d第.])(?P<n>\d{{1,6}}(?:\.\d{{1,2}})?|[{CN_NUM}]{{1,3}}|半)\s*(?P<ge>个)?\s*"
        r"(?P<half>半)?\s*(?P<u>小时|钟头|分钟|工作日|天|日|周|星期|礼拜|月)"
        rf"(?:\s*(?P<mi>\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*分钟?)?"
        r"\s*(?P<suf>之后|以后|后|之内|以内|内)?",
        _b_span,
        ("时", "钟头", "分钟", "工作日", "天", "日", "周", "星期", "礼拜", "月"),
    ),
    Form(
        rf"(?:{_PREFIX}\s*)?(?<!\d)(?P<h>\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*"
        r"(?:[点點]|[时時](?!间|候))"
        rf"(?:(?P<half>半)|(?P<q>一刻|三刻)|\s*(?P<mi>\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*分?"
        r"|(?P<zh>整|钟))?",
        _b_clock,
        ("点", "點", "时", "時"),
    ),
    Form(rf"{_PREFIX}\s*(?P<h>\d{{1,2}}):(?P<mi>\d{{2}})(?!\d)", _b_clock_colon, (":",)),
    Form(
        r"(?P<pre>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里)",
        _b_part,
        ("凌晨", "早", "午", "傍晚", "晚上", "夜里"),
    ),
    Form(r"(?:下班|收工)(?:之前|以前|前)", _b_eod, ("下班", "收工")),
)
