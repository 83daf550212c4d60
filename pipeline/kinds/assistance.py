"""帮扶慰问: payouts to people (签领表, 发放台账) and, at event grain, 慰问 records.

A payout row names a person; an event row (from a 慰问记录 export) has no
person but a head count (慰问人数), which counts as 人次. `people` is what the
帮扶慰问人数 indicator sums: an event's head count, or 1 for the first payout
of the period to each person (a person paid twice is one person).
"""

from __future__ import annotations

from typing import Any

from pipeline.config import Contract, Settings
from pipeline.kinds.common import within
from pipeline.periods import Period

HARDSHIP = {"困难帮扶", "大病救助", "金秋助学", "送温暖"}

SOURCE_FIELDS = {"people": ("person", "headcount")}


def complete(columns: dict[str, list[Any]], raws: dict[str, list[Any]], contract: Contract) -> None:
    """`春节慰问` in the category column says the festival too, when the 节日 column is empty."""
    category, written = columns.get("category"), raws.get("category")
    if category is None or written is None or "节日慰问" not in category:
        return
    festival = columns.setdefault("festival", [None] * len(category))
    lookup = contract.enums["festival"].lookup
    for i, value in enumerate(category):
        if value == "节日慰问" and festival[i] is None and written[i] is not None:
            festival[i] = lookup(str(written[i]))


def derive(rows: list[dict[str, Any]], period: Period, settings: Settings) -> list[dict[str, Any]]:
    """Each payout with in_period, hardship, person_key and the people it counts."""
    seen: set[str] = set()
    derived = []
    for row in rows:
        person = f"{row['_unit']}|{row['person']}" if row["person"] is not None else None
        key = f"{person}#{row['person_id']}" if person and row["person_id"] else person
        in_period = within(row["paid_on"], period)
        if row.get("headcount") is not None and row["person"] is None:
            people = row["headcount"]
        else:
            people = 1 if in_period and key is not None and key not in seen else 0
            if in_period and key is not None:
                seen.add(key)
        derived.append(
            {
                **row,
                "in_period": in_period,
                "hardship": row["category"] in HARDSHIP,
                "person_key": key,
                "people": people,
                "paid_month": row["paid_on"].month if row["paid_on"] is not None else None,
            }
        )
    return derived
