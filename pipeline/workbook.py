"""Reading workbook files into plain cell grids (the first half of ingest).

A `RawWorkbook` holds each sheet as rows of Python values with what a reader
must see besides values: merged ranges (already filled), hidden rows and
sheets, formula cells without a cached value, and the 1900/1904 date system.
Whole-file problems raise `InputError` with one line a union officer reads.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import olefile
import openpyxl
import python_calamine
import xlrd
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from pipeline.errors import InputError

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et", ".ods"}
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@dataclass
class RawSheet:
    """One sheet as a grid; `rows[i]` is Excel row i + 1."""

    name: str
    rows: list[list[Any]]
    hidden: bool = False
    hidden_rows: set[int] = field(default_factory=set)
    uncached: set[tuple[int, int]] = field(default_factory=set)  # (excel row, 1-based col)

    def value(self, row: int, col: int) -> Any:
        """The value at Excel row `row`, 1-based column `col` (None outside)."""
        if row < 1 or row > len(self.rows) or col < 1 or col > len(self.rows[row - 1]):
            return None
        return self.rows[row - 1][col - 1]


@dataclass
class RawWorkbook:
    """A workbook read from one file."""

    path: Path
    engine: str
    sheets: list[RawSheet]
    date1904: bool = False


def _magic(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(8)


_KNOWN_MAGIC = [
    (b"%PDF", "PDF 文档"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"<html", "网页文件"),
    (b"<!DOC", "网页文件"),
    (b"{\\rtf", "RTF 文档"),
]


def describe_non_spreadsheet(head: bytes) -> str:
    """What a file that is not a spreadsheet looks like, for the message."""
    for magic, what in _KNOWN_MAGIC:
        if head.lower().startswith(magic.lower()):
            return f"看起来是{what}"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "内容无法识别"
    return "看起来是文本文件（如 CSV）"


def read_workbook(path: Path) -> RawWorkbook:
    """Read any supported workbook, or raise `InputError` saying why not."""
    if path.stat().st_size == 0:
        raise InputError("文件为空（0 字节）")
    head = _magic(path)
    if head.startswith(b"PK\x03\x04"):
        return _read_ooxml(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _read_ole(path)
    raise InputError(f"不是 Excel 工作簿：{describe_non_spreadsheet(head)}，请另存为 .xlsx 后重新提交")


def _read_ole(path: Path) -> RawWorkbook:
    """An OLE2 container: an old .xls/.et, or an encrypted .xlsx."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
                raise InputError("工作簿设置了打开密码（已加密），无法读取；请去掉密码后重新提交")
    except OSError as exc:
        raise InputError(f"文件已损坏，无法打开（{exc}）") from exc
    return _read_xls(path)


def _read_xls(path: Path) -> RawWorkbook:
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=False)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise InputError("工作簿设置了打开密码（已加密），无法读取；请去掉密码后重新提交") from exc
        raise InputError(f"无法读取 .xls 工作簿：{exc}") from exc
    except Exception as exc:  # xlrd raises bare AssertionError/IndexError on damaged files
        raise InputError(f".xls 文件已损坏，无法读取（{type(exc).__name__}）") from exc
    sheets = [_xls_sheet(book, sheet) for sheet in book.sheets()]
    return RawWorkbook(path, "xlrd", sheets, date1904=book.datemode == 1)


def _xls_value(book: xlrd.Book, cell: xlrd.sheet.Cell) -> Any:
    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, book.datemode)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    return cell.value


def _xls_sheet(book: xlrd.Book, sheet: xlrd.sheet.Sheet) -> RawSheet:
    rows = [[_xls_value(book, sheet.cell(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
    for rlo, rhi, clo, chi in sheet.merged_cells:
        _fill_merge(rows, rlo + 1, clo + 1, rhi, chi)
    hidden_rows = {r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden and r < sheet.nrows}
    return RawSheet(sheet.name, rows, hidden=sheet.visibility != 0, hidden_rows=hidden_rows)


def _fill_merge(rows: list[list[Any]], min_row: int, min_col: int, max_row: int, max_col: int) -> None:
    """Copy a merged range's top-left value into every cell the merge covers."""
    if min_row > len(rows):
        return
    top_left = rows[min_row - 1][min_col - 1] if min_col <= len(rows[min_row - 1]) else None
    for r in range(min_row, min(max_row, len(rows)) + 1):
        row = rows[r - 1]
        for c in range(min_col, max_col + 1):
            if c <= len(row):
                row[c - 1] = top_left


def _read_ooxml(path: Path) -> RawWorkbook:
    """An .xlsx/.xlsm (or LibreOffice .ods) package: calamine for values, a scan for the rest."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").startswith(ODS_MIMETYPE):
                return _guarded(path, lambda: RawWorkbook(path, "calamine", _calamine_sheets(path, {})))
            if "xl/workbook.xml" not in names:
                raise InputError("不是 Excel 工作簿（压缩包里没有工作表，可能是 Word/PPT 文档或其他压缩包）")
            extras, date1904 = _scan_package(archive)
    except InputError:
        raise
    except Exception as exc:  # zipfile, zlib and XML fail in many ways on damaged bytes: all mean damage
        detail = type(exc).__name__
        raise InputError(
            f"文件已损坏（无法解压或内容不完整：{detail}），请在 Excel/WPS 中打开、另存后重新提交"
        ) from exc
    try:
        return RawWorkbook(path, "calamine", _calamine_sheets(path, extras), date1904=date1904)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - calamine's Rust panics derive from BaseException
        return _read_openpyxl(path, extras)


def _guarded(path: Path, read: Any) -> RawWorkbook:
    """A calamine read whose failure (a Rust panic included) is a damaged-file message."""
    try:
        return read()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine's Rust panics derive from BaseException
        raise InputError(f"文件已损坏，无法读取（{type(exc).__name__}）") from exc


def _read_openpyxl(path: Path, extras: dict[str, SheetExtras]) -> RawWorkbook:
    """The slower reader, for packages calamine cannot read."""
    try:
        book = openpyxl.load_workbook(path, data_only=True, read_only=False)
    except Exception as exc:  # openpyxl raises many types on damaged XML
        raise InputError(f"工作簿已损坏，无法读取（{type(exc).__name__}: {str(exc)[:80]}）") from exc
    sheets = [_openpyxl_sheet(ws, extras.get(ws.title, SheetExtras())) for ws in book.worksheets]
    return RawWorkbook(path, "openpyxl", sheets, date1904=book.epoch == CALENDAR_MAC_1904)


def _openpyxl_sheet(ws: Any, extras: SheetExtras) -> RawSheet:
    rows = _trim([list(values) for values in ws.iter_rows(values_only=True)])
    for merged in ws.merged_cells.ranges:
        _fill_merge(rows, merged.min_row, merged.min_col, merged.max_row, merged.max_col)
    hidden_rows = {r for r, dim in ws.row_dimensions.items() if dim.hidden and r <= len(rows)}
    return RawSheet(
        ws.title, rows, hidden=ws.sheet_state != "visible", hidden_rows=hidden_rows, uncached=extras.uncached
    )


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing rows that hold nothing (some writers declare a million rows)."""
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()
    return rows


def _calamine_sheets(path: Path, extras: dict[str, SheetExtras]) -> list[RawSheet]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    sheets = []
    for meta in book.sheets_metadata:
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        sheet = book.get_sheet_by_name(meta.name)
        rows = _trim([[None if v == "" else v for v in row] for row in sheet.to_python(skip_empty_area=False)])
        extra = extras.get(meta.name, SheetExtras())
        for (row, col), text in extra.errors.items():  # calamine reads error cells as blanks
            _put(rows, row, col, text)
        for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
            _fill_merge(rows, r0 + 1, c0 + 1, r1 + 1, c1 + 1)
        hidden = meta.visible != python_calamine.SheetVisibleEnum.Visible
        sheets.append(
            RawSheet(
                meta.name,
                rows,
                hidden=hidden,
                hidden_rows={r for r in extra.hidden_rows if r <= len(rows)},
                uncached=extra.uncached,
            )
        )
    return sheets


def _put(rows: list[list[Any]], row: int, col: int, value: Any) -> None:
    while len(rows) < row:
        rows.append([])
    line = rows[row - 1]
    line.extend([None] * (col - len(line)))
    line[col - 1] = value


@dataclass
class SheetExtras:
    """What a values-only reader misses, read from the sheet's XML."""

    hidden_rows: set[int] = field(default_factory=set)
    uncached: set[tuple[int, int]] = field(default_factory=set)  # formula cells without a cached value
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # #DIV/0! and friends


_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_R_ATTR = re.compile(rb'\br="([A-Z]*)(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</")
_F = re.compile(rb"<(?:\w+:)?f\b")


def _scan_sheet(data: bytes) -> SheetExtras:
    """Hidden rows, formulas without cached values and error cells, by a regex pass over the XML."""
    extras = SheetExtras()
    for attrs in _ROW.findall(data):
        if _HIDDEN.search(attrs):
            found = _R_ATTR.search(attrs)
            if found:
                extras.hidden_rows.add(int(found.group(2)))
    if b"<f" not in data and b't="e"' not in data:
        return extras
    for attrs, body in _CELL.findall(data):
        has_formula = bool(body) and _F.search(body) is not None
        is_error = b't="e"' in attrs
        if not (has_formula or is_error):
            continue
        where = _R_ATTR.search(attrs)
        if where is None:
            continue
        cell = (int(where.group(2)), _column_index(where.group(1).decode()))
        value = _V.search(body or b"")
        if is_error and value:
            extras.errors[cell] = value.group(1).decode()
        elif has_formula and (value is None or not value.group(1).strip()):
            extras.uncached.add(cell)
    return extras


def _scan_package(archive: zipfile.ZipFile) -> tuple[dict[str, SheetExtras], bool]:
    """Per sheet title, what calamine does not see; and whether the 1904 date system is used."""
    workbook_xml = archive.read("xl/workbook.xml")
    date1904 = re.search(rb'date1904="(?:1|true)"', workbook_xml) is not None
    extras = {}
    for title, part in _sheet_parts(archive).items():
        try:
            extras[title] = _scan_sheet(archive.read(part))
        except KeyError:
            continue
    return extras, date1904


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → its XML part inside the package."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    parts = {}
    for sheet in book.iter(f"{_NS}sheet"):
        target = targets.get(sheet.get(f"{_REL_NS}id"), "")
        parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index


def column_letter(col: int) -> str:
    """1-based column index → Excel letters (1 → A)."""
    return get_column_letter(col)


def is_lock_file(path: Path) -> bool:
    """Excel/WPS owner files (`~$报表.xlsx`, `.~报表.xlsx`) are not workbooks."""
    return bool(re.match(r"^(~\$|\.~)", path.name))
