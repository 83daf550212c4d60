"""Typed values from located rows: accepted rows, rejected cells, total checks.

`validate_table` parses every data row of one sheet with the field types of
the contract. A bad value in a required field rejects the row; in an optional
field the value is dropped and the row kept. Each problem becomes a
`Rejection` with the Excel row and column letter. 合计/小计 rows are checked
against the rows they cover and never added in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from pipeline import kinds
from pipeline.config import Contract, FieldSpec, SheetSpec
from pipeline.errors import ValueParseError
from pipeline.layout import Column, SheetRows, is_blank, total_kind
from pipeline.money import parse_money
from pipeline.periods import parse_period
from pipeline.values import clean_text, parse_bool, parse_date, parse_end_date, parse_int, parse_month, squeeze
from pipeline.workbook import RawSheet

OVERSIZED = "单元格内容超过 32,767 个字符（Excel 的上限），未读取；请检查是否误粘贴了大段内容"
UNCACHED = "公式没有保存计算结果（文件由不计算公式的程序生成），请在 Excel/WPS 中打开、保存后重新提交"


@dataclass(frozen=True)
class Rejection:
    """One bad cell: where, what it held, why, and what was done."""

    sheet: str
    row: int
    column: str
    raw_value: str
    reason: str
    action: str  # row_rejected | value_dropped


@dataclass(frozen=True)
class TotalCheck:
    """A 合计/小计 row's stated figure against the sum of the rows it covers."""

    sheet: str
    row: int
    column: str
    field: str
    stated: Decimal
    computed: Decimal
    rows: tuple[int, ...]
    file: str = ""  # the file the sheet is in (one unit's data may come from several files)

    @property
    def matches(self) -> bool:
        """True when the stated total equals the computed one exactly."""
        return self.stated == self.computed


@dataclass
class ParseContext:
    """What a parser needs besides the cell: the period's year, the date system."""

    contract: Contract
    year: int | None = None
    date1904: bool = False


@dataclass
class TableResult:
    """The outcome of validating one sheet."""

    records: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    rejected_rows: set[int] = field(default_factory=set)
    total_checks: list[TotalCheck] = field(default_factory=list)


def _parse_money_field(spec: FieldSpec, raw: Any, ctx: ParseContext, multiplier: Decimal) -> Decimal:
    amount = parse_money(raw, multiplier)
    if spec.positive and amount <= 0:
        raise ValueParseError(f"金额「{raw}」应大于 0")
    return amount


# How each contract type is read: (field spec, raw cell, context, header multiplier) → value.
PARSERS: dict[str, Callable[[FieldSpec, Any, ParseContext, Decimal], Any]] = {
    "text": lambda spec, raw, ctx, mult: clean_text(_parse_code(raw) if isinstance(raw, float) else raw),
    "code": lambda spec, raw, ctx, mult: _parse_code(raw),
    "name": lambda spec, raw, ctx, mult: _parse_code(raw),
    "int": lambda spec, raw, ctx, mult: parse_int(raw),
    "money": _parse_money_field,
    "date": lambda spec, raw, ctx, mult: parse_date(raw, ctx.year, ctx.date1904),
    "day_or_month": lambda spec, raw, ctx, mult: _day_or_month(raw, ctx),
    "end_date": lambda spec, raw, ctx, mult: parse_end_date(raw, ctx.year, ctx.date1904),
    "month": lambda spec, raw, ctx, mult: parse_month(raw, ctx.year),
    "bool": lambda spec, raw, ctx, mult: parse_bool(raw),
    "period": lambda spec, raw, ctx, mult: parse_period(raw),
}


def _day_or_month(raw: Any, ctx: ParseContext) -> date:
    """A date, or a month alone (`3月`, `2024年3月`) read as the month's first day."""
    try:
        return parse_date(raw, ctx.year, ctx.date1904)
    except ValueParseError:
        if isinstance(raw, (int, float)):
            raise
        try:
            year, month = parse_month(raw, ctx.year)
        except ValueParseError:
            raise ValueParseError(f"「{raw}」不是可识别的日期") from None
        return date(year, month, 1)


def parse_value(spec: FieldSpec, raw: Any, ctx: ParseContext, multiplier: Decimal = Decimal(1)) -> Any:
    """One cell's value in the field's type; raises `ValueParseError`."""
    if spec.enum is not None:
        return _parse_enum(spec, raw, ctx)
    return PARSERS[spec.type](spec, raw, ctx, multiplier)


def _parse_code(raw: Any) -> str:
    """Codes and names stay text; a number Excel stored loses only its `.0`."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return squeeze(raw)


def _parse_enum(spec: FieldSpec, raw: Any, ctx: ParseContext) -> str:
    enum = ctx.contract.enums[spec.enum or ""]
    value = enum.lookup(str(raw))
    if value is not None:
        return value
    if enum.open:
        return clean_text(raw)
    allowed = "、".join(enum.values)
    raise ValueParseError(f"「{raw}」不是可选值（可选：{allowed}）")


def display(raw: Any) -> str:
    """The raw cell value as text for rejected.csv."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # the reader gives 120.0 for a cell that shows 120
    return "" if raw is None else str(raw)


@dataclass(frozen=True)
class _Bad:
    """A raw value its field cannot take, and why (memoised like a parsed value)."""

    reason: str


_BLANK = object()  # a raw value that is empty or only spaces
_MISS = object()


@dataclass
class _Cell:
    """One mapped column of a table and the values already parsed from it."""

    name: str
    column: Column
    spec: FieldSpec
    parsed: dict[Any, Any] = field(default_factory=dict)  # text or (type, raw) → value | _Bad | _BLANK

    def parse(self, raw: Any, ctx: ParseContext) -> Any:
        """The cell's value; each distinct raw value of the column is parsed once."""
        key = raw if raw.__class__ is str else (raw.__class__, raw)  # 1, 1.0 and True are equal keys otherwise
        value = self.parsed.get(key, _MISS)
        if value is _MISS:
            if is_blank(raw):
                value = _BLANK
            else:
                try:
                    value = parse_value(self.spec, raw, ctx, self.column.multiplier)
                except ValueParseError as exc:
                    value = _Bad(str(exc))
            self.parsed[key] = value
        return value


@dataclass
class _TablePlan:
    """What validating a table needs, worked out once per table instead of once per row."""

    cells: list[_Cell]
    bounded: list[tuple[str, FieldSpec]]  # fields with an at_most / at_least rule
    required: list[tuple[str, str | None]]  # required fields the table has a column for, and their `unless`
    marked: bool  # the sheet has formula cells without a value or oversized cells
    defaults: list[tuple[str, Any]]  # fields with a default, and the default
    complete: Callable[[dict[str, Any], dict[str, Any], Contract], dict[str, Any]] | None  # the kind's own rule

    @classmethod
    def of(cls, sheet: RawSheet, table: SheetRows, spec: SheetSpec) -> _TablePlan:
        """The plan for one located table."""
        return cls(
            [_Cell(name, column, spec.fields[name]) for name, column in table.columns.items()],
            [(n, f) for n, f in spec.fields.items() if f.at_most or f.at_least],
            [(f.name, f.unless) for f in spec.fields.values() if f.required and column_for(f.name, spec, table)],
            bool(sheet.uncached or sheet.oversized),
            [(f.name, f.default) for f in spec.fields.values() if f.default is not None],
            kinds.completer(spec.key),
        )


def parse_row(
    sheet: RawSheet, row: int, table: SheetRows, plan: _TablePlan, ctx: ParseContext
) -> tuple[dict[str, Any], dict[str, Any], list[tuple[Column, Any, str, bool]]]:
    """Parse one data row; returns its values, its raw cells and the (column, raw, reason, required) problems."""
    record: dict[str, Any] = {}
    raws: dict[str, Any] = {}
    problems = []
    values = sheet.rows[row - 1]
    width = len(values)
    for cell in plan.cells:
        index, name = cell.column.index, cell.name
        raw = raws[name] = values[index - 1] if index <= width else None
        if plan.marked and (row, index) in sheet.uncached:
            problems.append((cell.column, raw, UNCACHED, cell.spec.required))
            record[name] = None
        elif plan.marked and (row, index) in sheet.oversized:
            problems.append((cell.column, "（过长，未读取）", OVERSIZED, cell.spec.required))
            record[name] = None
        elif raw is None:
            record[name] = None
        else:
            value = cell.parsed.get(raw if raw.__class__ is str else (raw.__class__, raw), _MISS)
            if value is _MISS:
                value = cell.parse(raw, ctx)
            if value.__class__ is _Bad:
                problems.append((cell.column, raw, value.reason, cell.spec.required))
                value = None
            record[name] = None if value is _BLANK else value
    for name, constant in table.constants.items():
        if record.get(name) is None and not any(p[0].field == name for p in problems):
            record[name] = constant.value
    return record, raws, problems


def column_for(name: str, spec: SheetSpec, table: SheetRows) -> Column | None:
    """The column that holds `name` (a title-block constant included), or an alternative that stands for it."""
    if name in table.columns:
        return table.columns[name]
    if name in table.constants:
        return table.constants[name].column
    for other in kinds.alternatives(spec.key).get(name, ()):
        if other in table.columns:
            return table.columns[other]
    return None


def missing_columns(spec: SheetSpec, table: SheetRows) -> list[str]:
    """Required fields with no column (nor an alternative, nor the column that may stand in for it)."""
    return [
        f.name
        for f in spec.fields.values()
        if f.required
        and column_for(f.name, spec, table) is None
        and not (f.unless and column_for(f.unless, spec, table) is not None)
    ]


def validate_table(sheet: RawSheet, table: SheetRows, spec: SheetSpec, ctx: ParseContext) -> TableResult:
    """Parse every data row of a located table, and check its total rows."""
    result = TableResult()
    plan = _TablePlan.of(sheet, table, spec)
    for row in table.data:
        record, raws, problems = parse_row(sheet, row, table, plan, ctx)
        for name, reason in out_of_bounds(record, spec, plan.bounded):
            problems.append((table.columns[name], raws[name], reason, spec.fields[name].required))
            record[name] = None
        for name, default in plan.defaults:
            if record.get(name) is None:
                record[name] = default
        if plan.complete is not None:
            record = plan.complete(record, raws, ctx.contract)
        empty = [
            n
            for n, unless in plan.required
            if record.get(n) is None
            and not (unless and record.get(unless) is not None)
            and not any(p[0].field == n for p in problems)
        ]
        rejected = bool(empty) or any(required for *_, required in problems)
        action = "row_rejected" if rejected else "value_dropped"
        for column, raw, reason, _required in problems:
            result.rejections.append(Rejection(sheet.name, row, column.letter, display(raw), reason, action))
        for name in empty:
            column = column_for(name, spec, table)
            letter = column.letter if column else ""
            reason = f"必填项「{spec.fields[name].headers[0]}」为空"
            result.rejections.append(Rejection(sheet.name, row, letter, "", reason, "row_rejected"))
        if rejected:
            result.rejected_rows.add(row)
        else:
            record["_row"] = row
            result.records.append(record)
    result.total_checks = check_totals(sheet, table, spec, ctx, result)
    return result


def out_of_bounds(
    record: dict[str, Any], spec: SheetSpec, bounded: list[tuple[str, FieldSpec]] | None = None
) -> list[tuple[str, str]]:
    """Fields that break their at_most / at_least rule against another field of the row (`bounded`: those with one)."""
    broken = []
    for name, fspec in spec.fields.items() if bounded is None else bounded:
        value = record.get(name)
        for other, bigger in ((fspec.at_most, True), (fspec.at_least, False)):
            limit = record.get(other) if other else None
            if value is None or limit is None or (value <= limit if bigger else value >= limit):
                continue
            word = "大于" if bigger else "小于"
            broken.append((name, f"{fspec.headers[0]} {value} {word}{spec.fields[other].headers[0]} {limit}，不合逻辑"))
    return broken


def check_totals(
    sheet: RawSheet, table: SheetRows, spec: SheetSpec, ctx: ParseContext, result: TableResult
) -> list[TotalCheck]:
    """Compare each total row's figures with the accepted rows it covers."""
    by_row = {r["_row"]: r for r in result.records}
    # one check per column: a column may stand for two fields (金额 under a 收入 heading is also 收入金额)
    numeric: list[Column] = []
    for name, column in table.columns.items():
        if spec.fields[name].type in ("money", "int") and all(c.index != column.index for c in numeric):
            numeric.append(column)
    checks: list[TotalCheck] = []
    since_any, since_total = table.first_row, table.first_row
    for row in table.totals:
        kind = total_kind(sheet.rows[row - 1])
        start = since_any if kind == "subtotal" else since_total
        covered = tuple(r for r in table.data if start <= r < row and r in by_row)
        checks.extend(_check_total_row(sheet, row, numeric, spec, ctx, covered, by_row))
        since_any = row + 1
        if kind == "total":
            since_total = row + 1
    return checks


def _check_total_row(
    sheet: RawSheet,
    row: int,
    numeric: list[Column],
    spec: SheetSpec,
    ctx: ParseContext,
    covered: tuple[int, ...],
    by_row: dict[int, dict[str, Any]],
) -> list[TotalCheck]:
    checks = []
    for column in numeric:
        raw = sheet.value(row, column.index)
        if is_blank(raw):
            continue
        try:
            stated = Decimal(parse_value(spec.fields[column.field], raw, ctx, column.multiplier))
        except ValueParseError:
            continue
        computed = sum((Decimal(by_row[r][column.field] or 0) for r in covered), Decimal(0))
        checks.append(TotalCheck(sheet.name, row, column.letter, column.field, stated, computed, covered))
    return checks
