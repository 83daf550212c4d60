"""Ingest stage: workbook files → typed tables, row account and rejected cells.

`ingest_file` never raises for bad input: a file that cannot be read comes
back with status `rejected` and one reason; bad cells are `Rejection`s; every
row after a header is counted as accepted, rejected, total or blank.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import identity, kinds
from pipeline.budget import Limits
from pipeline.config import Contract, SheetSpec
from pipeline.errors import InputError, ValueParseError
from pipeline.layout import SheetRows, classify_rows, find_header, is_blank
from pipeline.money import parse_money
from pipeline.periods import Period, months_period
from pipeline.recognise import Located, ProfileCell, footer_facts, profile_pairs, recognise
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
from pipeline.workbook import SPREADSHEET_SUFFIXES, RawSheet, RawWorkbook, column_letter, is_lock_file, read_workbook

SOURCE_COLUMNS = ["_unit", "_file", "_sheet", "_row"]


@dataclass
class SheetAccount:
    """rows_read = accepted + rejected + totals + blank, for one sheet."""

    sheet: str
    table: str  # the kind the sheet was read as ('' for a sheet that is not a ledger)
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    totals: int = 0
    blank: int = 0
    hidden: int = 0
    sheet_hidden: bool = False
    columns: str = ""  # "A:E" for one of several tables side by side on the sheet
    decided_by: str = ""  # which headers (or the sheet name) decided the kind


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
    unread_columns: list[tuple[str, int, str, str]] = field(default_factory=list)  # (sheet, row, letter, header)
    notes: list[str] = field(default_factory=list)
    format: str = ""  # what the file really is (xlsx, xls, html, csv…), whatever its extension
    identity: str = ""  # where the unit came from (基本情况, 表头, 标题, 文件名, 文件夹, 组织架构, --unit)
    unresolved: bool = False  # read, but its unit could not be told (the roster or --unit may still tell)
    kinds_read: list[str] = field(default_factory=list)  # the ledger kinds its tables were read as
    profile_sheets: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # profile field → (file, sheet) it came from
    name_hints: list[str] = field(default_factory=list)  # names the file or folder suggests, to match the roster
    parts: list[UnitWorkbook] = field(default_factory=list)  # for one unit's data from several files: those files

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


def ingest_file(
    path: Path, contract: Contract, display_name: str | None = None, sha256: str = "", limits: Limits | None = None
) -> UnitWorkbook:
    """Read one file; a whole-file problem gives status `rejected` with a reason.

    Nothing a file can hold stops the run: whatever a reader (or the reading of a cell) raises on it —
    a Rust panic, a RecursionError, a MemoryError under the worker's limit, an integer of 5,000 digits —
    rejects that file with the reason in one line.
    """
    name = display_name or path.name
    result = UnitWorkbook(file=name, sha256=sha256 or file_sha256(path))
    if is_lock_file(path):
        result.status, result.reason = "ignored", "Excel/WPS 临时锁定文件，不是工作簿"
        return result
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        result.status, result.reason = "ignored", f"不是工作簿文件（扩展名 {path.suffix or '无'}）"
        return result
    try:
        workbook = read_workbook(path, limits)
        result.engine = workbook.engine
        _ingest_workbook(workbook, contract, result)
    except InputError as exc:
        result.status, result.reason = "rejected", str(exc)
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        result.status, result.reason = "rejected", "读取所需内存超过上限，已跳过（文件过大或已损坏）"
    except BaseException as exc:  # noqa: BLE001 - a hostile file must not stop the run (Rust panics included)
        detail = str(exc).splitlines()[0][:80] if str(exc) else ""
        result.status = "rejected"
        result.reason = f"文件内容无法处理，已跳过（{type(exc).__name__}{'：' + detail if detail else ''}）"
    return result


def _ingest_workbook(workbook: RawWorkbook, contract: Contract, result: UnitWorkbook) -> None:
    result.format = workbook.format
    if note := workbook.format_note():
        result.notes.append(note)
    located = recognise(workbook, contract)
    for found in located:
        _note_recognition(found, result)
    profile = next((f for f in located if f.kind == "profile"), None)
    standalone = [f for f in located if f.kind in contract.standalone]
    if profile is None and standalone:
        _read_standalone(standalone, workbook, contract, result)
        return
    ctx = ParseContext(contract, date1904=workbook.date1904)
    titles = (
        [result.file]
        + [f.title for f in located if f.title]
        + [str(value) for sheet in workbook.sheets for row in sheet.rows[:3] for value in row if isinstance(value, str)]
    )
    if profile is not None:
        result.sheet_names["profile"] = profile.sheet.name
        read_profile(profile.sheet, contract.sheets["profile"], ctx, result, titles, profile.why())
    identity.from_title_blocks(located, contract, ctx, result)  # what 基本情况 lacks, the title block may say
    _fill_identity(result, titles)
    if profile is not None:
        _require_identity(result, contract.sheets["profile"])
    period = result.profile.get("period")
    ctx.year = period.year if period is not None else None
    for found in located:
        if found.spec is not None and found.kind != "profile" and found.kind not in contract.standalone:
            read_table(found, ctx, result)
        elif found.spec is None:
            result.accounts.append(SheetAccount(found.sheet.name, "", columns=found.columns, decided_by=found.why()))
    if profile is None:
        identity.from_title_blocks(located, contract, ctx, result)  # now with the footers' 填表人 / 联系电话 / 日期
        identity.settle(result, titles, contract)


def _note_recognition(found: Located, result: UnitWorkbook) -> None:
    """Say what a sheet was read as when its name did not say so, and list sheets that are no ledger."""
    where = f"「{found.sheet.name}」" + (f"（{found.columns} 列）" if found.columns else "")
    if found.spec is None:
        result.notes.append(f"工作表{where}不是可识别的台账，未读取（表头：{'、'.join(found.headers[:12]) or '无'}）")
    elif not found.decided_by or not found.decided_by[0].startswith("表名"):
        result.notes.append(f"工作表{where}按表头{found.why().removeprefix('识别为')}")
    if found.sheet.hidden and found.spec is not None:
        result.notes.append(f"工作表「{found.sheet.name}」是隐藏的，已照常读取")


def _read_standalone(found: list[Located], workbook: RawWorkbook, contract: Contract, result: UnitWorkbook) -> None:
    """A 组织架构 roster or a targets workbook for many units."""
    result.role = found[0].kind
    ctx = ParseContext(contract, date1904=workbook.date1904)
    for table in found:
        if table.kind == result.role:
            read_table(table, ctx, result)


def read_profile(
    sheet: RawSheet,
    spec: SheetSpec,
    ctx: ParseContext,
    result: UnitWorkbook,
    titles: list[str] | None = None,
    decided_by: str = "",
) -> None:
    """基本情况 as a key/value list or statistics table, or else as a one-row table.

    `titles` (the workbook's title rows and file name) supply the year when 报告期 is missing.
    """
    cells = profile_pairs(sheet, spec) or _profile_table(sheet, spec)
    account = SheetAccount(sheet.name, spec.key, sheet_hidden=sheet.hidden, decided_by=decided_by)
    rows = [cell[0] for cell in cells.values()]
    first = min(rows, default=1)
    rejected_rows: set[int] = set()
    for name, (row, col, raw, multiplier) in cells.items():
        fspec = spec.fields[name]
        try:
            result.profile[name] = None if is_blank(raw) else parse_scaled(fspec, raw, ctx, multiplier)
        except ValueParseError as exc:
            action = "row_rejected" if fspec.required else "value_dropped"
            result.rejections.append(Rejection(sheet.name, row, column_letter(col), display(raw), str(exc), action))
            rejected_rows.update({row} if fspec.required else set())
        result.profile_rows[name] = row
    for name, reason in out_of_bounds(result.profile, spec):
        row, col, raw, _ = cells[name]
        result.rejections.append(Rejection(sheet.name, row, column_letter(col), display(raw), reason, "value_dropped"))
        result.profile[name] = None
    result.identity = "基本情况"
    _count_profile_rows(sheet, first, rejected_rows, account)
    result.accounts.append(account)
    for name in ("employees", "members"):
        if result.profile.get(name) is None:
            result.notes.append(f"「基本情况」缺少「{spec.fields[name].headers[0]}」，相关指标为无数据")


def _require_identity(result: UnitWorkbook, spec: SheetSpec) -> None:
    """A 基本情况 that, with the title block's help, still does not say who and when is a whole-file problem."""
    for name in ("unit_name", "unit_code", "period"):
        if result.profile.get(name) is None:
            header = spec.fields[name].headers[0]
            raise InputError(f"「基本情况」缺少或无法识别「{header}」，无法确定填报单位与报告期")


def parse_scaled(fspec: Any, raw: Any, ctx: ParseContext, multiplier: Decimal) -> Any:
    """A value in its field's type; a head count in 万人 (a statistics table's unit) scaled to persons."""
    if fspec.type == "int" and multiplier != 1:
        amount = parse_money(raw, multiplier)
        if amount != amount.to_integral_value():
            raise ValueParseError(f"「{raw}」换算后不是整数")
        return int(amount)
    return parse_value(fspec, raw, ctx, multiplier)


def _fill_identity(result: UnitWorkbook, titles: list[str] | None) -> None:
    """A missing 报告期 from the year in the titles; a missing 单位代码 from the unit's name. Both said in a note."""
    profile = result.profile
    if profile.get("period") is None and titles:
        year = identity.year_in(titles)
        if year:
            profile["period"] = months_period(year, 1, 12)
            where = "「基本情况」没有可用的报告期" if "profile" in result.sheet_names else "没有写明报告期"
            result.notes.append(f"{where}，按表头/文件名中的年份计为 {year}年")
    if "profile" not in result.sheet_names:
        return  # a single ledger's code comes once its unit is settled
    if profile.get("unit_code") is None and profile.get("unit_name"):
        profile["unit_code"] = identity.code_for(profile["unit_name"])
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


def read_table(found: Located, ctx: ParseContext, result: UnitWorkbook) -> None:
    """Classify and validate one located table, account for its rows, and add them to their table."""
    sheet, spec = found.sheet, found.spec
    assert spec is not None
    account = SheetAccount(
        sheet.name, spec.key, sheet_hidden=sheet.hidden, columns=found.columns, decided_by=found.why()
    )
    result.accounts.append(account)
    table = found.table
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
    _parse_constants(found, table, spec, ctx, result)
    _count_classified(sheet, table, account)
    for reason in dict.fromkeys(table.skipped.values()):
        rows = "、".join(str(r) for r, why in table.skipped.items() if why == reason)
        result.notes.append(f"「{sheet.name}」第 {rows} 行是{reason}，未作为数据")
    if table.unmapped:
        result.notes.append(f"「{sheet.name}」有未识别的列（未读取）：{'、'.join(table.unmapped)}")
        for header, (row, col) in sorted(table.unmapped_at.items(), key=lambda item: item[1]):
            result.unread_columns.append((sheet.name, row, column_letter(col), header))
    found.facts.extend(footer_facts(sheet, table.footer))
    missing = missing_columns(spec, table)
    if missing:
        titles = "、".join(spec.fields[m].headers[0] for m in missing)
        _reject_all(sheet, table.data, account, result, f"缺少必填列「{titles}」", counted=True)
        return
    outcome = validate_table(sheet, table, spec, ctx)
    account.accepted, account.rejected = len(outcome.rows), len(outcome.rejected_rows)
    result.rejections.extend(outcome.rejections)
    result.total_checks.extend(replace(t, file=result.file) for t in outcome.total_checks)
    _add_rows(result, found, table, outcome, ctx.contract)


def _parse_constants(
    found: Located, table: SheetRows, spec: SheetSpec, ctx: ParseContext, result: UnitWorkbook
) -> None:
    """Title-block constants in their field's type; one that cannot be read is listed once, at its cell."""
    for name, constant in list(table.constants.items()):
        if constant.value is not None:  # named by the title: already a canonical value
            result.notes.append(
                f"「{found.sheet.name}」的标题「{constant.raw}」写明{spec.fields[name].headers[0]}为{constant.value}"
            )
            continue
        try:
            constant.value = parse_value(spec.fields[name], constant.raw, ctx)
        except ValueParseError as exc:
            reason = f"表头处「{constant.label}」{exc}，未用于各行"
            result.rejections.append(
                Rejection(
                    found.sheet.name,
                    constant.row,
                    column_letter(constant.col),
                    display(constant.raw),
                    reason,
                    "value_dropped",
                )
            )
            del table.constants[name]
            continue
        result.notes.append(
            f"「{found.sheet.name}」表头写明「{constant.label}：{display(constant.raw)}」，用于没有填写{spec.fields[name].headers[0]}的各行"
        )


def _add_rows(result: UnitWorkbook, found: Located, table: SheetRows, outcome: TableResult, contract: Contract) -> None:
    """The accepted rows join their table (a kind read `into` another joins that one), with their column letters."""
    spec = found.spec
    assert spec is not None
    target = contract.sheets.get(spec.table) or contract.standalone[spec.table]
    if spec.into:
        converted = [{**kinds.convert(spec, r), "_row": r["_row"]} for r in outcome.records]
        outcome = TableResult.of_records(converted, list(target.fields))
    frame = to_frame(outcome, target, found.sheet.name, result)
    previous = result.tables.get(target.key)
    result.tables[target.key] = frame if previous is None else pd.concat([previous, frame], ignore_index=True)
    letters = {name: column.letter for name, column in table.columns.items()}
    letters |= {name: c.column.letter for name, c in table.constants.items() if c.col}
    if spec.into:
        first = min(table.columns.values(), key=lambda c: c.index).letter
        letters = {name: letters.get(name, first) for name in kinds.converted_fields(spec)}
    result.letters[target.key] = {**letters, **result.letters.get(target.key, {})}
    result.sheet_names.setdefault(target.key, found.sheet.name)
    result.kinds_read.append(spec.key)


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
    """Accepted rows as a DataFrame with the source columns and every contract column."""
    names = [*SOURCE_COLUMNS, *spec.fields]
    count = len(outcome.rows)
    values = np.empty((count, len(names)), dtype=object)
    values[:, :3] = [unit.unit_code, unit.file, sheet_name]
    for j, name in enumerate(spec.fields, start=len(SOURCE_COLUMNS)):
        column = outcome.columns.get(name)
        if column is not None:  # fromiter: a tuple value stays one value (a list would be spread over columns)
            values[:, j] = np.fromiter(column, dtype=object, count=count)
    frame = pd.DataFrame(values, columns=names, dtype=object, copy=False)
    frame["_row"] = np.array(outcome.rows, dtype=np.int64)  # astype would cost ten times
    return frame
