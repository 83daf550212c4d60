"""The blank fillable workbook (填报模板), generated from the contract.

Every sheet of the contract with its first header wording, a note on each
header cell (what to write, required or not), dropdowns for enumerations and
是/否, number and date validation, a frozen header row and sensible widths,
plus a 填表说明 sheet. Lists live on a hidden sheet so that long lists are not
cut at Excel's 255-character limit for inline lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from pipeline.config import FieldSpec, Settings, SheetSpec

ROWS = 500  # rows prepared with validation in each table sheet
TYPE_HINTS = {
    "text": "文字",
    "code": "代码，按文本填写（保留开头的 0）",
    "name": "姓名",
    "int": "整数，≥ 0",
    "money": "金额，单位：元（可写 3万元、1,234.50）",
    "date": "日期，如 2024-03-05 或 2024年3月5日",
    "day_or_month": "日期，如 2024-03-05；只知道月份时可写 3月",
    "end_date": "到期日，如 2025-12-31（也可写期限 2023.1.1-2025.12.31）",
    "month": "月份，1–12 或 3月",
    "bool": "是 / 否",
    "period": "如 2024年、2024年上半年、2024Q2、2024年1-6月",
}
HEADER_UNITS = {"money": "（元）"}


def header_text(spec: FieldSpec) -> str:
    """The header as the template writes it: first wording, unit, * when required."""
    return f"{spec.headers[0]}{HEADER_UNITS.get(spec.type, '')}{'*' if spec.required else ''}"


def note_text(spec: FieldSpec, settings: Settings) -> str:
    """The comment on a header cell: type, allowed values, required or not."""
    if spec.enum:
        allowed = "、".join(settings.contract.enums[spec.enum].values)
        kind = f"从下拉列表选择：{allowed}"
    else:
        kind = TYPE_HINTS.get(spec.type, spec.type)
    also = f"\n也可写作：{'、'.join(spec.headers[1:])}" if len(spec.headers) > 1 else ""
    return f"{'必填' if spec.required else '选填'}。{kind}{also}"


@dataclass
class Prefill:
    """What a higher union fills in before sending a unit its template: who it is, and its targets."""

    profile: dict[str, str]  # profile field → value (单位名称, 单位代码, 上级单位代码, 单位类型, 报告期)
    targets: list[tuple[str, str, str]] = field(default_factory=list)  # (indicator name, target, comparator)


class TemplateWriter:
    """Writes one template workbook (blank, or pre-filled for one unit)."""

    def __init__(self, settings: Settings, path: Path, prefill: Prefill | None = None) -> None:
        self.settings = settings
        self.prefill = prefill
        self.book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
        self.book.set_properties({"created": datetime(2000, 1, 1), "title": "工会工作填报模板"})  # same bytes each time
        self.head = self.book.add_format(
            {
                "bold": True,
                "bg_color": "#ECEFF1",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
            }
        )
        self.text = self.book.add_format({"num_format": "@"})
        self.day = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.money = self.book.add_format({"num_format": "#,##0.00"})
        self.given = self.book.add_format({"num_format": "@", "bg_color": "#ECEFF1", "locked": True})
        self.open = self.book.add_format({"locked": False})
        self.lists_sheet = None
        self.list_ranges: dict[str, str] = {}

    def write(self) -> None:
        """Every sheet, then close the file."""
        self._instructions()
        contract = self.settings.contract
        self._lists()
        for spec in contract.sheets.values():
            if spec.into:  # a kind read into another sheet (慰问记录 → 帮扶慰问): the template has only that sheet
                continue
            if spec.layout == "profile":
                self._profile(spec)
            else:
                self._table(spec)
        self.book.close()

    def _instructions(self) -> None:
        ws = self.book.add_worksheet("填表说明")
        ws.set_column(0, 0, 100)
        lines = [
            "填表说明",
            "1. 每个单位每个报告期填一份。“基本情况”必填，其余表没有内容可以不填"
            "（不填表示没有填报，相关指标显示“无数据”）。",
            "2. 表头带 * 的列必填；把鼠标停在表头上可看到填写要求。有下拉箭头的列请从列表中选择。",
            "3. 日期写成 2024-03-05 或 2024年3月5日；金额单位为元，也可以写“3万元”。",
            "4. 合计、小计行可以保留：程序会核对它们，但不会把它们算进指标。",
            "5. 不要改动表名和表头文字（可以增加备注列，程序会忽略并在报告中说明）。",
        ]
        for row, line in enumerate(lines):
            ws.write_string(row, 0, line, self.head if row == 0 else None)

    def _lists(self) -> None:
        """A hidden sheet with every dropdown list, one column each."""
        ws = self.book.add_worksheet("下拉列表")
        lists = {name: list(enum.values) for name, enum in self.settings.contract.enums.items()}
        lists["bool"] = ["是", "否"]
        # 年度目标: the indicators by name and the comparators a plan writes
        lists["indicator"] = [d.get("name", d["code"]) for d in self.settings.indicators]
        lists["comparator"] = ["≥", "≤", "="]
        for col, (name, values) in enumerate(lists.items()):
            ws.write_string(0, col, name)
            for row, value in enumerate(values, start=1):
                ws.write_string(row, col, value)
            letter = xlsxwriter.utility.xl_col_to_name(col)
            self.list_ranges[name] = f"=下拉列表!${letter}$2:${letter}${len(values) + 1}"
        ws.hide()

    def _validation(self, spec: FieldSpec) -> dict[str, Any] | None:
        listed = {"indicator": "indicator", "comparator": "comparator"}.get(spec.name) if spec.type == "text" else None
        source = self.list_ranges.get(spec.enum or ("bool" if spec.type == "bool" else listed or ""))
        if source:
            return {"validate": "list", "source": source, "error_message": "请从下拉列表中选择"}
        if spec.type == "int":
            return {"validate": "integer", "criteria": ">=", "value": 0, "error_message": "请填写不小于 0 的整数"}
        if spec.type == "money":
            return {
                "validate": "decimal",
                "criteria": ">",
                "value": 0,
                "error_type": "warning",
                "error_message": "金额应大于 0（单位：元）",
            }
        if spec.type in ("date", "day_or_month", "end_date"):
            return {
                "validate": "date",
                "criteria": "between",
                "minimum": _excel_date(1990),
                "maximum": _excel_date(2100),
                "error_type": "warning",
                "error_message": "请填写日期，如 2024-03-05",
            }
        return None

    def _cell_format(self, spec: FieldSpec) -> Any:
        formats = {"code": self.text, "money": self.money, "date": self.day, "day_or_month": self.day}
        return formats.get(spec.type, self.day if spec.type == "end_date" else None)

    def _profile(self, spec: SheetSpec) -> None:
        ws = self.book.add_worksheet(spec.title)
        ws.write_row(0, 0, ["项目", "内容"], self.head)
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 36)
        given = self.prefill.profile if self.prefill else {}
        for row, item in enumerate(shown(spec), start=1):
            ws.write_string(row, 0, header_text(item))
            ws.write_comment(row, 0, note_text(item, self.settings), {"x_scale": 2, "y_scale": 1.5})
            if item.name in given:  # the higher union's: locked, so the unit and period match its roster
                ws.write_string(row, 1, given[item.name], self.given)
                continue
            fmt = self._cell_format(item)
            if self.prefill is not None:
                fmt = self.book.add_format({**({"num_format": _number_format(item)} if fmt else {}), "locked": False})
            if fmt is not None:
                ws.write_blank(row, 1, None, fmt)
            validation = self._validation(item)
            if validation:
                ws.data_validation(row, 1, row, 1, validation)
        ws.freeze_panes(1, 0)
        if self.prefill is not None:
            ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})

    def _table(self, spec: SheetSpec) -> None:
        ws = self.book.add_worksheet(spec.title)
        fields = shown(spec)
        top = self._title_rows(ws, spec, len(fields))
        for col, item in enumerate(fields):
            ws.write_string(top, col, header_text(item), self.head)
            ws.write_comment(top, col, note_text(item, self.settings), {"x_scale": 2, "y_scale": 1.5})
            width = 30 if item.name == "indicator" else max(10, min(28, 2.2 * len(header_text(item)) + 2))
            ws.set_column(col, col, width, self._cell_format(item))
            validation = self._validation(item)
            if validation:
                ws.data_validation(top + 1, col, top + ROWS, col, validation)
        ws.set_row(top, 32)
        if spec.key == "targets" and self.prefill is not None:
            for offset, values in enumerate(self.prefill.targets, start=1):
                for col, value in enumerate(values[: len(fields)]):
                    ws.write_string(top + offset, col, value)
        ws.freeze_panes(top + 1, 0)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(top, top)
        if len(fields) > 6:
            ws.set_landscape()

    def _title_rows(self, ws: Any, spec: SheetSpec, width: int) -> int:
        """A title and an example above the 年度目标 header (recognised as the title block, never as data)."""
        if spec.key != "targets":
            return 0
        ws.merge_range(0, 0, 0, width - 1, "年度目标（本单位年度工作计划中的量化目标）", self.head)
        example = "示例：指标选「培训场次」，目标值写「4场」，比较选「≥」；比率写「95%」，金额写「7000元」或「0.7万元」"
        ws.merge_range(1, 0, 1, width - 1, example, self.book.add_format({"italic": True, "font_color": "#616161"}))
        return 2


def _number_format(spec: FieldSpec) -> str:
    return {"code": "@", "money": "#,##0.00"}.get(spec.type, "yyyy-mm-dd")


def shown(spec: SheetSpec) -> list[FieldSpec]:
    """The fields a template sheet has (alternative layouts left out)."""
    return [f for f in spec.fields.values() if f.template]


def _excel_date(year: int) -> Any:
    from datetime import date

    return date(year, 1, 1)


def write_template(settings: Settings, path: Path) -> None:
    """Write the blank fillable workbook to `path` (folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    TemplateWriter(settings, path).write()


def write_prefilled(settings: Settings, path: Path, prefill: Prefill) -> None:
    """One unit's template: 基本情况 filled in and protected, 年度目标 filled from the higher union's targets."""
    path.parent.mkdir(parents=True, exist_ok=True)
    TemplateWriter(settings, path, prefill).write()


def prefills(
    settings: Settings, roster: list[dict[str, Any]], targets: list[dict[str, Any]], period: str
) -> dict[str, Prefill]:
    """Per expected unit of the roster (by code): what its template is filled with."""
    names = {d["code"]: d.get("name", d["code"]) for d in settings.indicators}
    by_unit: dict[str, list[tuple[str, str, str]]] = {}
    for row in targets:
        indicator = str(row.get("indicator") or "")
        shown_name = names.get(indicator, indicator)
        by_unit.setdefault(str(row["unit_code"]), []).append(
            (shown_name, str(row.get("target") or ""), str(row.get("comparator") or ""))
        )
    found = {}
    for row in roster:
        if not row.get("listed", True):
            continue  # a higher union named only in a parent path: not expected to report
        profile = {
            "unit_name": str(row["unit_name"]),
            "unit_code": str(row["unit_code"]),
            "parent_code": str(row.get("parent_code") or ""),
            "unit_type": str(row.get("unit_type") or ""),
            "period": period,
        }
        found[profile["unit_code"]] = Prefill(
            {k: v for k, v in profile.items() if v}, by_unit.get(profile["unit_code"], [])
        )
    return found
