"""Exact money: Decimal parsing, 四舍五入 at display only.

Every amount in the pipeline is a `Decimal` in 元. Excel stores doubles, so a
float read from a cell is converted through its shortest repr (241.65 stays
241.65, never 241.6499999…). Rounding happens only when a figure is shown.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from pipeline.errors import ValueParseError

WAN = Decimal(10000)

_CURRENCY = re.compile(r"[¥￥$]|人民币|RMB|CNY", re.IGNORECASE)
_WAN_SUFFIX = re.compile(r"万元?$")
_YUAN_SUFFIX = re.compile(r"元(整)?$")


def to_decimal(value: object) -> Decimal:
    """Turn a number or numeric text (already normalised) into an exact Decimal.

    >>> to_decimal(241.65)
    Decimal('241.65')
    >>> to_decimal("1,234.50")
    Decimal('1234.50')
    """
    return _bounded(_decimal(value), value)


# No ledger figure comes near a quadrillion: a larger one is a damaged or hostile cell (a 5,000-digit
# number would also break int() and str() further on).
LARGEST = Decimal(10) ** 15


def _bounded(amount: Decimal, raw: object) -> Decimal:
    if abs(amount) >= LARGEST:
        shown = str(raw)[:20] + ("…" if len(str(raw)) > 20 else "")
        raise ValueParseError(f"「{shown}」数值过大（超过 10 的 15 次方），不是台账里的数")
    return amount


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueParseError("应为数字，却是逻辑值")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueParseError("不是有效数字")
        return Decimal(repr(value))
    text = str(value).strip().replace(",", "").replace("，", "").replace("。", ".")
    text = text.replace(" ", "")
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise ValueParseError(f"「{value}」不是数字")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise ValueParseError(f"「{value}」不是数字") from exc


def parse_money(value: object, multiplier: Decimal = Decimal(1)) -> Decimal:
    """Parse an amount in 元 from a cell: `3万元`, `¥1,234.50`, `241。65`, `1.2万`.

    `multiplier` is 10000 when the column header says 万元 and the cell has no
    unit of its own.

    >>> parse_money("3万元")
    Decimal('30000')
    >>> parse_money("241。65")
    Decimal('241.65')
    """
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return to_decimal(value) * multiplier
    # 萬/圓 are the traditional forms; NFKC leaves them alone.
    text = _CURRENCY.sub("", str(value)).strip().replace("萬", "万").replace("圓", "元")
    if _WAN_SUFFIX.search(text):
        return to_decimal(_WAN_SUFFIX.sub("", text)) * WAN
    if _YUAN_SUFFIX.search(text):  # the cell's own unit wins over the column's
        return to_decimal(_YUAN_SUFFIX.sub("", text))
    return to_decimal(text) * multiplier


def round_half_up(amount: Decimal, places: int = 2) -> Decimal:
    """四舍五入 to `places` decimals (0.005 → 0.01, never banker's rounding).

    >>> round_half_up(Decimal("2.675"))
    Decimal('2.68')
    """
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | None, places: int = 2) -> str:
    """Display form with thousands separators: ``1,234.50``; empty for None.

    >>> format_money(Decimal("1234.5"))
    '1,234.50'
    """
    if amount is None:
        return ""
    return f"{round_half_up(amount, places):,.{places}f}"


def format_scan(amount: Decimal | None) -> str:
    """Money where a reader scans (a verdict, a summary): 万元 from ten thousand up, exact 元 below.

    >>> format_scan(Decimal("1762100")), format_scan(Decimal("7000"))
    ('176.21万元', '7,000.00 元')
    """
    if amount is None:
        return ""
    if abs(amount) >= 10000:
        return f"{round_half_up(amount / 10000, 2):,.2f}万元"
    return f"{format_money(amount)} 元"
