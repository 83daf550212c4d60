"""Reporting periods (报告期): year, half, quarter, month and month ranges.

A period knows its first and last day, a label, and how much of its plan year
has elapsed at its end (序时进度: 30 June → 50%).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from pipeline.errors import ValueParseError
from pipeline.values import cn_number, squeeze, to_simplified


@dataclass(frozen=True)
class Period:
    """A span of whole months inside one plan year."""

    start: date
    end: date
    label: str

    @property
    def year(self) -> int:
        """The plan year the period belongs to."""
        return self.end.year

    @property
    def is_full_year(self) -> bool:
        """True when the period runs to the last day of the plan year."""
        return self.end == date(self.end.year, 12, 31)

    def elapsed_share(self) -> Decimal:
        """Share of the plan year elapsed at the period's end (months / 12)."""
        return Decimal(self.end.month) / Decimal(12)

    def contains(self, day: date) -> bool:
        """True when `day` falls inside the period (both ends included)."""
        return self.start <= day <= self.end

    def previous(self) -> Period:
        """The same span one year earlier (for 同比)."""
        return months_period(self.start.year - 1, self.start.month, self.end.month)

    def key(self) -> str:
        """A stable machine form: 2024, 2024-01..2024-06."""
        if self.start.month == 1 and self.is_full_year:
            return str(self.year)
        return f"{self.start:%Y-%m}..{self.end:%Y-%m}"


def months_period(year: int, first: int, last: int) -> Period:
    """The period from the first day of `first` to the last day of `last`."""
    if not 1 <= first <= last <= 12:
        raise ValueParseError(f"月份范围 {first}-{last} 无效")
    end = date(year, last, calendar.monthrange(year, last)[1])
    return Period(date(year, first, 1), end, _label(year, first, last))


def _label(year: int, first: int, last: int) -> str:
    if (first, last) == (1, 12):
        return f"{year}年"
    if (first, last) == (1, 6):
        return f"{year}年上半年"
    if (first, last) == (7, 12):
        return f"{year}年下半年"
    if first == last:
        return f"{year}年{first}月"
    if last - first == 2 and first % 3 == 1:
        return f"{year}年第{'一二三四'[first // 3]}季度"
    return f"{year}年{first}-{last}月"


_HALF = {"上半年": (1, 6), "下半年": (7, 12), "h1": (1, 6), "h2": (7, 12)}
_PATTERNS = [
    (re.compile(r"(\d{4})年?"), lambda m: (1, 12)),
    (re.compile(r"(\d{4})年?(上半年|下半年|h1|h2)"), lambda m: _HALF[m[2]]),
    (re.compile(r"(\d{4})年?(?:第)?([1-4一二三四])季度?"), lambda m: _quarter(m[2])),
    (re.compile(r"(\d{4})q([1-4])"), lambda m: _quarter(m[2])),
    (re.compile(r"(\d{4})年(\d{1,2}|[一二三四五六七八九十]+)月(?:份)?"), lambda m: (cn_number(m[2]), cn_number(m[2]))),
    (re.compile(r"(\d{4})-(\d{1,2})"), lambda m: (int(m[2]), int(m[2]))),
    (re.compile(r"(\d{4})年(\d{1,2})月?[-~至到—–](?:\d{4}年)?(\d{1,2})月(?:份)?"), lambda m: (int(m[2]), int(m[3]))),
]


def _quarter(text: str) -> tuple[int, int]:
    number = cn_number(text)
    return 3 * number - 2, 3 * number


def parse_period(value: object) -> Period:
    """Read a 报告期 as people write it.

    >>> parse_period("2024年1-6月").label, parse_period("2024Q2").key()
    ('2024年上半年', '2024-04..2024-06')
    """
    if isinstance(value, (date, datetime)):
        return months_period(value.year, 1, 12)
    if isinstance(value, (int, float)) and float(value).is_integer():
        value = str(int(value))
    text = to_simplified(squeeze(value)).lower().replace("度", "")
    for pattern, months in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            first, last = months(match)
            return months_period(int(match[1]), first, last)
    raise ValueParseError(f"「{value}」不是可识别的报告期（如 2024年、2024年上半年、2024Q2、2024年1-6月）")
