"""会员花名册 (member roster): the unit's head counts where 基本情况 lacks them.

A roster with a 是否会员 or 会员状态 column lists every employee, members and
not; one without lists members only (职工总数 then stays unknown).
"""

from __future__ import annotations

from typing import Any

from pipeline.config import Settings
from pipeline.kinds.common import within
from pipeline.periods import Period

SOURCE_FIELDS = {"member": (), "joined_in_period": ("joined_on",)}
_NOT_MEMBER = {"退会", "非会员"}


def is_member(row: dict[str, Any]) -> bool:
    """是否会员 when given, else 会员状态, else a member (the list is a member list)."""
    if row.get("is_member") is not None:
        return bool(row["is_member"])
    if row.get("member_status") is not None:
        return row["member_status"] not in _NOT_MEMBER
    return True


def derive(rows: list[dict[str, Any]], period: Period, settings: Settings) -> list[dict[str, Any]]:
    """Each person with member, female and joined_in_period."""
    return [
        {
            **row,
            "member": is_member(row),
            "female": row.get("gender") == "女",
            "joined_in_period": is_member(row) and within(row.get("joined_on"), period),
        }
        for row in rows
    ]


def lists_everyone(columns: set[str]) -> bool:
    """True when the roster says who is a member (so its rows are all the employees)."""
    return bool({"is_member", "member_status"} & columns)


def profile_figures(rows: list[dict[str, Any]], columns: set[str]) -> dict[str, int | None]:
    """职工总数, 会员总数, 女职工数, 女会员数 as the roster gives them (None where it cannot tell)."""
    members = [r for r in rows if is_member(r)]
    everyone = lists_everyone(columns)
    gendered = "gender" in columns
    return {
        "employees": len(rows) if everyone else None,
        "members": len(members),
        "female_employees": sum(1 for r in rows if r.get("gender") == "女") if everyone and gendered else None,
        "female_members": sum(1 for r in members if r.get("gender") == "女") if gendered else None,
    }


def fill_profile(unit: Any) -> None:
    """职工总数 / 会员总数 / 女职工数 from the roster where 基本情况 lacks them; a note where both disagree."""
    if "members" not in unit.tables:
        return
    from pipeline.ingest import records

    rows = records(unit.tables["members"])
    figures = profile_figures(rows, set(unit.letters.get("members", {})))
    sheet = unit.sheet_names.get("members", "会员花名册")
    file = rows[0]["_file"] if rows else unit.file
    labels = {
        "employees": "职工总数",
        "members": "会员总数",
        "female_employees": "女职工数",
        "female_members": "女会员数",
    }
    for name, counted in figures.items():
        if counted is None:
            continue
        stated = unit.profile.get(name)
        if stated is None:
            unit.profile[name] = counted
            unit.profile_rows[name] = min((r["_row"] for r in rows), default=0)
            unit.profile_sheets[name] = (file, sheet)
            unit.notes.append(f"{labels[name]} {counted} 按「{sheet}」的名单计数")
        elif stated != counted:
            unit.notes.append(f"「基本情况」的{labels[name]} {stated} 与「{sheet}」名单计数 {counted} 不一致，请核对")
