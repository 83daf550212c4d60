"""民主管理: congresses, disclosures and motions (also one row per proposal from a 问题清单)."""

from __future__ import annotations

from typing import Any

from pipeline.config import Settings
from pipeline.kinds.common import within
from pipeline.periods import Period

CONGRESS = {"职代会", "教代会", "会员大会"}


def _in_period(row: dict[str, Any], period: Period) -> bool:
    # A proposal listed without a date belongs to the period of the workbook it was reported in.
    if row["held_on"] is None and row["kind"] is None and row.get("content"):
        return True
    return within(row["held_on"], period)


def derive(rows: list[dict[str, Any]], period: Period, settings: Settings) -> list[dict[str, Any]]:
    """Each meeting or proposal with in_period, congress and disclosure."""
    return [
        {
            **row,
            "in_period": _in_period(row, period),
            "congress": row["kind"] in CONGRESS,
            "disclosure": isinstance(row["kind"], str) and row["kind"].endswith("公开"),
        }
        for row in rows
    ]
