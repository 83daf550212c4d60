"""A plan document in a run: whose plan it is, its targets as the run's Targets, its calendar against the 活动台账.

Precedence (run.TargetBook): the unit's own 年度目标 sheet, then its plan, then the targets
workbook, then the configuration, then the defaults. A per-scope target (各社区…不少于2家)
applies to each child unit of that kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pipeline.consolidate import Node
from pipeline.identity import base_name
from pipeline.indicators import UnitFrames
from pipeline.periods import Period
from pipeline.plan import PlanDocument, unit_name_of
from pipeline.plan.extract import CalendarItem, PlanTarget, simplified
from pipeline.targets import Target

PLAN_SOURCE = "工作计划"
PARENT_PLAN_SOURCE = "上级工作计划"


@dataclass
class CalendarCheck:
    """One planned item of the calendar, and what the 活动台账 shows of it."""

    month: str
    item: str
    category: str
    state: str  # done | not_seen | not_due
    activity: str = ""  # the 活动台账 row that matches it


@dataclass
class UnitPlan:
    """A plan document applied to the unit it belongs to."""

    code: str
    document: PlanDocument
    how: str  # how the unit was found
    targets: dict[str, Target] = field(default_factory=dict)
    scoped: dict[str, dict[str, Target]] = field(default_factory=dict)  # unit type → targets for each such child
    unused: list[PlanTarget] = field(default_factory=list)
    calendar: list[CalendarItem] = field(default_factory=list)
    checks: list[CalendarCheck] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)  # the document's articles that are this unit's


def owner(document: PlanDocument, nodes: dict[str, Node], unit_option: str | None) -> tuple[str, str] | None:
    """(unit code, how it was found): --unit, the title's union name, the file name, or the only unit."""
    if unit_option and unit_option in nodes:
        return unit_option, "--unit"
    return _named(unit_name_of(document.title), document.file, nodes) or (
        (next(iter(nodes)), "本次只有一个单位") if len(nodes) == 1 else None
    )


def article_owner(heading: str, nodes: dict[str, Node]) -> tuple[str, str] | None:
    """The unit an article of a 合集 names in its heading (第2篇 实验小学工会2024年工作计划), if it is in the run."""
    named = unit_name_of(heading)
    return _named(named, "", nodes) if named else None


def _named(named: str | None, file: str, nodes: dict[str, Node]) -> tuple[str, str] | None:
    """The node a plan's union name is (exactly, or the one whose full name ends with it), else the file name's."""
    names = {code: simplified(node.name) for code, node in nodes.items()}
    if named:
        exact = [c for c, n in names.items() if n == named or base_name(n) == base_name(named)]
        ending = [c for c, n in names.items() if len(named) >= 4 and n.endswith(named)]
        for found in (exact, ending):
            if len(found) == 1:
                return found[0], "计划标题"
    stem = simplified(file.rsplit(".", 1)[0])
    in_stem = [c for c, n in names.items() if stem and n and (n in stem or c in stem)]
    return (in_stem[0], "文件名") if len(in_stem) == 1 else None


def apply_plan(
    document: PlanDocument, code: str, how: str, settings: Any, notes: list[str], headings: set[str] | None = None
) -> UnitPlan:
    """The plan's used targets (of the articles `headings` names, else all) as Targets of their indicators."""
    units = {d["code"]: d["unit"] for d in settings.indicators}
    mine = [a for a in document.articles if headings is None or a.heading in headings]
    calendar = [c for a in mine for c in a.calendar]
    plan = UnitPlan(code, document, how, calendar=calendar, articles=[a.heading for a in mine])
    for target in (t for a in mine for t in a.targets):
        if target.status != "used" or not target.indicator or target.comparator == "increase":
            plan.unused.append(target)
            continue
        expected = units.get(target.indicator)
        value = target.yearly if target.yearly is not None else target.value
        if expected is None or value is None or (expected == "rate") != (target.unit == "rate"):
            plan.unused.append(target)
            continue
        into = plan.scoped.setdefault(target.scope, {}) if target.scope else plan.targets
        source = PARENT_PLAN_SOURCE if target.scope else PLAN_SOURCE
        if target.indicator in into:
            notes.append(f"{document.file}：「{target.quote}」与前文同一指标的目标重复，采用前者")
            continue
        into[target.indicator] = Target(Decimal(value), target.run_comparator, source, origin=document.file)
    return plan


def scoped_children(plan: UnitPlan, nodes: dict[str, Node]) -> dict[str, dict[str, Target]]:
    """Each child unit of the plan's unit that a per-scope target names (各社区 → every 社区 child)."""
    found: dict[str, dict[str, Target]] = {}
    node = nodes.get(plan.code)
    for scope, targets in plan.scoped.items():
        for child in node.children if node else []:
            kid = nodes[child]
            if kid.unit_type == scope or scope in kid.name:
                found.setdefault(child, {}).update(targets)
    return found


def check_calendar(plan: UnitPlan, unit: UnitFrames | None, period: Period) -> list[CalendarCheck]:
    """Each planned item: done (an activity of its kind held in its months), not yet due, or not seen."""
    held = [r for r in (unit.records("activities") if unit else []) if r.get("completed")]
    checks = []
    for item in plan.calendar:
        first, last = _months(item.month)
        match = next((r for r in held if _matches(item, r, first, last)), None)
        if match is not None:
            state = "done"
        elif period.end.month < first:
            state = "not_due"
        else:
            state = "not_seen"
        name = str(match.get("name") or "") if match else ""
        checks.append(CalendarCheck(item.month, item.item, item.category, state, name))
    return checks


def _months(month: str) -> tuple[int, int]:
    parts = [int(p) for p in re.findall(r"\d+", month)] or [1]
    return parts[0], parts[-1]


def _matches(item: CalendarItem, row: dict[str, Any], first: int, last: int) -> bool:
    """The same kind of activity held in the item's months, or one whose name shares two words with it."""
    month = row.get("held_month")
    if month is not None and not first <= month <= last:
        return False
    name = simplified(str(row.get("name") or ""))
    words = {simplified(item.item)[i : i + 2] for i in range(len(item.item) - 1)}
    shared = sum(1 for w in words if w in name and not re.search(r"[\W\d]", w))
    return shared >= 2 or (row.get("category") == item.category and item.category != "其他")
