"""活动台账: held, planned, completed, on time."""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.config import Settings
from pipeline.kinds.common import within
from pipeline.periods import Period

TRAINING = {"技能培训", "思想教育"}

SOURCE_FIELDS = {
    "person_times_or_participants": ("person_times", "participants"),
    "planned_due": ("planned_month",),
}


def _planned_first_day(month: Any) -> date | None:
    return date(month[0], month[1], 1) if isinstance(month, tuple) else None


def _row(row: dict[str, Any], period: Period) -> dict[str, Any]:
    held_on = row["held_on"]
    dated = isinstance(held_on, date)
    status = row["status"] or ("已完成" if dated else "未开展")
    planned = _planned_first_day(row["planned_month"])
    # The plan is counted year to date: planned for a month of the plan year up to the period's end.
    planned_due = planned is not None and planned.year == period.end.year and planned <= period.end
    planned_in_period = planned is not None and period.start <= planned <= period.end
    in_period = within(held_on, period)
    held = status == "已完成"
    # Completed by the period's end, within the plan year (an activity dated last year completes nothing).
    completed = held and (not dated or (held_on.year == period.end.year and held_on <= period.end))
    on_time = (
        completed and dated and planned is not None and (held_on.year, held_on.month) <= (planned.year, planned.month)
    )
    return {
        **row,
        "status_effective": status,
        "in_period": in_period,
        "held": held,
        "held_in_period": held and (in_period or (not dated and planned_in_period)),
        "planned_due": planned_due,
        "completed": completed,
        "on_time": on_time,
        "training": row["category"] in TRAINING,
        "culture": row["category"] == "文体活动",
        "held_month": held_on.month if dated else None,
        "person_times_or_participants": row["person_times"] if row["person_times"] is not None else row["participants"],
    }


def derive(rows: list[dict[str, Any]], period: Period, settings: Settings) -> list[dict[str, Any]]:
    """Each activity with its flags."""
    return [_row(row, period) for row in rows]
