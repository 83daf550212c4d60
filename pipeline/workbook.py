"""Reading workbook files into plain cell grids (the first half of ingest).

A `RawWorkbook` holds each sheet as rows of Python values with what a reader
must see besides values: merged ranges (already filled), hidden rows and
sheets, formula cells without a cached value, and the 1900/1904 date system.
Whole-file problems raise `InputError` with one line a union officer reads.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.html
import olefile
import openpyxl
import python_calamine
import xlrd
from defusedxml import DefusedXmlException, ElementTree  # entity bombs are refused, not expanded
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from pipeline.budget import Limits
from pipeline.errors import InputError

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".et", ".ods", ".csv", ".htm", ".html"}
# What each format is usually called, to say when a file's name and its content disagree.
FORMAT_SUFFIXES = {
    "xlsx": {".xlsx", ".xlsm"},
    "xlsb": {".xlsb"},
    "ods": {".ods"},
    "xls": {".xls", ".et"},
    "html": {".htm", ".html"},
    "csv": {".csv"},
}
FORMAT_WORDS = {
    "xlsx": "Excel 工作簿（.xlsx）",
    "xlsb": "Excel 二进制工作簿（.xlsb）",
    "ods": "LibreOffice 工作簿（.ods）",
    "xls": "旧版 Excel 工作簿（.xls）",
    "html": "网页表格（HTML）",
    "csv": "文本表格（CSV）",
}
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
    oversized: set[tuple[int, int]] = field(default_factory=set)  # cells whose text passed the length limit
    header_cache: dict[Any, Any] = field(
        default_factory=dict, repr=False, compare=False
    )  # per-sheet work shared by every kind tried

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
    format: str = "xlsx"  # what the file really is (see FORMAT_WORDS), whatever its name says

    def format_note(self) -> str:
        """A note when the file's extension does not say what it is ('' when it does)."""
        suffix = self.path.suffix.lower()
        if suffix in FORMAT_SUFFIXES.get(self.format, set()):
            return ""
        return f"文件扩展名为 {suffix or '（无）'}，内容实际是{FORMAT_WORDS[self.format]}，已按实际格式读取"


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


def read_workbook(path: Path, limits: Limits | None = None) -> RawWorkbook:
    """Read any supported workbook by what its bytes are (not its name), or raise `InputError` saying why not.

    Union systems export HTML tables and CSV files named .xls, and people rename
    an .xlsx to .xls: Excel opens all of them, so the pipeline does too.
    """
    workbook = _read_any(path, limits or Limits())
    for sheet in workbook.sheets:
        _cap_cells(sheet, (limits or Limits()).cell_chars)
    return workbook


def _cap_cells(sheet: RawSheet, limit: int) -> None:
    """A cell at or over the limit is emptied and remembered (validation lists it), never carried along.

    At the limit, not only over it: calamine (like Excel) cuts a longer text at 32,767 characters.
    """
    for r, row in enumerate(sheet.rows, start=1):
        for value in row:  # a plain loop over every cell: the rare hit is handled below
            if value.__class__ is str and len(value) >= limit:
                _empty_long(sheet, r, limit)
                break


def _empty_long(sheet: RawSheet, r: int, limit: int) -> None:
    row = sheet.rows[r - 1]
    for c, value in enumerate(row, start=1):
        if isinstance(value, str) and len(value) >= limit:
            row[c - 1] = None
            sheet.oversized.add((r, c))


def _read_any(path: Path, limits: Limits) -> RawWorkbook:
    if path.stat().st_size == 0:
        raise InputError("文件为空（0 字节）")
    head = _magic(path)
    if head.startswith(b"PK\x03\x04"):
        return _read_ooxml(path, limits)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _read_ole(path)
    with path.open("rb") as handle:
        start = handle.read(4096)
    if _looks_like_html(start):
        return _read_html(path)
    text = _decode_text(path.read_bytes()) if _looks_like_text(start) else None
    if text is not None and _looks_like_csv(text):
        return _read_csv(path, text)
    raise InputError(f"不是 Excel 工作簿：{describe_non_spreadsheet(head)}，请另存为 .xlsx 后重新提交")


_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<table|<\?xml[^>]*>\s*<html|<meta|<head|<body|<style)", re.I)


def _looks_like_html(start: bytes) -> bool:
    body = start.removeprefix(b"\xef\xbb\xbf")
    return bool(_HTML_START.match(body)) or (b"<table" in body.lower() and b"<td" in body.lower())


def _looks_like_text(start: bytes) -> bool:
    return b"\x00" not in start


def _decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without BOM) or GB18030 (what Chinese Windows saves); None for neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _looks_like_csv(text: str) -> bool:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    return bool(lines) and sum(1 for line in lines if any(d in line for d in ",\t;，")) >= max(1, len(lines) // 2)


def _read_csv(path: Path, text: str) -> RawWorkbook:
    """A CSV (or tab-separated) export: one sheet of text cells."""
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = "\t" if "\t" in sample else ","
    rows = [[None if not v.strip() else v for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return RawWorkbook(path, "csv", [RawSheet(path.stem, _trim(rows))], format="csv")


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)


def _read_html(path: Path) -> RawWorkbook:
    """An HTML page saved as .xls: each <table> a sheet, colspan/rowspan filled as merged cells are."""
    data = path.read_bytes()
    declared = _CHARSET.search(data[:4096])
    text = None
    if declared:
        try:
            text = data.decode(declared.group(1).decode("ascii"), errors="strict")
        except (LookupError, UnicodeDecodeError):
            text = None
    text = text or _decode_text(data)
    if text is None:
        raise InputError("网页表格的文字编码无法识别，请在 Excel/WPS 中打开、另存为 .xlsx 后重新提交")
    try:
        document = lxml.html.document_fromstring(re.sub(r"^<\?xml[^>]*>", "", text.lstrip("\ufeff")))
    except Exception as exc:  # lxml raises ParserError and friends on junk
        raise InputError(f"网页表格无法解析（{type(exc).__name__}）") from exc
    tables = [t for t in document.iter("table") if not t.xpath("ancestor::table")]
    sheets = [_html_sheet(table, index) for index, table in enumerate(tables, start=1)]
    sheets = [s for s in sheets if s.rows]
    if not sheets:
        raise InputError("网页文件里没有表格，不是可读取的台账")
    return RawWorkbook(path, "lxml", sheets, format="html")


def _html_sheet(table: Any, index: int) -> RawSheet:
    caption = table.find("caption")
    name = squeeze_text(caption.text_content()) if caption is not None else ""
    rows: list[list[Any]] = []
    hidden: set[int] = set()
    pending: dict[tuple[int, int], Any] = {}  # cells covered by a rowspan from above
    for r, tr in enumerate(table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"), start=1):
        if "display:none" in (tr.get("style") or "").replace(" ", "").lower():
            hidden.add(r)
        row: list[Any] = []
        for td in tr.xpath("./td|./th"):
            while (r, len(row) + 1) in pending:
                row.append(pending.pop((r, len(row) + 1)))
            value = _html_cell_text(td)
            span_c, span_r = _span(td.get("colspan")), _span(td.get("rowspan"))
            start = len(row) + 1
            row.extend([value] * span_c)
            for extra in range(1, span_r):
                for c in range(start, start + span_c):
                    pending[(r + extra, c)] = value
        while (r, len(row) + 1) in pending:
            row.append(pending.pop((r, len(row) + 1)))
        rows.append(row)
    return RawSheet(name or f"表{index}", _trim(rows), hidden_rows=hidden)


def _span(text: str | None) -> int:
    try:
        return max(1, min(int(text or 1), 1000))
    except ValueError:
        return 1


def _html_cell_text(td: Any) -> str | None:
    for br in td.iter("br"):
        br.tail = "\n" + (br.tail or "")
    text = td.text_content().replace("\xa0", " ").strip()
    return text or None


def squeeze_text(text: str) -> str:
    """Whitespace folded to single spaces (for sheet names taken from captions)."""
    return " ".join(text.split())


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
    return RawWorkbook(path, "xlrd", sheets, date1904=book.datemode == 1, format="xls")


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
        for c in range(min_col, min(max_col, len(row)) + 1):  # a merge claiming XFD stops at the row's end
            row[c - 1] = top_left


def _read_ooxml(path: Path, limits: Limits) -> RawWorkbook:
    """An .xlsx/.xlsm (or LibreOffice .ods) package: calamine for values, a scan for the rest.

    What the package claims is checked before any reader allocates: its uncompressed size (a zip bomb)
    and each sheet's extent (two cells at A1 and XFD1048576 make calamine allocate 512 GB).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            _check_claims(archive, limits)
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").startswith(ODS_MIMETYPE):
                return _guarded(path, lambda: RawWorkbook(path, "calamine", _calamine_sheets(path, {}), format="ods"))
            if "xl/workbook.bin" in names:  # .xlsb: calamine reads values; no XML to scan for the rest
                return _guarded(path, lambda: RawWorkbook(path, "calamine", _calamine_sheets(path, {}), format="xlsb"))
            if "xl/workbook.xml" not in names:
                raise InputError("不是 Excel 工作簿（压缩包里没有工作表，可能是 Word/PPT 文档或其他压缩包）")
            extras, date1904 = _scan_package(archive, limits.cells)
            _check_extents(extras, limits)
    except InputError:
        raise
    except DefusedXmlException as exc:
        raise InputError("文件含有 XML 实体定义（可能是恶意的“XML 炸弹”），已拒绝读取") from exc
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


def _check_claims(archive: zipfile.ZipFile, limits: Limits) -> None:
    claimed = sum(info.file_size for info in archive.infolist())
    if claimed > limits.package_mb * 1024 * 1024:
        raise InputError(
            f"压缩包解压后有 {claimed / 1024 / 1024:,.0f} MB，超过上限 {limits.package_mb} MB"
            "（可能是恶意的压缩炸弹），已跳过"
        )


def _check_extents(extras: dict[str, SheetExtras], limits: Limits) -> None:
    for title, extra in extras.items():
        cells = extra.max_row * extra.max_col
        if cells > limits.cells:
            raise InputError(
                f"工作表「{title}」的单元格分布到第 {extra.max_row:,} 行、第 {extra.max_col:,} 列"
                f"（{cells:,} 格，上限 {limits.cells:,} 格），无法读取；请删除远处的空白格式或多余单元格后重新提交"
            )


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
        with path.open("rb") as handle:  # a file object: openpyxl would refuse a path named .xls
            book = openpyxl.load_workbook(handle, data_only=True, read_only=False)
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
    # From a file object calamine tells the format by content; from a path it trusts the extension.
    with path.open("rb") as handle:
        book = python_calamine.CalamineWorkbook.from_filelike(handle)
    sheets = []
    for meta in book.sheets_metadata:
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        sheet = book.get_sheet_by_name(meta.name)
        rows = _trim(_blanks_as_none(sheet.to_python(skip_empty_area=False)))
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


def _blanks_as_none(rows: list[list[Any]]) -> list[list[Any]]:
    """Turn calamine's '' for an empty cell into None, in place (a search per empty cell, not a test per cell)."""
    for row in rows:
        if "" in row:
            at = row.index("")
            try:
                while True:
                    row[at] = None
                    at = row.index("", at + 1)
            except ValueError:
                pass
    return rows


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
    max_row: int = 0  # how far the cells the sheet's XML holds reach (or a bound on it, see _extent)
    max_col: int = 0


_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_R_ATTR = re.compile(rb'\br="([A-Z]*)(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</")
# Any r="XFD1048576" reference (cells, and harmlessly a few others): a literal prefix keeps the scan fast.
_CELL_REF = re.compile(rb"""r=["']([A-Z]{1,3})(\d{1,7})""")
# A reference past column FZ (182) or row 9,999: one pass, no match in an ordinary ledger.
_FAR_REF = re.compile(rb"""r=["'](?:[A-Z]{3}|[G-Z][A-Z]|[A-Z]{1,2}\d{5})""")
NEAR_ROWS, NEAR_COLS = 9_999, 182
_F = re.compile(rb"<(?:\w+:)?f\b")


def _extent(data: bytes, extras: SheetExtras, cells: int) -> None:
    """How far the sheet's cells reach (not what its <dimension> claims: the cells are what a reader allocates).

    When no reference passes row 9,999 or column FZ and that corner is within `cells`, the corner is
    kept as the bound: finding the exact extent means a match per cell, most of reading's cost.
    """
    if cells >= NEAR_ROWS * NEAR_COLS and _FAR_REF.search(data) is None:
        extras.max_row, extras.max_col = NEAR_ROWS, NEAR_COLS
        return
    # every reference found by the regex engine, then a max over the distinct letters and row numbers
    refs = _CELL_REF.findall(data)
    extras.max_col = max((_column_index(c.decode()) for c in {c for c, _ in refs}), default=0)
    extras.max_row = max(map(int, {r for _, r in refs}), default=0)


def _scan_sheet(data: bytes, cells: int) -> SheetExtras:
    """Hidden rows, formulas without cached values and error cells, by a regex pass over the XML.

    `cells`: the extent a sheet may claim (see `_extent`).
    """
    extras = SheetExtras()
    _extent(data, extras, cells)
    for attrs in _ROW.findall(data) if b"hidden=" in data else ():
        if _HIDDEN.search(attrs):
            found = _R_ATTR.search(attrs)
            if found:
                extras.hidden_rows.add(int(found.group(2)))
    for attrs, body in _cells_holding(data, (b"<f", b't="e"')):
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


def _cells_holding(data: bytes, needles: tuple[bytes, ...]) -> list[tuple[bytes, bytes]]:
    """(attributes, body) of the cells in which one of `needles` occurs, and maybe a few others.

    A ledger has formulas in its 合计 row only: each needle is found by a byte search and its cell
    read from the `<c ` before it, instead of matching every cell of the sheet. Cells written with
    a namespace prefix or a line break after `<c` are matched one by one, as any cell was before.
    """
    if any(odd in data for odd in (b":c ", b":c>", b"<c\n", b"<c\t", b"<c\r")):
        return _CELL.findall(data)  # `<x:f>` holds no `<f`: a prefixed sheet is matched cell by cell
    starts: set[int] = set()
    for needle in needles:
        at = data.find(needle)
        while at != -1:
            starts.add(data.rfind(b"<c ", 0, at))
            at = data.find(needle, at + 1)
    matches = (_CELL.match(data, start) for start in sorted(starts - {-1}))
    return [(found.group(1), found.group(2) or b"") for found in matches if found is not None]


def _scan_package(archive: zipfile.ZipFile, cells: int) -> tuple[dict[str, SheetExtras], bool]:
    """Per sheet title, what calamine does not see; and whether the 1904 date system is used."""
    workbook_xml = archive.read("xl/workbook.xml")
    date1904 = re.search(rb'date1904="(?:1|true)"', workbook_xml) is not None
    extras = {}
    for title, part in _sheet_parts(archive).items():
        try:
            extras[title] = _scan_sheet(archive.read(part), cells)
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
