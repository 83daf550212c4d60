"""Ingest stage: workbook files → typed tables, row account and rejected cells.

`ingest_file` never raises for bad input: a file that cannot be read comes
back with status `rejected` and one reason; bad cells are `Rejection`s; every
row after a header is counted as accepted, rejected, total or blank.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.config import Contract, SheetSpec
from pipeline.errors import InputError, ValueParseError
from pipeline.layout import SheetRows, classify_rows, find_header, header_key, is_blank
from pipeline.periods import Period, months_period
from pipeline.validate import (
    ParseContext,
    Rejection,
    TableResult,
    TotalCheck,
    display,
    missing_columns,
    out_of_bounds,
    parse_value,
    validate_table,
)
from pipeline.values import key_text, squeeze
from pipeline.workbook import SPREADSHEET_SUFFIXES, RawSheet, RawWorkbook, column_letter, is_lock_file, read_workbook

SOURCE_COLUMNS = ["_unit", "_file", "_sheet", "_row"]


@dataclass
class SheetAccount:
    """rows_read = accepted + rejected + totals + blank, for one sheet."""

    sheet: str
    table: str
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    totals: int = 0
    blank: int = 0
    hidden: int = 0
    sheet_hidden: bool = False


@dataclass
class UnitWorkbook:
    """Everything read from one input file."""

    file: str
    sha256: str
    status: str = "ingested"  # ingested | rejected | ignored
    reason: str = ""
    role: str = "unit"  # unit | roster | targets_book (a higher-level union's own workbooks)
    engine: str = ""
    profile: dict[str, Any] = field(default_factory=dict)
    profile_rows: dict[str, int] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sheet_names: dict[str, str] = field(default_factory=dict)
    letters: dict[str, dict[str, str]] = field(default_factory=dict)  # table → field → column letter
    accounts: list[SheetAccount] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    total_checks: list[TotalCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def unit_code(self) -> str:
        """The reporting unit's code ('' when unknown)."""
        return self.profile.get("unit_code") or ""

    @property
    def unit_name(self) -> str:
        """The reporting unit's name ('' when unknown)."""
        return self.profile.get("unit_name") or ""

    @property
    def period(self) -> Period | None:
        """The reporting period."""
        return self.profile.get("period")


def file_sha256(path: Path) -> str:
    """Content hash of a file (identifies a workbook regardless of its name)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest_file(path: Path, contract: Contract, display_name: str | None = None, sha256: str = "") -> UnitWorkbook:
    """Read one file; a whole-file problem gives status `rejected` with a reason."""
    name = display_name or path.name
    result = UnitWorkbook(file=name, sha256=sha256 or file_sha256(path))
    if is_lock_file(path):
        result.status, result.reason = "ignored", "Excel/WPS 临时锁定文件，不是工作簿"
        return result
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        result.status, result.reason = "ignored", f"不是工作簿文件（扩展名 {path.suffix or '无'}）"
        return result
    try:
        workbook = read_workbook(path)
        result.engine = workbook.engine
        _ingest_workbook(workbook, contract, result)
    except InputError as exc:
        result.status, result.reason = "rejected", str(exc)
    return result


def _ingest_workbook(workbook: RawWorkbook, contract: Contract, result: UnitWorkbook) -> None:
    assigned = assign_sheets(workbook, contract, result)
    if "profile" not in assigned and _read_standalone(workbook, contract, result):
        return
    for spec in contract.sheets.values():
        if spec.required_sheet and spec.key not in assigned:
            raise InputError(f"缺少「{spec.title}」工作表（单位名称、单位代码、报告期），无法识别填报单位")
    ctx = ParseContext(contract, date1904=workbook.date1904)
    titles = [result.file] + [
        str(value) for sheet in workbook.sheets for row in sheet.rows[:3] for value in row if isinstance(value, str)
    ]
    read_profile(assigned["profile"], contract.sheets["profile"], ctx, result, titles)
    period: Period = result.profile["period"]
    ctx.year = period.year
    for key, sheet in assigned.items():
        if key != "profile":
            read_table(sheet, contract.sheets[key], ctx, result)


def _read_standalone(workbook: RawWorkbook, contract: Contract, result: UnitWorkbook) -> bool:
    """A 组织架构 roster or a targets workbook for many units; True when it is one."""
    for key, spec in contract.standalone.items():
        sheet = next((s for s in workbook.sheets if contract.sheet_for_name(s.name, [spec])), None)
        if sheet is None:
            continue
        result.role, result.notes = key, [n for n in result.notes if sheet.name not in n]
        read_table(sheet, spec, ParseContext(contract, date1904=workbook.date1904), result)
        return True
    return False


def assign_sheets(workbook: RawWorkbook, contract: Contract, result: UnitWorkbook) -> dict[str, RawSheet]:
    """Which workbook sheet is which contract sheet, by name or else by its header."""
    assigned: dict[str, RawSheet] = {}
    for sheet in workbook.sheets:
        if key_text(sheet.name) in contract.helper_sheets:
            continue
        spec = contract.sheet_for_name(sheet.name) or _guess_by_header(sheet, contract, assigned)
        if spec is None:
            if any(not is_blank(v) for row in sheet.rows for v in row):
                result.notes.append(f"工作表「{sheet.name}」不属于填报模板，未读取")
            continue
        if spec.key in assigned:
            result.notes.append(f"工作表「{sheet.name}」与「{assigned[spec.key].name}」都是{spec.title}，只读取了后者")
            continue
        if sheet.hidden:
            result.notes.append(f"工作表「{sheet.name}」是隐藏的，已照常读取")
        assigned[spec.key] = sheet
        result.sheet_names[spec.key] = sheet.name
    return assigned


def _guess_by_header(sheet: RawSheet, contract: Contract, taken: dict[str, RawSheet]) -> SheetSpec | None:
    """A sheet with an unknown name (Sheet1) whose header clearly matches one table."""
    best, best_score = None, 2
    for spec in contract.sheets.values():
        if spec.layout != "table" or spec.key in taken:
            continue
        found = find_header(sheet, spec)
        score = len(found.columns) if found else 0
        if score > best_score and not missing_columns(spec, found):  # type: ignore[arg-type]
            best, best_score = spec, score
    return best


def read_profile(
    sheet: RawSheet, spec: SheetSpec, ctx: ParseContext, result: UnitWorkbook, titles: list[str] | None = None
) -> None:
    """基本情况 as a key/value list, or else as a one-row table.

    `titles` (the workbook's title rows and file name) supply the year when 报告期 is missing.
    """
    cells = _profile_pairs(sheet, spec) or _profile_table(sheet, spec)
    account = SheetAccount(sheet.name, spec.key, sheet_hidden=sheet.hidden)
    rows = [cell[0] for cell in cells.values()]
    first = min(rows, default=1)
    rejected_rows: set[int] = set()
    for name, (row, col, raw, multiplier) in cells.items():
        fspec = spec.fields[name]
        try:
            result.profile[name] = None if is_blank(raw) else parse_value(fspec, raw, ctx, multiplier)
        except ValueParseError as exc:
            action = "row_rejected" if fspec.required else "value_dropped"
            result.rejections.append(Rejection(sheet.name, row, column_letter(col), display(raw), str(exc), action))
            rejected_rows.update({row} if fspec.required else set())
        result.profile_rows[name] = row
    for name, reason in out_of_bounds(result.profile, spec):
        row, col, raw, _ = cells[name]
        result.rejections.append(Rejection(sheet.name, row, column_letter(col), display(raw), reason, "value_dropped"))
        result.profile[name] = None
    _fill_identity(result, titles)
    for name in ("unit_name", "unit_code", "period"):
        if result.profile.get(name) is None:
            header = spec.fields[name].headers[0]
            raise InputError(f"「基本情况」缺少或无法识别「{header}」，无法确定填报单位与报告期")
    _count_profile_rows(sheet, first, rejected_rows, account)
    result.accounts.append(account)
    for name in ("employees", "members"):
        if result.profile.get(name) is None:
            result.notes.append(f"「基本情况」缺少「{spec.fields[name].headers[0]}」，相关指标为无数据")


_YEAR = re.compile(r"(20\d{2})\s*年")


def _fill_identity(result: UnitWorkbook, titles: list[str] | None) -> None:
    """A missing 报告期 from the year in the titles; a missing 单位代码 from the unit's name. Both said in a note."""
    profile = result.profile
    if profile.get("period") is None and titles:
        years = Counter(m for text in titles for m in _YEAR.findall(text))
        if years:
            year = years.most_common(1)[0][0]
            profile["period"] = months_period(int(year), 1, 12)
            result.notes.append(f"「基本情况」没有可用的报告期，按表头/文件名中的年份计为 {year}年")
    if profile.get("unit_code") is None and profile.get("unit_name"):
        profile["unit_code"] = squeeze(profile["unit_name"])
        result.notes.append("「基本情况」没有单位代码，以单位名称代替（有组织架构名册时按名称对应）")


def _count_profile_rows(sheet: RawSheet, first: int, rejected: set[int], account: SheetAccount) -> None:
    for row in range(first, len(sheet.rows) + 1):
        account.rows_read += 1
        account.hidden += row in sheet.hidden_rows
        if all(is_blank(v) for v in sheet.rows[row - 1]):
            account.blank += 1
        elif row in rejected:
            account.rejected += 1
        else:
            account.accepted += 1


ProfileCell = tuple[int, int, Any, Decimal]  # row, column, raw value, unit multiplier


def _profile_pairs(sheet: RawSheet, spec: SheetSpec) -> dict[str, ProfileCell]:
    """Key/value layout: a known label with its value to the right, or `单位名称：某某工会` in one cell."""
    lookup = spec.header_lookup()
    found: dict[str, ProfileCell] = {}
    for r, values in enumerate(sheet.rows, start=1):
        for c, value in enumerate(values, start=1):
            if not isinstance(value, str):
                continue
            key, multiplier = header_key(value)
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


def _profile_table(sheet: RawSheet, spec: SheetSpec) -> dict[str, ProfileCell]:
    """One-row table layout: a header row and the unit's row below it."""
    table = find_header(sheet, spec)
    if table is None:
        raise InputError("「基本情况」工作表中找不到单位名称、单位代码等项目")
    row = next(
        (r for r in range(table.first_row, len(sheet.rows) + 1) if not all(is_blank(v) for v in sheet.rows[r - 1])),
        table.first_row,
    )
    return {name: (row, col.index, sheet.value(row, col.index), col.multiplier) for name, col in table.columns.items()}


def read_table(sheet: RawSheet, spec: SheetSpec, ctx: ParseContext, result: UnitWorkbook) -> None:
    """Locate, classify and validate one table sheet, and account for its rows."""
    account = SheetAccount(sheet.name, spec.key, sheet_hidden=sheet.hidden)
    result.accounts.append(account)
    table = find_header(sheet, spec)
    if table is None:
        _reject_all(
            sheet,
            range(1, len(sheet.rows) + 1),
            account,
            result,
            f"找不到{spec.title}的表头（应有：{'、'.join(f.headers[0] for f in spec.fields.values() if f.required)}）",
        )
        return
    classify_rows(sheet, table, ctx.contract)
    result.letters[spec.key] = {name: column.letter for name, column in table.columns.items()}
    _count_classified(sheet, table, account)
    for reason in dict.fromkeys(table.skipped.values()):
        rows = "、".join(str(r) for r, why in table.skipped.items() if why == reason)
        result.notes.append(f"「{sheet.name}」第 {rows} 行是{reason}，未作为数据")
    if table.unmapped:
        result.notes.append(f"「{sheet.name}」有未识别的列（未读取）：{'、'.join(table.unmapped)}")
    missing = missing_columns(spec, table)
    if missing:
        titles = "、".join(spec.fields[m].headers[0] for m in missing)
        _reject_all(sheet, table.data, account, result, f"缺少必填列「{titles}」", counted=True)
        return
    outcome = validate_table(sheet, table, spec, ctx)
    account.accepted, account.rejected = len(outcome.records), len(outcome.rejected_rows)
    result.rejections.extend(outcome.rejections)
    result.total_checks.extend(outcome.total_checks)
    result.tables[spec.key] = to_frame(outcome, spec, sheet.name, result)


def _count_classified(sheet: RawSheet, table: SheetRows, account: SheetAccount) -> None:
    last = len(sheet.rows)
    account.rows_read = max(0, last - table.first_row + 1)
    account.totals, account.blank = len(table.totals), len(table.blank)
    account.hidden = sum(1 for r in sheet.hidden_rows if table.first_row <= r <= last)


def _reject_all(
    sheet: RawSheet, rows: Any, account: SheetAccount, result: UnitWorkbook, reason: str, counted: bool = False
) -> None:
    """A sheet that cannot be used: every non-blank row is listed as rejected."""
    for row in rows:
        values = sheet.rows[row - 1]
        if not counted:
            account.rows_read += 1
            account.hidden += row in sheet.hidden_rows
        if all(is_blank(v) for v in values):
            account.blank += 0 if counted else 1
            continue
        account.rejected += 1
        raw = next((v for v in values if not is_blank(v)), "")
        result.rejections.append(Rejection(sheet.name, row, "", display(raw), reason, "row_rejected"))


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts of plain values.

    One conversion of the whole frame: pandas' own to_dict and per-column
    access cost far more than the data on tables of a few dozen rows.
    """
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in frame.to_numpy(dtype=object).tolist()]


def object_frame(rows: list[list[Any]], names: list[str]) -> pd.DataFrame:
    """A frame of plain Python values: every column dtype=object.

    pandas would otherwise guess types: whole numbers with gaps become floats
    (80 → 80.0), text becomes its string dtype and empty cells NaN. Built from
    one 2-D array, which is also an order of magnitude faster than per column.
    """
    values = np.empty((len(rows), len(names)), dtype=object)
    if rows:
        values[:] = rows
    return pd.DataFrame(values, columns=names, dtype=object, copy=False)


def to_frame(outcome: TableResult, spec: SheetSpec, sheet_name: str, unit: UnitWorkbook) -> pd.DataFrame:
    """Accepted records as a DataFrame with the source columns and every contract column."""
    names = [*SOURCE_COLUMNS, *spec.fields]
    source = [unit.unit_code, unit.file, sheet_name]
    frame = object_frame([[*source, r["_row"], *(r.get(n) for n in spec.fields)] for r in outcome.records], names)
    frame["_row"] = frame["_row"].astype("int64")
    return frame
