"""Consolidate stage: the organisation tree, who reported, and roll-ups.

The tree comes from the 组织架构 roster when one is given, else from the
workbooks' 上级单位代码. Each node's roll-up is computed over the rows of its
own workbook and every descendant's (`indicators.evaluate` over those units),
so rates are consolidated by summing numerators and denominators. Only
workbooks of the current period count; the previous period's feed 同比.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from pipeline.indicators import UnitFrames
from pipeline.ingest import UnitWorkbook
from pipeline.periods import Period


@dataclass
class Node:
    """One unit of the organisation tree."""

    code: str
    name: str
    parent: str = ""
    unit_type: str = ""
    expected: bool = False  # named in the roster
    children: list[str] = field(default_factory=list)


@dataclass
class Submission:
    """What arrived from one expected unit."""

    code: str
    name: str
    parent: str
    status: str  # received | missing | rejected | duplicate
    files: list[str] = field(default_factory=list)
    note: str = ""
    late: bool = False  # filled in after the submission deadline
    fixed: int | None = None  # a corrected resubmission: how many problems of the earlier one are gone…
    remaining: int | None = None  # …and how many are still there


@dataclass
class Selection:
    """The workbooks a run reports on, and the ones it sets aside."""

    period: Period | None
    current: dict[str, UnitWorkbook]
    previous: dict[str, UnitWorkbook]
    duplicates: dict[str, list[UnitWorkbook]]
    other_period: list[UnitWorkbook]


def choose_period(units: list[UnitWorkbook]) -> Period | None:
    """The period most workbooks report on, the latest one on a tie."""
    periods = Counter(u.period for u in units if u.period is not None)
    if not periods:
        return None
    return max(periods, key=lambda p: (periods[p], p.end, -p.start.toordinal()))


def select_workbooks(units: list[UnitWorkbook], period: Period | None = None) -> Selection:
    """Current workbooks by unit (one per unit), previous-period ones, duplicates."""
    ingested = [u for u in units if u.status == "ingested"]
    period = period or choose_period(ingested)
    current: dict[str, list[UnitWorkbook]] = {}
    previous: dict[str, UnitWorkbook] = {}
    other = []
    for unit in ingested:
        if unit.period == period:
            current.setdefault(unit.unit_code, []).append(unit)
        elif period is not None and unit.period == period.previous():
            previous.setdefault(unit.unit_code, unit)
        else:
            other.append(unit)
    chosen: dict[str, UnitWorkbook] = {}
    duplicates: dict[str, list[UnitWorkbook]] = {}
    for code, found in current.items():
        chosen[code], repeated = one_unit(found)
        if repeated:
            duplicates[code] = repeated
    return Selection(period, chosen, previous, duplicates, other)


def pick_latest(found: list[UnitWorkbook]) -> UnitWorkbook:
    """Of two workbooks for one unit and period, the one filled in last (then by file name)."""
    return max(found, key=lambda u: (u.profile.get("filled_on") or date.min, u.file))


def one_unit(found: list[UnitWorkbook]) -> tuple[UnitWorkbook, list[UnitWorkbook]]:
    """One unit's data for the period from its files, and the files that repeat another (duplicates).

    Two full workbooks (each with 基本情况) are two submissions: the latest is
    used. Single ledgers (one per file, no 基本情况) are parts of one
    submission and join it; a ledger sent twice (the same content, or the same
    kind with the same rows) is counted once and named as a duplicate.
    """
    full = [u for u in found if "profile" in u.sheet_names]
    ledgers: list[UnitWorkbook] = []
    repeated: list[UnitWorkbook] = list(full) if len(full) > 1 else []
    for unit in sorted((u for u in found if "profile" not in u.sheet_names), key=lambda u: u.file):
        twin = next((u for u in ledgers if _same_ledger(u, unit)), None)
        if twin is None:
            ledgers.append(unit)
        else:
            repeated.extend(u for u in (twin, unit) if u not in repeated)
            unit.notes.append(f"与「{twin.file}」是同一份台账（内容相同），只计一次")
    main = pick_latest(full) if full else None
    if main is not None and not ledgers:
        return main, repeated
    return merge_parts(main, ledgers), repeated


def _same_ledger(one: UnitWorkbook, other: UnitWorkbook) -> bool:
    if one.sha256 == other.sha256:
        return True
    if set(one.tables) != set(other.tables) or not one.tables:
        return False
    return all(_rows_signature(one.tables[k]) == _rows_signature(other.tables[k]) for k in one.tables)


def _rows_signature(frame: Any) -> list[tuple[Any, ...]]:
    values = frame.drop(columns=["_unit", "_file", "_sheet", "_row"], errors="ignore")
    return sorted(tuple(str(v) for v in row) for row in values.itertuples(index=False))


def merge_parts(main: UnitWorkbook | None, parts: list[UnitWorkbook]) -> UnitWorkbook:
    """One unit's data from several files: the 基本情况 of `main` (else the parts' own facts), every table's rows."""
    files = ([main] if main else []) + parts
    first = files[0]
    merged = UnitWorkbook(file=first.file, sha256=first.sha256, engine=first.engine, identity=first.identity)
    merged.parts = files
    for unit in files:
        for name, value in unit.profile.items():
            if merged.profile.get(name) is None and value is not None:
                merged.profile[name] = value
                merged.profile_rows.setdefault(name, unit.profile_rows.get(name, 0))
        merged.profile_sheets.update({k: v for k, v in unit.profile_sheets.items() if k not in merged.profile_sheets})
        for key, frame in unit.tables.items():
            merged.tables[key] = (
                pd.concat([merged.tables[key], frame], ignore_index=True) if key in merged.tables else frame
            )
            merged.letters[key] = {**unit.letters.get(key, {}), **merged.letters.get(key, {})}
            merged.sheet_names.setdefault(key, unit.sheet_names.get(key, key))
        merged.total_checks.extend(unit.total_checks)
        merged.kinds_read.extend(unit.kinds_read)
    return merged


def build_tree(roster: list[dict[str, str]], units: dict[str, UnitWorkbook]) -> dict[str, Node]:
    """Nodes by code, from the roster when given, completed from the workbooks."""
    nodes = {
        r["unit_code"]: Node(
            r["unit_code"],
            r.get("unit_name") or "",
            r.get("parent_code") or "",
            r.get("unit_type") or "",
            expected=r.get("listed", True),
        )
        for r in roster
    }
    for code, unit in units.items():
        if code not in nodes:
            nodes[code] = Node(
                code,
                unit.unit_name,
                unit.profile.get("parent_code") or "",
                unit.profile.get("unit_type") or "",
                expected=not roster,
            )
        node = nodes[code]
        node.name = node.name or unit.unit_name
        node.parent = node.parent or unit.profile.get("parent_code") or ""
        node.unit_type = node.unit_type or unit.profile.get("unit_type") or ""
    for node in nodes.values():
        if node.parent in nodes and node.parent != node.code:
            nodes[node.parent].children.append(node.code)
    _break_cycles(nodes)
    return nodes


def _break_cycles(nodes: dict[str, Node]) -> None:
    """A parent chain that loops (A → B → A) is cut so each node has one root."""
    for node in nodes.values():
        seen = {node.code}
        current = node
        while current.parent in nodes:
            if current.parent in seen:
                nodes[current.parent].children.remove(current.code)
                current.parent = ""
                break
            seen.add(current.parent)
            current = nodes[current.parent]


def roots(nodes: dict[str, Node]) -> list[str]:
    """Codes of the nodes with no parent in the tree."""
    return [code for code, node in nodes.items() if node.parent not in nodes or node.parent == code]


def descendants(nodes: dict[str, Node], code: str) -> list[str]:
    """The node and every node below it, depth first."""
    found, stack = [], [code]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(nodes[current].children))
    return found


def walk(nodes: dict[str, Node]) -> list[tuple[str, int]]:
    """Every node with its depth, parents before children, in tree order."""
    order: list[tuple[str, int]] = []
    stack = [(code, 0) for code in reversed(sorted(roots(nodes)))]
    while stack:
        code, depth = stack.pop()
        order.append((code, depth))
        stack.extend((child, depth + 1) for child in reversed(nodes[code].children))
    return order


def submissions(
    nodes: dict[str, Node], all_units: list[UnitWorkbook], selection: Selection, deadline: date | None = None
) -> list[Submission]:
    """Every expected unit with what arrived from it; with a deadline, the ones filled in after it are late."""
    files_by_code: dict[str, list[UnitWorkbook]] = {}
    for unit in all_units:
        if unit.unit_code:
            files_by_code.setdefault(unit.unit_code, []).append(unit)
    result = []
    for code, _depth in walk(nodes):
        node = nodes[code]
        sent = files_by_code.get(code, [])
        if not node.expected and not sent:
            continue  # a higher union named only in a roster's parent path: not expected to report
        status, note = _submission_status(code, sent, selection)
        notes = [note] if note else []
        filled = selection.current[code].profile.get("filled_on") if code in selection.current else None
        late = bool(deadline and filled and filled > deadline)
        if late:
            notes.append(f"逾期报送：填报日期 {filled:%Y-%m-%d}，截止日期 {deadline:%Y-%m-%d}")
        if not node.expected:
            notes.append("不在组织架构名册中")
        files = [u.file for u in sent]
        result.append(Submission(code, node.name, node.parent, status, files, "；".join(notes), late))
    return result


def _submission_status(code: str, sent: list[UnitWorkbook], selection: Selection) -> tuple[str, str]:
    if code in selection.duplicates:
        used = selection.current[code]
        if used.parts:
            names = "、".join(u.file for u in selection.duplicates[code])
            return "duplicate", f"同一台账重复提交（{names}），只计一次"
        return "duplicate", f"本期提交了 {len(selection.duplicates[code])} 份，采用填报日期最晚的「{used.file}」"
    if code in selection.current:
        return "received", ""
    if any(u.status == "rejected" for u in sent):
        return "rejected", next(u.reason for u in sent if u.status == "rejected")
    if sent:
        return "missing", "只收到其他报告期的工作簿"
    return "missing", "未提交"


def shared_enterprises(frames: dict[str, UnitFrames]) -> dict[str, list[str]]:
    """Credit codes listed by more than one unit's 集体合同 roster (counted once in roll-ups)."""
    listed: dict[str, list[str]] = {}
    for code, unit in frames.items():
        for credit in dict.fromkeys(r["credit_code"] for r in unit.records("contracts") if r["credit_code"]):
            listed.setdefault(credit, []).append(code)
    return {credit: units for credit, units in listed.items() if len(units) > 1}
