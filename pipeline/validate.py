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
from operator import itemgetter
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
    """The outcome of validating one sheet: the accepted rows as columns, and what was wrong.

    `columns[name][i]` is field `name` of the accepted row at Excel row `rows[i]`; a field the sheet
    gives no value for has no column.
    """

    rows: list[int] = field(default_factory=list)
    columns: dict[str, list[Any]] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    rejected_rows: set[int] = field(default_factory=set)
    total_checks: list[TotalCheck] = field(default_factory=list)

    @property
    def records(self) -> list[dict[str, Any]]:
        """The accepted rows as dicts (with `_row`), for the few places that want rows."""
        names = list(self.columns)
        return [
            {**dict(zip(names, values, strict=True)), "_row": row}
            for row, values in zip(
                self.rows, zip(*self.columns.values(), strict=True) if names else [()] * len(self.rows), strict=True
            )
        ]

    @classmethod
    def of_records(cls, records: list[dict[str, Any]], fields: tuple[str, ...] | list[str]) -> TableResult:
        """Rows given as dicts (with `_row`) as columns of `fields`."""
        return cls([r["_row"] for r in records], {name: [r.get(name) for r in records] for name in fields})


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
    return value_parser(spec, ctx, multiplier)(raw)


def value_parser(spec: FieldSpec, ctx: ParseContext, multiplier: Decimal = Decimal(1)) -> Callable[[Any], Any]:
    """The field's parser with its context bound (a column's values are many calls of one parser)."""
    if spec.enum is not None:
        return lambda raw: _parse_enum(spec, raw, ctx)
    if spec.type in ("code", "name"):
        return _parse_code
    parse = PARSERS[spec.type]
    return lambda raw: parse(spec, raw, ctx, multiplier)


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


Problem = tuple[Column, Any, str, bool]  # the column, its raw value, why, and whether the field is required


@dataclass
class _Cell:
    """One mapped column of a table."""

    name: str
    column: Column
    spec: FieldSpec

    def parse_one(self, raw: Any, parse: Callable[[Any], Any]) -> Any:
        """One raw value as the field's value: None for a blank, `_Bad` for a value the field cannot take."""
        if raw is None or (raw.__class__ is str and not raw.strip()):
            return None
        try:
            return parse(raw)
        except ValueParseError as exc:
            return _Bad(str(exc))

    def parse_all(self, raws: list[Any], ctx: ParseContext) -> tuple[list[Any], bool]:
        """The column's values, and whether any is `_Bad`: each distinct raw value is parsed once."""
        parse = value_parser(self.spec, ctx, self.column.multiplier)
        distinct = dict.fromkeys(raws)
        types = {raw.__class__ for raw in distinct}
        # 1, 1.0 and True are one dict key: a column mixing them is keyed by type as well
        if bool in types or {int, float} <= types or any(raw != raw for raw in distinct):
            typed: dict[Any, Any] = {}
            values = [self._typed(raw, typed, parse) for raw in raws]
            return values, any(v.__class__ is _Bad for v in typed.values())
        parsed = {raw: self.parse_one(raw, parse) for raw in distinct}
        return list(map(parsed.__getitem__, raws)), any(v.__class__ is _Bad for v in parsed.values())

    def _typed(self, raw: Any, memo: dict[Any, Any], parse: Callable[[Any], Any]) -> Any:
        key = raw if raw.__class__ is str else (raw.__class__, raw)
        if key not in memo:
            memo[key] = self.parse_one(raw, parse)
        return memo[key]


@dataclass
class _TablePlan:
    """What validating a table needs, worked out once per table."""

    cells: list[_Cell]
    bounded: list[tuple[str, FieldSpec]]  # fields with an at_most / at_least rule
    required: list[tuple[str, str | None]]  # required fields the table has a column for, and their `unless`
    defaults: list[tuple[str, Any]]  # fields with a default, and the default
    complete: Callable[[dict[str, list[Any]], dict[str, list[Any]], Contract], None] | None  # the kind's own rule

    @classmethod
    def of(cls, table: SheetRows, spec: SheetSpec) -> _TablePlan:
        """The plan for one located table."""
        return cls(
            [_Cell(name, column, spec.fields[name]) for name, column in table.columns.items()],
            [(n, f) for n, f in spec.fields.items() if f.at_most or f.at_least],
            [(f.name, f.unless) for f in spec.fields.values() if f.required and column_for(f.name, spec, table)],
            [(f.name, f.default) for f in spec.fields.values() if f.default is not None],
            kinds.completer(spec.key),
        )


@dataclass
class _Columns:
    """A table's data rows being validated, a column at a time (a sheet has few columns and many rows)."""

    rows: list[int]  # the Excel rows, in order
    raws: dict[str, list[Any]] = field(default_factory=dict)  # field → raw cells
    values: dict[str, list[Any]] = field(default_factory=dict)  # field → parsed values (None for none)
    problems: dict[int, list[Problem]] = field(default_factory=dict)  # row position → its problems, in order

    def flag(self, position: int, problem: Problem) -> None:
        """Note a problem of the row at `position`."""
        self.problems.setdefault(position, []).append(problem)

    def flagged(self, position: int, name: str) -> bool:
        """Whether the row at `position` already has a problem with field `name`."""
        return any(p[0].field == name for p in self.problems.get(position, ()))

    def column(self, name: str) -> list[Any]:
        """Field `name`'s values, an empty column if the sheet has none."""
        if name not in self.values:
            self.values[name] = [None] * len(self.rows)
        return self.values[name]


def _raw_column(grid: list[list[Any]], index: int) -> list[Any]:
    """Column `index` (1-based) of each row in `grid`; None past a short row's end."""
    if all(len(values) >= index for values in grid):
        return list(map(itemgetter(index - 1), grid))
    return [values[index - 1] if len(values) >= index else None for values in grid]


def _parse_cells(sheet: RawSheet, grid: list[list[Any]], plan: _TablePlan, ctx: ParseContext, table: _Columns) -> None:
    """Every mapped column's values; a value its field cannot take is a problem of its row.

    A formula cell without a saved result, or a cell whose text was too long, is a problem of its own.
    """
    where = {row: i for i, row in enumerate(table.rows)} if sheet.uncached or sheet.oversized else {}
    for cell in plan.cells:
        index = cell.column.index
        raws = table.raws[cell.name] = _raw_column(grid, index)
        values, any_bad = cell.parse_all(raws, ctx)
        marked: dict[int, Problem] = {}
        for cells, reason, shown in (
            (sheet.uncached, UNCACHED, None),
            (sheet.oversized, OVERSIZED, "（过长，未读取）"),
        ):
            for row, col in cells:
                if col == index and row in where and where[row] not in marked:
                    i = where[row]
                    marked[i] = (cell.column, raws[i] if shown is None else shown, reason, cell.spec.required)
        for i in sorted(marked.keys() | (_bad_positions(values) if any_bad else set())):
            value = values[i]
            problem = marked.get(i) or (cell.column, raws[i], value.reason, cell.spec.required)
            table.flag(i, problem)
            values[i] = None
        table.values[cell.name] = values


def _bad_positions(values: list[Any]) -> set[int]:
    return {i for i, value in enumerate(values) if value.__class__ is _Bad}


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


def _fill_constants(table: SheetRows, columns: _Columns) -> None:
    """A title-block constant (`单位：…`, `年度：2024`) stands in each row where its field is empty."""
    for name, constant in table.constants.items():
        values = columns.column(name)
        for i, value in enumerate(values):
            if value is None and not columns.flagged(i, name):
                values[i] = constant.value


def _check_bounds(spec: SheetSpec, table: SheetRows, plan: _TablePlan, columns: _Columns) -> None:
    """A field over its at_most (or under its at_least) field in the same row is a problem, and dropped."""
    broken: list[tuple[int, str, str]] = []
    for name, fspec in plan.bounded:
        if name not in columns.values:
            continue
        for other, bigger in ((fspec.at_most, True), (fspec.at_least, False)):
            if not other or other not in columns.values:
                continue
            for i, (value, limit) in enumerate(zip(columns.values[name], columns.values[other], strict=True)):
                if value is None or limit is None or (value <= limit if bigger else value >= limit):
                    continue
                word = "大于" if bigger else "小于"
                reason = f"{fspec.headers[0]} {value} {word}{spec.fields[other].headers[0]} {limit}，不合逻辑"
                broken.append((i, name, reason))
    for i, name, reason in sorted(broken, key=itemgetter(0)):  # stable: a row's problems keep the fields' order
        column = column_for(name, spec, table)
        raw = columns.raws[name][i] if name in columns.raws else None
        columns.flag(i, (column or Column(name, 0, "", Decimal(1)), raw, reason, spec.fields[name].required))
    for i, name, _ in broken:
        columns.values[name][i] = None


def _fill_defaults(plan: _TablePlan, columns: _Columns) -> None:
    for name, default in plan.defaults:
        columns.values[name] = [default if value is None else value for value in columns.column(name)]


def _empty_required(plan: _TablePlan, columns: _Columns) -> dict[int, list[str]]:
    """Row position → the required fields it leaves empty (a field with a problem already is not repeated)."""
    empty: dict[int, list[str]] = {}
    for name, unless in plan.required:
        values = columns.column(name)
        if None not in values:
            continue
        instead = columns.values.get(unless) if unless else None
        for i, value in enumerate(values):
            if value is None and not (instead is not None and instead[i] is not None) and not columns.flagged(i, name):
                empty.setdefault(i, []).append(name)
    return empty


def validate_table(sheet: RawSheet, table: SheetRows, spec: SheetSpec, ctx: ParseContext) -> TableResult:
    """Parse every data row of a located table, and check its total rows."""
    plan = _TablePlan.of(table, spec)
    columns = _Columns(list(table.data))
    _parse_cells(sheet, [sheet.rows[row - 1] for row in table.data], plan, ctx, columns)
    _fill_constants(table, columns)
    _check_bounds(spec, table, plan, columns)
    _fill_defaults(plan, columns)
    if plan.complete is not None:
        plan.complete(columns.values, columns.raws, ctx.contract)
    empty = _empty_required(plan, columns)
    result = TableResult()
    for i in sorted(columns.problems.keys() | empty.keys()):
        row, problems = columns.rows[i], columns.problems.get(i, [])
        rejected = i in empty or any(required for *_, required in problems)
        action = "row_rejected" if rejected else "value_dropped"
        for column, raw, reason, _required in problems:
            result.rejections.append(Rejection(sheet.name, row, column.letter, display(raw), reason, action))
        for name in empty.get(i, []):
            column = column_for(name, spec, table)
            reason = f"必填项「{spec.fields[name].headers[0]}」为空"
            result.rejections.append(Rejection(sheet.name, row, column.letter if column else "", "", reason, action))
        if rejected:
            result.rejected_rows.add(row)
    keep = [i for i, row in enumerate(columns.rows) if row not in result.rejected_rows]
    whole = len(keep) == len(columns.rows)
    result.rows = columns.rows if whole else [columns.rows[i] for i in keep]
    result.columns = {name: values if whole else [values[i] for i in keep] for name, values in columns.values.items()}
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
    position = {row: i for i, row in enumerate(result.rows)}
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
        covered = tuple(r for r in table.data if start <= r < row and r in position)
        checks.extend(_check_total_row(sheet, row, numeric, spec, ctx, covered, position, result.columns))
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
    position: dict[int, int],
    columns: dict[str, list[Any]],
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
        values = columns.get(column.field) or [None] * len(position)
        computed = sum((Decimal(values[position[r]] or 0) for r in covered), Decimal(0))
        checks.append(TotalCheck(sheet.name, row, column.letter, column.field, stated, computed, covered))
    return checks
