"""consolidated.xlsx (汇总表) written with xlsxwriter.

Ratios are live formulas (=numerator/denominator) that also store their
computed value, so a viewer that does not recalculate shows the right number.
User text is always written as text, never as a formula. Each source table
gets a sheet with the normalised rows and their source file, sheet and row.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from pipeline.money import round_half_up
from pipeline.render.html import STATUS_LABELS, SUBMISSION_LABELS
from pipeline.run import IndicatorRow, RunResult

STATUS_FILL = {
    "达标": "#C8E6C9",
    "进度正常": "#BBDEFB",
    "进度滞后": "#FFE0B2",
    "未达标": "#FFCDD2",
    "无数据": "#E0E0E0",
}
INDICATOR_HEADERS = [
    "单位代码",
    "单位名称",
    "层级",
    "报告期",
    "指标代码",
    "指标",
    "分子",
    "分母",
    "实际值",
    "目标",
    "比较",
    "状态",
    "上年同期",
    "有数据单位数",
]


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
    return None if value is None else float(round_half_up(value, 10))


def _write_indicator_row(ws: Any, r: int, row: IndicatorRow, fmt: Formats) -> None:
    figure, unit = row.figure, row.unit
    texts = [
        row.unit_code,
        row.unit_name,
        "汇总" if row.level == "rollup" else "本单位",
        row.period.label,
        row.code,
        row.definition.get("name", row.code),
    ]
    for c, text in enumerate(texts):
        ws.write_string(r, c, text, fmt.text)
    part_fmt = (
        fmt.money
        if unit == "money"
        or (figure.numerator is not None and figure.numerator != figure.numerator.to_integral_value())
        else fmt.count
    )
    for c, value in ((6, figure.numerator), (7, figure.denominator)):
        if value is not None:
            ws.write_number(r, c, _number(value), part_fmt)
    num, den = xl_rowcol_to_cell(r, 6), xl_rowcol_to_cell(r, 7)
    value_fmt = fmt.for_unit(unit)
    if figure.value is None:
        ws.write_string(r, 8, "无数据")
    elif row.definition["kind"] == "ratio":
        ws.write_formula(r, 8, f'=IF({den}=0,"",{num}/{den})', value_fmt, _number(figure.value))
    elif row.definition["kind"] == "difference":
        ws.write_formula(r, 8, f"={num}-{den}", value_fmt, _number(figure.value))
    else:
        ws.write_formula(r, 8, f"={num}", value_fmt, _number(figure.value))
    if row.target is not None:
        ws.write_number(r, 9, _number(row.target.value), value_fmt)
        ws.write_string(r, 10, row.target.comparator)
    ws.write_string(r, 11, STATUS_LABELS.get(row.status, row.status))
    if row.previous is not None:
        ws.write_number(r, 12, _number(row.previous), value_fmt)
    ws.write_number(r, 13, figure.units)


def _table_sheet(book: xlsxwriter.Workbook, name: str, headers: list[str], widths: list[int], fmt: Formats) -> Any:
    ws = book.add_worksheet(name)
    ws.write_row(0, 0, headers, fmt.head)
    ws.freeze_panes(1, 0)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    return ws


def write_indicators(book: xlsxwriter.Workbook, result: RunResult, fmt: Formats) -> None:
    """The 指标汇总 sheet: every unit and roll-up row, with formulas."""
    ws = _table_sheet(book, "指标汇总", INDICATOR_HEADERS, [20, 22, 8, 12, 24, 28, 14, 14, 14, 12, 6, 10, 12, 8], fmt)
    for r, row in enumerate(result.indicators, start=1):
        _write_indicator_row(ws, r, row, fmt)
    last = max(len(result.indicators), 1)
    ws.autofilter(0, 0, last, len(INDICATOR_HEADERS) - 1)
    for label, colour in STATUS_FILL.items():
        ws.conditional_format(
            1,
            11,
            last,
            11,
            {"type": "cell", "criteria": "==", "value": f'"{label}"', "format": book.add_format({"bg_color": colour})},
        )


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
        ws = _table_sheet(book, f"明细-{spec.title}", headers, [20, 30, 12, 8] + [14] * len(fields), fmt)
        r = 1
        for frame in frames:
            for record in frame.to_dict("records"):
                values = [record["_unit"], record["_file"], record["_sheet"], record["_row"]] + [
                    record[f] for f in fields
                ]
                for c, value in enumerate(values):
                    _cell(ws, r, c, value, fmt)
                r += 1
        ws.autofilter(0, 0, max(r - 1, 1), len(headers) - 1)


def write_consolidated(result: RunResult, path: Path) -> None:
    """Write consolidated.xlsx."""
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    fmt = Formats(book)
    write_indicators(book, result, fmt)
    write_submissions(book, result, fmt)
    write_sources(book, result, fmt)
    book.close()
