"""Indicators stage: typed tables + targets → one figure per unit and indicator.

Each sheet gets boolean flags derived once per unit (`derive_frames`); an
indicator declared in indicators.yaml is then a combination of aggregates
(count / sum / distinct over rows where some flags hold) by a small registry
of kinds (ratio / aggregate / difference). A unit's aggregates are kept as
mergeable partials (`Share`): a tree node's figure merges its children's —
numerators and denominators summed, distinct values and enterprises' credit
codes united — so it equals the aggregate over every row below it without
holding those rows.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from pipeline import kinds
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.ingest import UnitWorkbook, records
from pipeline.periods import Period

# The parts each kind of indicator is made of, the aggregates and the units a definition may name.
KINDS = {"ratio": ("numerator", "denominator"), "aggregate": ("value",), "difference": ("minuend", "subtrahend")}
AGGS = {"count", "sum", "distinct"}
UNITS = {"rate", "count", "people", "money", "number"}


@dataclass
class UnitFrames:
    """One unit's workbook with its rows and derived flags, per sheet (profile included)."""

    unit: UnitWorkbook
    frames: dict[str, list[dict[str, Any]]]
    key_fields: dict[str, str] = field(default_factory=dict)  # table → the field a row is counted once by
    _columns: dict[str, Columns] = field(default_factory=dict, repr=False)
    _fields: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def records(self, sheet: str) -> list[dict[str, Any]]:
        """The sheet's derived rows as dicts (empty when the unit did not fill the sheet)."""
        return self.frames.get(sheet, [])

    def spec_fields(self, sheet: str) -> frozenset[str]:
        """The contract fields of one of the unit's tables (the keys of its rows that are not derived)."""
        if sheet not in self._fields:  # asked per indicator per node: iterating a frame's Index costs 50 µs
            table = self.unit.tables.get(sheet)
            self._fields[sheet] = frozenset(table.columns.tolist()) if table is not None else frozenset()
        return self._fields[sheet]

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
    sheet = unit.sheet_names.get("profile", "基本情况")
    row = {
        "_unit": unit.unit_code,
        "_file": unit.file,
        "_sheet": sheet,
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
    # A figure taken from another sheet (the 会员花名册's count) points there; every unit's row has the same keys.
    for name in ("employees", "members", "payroll", "expected_remittance"):
        row[f"_file_{name}"], row[f"_sheet_{name}"] = unit.profile_sheets.get(name, (unit.file, sheet))
    return row


def derive_frames(unit: UnitWorkbook, settings: Settings) -> UnitFrames:
    """A unit's rows with every derived flag, plus its profile row."""
    period = unit.period
    assert period is not None, "derive_frames needs an ingested workbook"
    frames = {"profile": [profile_row(unit, settings)]}
    for key, frame in unit.tables.items():
        frames[key] = kinds.derive(key, records(frame), period, settings)
    return UnitFrames(unit, frames, key_fields(settings))


def key_fields(settings: Settings) -> dict[str, str]:
    """Each table's field a row is counted once by (the contract's key_field), for the tables that have one."""
    return {key: spec.key_field for key, spec in settings.contract.sheets.items() if spec.key_field}


def check_definitions(definitions: list[dict[str, Any]], sheets: set[str], settings: Settings | None = None) -> None:
    """Refuse an indicator definition that could only fail halfway through a run (one line per problem).

    With `settings`, every `where` flag and `column` must be a column the sheet's rows have: a contract
    field or a flag its kind derives (held_in_perod is caught here, not as a KeyError mid-run).
    """
    problems = []
    for definition in definitions:
        code = definition.get("code", "?")
        problem = _definition_problem(definition, sheets)
        if not problem and settings is not None:
            problem = _column_problem(definition, settings)
        if problem:
            problems.append(f"指标「{code}」的定义有误：{problem}")
    if problems:
        raise ConfigError("\n".join(problems))


def known_columns(sheet: str, settings: Settings) -> set[str]:
    """The columns a sheet's rows carry once derived: its fields, its kind's flags (found by deriving one row)."""
    from datetime import date as day

    from pipeline.periods import months_period

    if sheet == "profile":
        dummy = UnitWorkbook(file="", sha256="")
        return set(profile_row(dummy, settings))
    spec = settings.contract.sheets[sheet]
    row: dict[str, Any] = {"_unit": "", "_file": "", "_sheet": "", "_row": 0, **dict.fromkeys(spec.fields)}
    return set(kinds.derive(sheet, [row], months_period(day.today().year, 1, 12), settings)[0])


def _column_problem(definition: dict[str, Any], settings: Settings) -> str:
    for role, part in parts_of(definition):
        known = known_columns(part["sheet"], settings)
        for column in _columns_used(part):
            if column not in known:
                near = difflib.get_close_matches(column, sorted(known), n=1, cutoff=0.6)
                hint = f"（是不是「{near[0]}」？）" if near else ""
                return f"{role} 用到的「{column}」不是「{part['sheet']}」表的列或标记{hint}"
    return ""


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
        derived = kinds.source_fields(sheet)  # () for a column that needs none (是否正常经营 defaults to 是)
        for column in _columns_used(part):
            if column in derived:
                sources = derived[column]
            else:
                # a field may come through other columns (the ledger's 收入金额 | 支出金额)
                alternatives = kinds.alternatives(sheet).get(column, ())
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


def combine(units: list[UnitFrames], sheet: str) -> Columns:
    """The rows of one sheet across units, one unit after another."""
    return Columns.concat([u.columns(sheet) for u in units if sheet in u.frames])


def breakdown(
    part: dict[str, Any], units: list[UnitFrames], by: tuple[str, ...]
) -> list[tuple[tuple[Any, ...], Decimal]]:
    """One aggregate split by the values of some columns: the same rows and filter, so the parts add up to it.

    A report's table by account or by category is this, over the very
    definition the indicator uses (a redefined indicator splits as defined).
    """
    table = combine([u for u in units if part["sheet"] in u.frames], part["sheet"])
    if not table.length or any(c not in table.data for c in by):
        return []
    chosen = table.where(_mask(table, part.get("where", [])))
    groups: dict[tuple[Any, ...], Decimal] = {}
    keys = list(zip(*(chosen.column(c) for c in by), strict=True))
    values = chosen.column(part["column"]) if part["agg"] != "count" else np.ones(chosen.length, dtype=object)
    for key, value in zip(keys, values, strict=True):
        if value is not None and value == value:
            groups[key] = groups.get(key, Decimal(0)) + _as_decimal(value)
    return sorted(groups.items(), key=lambda item: tuple(str(k) for k in item[0]))


def matching_rows(part: dict[str, Any], units: list[UnitFrames]) -> list[dict[str, Any]]:
    """The rows an aggregate counts (for a report's list of the largest payouts, say)."""
    rows = [r for u in units for r in u.records(part["sheet"])]
    if not rows:
        return []
    mask = _mask(Columns.of(rows), part.get("where", []))
    return [row for row, keep in zip(rows, mask, strict=True) if keep]


def _lineage(sheet: str, spec: dict[str, Any], table: Columns, mask: np.ndarray) -> list[tuple[str, str, int]]:
    def own(prefix: str) -> str:  # a profile value's own row, file and sheet where it has them
        name = f"{prefix}_{spec.get('column')}"
        return name if sheet == "profile" and name in table.data else prefix

    rows = table.column(own("_row"))[mask].astype(np.int64).tolist()  # plain ints, converted in one call
    files, sheets = table.column(own("_file"))[mask].tolist(), table.column(own("_sheet"))[mask].tolist()
    return list(zip(files, sheets, rows, strict=True))


@dataclass
class Partial:
    """One aggregate over some units, in a form a parent node merges: counts and exact sums add, sets unite.

    A table with a key field (an enterprise's credit code) counts each key once, by the first row of it
    in tree order: `keyed` holds each key's first row's contribution (None: it fails the filter), so a
    node merging its children in order counts what the rows of its whole subtree, de-duplicated, count.
    """

    agg: str
    total: Decimal = Decimal(0)  # count / sum over the rows without a key
    values: set[Any] = field(default_factory=set)  # distinct: the values counted
    keyed: dict[Any, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, table: Columns, spec: dict[str, Any], key_field: str | None) -> tuple[Partial, np.ndarray]:
        """A unit's partial of one aggregate, and the mask of the rows it counts (its lineage)."""
        mask = _mask(table, spec.get("where", []))
        agg = spec["agg"]
        values = table.column(spec["column"]) if agg != "count" else np.ones(table.length, dtype=object)
        partial = cls(agg)
        keys = table.column(key_field) if key_field and table.length else None
        if keys is None and agg == "count":
            partial.total = Decimal(int(mask.sum()))
            return partial, mask
        counted = mask.copy()
        for index in np.flatnonzero(mask) if keys is None else range(table.length):
            contribution = _contribution(agg, values[index]) if mask[index] else None
            key = keys[index] if keys is not None else None
            if key is None:
                partial._add(contribution)
            elif key in partial.keyed:
                counted[index] = False  # the same enterprise listed again: counted once
            else:
                partial.keyed[key] = contribution
        return partial, counted

    def _add(self, contribution: Any) -> None:
        if contribution is None:
            return
        if self.agg == "distinct":
            self.values.add(contribution)
        else:
            self.total += contribution

    def merge(self, other: Partial) -> None:
        """Fold a later sibling's partial into this one (the accumulator of a node)."""
        self.total += other.total
        self.values |= other.values
        keyed = self.keyed
        for key, contribution in other.keyed.items():
            keyed.setdefault(key, contribution)  # a key seen first here keeps its first row

    @property
    def value(self) -> Decimal:
        """The aggregate's value."""
        counted = [v for v in self.keyed.values() if v is not None]
        if self.agg == "distinct":
            return Decimal(len(self.values.union(counted)))
        return self.total + sum(counted, Decimal(0))


def _contribution(agg: str, value: Any) -> Any:
    """What one counted row adds: 1, its amount, or its value; None for an empty cell."""
    if value is None or value != value:
        return None
    if agg == "count":
        return Decimal(1)
    return _as_decimal(value) if agg == "sum" else value


@dataclass
class Share:
    """One indicator over some units, mergeable: each role's partial and how many units had its data."""

    kind: str
    parts: dict[str, Partial]
    units: int = 1

    @classmethod
    def merged(cls, shares: list[Share]) -> Share | None:
        """The share of a node: its own workbook's and its children's, in tree order (None: none had data)."""
        if not shares:
            return None
        total = cls(shares[0].kind, {role: Partial(p.agg) for role, p in shares[0].parts.items()}, 0)
        for share in shares:
            total.units += share.units
            for role, partial in share.parts.items():
                total.parts[role].merge(partial)
        return total

    def figure(self, rows: list[tuple[str, str, int]] | None = None) -> Figure:
        """The indicator's figure from its parts."""
        parts = {role: partial.value for role, partial in self.parts.items()}
        return KIND_FUNCTIONS[self.kind](parts, rows or [], self.units)


def measure(definition: dict[str, Any], unit: UnitFrames, lineage: bool = True) -> tuple[Figure, Share | None]:
    """One unit's figure (with the rows behind it) and its share for the roll-ups; no value without its data."""
    if not has_data(unit, definition):
        return Figure(None), None
    parts: dict[str, Partial] = {}
    rows: list[tuple[str, str, int]] = []
    for role, spec in parts_of(definition):
        sheet = spec["sheet"]
        table = unit.columns(sheet)
        parts[role], counted = Partial.of(table, spec, unit.key_fields.get(sheet))
        if lineage:
            rows.extend(_lineage(sheet, spec, table, counted))
    share = Share(definition["kind"], parts)
    return share.figure(sorted(set(rows))), share


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
