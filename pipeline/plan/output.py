"""What `plan` writes: plan_targets.csv, plan_calendar.csv and the reviewable 年度目标.xlsx.

The workbook holds the contract's 年度目标 and 活动台账 (planned month only) sheets, so a
clerk can correct them and put the file with the unit's ledgers; targets still 待确认 go
on a sheet of their own that the pipeline does not read as targets.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import xlsxwriter

from pipeline.paths import Staging
from pipeline.plan import PlanDocument, unit_name_of
from pipeline.plan.extract import PlanTarget
from pipeline.render.machine import write_csv

TARGET_COLUMNS = [
    "file", "article", "quote", "indicator", "subject", "comparator", "value", "value_hi",
    "unit", "per", "period_hint", "status", "yearly", "scope", "note",
]  # fmt: skip
CALENDAR_COLUMNS = ["file", "article", "month", "item", "category", "quote"]


def number_text(value: Decimal | None) -> str:
    """A plain number: 0.95, 7000, 2.5 (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def target_cell(target: PlanTarget) -> str:
    """The 年度目标 sheet's 目标值 as people write it: 95%, 7000元, 2."""
    value = target.yearly if target.yearly is not None else target.value
    if value is None:
        return ""
    if target.unit == "rate":
        return f"{number_text(value * 100)}%"
    if target.unit == "money":
        return f"{number_text(value)}元"
    return number_text(value)


def write_plan_outputs(documents: list[PlanDocument], out: Path, unit_code: str | None = None) -> list[Path]:
    """The three files into `out`, each written whole or not at all; `unit_code` (--unit) names the unit in it."""
    staging = Staging(out)
    try:
        targets = [(d, a, t) for d in documents for a, t in d.targets]
        write_csv(
            staging.path("plan_targets.csv"),
            TARGET_COLUMNS,
            (
                [d.file, a, t.quote, t.indicator, t.subject, t.comparator, number_text(t.value),
                 number_text(t.value_hi), t.unit, t.per, t.period_hint, t.status, number_text(t.yearly),
                 t.scope, t.why]
                for d, a, t in targets
            ),
        )  # fmt: skip
        write_csv(
            staging.path("plan_calendar.csv"),
            CALENDAR_COLUMNS,
            ([d.file, a, c.month, c.item, c.category, c.quote] for d in documents for a, c in d.calendar),
        )
        _workbook(documents, staging.path("年度目标.xlsx"), unit_code)
        return staging.publish()
    finally:
        staging.discard()


def _workbook(documents: list[PlanDocument], path: Path, unit_code: str | None) -> None:
    book = xlsxwriter.Workbook(str(path))
    name = next((n for d in documents if (n := unit_name_of(d.title))), None)
    year = next((d.year for d in documents if d.year), None)
    facts = [f"填报单位：{name}" if name else "", f"单位代码：{unit_code}" if unit_code else ""]
    facts.append(f"报告期：{year}年" if year else "")
    # the title line the pipeline reads a single ledger's unit and period from
    title = "  ".join(f for f in facts if f) or "填报单位：（请填写）  报告期：（请填写）"
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    _sheet(
        book,
        "年度目标",
        ["指标", "目标值", "比较方式", "计划原文", "来源文件", "篇目"],
        [
            [t.indicator, target_cell(t), t.run_comparator, t.quote, d.file, a]
            for d in documents
            for a, t in d.targets
            if _own_target(t)
        ],
        head,
        wrap,
        title,
    )
    _sheet(
        book,
        "活动台账",
        ["活动名称", "活动类别", "计划月份", "计划原文", "来源文件"],
        [
            [c.item, c.category, _planned_month(c.month, year), c.quote, d.file]
            for d in documents
            for _a, c in d.calendar
        ],
        head,
        wrap,
        title,
    )
    _sheet(
        book,
        "待确认目标",
        ["原文", "计的是什么", "数值", "单位", "原因", "来源文件", "篇目"],
        [
            [t.quote, t.subject, number_text(t.value), t.unit, _why_not(t), d.file, a]
            for d in documents
            for a, t in d.targets
            if not _own_target(t)
        ],
        head,
        wrap,
        title,
    )
    book.close()


def _own_target(target: PlanTarget) -> bool:
    """A target for the plan's own unit that the run can check: used, one of the indicators, with a figure."""
    return bool(target.indicator) and target.status == "used" and target.comparator != "increase" and not target.scope


def _why_not(target: PlanTarget) -> str:
    if target.scope and target.status == "used":
        return f"下达给每个{target.scope}的目标（报告中用于各{target.scope}），不是本单位自身目标"
    return target.why or "未对应到统计指标"


def _planned_month(month: str, year: int | None) -> str:
    """A calendar month as the 活动台账 writes it; a range (7-8) is due by its last month."""
    last = month.split("-")[-1]
    return f"{year}年{last}月" if year else f"{last}月"


def _sheet(book, name, header, rows, head, wrap, title) -> None:  # type: ignore[no-untyped-def]
    sheet = book.add_worksheet(name)
    sheet.write(0, 0, title)
    sheet.write_row(1, 0, header, head)
    for index, row in enumerate(rows, start=2):
        sheet.write_row(index, 0, [str(v) for v in row], wrap)
    widths = [14 if len(h) <= 4 else 18 for h in header]
    for column, width in enumerate(widths):
        sheet.set_column(column, column, 40 if header[column] in ("计划原文", "原文") else width)
    sheet.freeze_panes(2, 0)
