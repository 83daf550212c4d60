"""慰问记录 (one row per 慰问 event), read into the 帮扶慰问 table.

Its fields already carry the 帮扶慰问 names; an event has no person, its
慰问人数 goes into `headcount`.
"""

from __future__ import annotations

from typing import Any

CONVERTED_FIELDS = (
    "category",
    "festival",
    "form",
    "amount",
    "fund_source",
    "headcount",
    "recipients",
    "paid_on",
    "note",
)


def convert(record: dict[str, Any]) -> dict[str, Any]:
    """An event row as a 帮扶慰问 row (the giver, a department, goes into the note when there is none)."""
    row = {k: v for k, v in record.items() if k != "giver"}
    if record.get("giver") and not record.get("note"):
        row["note"] = f"慰问单位：{record['giver']}"
    return row
