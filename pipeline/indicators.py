"""Indicators stage: typed tables + targets → one figure per unit and indicator.

Each sheet gets boolean flags derived once per unit (`derive_frames`); an
indicator declared in indicators.yaml is then a combination of aggregates
(count / sum / distinct over rows where some flags hold) by a small registry
of kinds (ratio / aggregate / difference). The same evaluation serves a unit
and a tree node: a node's figure is the aggregate over the rows of every
unit below it, which equals summing the units' numerators and denominators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.ingest import UnitWorkbook, records
from pipeline.periods import Period
from pipeline.validate import ALTERNATIVES

HARDSHIP = {"困难帮扶", "大病救助", "金秋助学", "送温暖"}
CONGRESS = {"职代会", "教代会", "会员大会"}
TRAINING = {"技能培训", "思想教育"}
# The parts each kind of indicator is made of, the aggregates and the units a definition may name.
KINDS = {"ratio": ("numerator", "denominator"), "aggregate": ("value",), "difference": ("minuend", "subtrahend")}
AGGS = {"count", "sum", "distinct"}
UNITS = {"rate", "count", "people", "money", "number"}


@dataclass
class UnitFrames:
    """One unit's workbook with its rows and derived flags, per sheet (profile included)."""

    unit: UnitWorkbook
    frames: dict[str, list[dict[str, Any]]]
    _columns: dict[str, Columns] = field(default_factory=dict, repr=False)

    def records(self, sheet: str) -> list[dict[str, Any]]:
        """The sheet's derived rows as dicts (empty when the unit did not fill the sheet)."""
        return self.frames.get(sheet, [])

    def spec_fields(self, sheet: str) -> set[str]:
        """The contract fields of one of the unit's tables (the keys of its rows that are not derived)."""
        return set(self.unit.tables[sheet].columns) if sheet in self.unit.tables else set()

    def columns(self, sheet: str) -> Columns:
        """The sheet's derived rows as numpy columns (made once)."""
        if sheet not in self._columns:
            self._columns[sheet] = Columns.of(self.frames[sheet])
        return self._columns[sheet]

    @property
    def period(self) -> Period:
        """The unit's reporting period."""
        period = self.unit.period
        assert period is not None, "only ingested workbooks have frames"
        return period


@dataclass
class Figure:
    """One indicator's value for one unit or node, with its lineage."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    rows: list[tuple[str, str, int]] = field(default_factory=list)
    units: int = 0


# Flags are derived row by row in plain Python: a unit's tables hold tens of rows,
# where pandas' per-operation overhead would cost more than the work itself.


def _within(day: Any, period: Period) -> bool:
    return isinstance(day, date) and period.contains(day)


def _in_force(signed: Any, expires: Any, period: Period) -> bool:
    """Signed, and expiring (if a date is given) on or after the period's last day."""
    return bool(signed) and (not isinstance(expires, date) or expires >= period.end)


def _derive_contract(row: dict[str, Any], period: Period, settings: Settings) -> dict[str, Any]:
    employees = row["employees"]
    unionised = bool(row["unionised"])
    collective = _in_force(row["collective_contract"], row["collective_expires"], period)
    # A signed contract covers the stated number of workers, or all employees when no number is given.
    covered = row["covered"] if row["covered"] is not None else employees
    return {
        **row,
        "operating": True if row["operating"] is None else bool(row["operating"]),
        "unionised": unionised,
        "large": employees is not None and employees >= int(settings.domain("unionisation_threshold")),
        "new_union": unionised and _within(row["unionised_on"], period),
        "collective_in_force": collective,
        "wage_in_force": _in_force(row["wage_agreement"], row["wage_expires"], period),
        "female_agreement": bool(row["female_agreement"]),
        "covered_in_force": min(covered or 0, employees or 0) if collective else 0,
    }


def _planned_first_day(month: Any) -> date | None:
    return date(month[0], month[1], 1) if isinstance(month, tuple) else None


def _derive_activity(row: dict[str, Any], period: Period, settings: Settings) -> dict[str, Any]:
    held_on = row["held_on"]
    dated = isinstance(held_on, date)
    status = row["status"] or ("已完成" if dated else "未开展")
    planned = _planned_first_day(row["planned_month"])
    # The plan is counted year to date: planned for a month of the plan year up to the period's end.
    planned_due = planned is not None and planned.year == period.end.year and planned <= period.end
    planned_in_period = planned is not None and period.start <= planned <= period.end
    in_period = _within(held_on, period)
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
        "person_times_or_participants": row["person_times"] if row["person_times"] is not None else row["participants"],
    }


def _derive_payout(row: dict[str, Any], period: Period, settings: Settings) -> dict[str, Any]:
    person = f"{row['_unit']}|{row['person']}"
    return {
        **row,
        "in_period": _within(row["paid_on"], period),
        "hardship": row["category"] in HARDSHIP,
        "person_key": f"{person}#{row['person_id']}" if row["person_id"] else person,
    }


def _derive_entry(row: dict[str, Any], period: Period, settings: Settings) -> dict[str, Any]:
    return {
        **row,
        "in_period": _within(row["booked_on"], period),
        "income": row["direction"] == "收入",
        "expense": row["direction"] == "支出",
        "activity_expense": row["account"] == "职工活动支出",
        "remittance": row["account"] == "拨缴经费收入",
    }


def _derive_meeting(row: dict[str, Any], period: Period, settings: Settings) -> dict[str, Any]:
    kind = row["kind"]
    return {
        **row,
        "in_period": _within(row["held_on"], period),
        "congress": kind in CONGRESS,
        "disclosure": isinstance(kind, str) and kind.endswith("公开"),
    }


# The flags each sheet's rows get; indicators.yaml may name any of them in `where`.
DERIVED: dict[str, Callable[[dict[str, Any], Period, Settings], dict[str, Any]]] = {
    "contracts": _derive_contract,
    "activities": _derive_activity,
    "assistance": _derive_payout,
    "ledger": _derive_entry,
    "democracy": _derive_meeting,
}


def profile_row(unit: UnitWorkbook, settings: Settings) -> dict[str, Any]:
    """基本情况 as one row, with the expected fund remittance derived."""
    profile = unit.profile
    payroll = profile.get("payroll")
    expected = None
    if payroll is not None:
        expected = (
            payroll * settings.decimal("domain", "remittance_rate") * settings.decimal("domain", "retained_share")
        )
    rows = unit.profile_rows
    return {
        "_unit": unit.unit_code,
        "_file": unit.file,
        "_sheet": unit.sheet_names.get("profile", "基本情况"),
        "_row": rows.get("employees", 0),
        "employees": profile.get("employees"),
        "members": profile.get("members"),
        "payroll": payroll,
        "expected_remittance": expected,
        # Each profile value sits on its own row of the key/value sheet.
        "_row_employees": rows.get("employees", 0),
        "_row_members": rows.get("members", 0),
        "_row_payroll": rows.get("payroll", 0),
        "_row_expected_remittance": rows.get("payroll", 0),
    }


def derive_frames(unit: UnitWorkbook, settings: Settings) -> UnitFrames:
    """A unit's rows with every derived flag, plus its profile row."""
    period = unit.period
    assert period is not None, "derive_frames needs an ingested workbook"
    frames = {"profile": [profile_row(unit, settings)]}
    for key, frame in unit.tables.items():
        derive = DERIVED.get(key)
        rows = records(frame)
        frames[key] = [derive(row, period, settings) for row in rows] if derive else rows
    return UnitFrames(unit, frames)


def check_definitions(definitions: list[dict[str, Any]], sheets: set[str]) -> None:
    """Refuse an indicator definition that could only fail halfway through a run (one line, naming it)."""
    for definition in definitions:
        code = definition.get("code", "?")
        problem = _definition_problem(definition, sheets)
        if problem:
            raise ConfigError(f"指标「{code}」的定义有误：{problem}")


def _definition_problem(definition: dict[str, Any], sheets: set[str]) -> str:
    kind, unit = definition.get("kind"), definition.get("unit")
    if kind not in KINDS:
        return f"kind 应为 {'、'.join(KINDS)} 之一（现为 {kind}）"
    if unit not in UNITS:
        return f"unit 应为 {'、'.join(sorted(UNITS))} 之一（现为 {unit}）"
    for role in KINDS[kind]:
        part = definition.get(role)
        if not isinstance(part, dict):
            return f"{kind} 需要 {role}"
        if part.get("sheet") not in sheets:
            return f"{role}.sheet 应为 {'、'.join(sorted(sheets))} 之一（现为 {part.get('sheet')}）"
        if part.get("agg") not in AGGS:
            return f"{role}.agg 应为 count、sum、distinct 之一（现为 {part.get('agg')}）"
        if part["agg"] != "count" and not part.get("column"):
            return f"{role} 用 {part['agg']} 时需要 column"
    return ""


def parts_of(definition: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The (role, aggregate) pairs an indicator is made of, in the order its kind names them."""
    return [(role, definition[role]) for role in KINDS[definition["kind"]]]


# Derived columns and the sheet columns they come from (any one of them will do);
# () for a column that needs none (是否正常经营 defaults to 是 when the sheet has no such column).
SOURCE_FIELDS: dict[str, tuple[str, ...]] = {
    "operating": (),
    "covered_in_force": ("covered",),
    "collective_in_force": ("collective_contract",),
    "wage_in_force": ("wage_agreement",),
    "new_union": ("unionised_on",),
    "person_times_or_participants": ("person_times", "participants"),
    "planned_due": ("planned_month",),
}


def _columns_used(part: dict[str, Any]) -> list[str]:
    flags = [c for c in part.get("where", []) if isinstance(c, str)]
    named = [k for c in part.get("where", []) if isinstance(c, dict) for k in c]
    return [c for c in [part.get("column"), *flags, *named] if c]


def has_data(frames: UnitFrames, definition: dict[str, Any]) -> bool:
    """True when the unit filled every sheet, column and profile value the indicator needs.

    A column the sheet does not have at all (no 覆盖职工人数, no 工资专项 column)
    means no data for the indicators built on it, not zero.
    """
    for _role, part in parts_of(definition):
        sheet = part["sheet"]
        if sheet not in frames.frames:
            return False
        if sheet == "profile":
            if part.get("column") and frames.frames["profile"][0][part["column"]] is None:
                return False
            continue
        present = frames.unit.letters.get(sheet, {})
        for column in _columns_used(part):
            if column in SOURCE_FIELDS:
                sources = SOURCE_FIELDS[column]
            else:
                # a field may come through other columns (the ledger's 收入金额 | 支出金额)
                alternatives = ALTERNATIVES.get((sheet, column), ())
                sources = (column, *alternatives) if column in frames.spec_fields(sheet) else ()
            if sources and not any(s in present for s in sources):
                return False
    return True


def _as_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (float, np.floating)):
        return Decimal(repr(float(value)))
    return Decimal(int(value))


@dataclass
class Columns:
    """One sheet's rows as numpy arrays by column.

    The tables of one unit are small (tens of rows); filtering them with
    numpy masks costs microseconds where pandas indexing costs a millisecond,
    which is what makes thousands of units and their roll-ups fast.
    """

    data: dict[str, np.ndarray]
    length: int

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> Columns:
        """The columns of a list of rows (all with the same keys)."""
        data = {}
        for name in rows[0] if rows else []:
            values = np.empty(len(rows), dtype=object)
            values[:] = [row[name] for row in rows]
            data[name] = values
        return cls(data, len(rows))

    @classmethod
    def concat(cls, parts: list[Columns]) -> Columns:
        """The rows of several tables with the same columns, one after another."""
        filled = [p for p in parts if p.length]
        if len(filled) <= 1:
            return filled[0] if filled else cls({}, 0)
        names = filled[0].data
        return cls({n: np.concatenate([p.data[n] for p in filled]) for n in names}, sum(p.length for p in filled))

    def column(self, name: str) -> np.ndarray:
        """One column (an empty one when the table has no rows)."""
        return self.data[name] if self.length else np.empty(0, dtype=object)

    def where(self, mask: np.ndarray) -> Columns:
        """Only the rows where `mask` holds."""
        return Columns({name: values[mask] for name, values in self.data.items()}, int(mask.sum()))


def _mask(table: Columns, conditions: list[Any]) -> np.ndarray:
    mask = np.ones(table.length, dtype=bool)
    for condition in conditions:
        if isinstance(condition, dict):  # {column: value or [values]}: the column holds one of them
            for column, wanted in condition.items():
                allowed = set(wanted if isinstance(wanted, list) else [wanted])
                mask &= np.fromiter((v in allowed for v in table.column(column)), dtype=bool, count=table.length)
        else:  # a boolean flag (a contract field or one derived in DERIVED); None is false
            mask &= table.column(condition).astype(bool)
    return mask


def aggregate(table: Columns, spec: dict[str, Any]) -> tuple[Decimal, np.ndarray]:
    """One aggregate over the rows where every `where` condition holds, and those rows' mask."""
    mask = _mask(table, spec.get("where", []))
    agg = spec["agg"]
    if agg == "count":
        return Decimal(int(mask.sum())), mask
    values = [v for v in table.column(spec["column"])[mask] if v is not None and v == v]
    if agg == "distinct":
        return Decimal(len(set(values))), mask
    return sum((_as_decimal(v) for v in values), Decimal(0)), mask


def combine(units: list[UnitFrames], sheet: str) -> Columns:
    """The rows of one sheet across units; an enterprise listed twice counts once."""
    combined = Columns.concat([u.columns(sheet) for u in units if sheet in u.frames])
    if sheet == "contracts" and combined.length:
        seen: set[Any] = set()
        first = np.ones(combined.length, dtype=bool)
        for index, code in enumerate(combined.column("credit_code")):
            if code is not None and code in seen:
                first[index] = False
            seen.add(code)
        if not first.all():
            combined = combined.where(first)
    return combined


def _lineage(sheet: str, spec: dict[str, Any], table: Columns, mask: np.ndarray) -> list[tuple[str, str, int]]:
    row_column = f"_row_{spec.get('column')}"
    rows = table.column(row_column if sheet == "profile" and row_column in table.data else "_row")[mask]
    files, sheets = table.column("_file")[mask], table.column("_sheet")[mask]
    return list(zip(files, sheets, (int(r) for r in rows), strict=True))


def evaluate(
    definition: dict[str, Any],
    units: list[UnitFrames],
    cache: dict[tuple[str, tuple[int, ...]], Columns] | None = None,
    lineage: bool = True,
) -> Figure:
    """The indicator over every unit that has its data; None value when none has.

    `cache` keeps the combined tables of one set of units between indicators;
    `lineage` collects the rows behind the figure (a roll-up's rows are its units').
    """
    with_data = [u for u in units if has_data(u, definition)]
    if not with_data:
        return Figure(None)
    cache = {} if cache is None else cache
    parts: dict[str, Decimal] = {}
    rows: list[tuple[str, str, int]] = []
    for role, spec in parts_of(definition):
        key = (spec["sheet"], tuple(id(u) for u in with_data))
        if key not in cache:
            cache[key] = combine(with_data, spec["sheet"])
        parts[role], mask = aggregate(cache[key], spec)
        if lineage:
            rows.extend(_lineage(spec["sheet"], spec, cache[key], mask))
    return KIND_FUNCTIONS[definition["kind"]](parts, sorted(set(rows)), len(with_data))


def _ratio(parts: dict[str, Decimal], rows: list[tuple[str, str, int]], units: int) -> Figure:
    num, den = parts["numerator"], parts["denominator"]
    return Figure(num / den if den else None, num, den, rows, units)


def _aggregate(parts: dict[str, Decimal], rows: list[tuple[str, str, int]], units: int) -> Figure:
    return Figure(parts["value"], parts["value"], None, rows, units)


def _difference(parts: dict[str, Decimal], rows: list[tuple[str, str, int]], units: int) -> Figure:
    value = parts["minuend"] - parts["subtrahend"]
    return Figure(value, parts["minuend"], parts["subtrahend"], rows, units)


KIND_FUNCTIONS: dict[str, Callable[[dict[str, Decimal], list[tuple[str, str, int]], int], Figure]] = {
    "ratio": _ratio,
    "aggregate": _aggregate,
    "difference": _difference,
}
