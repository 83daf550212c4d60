"""经费收支: income and expense entries."""

from __future__ import annotations

from typing import Any

from pipeline.config import Contract, Settings
from pipeline.kinds.common import within
from pipeline.periods import Period

# Some ledgers give two amount columns (收入金额 | 支出金额) instead of 收支 + 金额.
ALTERNATIVES = {"direction": ("income_amount", "expense_amount"), "amount": ("income_amount", "expense_amount")}


def complete(record: dict[str, Any], raw: dict[str, Any], contract: Contract) -> dict[str, Any]:
    """收支 and 金额 from a 收入金额 or 支出金额 column (or a 金额 column under a 收入 / 支出 heading)."""
    income, expense = record.get("income_amount"), record.get("expense_amount")
    side = "收入" if income and not expense else "支出" if expense and not income else None
    if side is not None:
        record["direction"] = record.get("direction") or side
        if record.get("amount") is None:
            record["amount"] = income or expense
    return record


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
