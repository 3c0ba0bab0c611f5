"""The words people type for a day or a time, in English and Chinese, read by a fixed grammar.

`dates.parse_*` is the one entry point; this module knows the vocabulary: `tomorrow 3pm`,
`next monday`, `in 3 days`, `end of month`, `Dec 5`, `明天下午3点`, `下周一`, `三天后`, `月底`,
`2027年1月5日`. Every form is matched whole and every number checked, so `Dec 32` or `25点`
is refused instead of being read as something else (a year, another day) by a lenient parser.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from crmcli.errors import Unreadable
from crmcli.i18n import _

WEEKDAYS = {
    name: index
    for index, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
MONTHS = {
    name: index + 1
    for index, names in enumerate([
        ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
        ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
        ("october", "oct"), ("november", "nov"), ("december", "dec"),
    ])
    for name in names
}
NAMED_DAYS = {
    "today": 0, "今天": 0, "今日": 0,
    "tomorrow": 1, "明天": 1, "明日": 1,
    "yesterday": -1, "昨天": -1, "昨日": -1,
    "后天": 2, "大后天": 3, "前天": -2, "大前天": -3,
}
UNITS = {
    "d": "d", "day": "d", "days": "d", "天": "d", "日": "d",
    "w": "w", "week": "w", "weeks": "w", "周": "w", "星期": "w", "礼拜": "w",
    "m": "m", "month": "m", "months": "m", "月": "m",
    "y": "y", "year": "y", "years": "y", "年": "y",
    "h": "h", "hour": "h", "hours": "h", "小时": "h", "钟头": "h",
}
STEPS = {"next": 1, "下": 1, "下个": 1, "last": -1, "上": -1, "上个": -1, "this": 0, "本": 0, "这": 0, "这个": 0,
         "今": 0, "明": 1, "去": -1, "下下": 2, "下下个": 2}

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMBER = re.compile(r"[〇零一二两三四五六七八九十]+")

RELATIVE = re.compile(r"^(?P<sign>[+-])\s*(?P<count>\d+)\s*(?P<unit>h|d|w|m|y)$")
IN_UNITS = re.compile(r"^in\s+(?P<count>\d+|an?)\s+(?P<unit>[a-z]+)$")
UNITS_AGO = re.compile(r"^(?P<count>\d+|an?)\s+(?P<unit>[a-z]+)\s+(?P<dir>ago|from now|later)$")
CN_UNITS = re.compile(r"^(?P<count>\d+)\s*个?\s*(?P<unit>天|日|周|星期|礼拜|月|年|小时|钟头)\s*"
                      r"(?P<dir>后|以后|之后|前|以前|之前)$")
NEXT_SPAN = re.compile(r"^(?P<which>next|last|this)\s+(?P<unit>week|month|year)$")
CN_SPAN = re.compile(r"^(?P<which>下个|上个|下|上|明|去|今)(?P<unit>周|星期|礼拜|月|年)$")
EDGE = re.compile(r"^(?P<edge>start|beginning|end)\s+of\s+(?:(?:the|this)\s+)?(?P<which>next\s+|last\s+)?"
                  r"(?P<unit>week|month|year)$")
CN_EDGE = re.compile(r"^(?P<which>本|这个?|下个?|上个?|今|明|去)?(?P<unit>月|年)(?P<edge>初|底|末)$")
WEEKDAY = re.compile(r"^(?:(?P<which>next|last|this)\s+)?(?P<day>[a-z]+)$")
CN_WEEKDAY = re.compile(r"^(?P<which>下下个?|下个?|上个?|本|这个?)?(?:周|星期|礼拜)(?P<day>[1-7日天])$")
CN_DATE = re.compile(r"^(?:(?P<year>\d{4})\s*年)?\s*(?:(?P<prefix>下下个|下个|上个|下|上|本|这个|这)?\s*"
                     r"(?:(?P<month>\d{1,2})\s*)?月)?\s*(?:(?P<day>\d{1,2})\s*[日号])?$")
MONTH_DAY = re.compile(r"^(?P<month>[a-z]+)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?$")
DAY_MONTH = re.compile(r"^(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>[a-z]+)\.?(?:,?\s+(?P<year>\d{4}))?$")
YEAR_FIRST = re.compile(r"^(?P<year>\d{4})[/.](?P<month>\d{1,2})[/.](?P<day>\d{1,2})$")
NUMERIC = re.compile(r"^(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?:(?P=sep)(?P<year>\d{2,4}))?$")

CN_TIME = re.compile(r"(?P<part>上午|早上|早晨|中午|下午|傍晚|晚上|凌晨)?\s*(?<![\d:])(?P<hour>\d{1,2})\s*"
                     r"(?:[点點时時]\s*(?:(?P<half>半)|(?P<cn_minute>\d{1,2})\s*分?)?|:(?P<minute>\d{2}))$")
EN_TIME = re.compile(r"(?:^|\s)(?:at\s+)?(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
                     r"\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?$")
WORD_TIMES = {"noon": time(12), "midday": time(12), "midnight": time(0), "中午": time(12), "午夜": time(0)}
AFTERNOON = ("下午", "傍晚", "晚上")


def normalized(text: str) -> str:
    """`text` in one form: full-width digits and colons made plain (NFKC), lower case,
    single spaces, Chinese numerals as digits (`三天后` → `3天后`, `二〇二七年` → `2027年`)."""
    plain = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    return CN_NUMBER.sub(_cn_number, plain)


def _cn_number(match: re.Match) -> str:
    digits = match.group()
    if "十" not in digits:
        return "".join(str(CN_DIGITS[c]) for c in digits)
    tens, _ten, ones = digits.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return digits  # not a number below 100: left for the grammar to refuse
    return str((CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[ones] if ones else 0))


def split_time(text: str) -> tuple[str, time | None]:
    """`text` as its day part and the time of day at its end, if it names one
    (`tomorrow 3pm`, `明天下午3点半`, `friday 15:00`, `下午三点`)."""
    for word, at in WORD_TIMES.items():
        if text.endswith(word) and (word == "中午" or text == word or text.endswith(" " + word)):
            return _rest(text[: -len(word)]), at
    match = CN_TIME.search(text)
    if match:
        return _rest(text[: match.start()]), _cn_time(match)
    match = EN_TIME.search(text)
    if match and (match["minute"] or match["ampm"]):
        return _rest(text[: match.start()]), _en_time(match)
    return text, None


def _rest(day_part: str) -> str:
    return day_part.strip().removesuffix(" at").removesuffix(",").strip()


def _cn_time(match: re.Match) -> time:
    hour = int(match["hour"])
    minute = 30 if match["half"] else int(match["cn_minute"] or match["minute"] or 0)
    part = match["part"]
    if part in AFTERNOON and 1 <= hour < 12 or part == "中午" and hour < 11:
        hour += 12
    elif part == "凌晨" and hour == 12:
        hour = 0
    return _time(hour, minute, 0)


def _en_time(match: re.Match) -> time:
    hour, minute, second = int(match["hour"]), int(match["minute"] or 0), int(match["second"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise Unreadable(_("no such time of day: {hour} {ampm}").format(hour=hour, ampm=match["ampm"]))
        hour = hour % 12 + (12 if match["ampm"].startswith("p") else 0)
    return _time(hour, minute, second)


def _time(hour: int, minute: int, second: int) -> time:
    try:
        return time(hour, minute, second)
    except ValueError:
        raise Unreadable(_("no such time of day")) from None


def calendar_day(year: int, month: int, day: int) -> date:
    """The day, or Unreadable when the calendar has no such day."""
    try:
        return date(year, month, day)
    except ValueError:
        raise Unreadable(_("no such day")) from None


def shifted(day: date, count: int, unit: str) -> date:
    """`day` moved by `count` days, weeks, months or years (a month end stays in its month)."""
    return day + {"d": relativedelta(days=count), "w": relativedelta(weeks=count),
                  "m": relativedelta(months=count), "y": relativedelta(years=count)}[unit]


def read_relative(text: str, now: datetime) -> tuple[datetime | date, bool] | None:
    """An offset from now: `+3d`, `-2w`, `+2h`, `in 3 days`, `2 weeks ago`, `3天后`, `两小时后`;
    hours give a moment (True), the rest a day (False)."""
    match = RELATIVE.match(text)
    if match:
        count, unit = int(match["count"]) * (1 if match["sign"] == "+" else -1), match["unit"]
    elif (match := IN_UNITS.match(text) or UNITS_AGO.match(text) or CN_UNITS.match(text)) is not None:
        unit = UNITS.get(match["unit"], "")
        if not unit:
            return None
        count = 1 if match["count"] in ("a", "an") else int(match["count"])
        if match.groupdict().get("dir") in ("ago", "前", "以前", "之前"):
            count = -count
    else:
        return None
    if unit == "h":
        return now + timedelta(hours=count), True
    return shifted(now.date(), count, unit), False


def read_day(text: str, today: date) -> date | None:
    """The day a phrase without a time names, or None when it is no phrase this grammar knows."""
    if text in NAMED_DAYS:
        return today + timedelta(days=NAMED_DAYS[text])
    for reader in (_span, _edge, _weekday, _cn_weekday, _cn_date, _month_name, _year_first):
        day = reader(text, today)
        if day is not None:
            return day
    return None


def _span(text: str, today: date) -> date | None:
    """`next week`, `下个月`, `明年`: the same day a week, month or year on (or back)."""
    match = NEXT_SPAN.match(text) or CN_SPAN.match(text)
    if not match:
        return None
    return shifted(today, STEPS[match["which"]], UNITS[match["unit"]])


def _edge(text: str, today: date) -> date | None:
    """`end of month`, `start of next week`, `end of year`, `月底`, `下个月底`, `年初`."""
    match = EDGE.match(text) or CN_EDGE.match(text)
    if not match:
        return None
    which = (match["which"] or "this").strip()
    unit = UNITS[match["unit"]]
    day = shifted(today, STEPS[which], unit)
    start = match["edge"] in ("start", "beginning", "初")
    if unit == "w":
        monday = day - timedelta(days=day.weekday())
        return monday if start else monday + timedelta(days=6)
    if unit == "m":
        return day.replace(day=1 if start else calendar.monthrange(day.year, day.month)[1])
    return date(day.year, 1, 1) if start else date(day.year, 12, 31)


def _weekday(text: str, today: date) -> date | None:
    """`friday` and `this friday` (today or the coming one), `next monday` (never today),
    `last friday` (before today)."""
    match = WEEKDAY.match(text)
    if not match or match["day"] not in WEEKDAYS:
        return None
    ahead = (WEEKDAYS[match["day"]] - today.weekday()) % 7
    if match["which"] == "next" and ahead == 0:
        ahead = 7
    if match["which"] == "last":
        ahead = ahead - 7 if ahead else -7
    return today + timedelta(days=ahead)


def _cn_weekday(text: str, today: date) -> date | None:
    """`周五` (today or the coming one); `本周五`, `下周一`, `上周三`, `下下周二` by calendar week,
    Monday to Sunday, as Chinese counts weeks."""
    match = CN_WEEKDAY.match(text)
    if not match:
        return None
    target = 6 if match["day"] in "日天" else int(match["day"]) - 1
    if match["which"] is None:
        return today + timedelta(days=(target - today.weekday()) % 7)
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(days=7 * STEPS[match["which"]] + target)


def _cn_date(text: str, today: date) -> date | None:
    """`2027年1月5日`, `1月5号`, `5号`, `下个月5号` (a day without a year is in this year)."""
    match = CN_DATE.match(text)
    if not match or match["day"] is None:
        return None
    if match["prefix"] and (match["month"] or match["year"]):
        return None
    year, month = int(match["year"] or today.year), int(match["month"] or today.month)
    if match["prefix"]:
        moved = shifted(today.replace(day=1), STEPS[match["prefix"]], "m")
        year, month = moved.year, moved.month
    return calendar_day(year, month, int(match["day"]))


def _month_name(text: str, today: date) -> date | None:
    """`Dec 5`, `December 5, 2027`, `5 Dec 2027`, `5th of December` (no year: this year)."""
    match = MONTH_DAY.match(text) or DAY_MONTH.match(text)
    if not match or match["month"] not in MONTHS:
        return None
    return calendar_day(int(match["year"] or today.year), MONTHS[match["month"]], int(match["day"]))


def _year_first(text: str, today: date) -> date | None:
    """`2027/1/5`, `2027.01.05`: year first is never ambiguous."""
    match = YEAR_FIRST.match(text)
    if not match:
        return None
    return calendar_day(int(match["year"]), int(match["month"]), int(match["day"]))
