"""Plan targets (目标值) as people write them, and the status against them.

`parse_target("不少于2家", "count")` → Target(2, ">="). Statuses follow 序时进度:
a count or amount target is pro-rated by the elapsed share of the year in a
mid-year report; a rate target is compared as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipeline.errors import ValueParseError
from pipeline.money import format_money, parse_money
from pipeline.periods import Period
from pipeline.values import key_text, parse_int, parse_percent

_GE_WORDS = ("≥", ">=", "不少于", "不低于", "至少", "达到", "达", "以上", "≧", ">")
_LE_WORDS = ("≤", "<=", "不超过", "不高于", "至多", "以内", "以下", "≦", "<")
_EQ_WORDS = ("=", "等于")
CUMULATIVE_UNITS = {"count", "people", "money"}
# What `judge` says of a figure, worst-placed last; the first four judge it against a target.
STATUSES = ("met", "on_track", "behind", "missed", "no_data")
JUDGED = STATUSES[:4]


@dataclass(frozen=True)
class Target:
    """A target value in the indicator's unit, and how the actual is compared."""

    value: Decimal
    comparator: str = ">="
    source: str = "默认"  # 默认 | 本单位年度目标 | 工作计划 | 上级工作计划 | 目标任务表 | 配置文件 | 下级单位目标之和
    units: int = 0  # for a sum of units' targets: how many units
    origin: str = ""  # the document a plan's target was read from

    def source_text(self, words: dict[str, str] | None = None) -> str:
        """Where the target comes from, in the report's words (indicators.csv uses the Chinese)."""
        pattern = (words or {}).get(self.source) or ("下级单位目标之和（{n} 个单位）" if self.units else self.source)
        return pattern.format(n=self.units) + (f"《{self.origin}》" if self.origin else "")

    @property
    def sign(self) -> str:
        """The comparator as printed: ≥, ≤ or =."""
        return {">=": "≥", "<=": "≤", "=": "="}[self.comparator]

    def text(self, unit: str) -> str:
        """The target as shown in reports: ≥ 95%, ≥ 2, ≥ 7,000.00 元."""
        return f"{self.sign} {format_value(self.value, unit)}"


def comparator_of(text: str) -> str | None:
    """The comparator a phrase names (≥, 不少于, 以上 → '>='), or None."""
    for words, comparator in ((_LE_WORDS, "<="), (_GE_WORDS, ">="), (_EQ_WORDS, "=")):
        if any(w in text for w in words):
            return comparator
    return None


def _strip_words(text: str) -> str:
    for word in (*_GE_WORDS, *_LE_WORDS, *_EQ_WORDS, "目标", "完成", "全年", "每年", "年"):
        text = text.replace(word, "")
    return text


def parse_target(raw: object, unit: str, comparator: str | None = None, source: str = "默认") -> Target:
    """Read a target written as `95%`, `９５％`, `0.95`, `不少于2家`, `0.8万元`.

    >>> parse_target("不少于2家", "count")
    Target(value=Decimal('2'), comparator='>=', source='默认', units=0, origin='')
    >>> parse_target("0.8万元", "money").value
    Decimal('8000.0')
    """
    text = key_text(raw)
    found = comparator_of(comparator or "") or comparator_of(text) or ">="
    number = _strip_words(text)
    if not number:
        raise ValueParseError(f"目标值「{raw}」中没有数字")
    if unit == "rate":
        value = parse_percent(number)
    elif unit == "money":
        value = parse_money(re.sub(r"元$", "", number))
    elif unit in ("count", "people"):
        value = Decimal(parse_int(number))
    else:
        value = parse_money(number)
    return Target(value, found, source)


def satisfies(value: Decimal, target: Target) -> bool:
    """True when the actual value meets the target as its comparator says."""
    if target.comparator == "<=":
        return value <= target.value
    if target.comparator == "=":
        return value == target.value
    return value >= target.value


def judge(value: Decimal | None, target: Target | None, unit: str, period: Period) -> str:
    """Met / on_track / behind / missed / no_data ('' when there is no target)."""
    if value is None:
        return "no_data"
    if target is None:
        return ""
    if satisfies(value, target):
        return "met"
    if period.is_full_year:
        return "missed"
    if unit in CUMULATIVE_UNITS and target.comparator == ">=":
        return "on_track" if value >= due(target, unit, period) else "behind"
    return "behind"


def due(target: Target, unit: str, period: Period) -> Decimal:
    """What the target asks for by the period's end: a count or amount pro-rated mid-year (序时进度), else itself."""
    if not period.is_full_year and unit in CUMULATIVE_UNITS and target.comparator == ">=":
        return target.value * period.elapsed_share()
    return target.value


def format_value(value: Decimal | None, unit: str) -> str:
    """Human form of a value: 95.00%, 1,234.50 元, 12."""
    if value is None:
        return "无数据"
    if unit == "rate":
        return f"{format_money(value * 100)}%"
    if unit == "money":
        return f"{format_money(value)} 元"
    if unit in ("count", "people"):
        return f"{value:,.0f}"
    return format_money(value)
