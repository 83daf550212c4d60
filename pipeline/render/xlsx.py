"""consolidated.xlsx (汇总表) written with xlsxwriter.

Ratios are live formulas (=numerator/denominator) that also store their
computed value, so a viewer that does not recalculate shows the right number.
User text is always written as text, never as a formula. Each source table
gets a sheet with the normalised rows and their source file, sheet and row.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from pipeline.consolidate import Node, walk
from pipeline.ingest import records
from pipeline.render.html import labels
from pipeline.run import IndicatorRow, RunResult

# The workbook is for upward reporting in Chinese: status words from the zh-Hans labels.
WORDS = labels("zh-Hans")
STATUS_LABELS, SUBMISSION_LABELS = WORDS["status_names"], WORDS["submission_names"]
STATUS_FILL = {"met": "#C8E6C9", "on_track": "#BBDEFB", "behind": "#FFE0B2", "missed": "#FFCDD2", "no_data": "#E0E0E0"}
# 指标汇总: the names a reader scans first, the codes a machine joins on last.
INDICATOR_COLUMNS = [
    ("unit_name", "单位名称", 24),
    ("level", "层级", 7),
    ("indicator", "指标", 26),
    ("value", "实际值", 13),
    ("target", "目标", 12),
    ("comparator", "比较", 6),
    ("status", "状态", 9),
    ("units_met", "达标单位", 9),
    ("numerator", "分子", 14),
    ("denominator", "分母", 14),
    ("previous", "上年同期", 12),
    ("units", "有数据单位数", 8),
    ("period", "报告期", 11),
    ("code", "指标代码", 22),
    ("unit_code", "单位代码", 20),
]
INDICATOR_HEADERS = [header for _, header, _ in INDICATOR_COLUMNS]
COL = {key: index for index, (key, _, _) in enumerate(INDICATOR_COLUMNS)}


class Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.head = book.add_format(
            {"bold": True, "bg_color": "#ECEFF1", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.text = book.add_format({"num_format": "@"})
        self.rate = book.add_format({"num_format": "0.00%"})
        self.money = book.add_format({"num_format": "#,##0.00"})
        self.count = book.add_format({"num_format": "#,##0"})
        self.number = book.add_format({"num_format": "0.00"})
        self.day = book.add_format({"num_format": "yyyy-mm-dd"})

    def for_unit(self, unit: str) -> Any:
        """The number format of an indicator unit."""
        return {"rate": self.rate, "money": self.money, "count": self.count, "people": self.count}.get(
            unit, self.number
        )


def _number(value: Decimal | None) -> float | None:
    """The nearest double: what Excel stores; rounding is left to the cell's number format."""
    return None if value is None else float(value)


def _write_indicator_row(ws: Any, r: int, row: IndicatorRow, fmt: Formats) -> None:
    figure, unit = row.figure, row.unit
    texts = {
        "unit_name": row.unit_name,
        "level": "汇总" if row.level == "rollup" else "本单位",
        "indicator": row.definition.get("name", row.code),
        "period": row.period.label,
        "code": row.code,
        "unit_code": row.unit_code,
    }
    for key, text in texts.items():
        ws.write_string(r, COL[key], text, fmt.text)
    part_fmt = (
        fmt.money
        if unit == "money"
        or (figure.numerator is not None and figure.numerator != figure.numerator.to_integral_value())
        else fmt.count
    )
    for key, value in (("numerator", figure.numerator), ("denominator", figure.denominator)):
        if value is not None:
            ws.write_number(r, COL[key], _number(value), part_fmt)
    num, den = xl_rowcol_to_cell(r, COL["numerator"]), xl_rowcol_to_cell(r, COL["denominator"])
    value_fmt = fmt.for_unit(unit)
    if figure.value is None:
        ws.write_string(r, COL["value"], STATUS_LABELS["no_data"])
    else:
        formula = _value_formula(row.definition["kind"], num, den)
        ws.write_formula(r, COL["value"], formula, value_fmt, _number(figure.value))
    if row.target is not None:
        ws.write_number(r, COL["target"], _number(row.target.value), value_fmt)
        ws.write_string(r, COL["comparator"], row.target.sign)
    ws.write_string(r, COL["status"], STATUS_LABELS.get(row.status, row.status))
    if row.units_judged:
        ws.write_string(r, COL["units_met"], f"{row.units_met}/{row.units_judged}")
    if row.previous is not None:
        ws.write_number(r, COL["previous"], _number(row.previous), value_fmt)
    ws.write_number(r, COL["units"], figure.units, fmt.count)


def print_setup(ws: Any, header_rows: int = 1, landscape: bool = True) -> None:
    """A4, landscape, as wide as one page, the header rows repeated on every page."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)
    ws.set_footer("&C第 &P 页 / 共 &N 页")


def _table_sheet(book: xlsxwriter.Workbook, name: str, headers: list[str], widths: list[int], fmt: Formats) -> Any:
    ws = book.add_worksheet(name)
    ws.write_row(0, 0, headers, fmt.head)
    ws.freeze_panes(1, 0)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    print_setup(ws)
    return ws


def write_indicators(book: xlsxwriter.Workbook, result: RunResult, fmt: Formats) -> None:
    """The 指标汇总 sheet: every unit and roll-up row, with formulas."""
    ws = _table_sheet(book, "指标汇总", INDICATOR_HEADERS, [width for *_, width in INDICATOR_COLUMNS], fmt)
    for r, row in enumerate(result.indicators, start=1):
        _write_indicator_row(ws, r, row, fmt)
    last = max(len(result.indicators), 1)
    ws.autofilter(0, 0, last, len(INDICATOR_HEADERS) - 1)
    for status, colour in STATUS_FILL.items():
        rule = {"type": "cell", "criteria": "==", "value": f'"{STATUS_LABELS[status]}"'}
        column = COL["status"]
        ws.conditional_format(1, column, last, column, {**rule, "format": book.add_format({"bg_color": colour})})


def write_submissions(book: xlsxwriter.Workbook, result: RunResult, fmt: Formats) -> None:
    """The 报送情况 sheet."""
    ws = _table_sheet(
        book,
        "报送情况",
        ["单位代码", "单位名称", "上级单位代码", "状态", "文件", "说明"],
        [20, 24, 20, 10, 50, 40],
        fmt,
    )
    for r, s in enumerate(result.submissions, start=1):
        for c, text in enumerate(
            [s.code, s.name, s.parent, SUBMISSION_LABELS.get(s.status, s.status), "；".join(s.files), s.note]
        ):
            ws.write_string(r, c, text, fmt.text)
    ws.autofilter(0, 0, max(len(result.submissions), 1), 5)


def _cell(ws: Any, r: int, c: int, value: Any, fmt: Formats) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_string(r, c, "是" if value else "否")
    elif isinstance(value, Decimal):
        ws.write_number(r, c, _number(value), fmt.money)
    elif isinstance(value, int):
        ws.write_number(r, c, value)
    elif isinstance(value, date):
        ws.write_datetime(r, c, value, fmt.day)
    elif isinstance(value, tuple):
        ws.write_string(r, c, f"{value[0]}年{value[1]}月")
    else:
        ws.write_string(r, c, str(value), fmt.text)


def write_sources(book: xlsxwriter.Workbook, result: RunResult, fmt: Formats) -> None:
    """One sheet per source table: normalised rows with their source file, sheet and row."""
    contract = result.settings.contract
    for key, spec in contract.sheets.items():
        frames = [u.unit.tables[key] for u in result.frames.values() if key in u.unit.tables]
        if key == "profile" or not frames:
            continue
        fields = list(spec.fields)
        headers = ["单位代码", "来源文件", "来源工作表", "来源行"] + [spec.fields[f].headers[0] for f in fields]
        widths = [20, 30, 12, 8] + [_field_width(spec.fields[f]) for f in fields]
        ws = _table_sheet(book, f"明细-{spec.title}", headers, widths, fmt)
        r = 1
        for frame in frames:
            for record in records(frame):
                values = [record["_unit"], record["_file"], record["_sheet"], record["_row"]] + [
                    record[f] for f in fields
                ]
                for c, value in enumerate(values):
                    _cell(ws, r, c, value, fmt)
                r += 1
        ws.autofilter(0, 0, max(r - 1, 1), len(headers) - 1)


def _field_width(field: Any) -> int:
    """Wide enough for an enterprise's name, an 18-character credit code, a summary line."""
    if field.type in ("text", "name") and field.name in ("enterprise", "summary", "name", "content", "answer", "note"):
        return 30
    if field.type == "code":
        return 21
    return 14


NODE_HEADERS = ["单位", "单位代码", "分子", "分母", "实际值", "状态"]


def _sheet_name(node: Node, used: set[str]) -> str:
    """A unique sheet name of at most 31 characters, without the characters Excel forbids."""
    base = re.sub(r"[\[\]:*?/\\]", "", f"汇总-{node.name or node.code}")[:28]
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:26]}-{n}"
    used.add(name)
    return name


def _members(result: RunResult, code: str) -> list[tuple[str, str, list[IndicatorRow]]]:
    """What a node's total is made of: its own workbook, then each child (its roll-up if it has one)."""
    node = result.nodes[code]
    members = []
    if code in result.frames:
        members.append((f"{node.name}（本单位）", code, result.unit_rows(code)))
    for child in node.children:
        rows = result.rollup_rows(child) or result.unit_rows(child)
        members.append((result.nodes[child].name, child, rows))
    return members


def _value_formula(kind: str, num: str, den: str) -> str:
    if kind == "ratio":
        return f'=IF({den}=0,"",{num}/{den})'
    if kind == "difference":
        return f"={num}-{den}"
    return f"={num}"


class NodeSheet:
    """One node's sheet: per indicator, the member rows and a =SUM total row."""

    def __init__(self, ws: Any, fmt: Formats) -> None:
        self.ws, self.fmt, self.row = ws, fmt, 0

    def block(self, total: IndicatorRow, members: list[tuple[str, str, IndicatorRow | None]]) -> None:
        """Write one indicator's block: heading, member rows, an adjustment if any, and the total."""
        ws, fmt = self.ws, self.fmt
        ws.write_string(self.row, 0, f"{total.definition.get('name', total.code)}（{total.code}）", fmt.head)
        ws.write_row(self.row + 1, 0, NODE_HEADERS, fmt.head)
        self.row += 2
        first = self.row
        sums = [Decimal(0), Decimal(0)]
        for name, code, row in members:
            self._member(name, code, row, sums)
        self._adjustment(total, sums)
        self._total(total, first, self.row - 1)
        self.row += 2

    def _adjustment(self, total: IndicatorRow, sums: list[Decimal]) -> None:
        """An enterprise listed by two sub-units is counted once: the difference gets its own row."""
        difference = [
            (total.figure.numerator or Decimal(0)) - sums[0],
            (total.figure.denominator or Decimal(0)) - sums[1],
        ]
        if not any(difference):
            return
        self.ws.write_string(self.row, 0, "同一企业被多个单位列报，只计一次（扣除）")
        for c, value in ((2, difference[0]), (3, difference[1])):
            self.ws.write_number(self.row, c, _number(value), self._part(total))
        self.row += 1

    def _part(self, row: IndicatorRow) -> Any:
        """Money with cents; counts and sums of people without decimals."""
        if row.unit == "money":
            return self.fmt.money
        parts = [v for v in (row.figure.numerator, row.figure.denominator) if v is not None]
        whole = all(v == v.to_integral_value() for v in parts)
        return self.fmt.count if whole else self.fmt.money

    def _total(self, total: IndicatorRow, first: int, last: int) -> None:
        ws, fmt = self.ws, self.fmt
        ws.write_string(self.row, 0, "合计")
        ws.write_string(self.row, 1, total.unit_code, fmt.text)
        for c, value in ((2, total.figure.numerator), (3, total.figure.denominator)):
            column = "CD"[c - 2]
            cached = _number(value) if value is not None else 0
            ws.write_formula(self.row, c, f"=SUM({column}{first + 1}:{column}{last + 1})", self._part(total), cached)
        self._value(total)
        ws.write_string(self.row, 5, STATUS_LABELS.get(total.status, total.status))

    def _value(self, row: IndicatorRow) -> None:
        if row.figure.value is None and row.figure.numerator is None:
            return  # no unit has data: a formula would show 0 once recalculated, where the figure is 无数据
        num, den = xl_rowcol_to_cell(self.row, 2), xl_rowcol_to_cell(self.row, 3)
        cached = _number(row.figure.value) if row.figure.value is not None else ""
        self.ws.write_formula(
            self.row, 4, _value_formula(row.definition["kind"], num, den), self.fmt.for_unit(row.unit), cached
        )

    def _member(self, name: str, code: str, row: IndicatorRow | None, sums: list[Decimal]) -> None:
        ws, fmt = self.ws, self.fmt
        ws.write_string(self.row, 0, name)
        ws.write_string(self.row, 1, code, fmt.text)
        if row is None or (row.figure.value is None and row.figure.numerator is None):
            ws.write_string(self.row, 5, "无数据（不计入）")
        else:
            for c, value in ((2, row.figure.numerator), (3, row.figure.denominator)):
                if value is not None:
                    ws.write_number(self.row, c, _number(value), self._part(row))
                    sums[c - 2] += value
            self._value(row)
            ws.write_string(self.row, 5, STATUS_LABELS.get(row.status, row.status))
        self.row += 1


def write_node_sheets(book: xlsxwriter.Workbook, result: RunResult, fmt: Formats) -> None:
    """One sheet per node with sub-units: each indicator's members and a live =SUM total."""
    used: set[str] = set()
    for code, _depth in walk(result.nodes):
        node = result.nodes[code]
        totals = result.rollup_rows(code)
        if not node.children or not totals:
            continue
        ws = book.add_worksheet(_sheet_name(node, used))
        ws.set_column(0, 0, 34)
        ws.set_column(1, 1, 20)
        ws.set_column(2, 5, 14)
        ws.freeze_panes(0, 1)
        print_setup(ws, header_rows=0, landscape=False)
        sheet = NodeSheet(ws, fmt)
        members = _members(result, code)
        for total in totals:
            sheet.block(
                total, [(n, c, next((r for r in rows if r.code == total.code), None)) for n, c, rows in members]
            )


def write_consolidated(result: RunResult, path: Path) -> None:
    """Write consolidated.xlsx."""
    # Every sheet is written row after row, so constant_memory can stream each row to disk: a federation's
    # 明细 sheets hold every row of every unit (+130 MiB for 2,000 units when kept in memory).
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(str(path), {**options, "constant_memory": True})
    # The same inputs give the same bytes: the workbook's creation time is the period's end, not now.
    end = result.period.end if result.period else date(2000, 1, 1)
    book.set_properties({"created": datetime(end.year, end.month, end.day), "title": "工会工作汇总表"})
    fmt = Formats(book)
    write_indicators(book, result, fmt)
    write_submissions(book, result, fmt)
    write_node_sheets(book, result, fmt)
    write_sources(book, result, fmt)
    book.close()
