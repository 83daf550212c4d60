"""集体合同 (the enterprise roster): unionisation and contracts in force."""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.config import Settings
from pipeline.kinds.common import within
from pipeline.periods import Period

# Derived column → sheet columns it comes from; () needs none (是否正常经营 defaults to 是).
SOURCE_FIELDS = {
    "operating": (),
    "covered_in_force": ("covered",),
    "collective_in_force": ("collective_contract",),
    "wage_in_force": ("wage_agreement",),
    "new_union": ("unionised_on",),
}


def in_force(signed: Any, expires: Any, period: Period) -> bool:
    """Signed, and expiring (if a date is given) on or after the period's last day."""
    return bool(signed) and (not isinstance(expires, date) or expires >= period.end)


def _row(row: dict[str, Any], period: Period, threshold: int) -> dict[str, Any]:
    employees = row["employees"]
    unionised = bool(row["unionised"])
    collective = in_force(row["collective_contract"], row["collective_expires"], period)
    # A signed contract covers the stated number of workers, or all employees when no number is given.
    covered = row["covered"] if row["covered"] is not None else employees
    return {
        **row,
        "operating": True if row["operating"] is None else bool(row["operating"]),
        "unionised": unionised,
        "large": employees is not None and employees >= threshold,
        "new_union": unionised and within(row["unionised_on"], period),
        "collective_in_force": collective,
        "wage_in_force": in_force(row["wage_agreement"], row["wage_expires"], period),
        "female_agreement": bool(row["female_agreement"]),
        "covered_in_force": min(covered or 0, employees or 0) if collective else 0,
    }


def derive(rows: list[dict[str, Any]], period: Period, settings: Settings) -> list[dict[str, Any]]:
    """Each enterprise with its flags (large = at or above the unionisation threshold)."""
    threshold = int(settings.domain("unionisation_threshold"))
    return [_row(row, period, threshold) for row in rows]
