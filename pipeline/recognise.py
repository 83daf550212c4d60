"""Recognition stage: which ledger kind each table of a workbook is (grid → located table).

Real exports are named Sheet1 or Worksheet, carry a title block (a title,
`填报单位：…`, `帮扶项目：大病救助`, `单位：万元`, a date line) and an approval
footer, and sometimes hold two tables side by side. For each table this stage
scores the header against every kind's vocabulary in the contract (headers
many kinds share weigh less; the sheet name is a strong hint, not a
requirement), locates the header and data rows, and reads the title block's
facts. Validation then reads only what this stage located.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from pipeline.config import Contract, SheetSpec
from pipeline.layout import UNIT_MULTIPLIERS, Constant, SheetRows, find_header, header_key, is_blank
from pipeline.values import key_text, squeeze
from pipeline.workbook import RawSheet, RawWorkbook, column_letter

NAME_HINT = 1.0  # what a sheet name that names a kind adds to that kind's score
MIN_SCORE = 1.5  # below this, a table is not taken as a ledger
PROFILE_MIN_PAIRS = 3
# `标签：值` pairs in a title line; several may share one cell (填报单位：某某工会   填报日期：2025-01-05).
_PAIR = re.compile(r"([^\s:：，,;；]{1,16})\s*[:：]\s*(.*?)(?=\s+[^\s:：，,;；]{1,16}\s*[:：]|$)")
_SCALE_LABELS = {"单位", "金额单位", "计量单位", "货币单位"}


@dataclass
class Fact:
    """One `标签：值` line (or a bare date line) of the title block or footer."""

    label: str
    raw: Any
    row: int
    col: int


@dataclass
class Located:
    """One table of a workbook and what it was recognised as (spec None: not a ledger)."""

    sheet: RawSheet
    spec: SheetSpec | None
    table: SheetRows | None = None
    decided_by: tuple[str, ...] = ()
    score: float = 0.0
    columns: str = ""  # "A:E" when the sheet holds several tables side by side
    title: str = ""
    facts: list[Fact] = field(default_factory=list)
    headers: tuple[str, ...] = ()  # the header texts seen, for a table that is not a ledger

    @property
    def kind(self) -> str:
        """The contract key of the kind ('' for a table that is not a ledger)."""
        return self.spec.key if self.spec else ""

    def why(self) -> str:
        """Which headers decided the kind, for files.csv and the data-quality section."""
        if self.spec is None:
            shown = "、".join(self.headers[:12]) or "（空表）"
            return f"不是可识别的台账；表头为：{shown}"
        return f"识别为{self.spec.title}：{'、'.join(self.decided_by)}"


def _score(table: SheetRows, contract: Contract) -> float:
    """A header many kinds share says less about a table than one only one kind uses."""
    weights = contract.header_weights
    return sum(weights.get(c.header, 1.0) for c in table.columns.values())


# --- the whole workbook -----------------------------------------------------------------------------------


def recognise(workbook: RawWorkbook, contract: Contract) -> list[Located]:
    """Every table of every sheet (helper sheets and empty sheets left out), with its kind."""
    found: list[Located] = []
    for sheet in workbook.sheets:
        if key_text(sheet.name) in contract.helper_sheets or not _has_content(sheet):
            continue
        for block, columns in split_side_by_side(sheet, contract):
            found.append(recognise_sheet(block, contract, columns))
    return found


def _has_content(sheet: RawSheet) -> bool:
    return any(not is_blank(v) for row in sheet.rows for v in row)


def recognise_sheet(sheet: RawSheet, contract: Contract, columns: str = "") -> Located:
    """The best kind for one table, by its header (and name); spec None when no kind fits."""
    named = contract.kinds_named(sheet.name, contract.kinds())
    if named and named[0].layout == "profile":
        return _profile(sheet, named[0], columns, by_name=True)
    candidates = [c for c in (_candidate(sheet, spec, contract, named) for spec in contract.kinds()) if c]
    eligible = [c for c in candidates if _eligible(c, named)]
    if eligible:
        return _finish(sheet, max(eligible, key=lambda c: c.score), contract, columns)
    if named:  # read as its name says: its missing columns are then reported row by row
        chosen = next((c for c in candidates if c.spec is named[0]), None) or Located(sheet, named[0])
        return _finish(sheet, chosen, contract, columns)
    profile = contract.sheets.get("profile")
    if profile is not None:
        pairs = profile_pairs(sheet, profile)
        if len(pairs) >= PROFILE_MIN_PAIRS and {"employees", "members", "unit_name"} & set(pairs):
            return _profile(sheet, profile, columns, by_name=False)
    return Located(sheet, None, columns=columns, headers=_header_texts(sheet), title=title_of(sheet, None))


def _eligible(candidate: Located, named: list[SheetSpec]) -> bool:
    """Every required field found, and enough said: a score above the threshold, or the name and two columns."""
    if candidate.table is None or missing_required(candidate):
        return False
    if candidate.spec in named:
        return len(candidate.table.columns) >= 2
    return candidate.score >= MIN_SCORE and len(candidate.table.columns) >= 2


def _candidate(sheet: RawSheet, spec: SheetSpec, contract: Contract, named: list[SheetSpec]) -> Located | None:
    if spec.layout != "table":
        return None
    table = find_header(sheet, spec)
    if table is None:
        return None
    located = Located(sheet, spec, table, tuple(c.header for c in table.columns.values()))
    located.facts = title_facts(sheet, table.header_rows[0])
    table.constants = constants_for(spec, located.facts)
    table.title_cells = title_cells(sheet, table.header_rows[0])
    _title_constants(spec, table, title_of(sheet, table.header_rows[0]), contract)
    located.score = _score(table, contract) + (NAME_HINT if spec in named else 0.0)
    if spec in named:
        located.decided_by = (f"表名「{sheet.name}」", *located.decided_by)
    return located


def missing_required(located: Located) -> list[str]:
    """Required fields of the located kind with neither a column, an alternative, nor a title-block constant."""
    from pipeline.validate import missing_columns

    assert located.spec is not None and located.table is not None
    return missing_columns(located.spec, located.table)


def _finish(sheet: RawSheet, located: Located, contract: Contract, columns: str) -> Located:
    located.columns = columns
    if located.table is not None:
        located.title = title_of(sheet, located.table.header_rows[0])
        _apply_scale(located)
    elif not located.headers:
        located.headers = _header_texts(sheet)
    return located


def _profile(sheet: RawSheet, spec: SheetSpec, columns: str, by_name: bool) -> Located:
    pairs = profile_pairs(sheet, spec)
    decided = tuple(spec.fields[n].headers[0] for n in pairs)
    if by_name:
        decided = (f"表名「{sheet.name}」", *decided)
    first = min((row for row, *_ in pairs.values()), default=1)
    located = Located(sheet, spec, None, decided, float(len(pairs)), columns, title_of(sheet, first))
    located.facts = title_facts(sheet, first)  # a statistics table's 填报单位：… and 统计期间：… lines
    return located


def _header_texts(sheet: RawSheet) -> tuple[str, ...]:
    """The texts of the row that looks most like a header (the most text cells in the first rows)."""
    best: list[str] = []
    for values in sheet.rows[:15]:
        texts = [header_key(v)[0] for v in values if isinstance(v, str) and not is_blank(v)]
        texts = list(dict.fromkeys(texts))
        if len(texts) > len(best):
            best = texts
    return tuple(best)


# --- title block and footer facts -------------------------------------------------------------------------


def title_facts(sheet: RawSheet, header_row: int) -> list[Fact]:
    """`标签：值` pairs and bare date lines above the header (a new list: callers add the footer's)."""
    key = ("title_facts", header_row)  # every kind tried on the sheet asks for the same rows
    if key not in sheet.header_cache:
        sheet.header_cache[key] = _title_facts(sheet, header_row)
    return list(sheet.header_cache[key])


def _title_facts(sheet: RawSheet, header_row: int) -> list[Fact]:
    facts: list[Fact] = []
    for r in range(1, header_row):
        seen: set[str] = set()
        for c, value in enumerate(sheet.rows[r - 1], start=1):
            if not isinstance(value, str) or value in seen:  # a merged title repeats across its cells
                continue
            seen.add(value)
            facts.extend(line_facts(value, r, c, sheet.rows[r - 1]))
    return facts


def line_facts(text: str, row: int, col: int, values: list[Any]) -> list[Fact]:
    """The facts one cell states: `标签：值` pairs, a label whose value is the next cell, or a date line."""
    cleaned = text.strip()
    pairs = [(m.group(1), m.group(2).strip()) for m in _PAIR.finditer(cleaned)]
    found = [Fact(key_text(label), value, row, col) for label, value in pairs if value]
    if not found and cleaned.rstrip(":：") != cleaned and col < len(values):
        right = next((v for v in values[col:] if not is_blank(v) and v != text), None)
        if right is not None:
            found.append(Fact(key_text(cleaned.rstrip(":：")), right, row, col))
    if not found and _DATE_LINE.fullmatch(squeeze(cleaned)):
        found.append(Fact("", cleaned, row, col))
    return found


_DATE_LINE = re.compile(r"(?:日期|时间|发放日期)?[:：]?\d{4}[年.\-/]\d{1,2}[月.\-/]\d{1,2}日?")


def constants_for(spec: SheetSpec, facts: list[Fact]) -> dict[str, Constant]:
    """Title-block facts that name one of the kind's fields (or a date line, its date field): a value for every row."""
    lookup = spec.header_lookup()
    found: dict[str, Constant] = {}
    for fact in facts:
        name = spec.date_field if fact.label == "" else lookup.get(header_key(fact.label)[0])
        if name and name not in found:
            found[name] = Constant(name, fact.row, fact.col, fact.label or "日期", fact.raw)
    return found


def _title_constants(spec: SheetSpec, table: SheetRows, title: str, contract: Contract) -> None:
    """A choice the title names (`2024年春节慰问记录`: 节日慰问, 春节) for an enum field the table has no column for."""
    if not title:
        return
    for name, fspec in spec.fields.items():
        if fspec.enum is None or name in table.columns or name in table.constants:
            continue
        value = contract.enums[fspec.enum].named_in(title)
        if value is not None:
            row, col = _cell_of(table, title)
            table.constants[name] = Constant(name, row, col, "标题", title, value=value)


def _cell_of(table: SheetRows, text: str) -> tuple[int, int]:
    """Where a title sits: its (row, column) above the header; (1, 1) when not found (it is always above)."""
    return table.title_cells.get(text, (1, 1))


def scale_of(facts: list[Fact]) -> Decimal | None:
    """The money unit a title block declares (`单位：万元`), if any."""
    for fact in facts:
        if fact.label in _SCALE_LABELS and isinstance(fact.raw, str):
            unit = key_text(fact.raw).split("、")[0].split(",")[0]
            if unit in UNIT_MULTIPLIERS:
                return UNIT_MULTIPLIERS[unit]
    return None


def _apply_scale(located: Located) -> None:
    """`单位：万元` in the title block scales every money column whose own header names no unit."""
    scale = scale_of(located.facts)
    table, spec = located.table, located.spec
    if scale is None or table is None or spec is None:
        return
    for name, column in table.columns.items():
        if spec.fields[name].type == "money" and column.multiplier == 1 and not column.unit_given:
            table.columns[name] = replace(column, multiplier=scale)


def title_of(sheet: RawSheet, header_row: int | None) -> str:
    """The sheet's title: the longest text above the header that is not a `标签：值` line."""
    return max(title_cells(sheet, header_row), key=len, default="")


def title_cells(sheet: RawSheet, header_row: int | None) -> dict[str, tuple[int, int]]:
    """Each title text above the header (not a `标签：值` line) and its first cell."""
    key = ("title_cells", header_row)
    if key not in sheet.header_cache:
        sheet.header_cache[key] = _title_cells(sheet, header_row)
    return dict(sheet.header_cache[key])


def _title_cells(sheet: RawSheet, header_row: int | None) -> dict[str, tuple[int, int]]:
    last = (header_row or 4) - 1
    found: dict[str, tuple[int, int]] = {}
    for r, values in enumerate(sheet.rows[: max(0, last)], start=1):
        for c, v in enumerate(values, start=1):
            if isinstance(v, str) and v.strip() and not _PAIR.search(v):
                found.setdefault(v.strip(), (r, c))
    return found


def footer_facts(sheet: RawSheet, rows: list[int]) -> list[Fact]:
    """`标签：值` pairs on the footer lines (填表人：张三  联系电话：…)."""
    facts: list[Fact] = []
    for r in rows:
        values = sheet.rows[r - 1]
        for c, value in enumerate(values, start=1):
            if isinstance(value, str):
                facts.extend(f for f in line_facts(value, r, c, values) if f.label)
    return facts


# --- 基本情况 as key/value pairs or a statistics table -------------------------------------------------------

ProfileCell = tuple[int, int, Any, Decimal]  # row, column, raw value, unit multiplier
_PREFIX = re.compile(r"^(?:其中[:：]?|#+|[-—–]+|\d+[.、．]|[（(]\d+[)）])")
_UNIT_HEADERS = {"计量单位", "单位"}
_VALUE_HEADERS = {"数值", "数量", "本期数", "本年数", "本期", "数据", "指标值", "合计", "填报数", "本年实际"}


def profile_pairs(sheet: RawSheet, spec: SheetSpec) -> dict[str, ProfileCell]:
    """基本情况 laid out as labels with values: a statistics table (指标 | 计量单位 | 数值) or a key/value list."""
    return _statistics_table(sheet, spec) or _key_value_pairs(sheet, spec)


def _statistics_table(sheet: RawSheet, spec: SheetSpec) -> dict[str, ProfileCell]:
    """指标 | 计量单位 | 数值: labels may start with 其中： or #; the unit column scales the value (万人)."""
    for r, values in enumerate(sheet.rows[:15], start=1):
        keys = [header_key(v)[0] for v in values]
        unit_col = next((i for i, k in enumerate(keys, start=1) if k in _UNIT_HEADERS), None)
        value_col = next((i for i, k in enumerate(keys, start=1) if k in _VALUE_HEADERS), None)
        if unit_col and value_col:
            return _statistics_rows(sheet, spec, r, unit_col, value_col)
    return {}


def _statistics_rows(
    sheet: RawSheet, spec: SheetSpec, header: int, unit_col: int, value_col: int
) -> dict[str, ProfileCell]:
    lookup = spec.header_lookup()
    found: dict[str, ProfileCell] = {}
    for r in range(header + 1, len(sheet.rows) + 1):
        for c in range(1, min(unit_col, value_col)):
            label = sheet.value(r, c)
            if not isinstance(label, str):
                continue
            key, multiplier = header_key(_PREFIX.sub("", key_text(label)))
            name = lookup.get(key)
            if name and name not in found:
                unit = sheet.value(r, unit_col)
                scale = UNIT_MULTIPLIERS.get(key_text(unit), Decimal(1)) if isinstance(unit, str) else Decimal(1)
                found[name] = (r, value_col, sheet.value(r, value_col), multiplier if multiplier != 1 else scale)
                break
    return found if len(found) >= 2 else {}


def _key_value_pairs(sheet: RawSheet, spec: SheetSpec) -> dict[str, ProfileCell]:
    """Key/value layout: a known label with its value to the right, or `单位名称：某某工会` in one cell."""
    lookup = spec.header_lookup()
    found: dict[str, ProfileCell] = {}
    for r, values in enumerate(sheet.rows, start=1):
        for c, value in enumerate(values, start=1):
            if not isinstance(value, str):
                continue
            key, multiplier = header_key(_PREFIX.sub("", key_text(value)))
            name = lookup.get(key)
            if name is None:
                _one_cell_pair(value, lookup, (r, c), found)
            elif name not in found:
                _value_to_the_right(values, c, value, lookup, (r, name, multiplier), found)
    return found if len(found) >= 2 else {}


def _one_cell_pair(value: str, lookup: dict[str, str], where: tuple[int, int], found: dict[str, ProfileCell]) -> None:
    label, colon, rest = value.replace(":", "：").partition("：")
    key, multiplier = header_key(label)
    name = lookup.get(key)
    if colon and name and name not in found and rest.strip():
        found[name] = (*where, rest.strip(), multiplier)


def _value_to_the_right(
    values: list[Any],
    c: int,
    label: str,
    lookup: dict[str, str],
    where: tuple[int, str, Decimal],
    found: dict[str, ProfileCell],
) -> None:
    row, name, multiplier = where
    for c2 in range(c + 1, len(values) + 1):
        right = values[c2 - 1]
        if is_blank(right) or right == label:  # merged label cells repeat the label
            continue
        if isinstance(right, str) and lookup.get(header_key(right)[0]):
            return
        found[name] = (row, c2, right, multiplier)
        return


# --- two tables side by side --------------------------------------------------------------------------------


def _two_values(row: list[Any]) -> bool:
    """The row holds two or more different values (stops at the second: every row of a sheet is asked)."""
    first = None
    for value in row:
        if value is None or is_blank(value):
            continue
        if first is None:
            first = value
        elif value != first:
            return True
    return False


def split_side_by_side(sheet: RawSheet, contract: Contract) -> list[tuple[RawSheet, str]]:
    """The sheet, or each of the tables it holds side by side (收入 | 支出), as (grid, "A:E").

    Tables are side by side when a column that is empty in every row with two
    or more different values separates them, and each side has a header of
    its own. Each side keeps the sheet's name and its real column letters
    (the other side's cells are blanked), so every message still points at
    the right cell.
    """
    width = max((len(r) for r in sheet.rows), default=0)
    busy = [r for r in sheet.rows if _two_values(r)]
    empty = {c for c in range(1, width + 1) if all(c > len(r) or is_blank(r[c - 1]) for r in busy)}
    runs: list[tuple[int, int]] = []
    for c in range(1, width + 1):
        if c in empty:
            continue
        if runs and runs[-1][1] == c - 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))
    runs = [run for run in runs if run[1] > run[0]]
    if len(runs) < 2:
        return [(sheet, "")]
    blocks = [(_block(sheet, first, last), f"{column_letter(first)}:{column_letter(last)}") for first, last in runs]
    if sum(1 for block, _ in blocks if _has_ledger_header(block, contract)) < 2:
        return [(sheet, "")]
    _keep_gap_cells(sheet, runs, [block for block, _ in blocks])
    return blocks


def _keep_gap_cells(sheet: RawSheet, runs: list[tuple[int, int]], blocks: list[RawSheet]) -> None:
    """A lone value in a gap column (a note, a unit line) goes to the table on its left, so nothing is lost."""
    for r, row in enumerate(sheet.rows):
        held = {b.rows[r][c] for b in blocks for c in range(len(row)) if b.rows[r][c] is not None}
        for c, value in enumerate(row, start=1):
            if value is None or value in held or any(first <= c <= last for first, last in runs):
                continue
            left = max((i for i, (first, _) in enumerate(runs) if first < c), default=0)
            blocks[left].rows[r][c - 1] = value
            held.add(value)


def _block(sheet: RawSheet, first: int, last: int) -> RawSheet:
    rows = [[v if first <= c <= last else None for c, v in enumerate(row, start=1)] for row in sheet.rows]
    uncached = {(r, c) for r, c in sheet.uncached if first <= c <= last}
    oversized = {(r, c) for r, c in sheet.oversized if first <= c <= last}
    return RawSheet(sheet.name, rows, sheet.hidden, set(sheet.hidden_rows), uncached, oversized)


def _has_ledger_header(sheet: RawSheet, contract: Contract) -> bool:
    return any(
        (table := find_header(sheet, spec)) is not None and len(table.columns) >= 2
        for spec in contract.kinds()
        if spec.layout == "table"
    )
