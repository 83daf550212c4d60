"""经费收支: income and expense entries."""

from __future__ import annotations

from typing import Any

from pipeline.config import Contract, Settings
from pipeline.kinds.common import within
from pipeline.periods import Period

# Some ledgers give two amount columns (收入金额 | 支出金额) instead of 收支 + 金额.
ALTERNATIVES = {"direction": ("income_amount", "expense_amount"), "amount": ("income_amount", "expense_amount")}


def complete(columns: dict[str, list[Any]], raws: dict[str, list[Any]], contract: Contract) -> None:
    """收支 and 金额 from a 收入金额 or 支出金额 column (or a 金额 column under a 收入 / 支出 heading)."""
    if "income_amount" not in columns and "expense_amount" not in columns:
        return
    count = len(next(iter(columns.values())))
    income, expense = columns.get("income_amount", [None] * count), columns.get("expense_amount", [None] * count)
    direction = columns.setdefault("direction", [None] * count)
    amount = columns.setdefault("amount", [None] * count)
    for i, (got, spent) in enumerate(zip(income, expense, strict=True)):
        side = "收入" if got and not spent else "支出" if spent and not got else None
        if side is not None:
            direction[i] = direction[i] or side
            if amount[i] is None:
                amount[i] = got or spent


def derive(rows: list[dict[str, Any]], period: Period, settings: Settings) -> list[dict[str, Any]]:
    """Each entry with in_period, income/expense and the accounts the indicators single out."""
    return [
        {
            **row,
            "in_period": within(row["booked_on"], period),
            "income": row["direction"] == "收入",
            "expense": row["direction"] == "支出",
            "activity_expense": row["account"] == "职工活动支出",
            "remittance": row["account"] == "拨缴经费收入",
        }
        for row in rows
    ]
