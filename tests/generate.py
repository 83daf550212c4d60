"""Generated union trees for consolidation tests and benchmarks.

`generate_tree` writes one workbook per reporting unit (xlsxwriter, so
thousands are quick) for a tree 区 → 街道 → 社区 → 企业, plus a 组织架构
roster that also names units which send nothing. It returns what it wrote, so
tests can work out expected figures without the pipeline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import xlsxwriter


@dataclass
class GeneratedUnit:
    """One unit of the generated tree and the figures its workbook holds."""

    code: str
    name: str
    parent: str
    unit_type: str
    reports: bool = True
    employees: int = 0
    members: int = 0
    enterprises: list[tuple[str, int, bool, bool]] = field(default_factory=list)  # code, employees, union, contract
    activities: list[tuple[str, date, int]] = field(default_factory=list)  # category, held on, participants
    payouts: list[tuple[date, str, str]] = field(default_factory=list)  # paid on, category, amount text


def _tree(count: int, rng: random.Random) -> list[GeneratedUnit]:
    """区 (1) → 街道 → 社区 → 企业 until `count` units exist."""
    units = [GeneratedUnit("Q000", "某区总工会", "", "其他")]
    streets = max(2, count // 60)
    for s in range(streets):
        units.append(GeneratedUnit(f"J{s:03d}", f"第{s + 1}街道总工会", "Q000", "街道"))
    level2 = [u.code for u in units[1:]]
    communities = max(4, count // 12)
    for c in range(communities):
        units.append(GeneratedUnit(f"S{c:04d}", f"第{c + 1}社区工会", rng.choice(level2), "社区"))
    level3 = [u.code for u in units if u.unit_type == "社区"]
    e = 0
    while len(units) < count:
        units.append(GeneratedUnit(f"E{e:05d}", f"企业{e + 1}工会", rng.choice(level3), "企业"))
        e += 1
    return units


def _fill(unit: GeneratedUnit, rng: random.Random) -> None:
    unit.employees = rng.randint(20, 400)
    unit.members = rng.randint(unit.employees // 2, unit.employees)
    if unit.unit_type == "社区":
        unit.enterprises = [
            (
                f"91{unit.code}{i:02d}".ljust(18, "0"),
                rng.choice([8, 20, 25, 40, 90]),
                rng.random() < 0.8,
                rng.random() < 0.6,
            )
            for i in range(rng.randint(3, 8))
        ]
    unit.activities = [
        (
            rng.choice(["技能培训", "文体活动", "思想教育"]),
            date(2024, rng.randint(1, 12), rng.randint(1, 28)),
            rng.randint(5, 120),
        )
        for _ in range(rng.randint(1, 6))
    ]
    unit.payouts = [
        (
            date(2024, rng.randint(1, 12), rng.randint(1, 28)),
            rng.choice(["困难帮扶", "送温暖", "生日慰问"]),
            f"{rng.randint(1, 4000)}.{rng.randint(0, 99):02d}",
        )
        for _ in range(rng.randint(0, 5))
    ]


def write_unit(path: Path, unit: GeneratedUnit) -> None:
    """One unit's workbook: 基本情况, 活动台账, 帮扶慰问 and (社区) 集体合同."""
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet("基本情况")
    for r, (key, value) in enumerate(
        [
            ("单位名称", unit.name),
            ("单位代码", unit.code),
            ("上级单位代码", unit.parent),
            ("单位类型", unit.unit_type),
            ("报告期", "2024年"),
            ("职工总数", unit.employees),
            ("会员总数", unit.members),
        ]
    ):
        ws.write_string(r, 0, key)
        ws.write(r, 1, value)
    ws = book.add_worksheet("活动台账")
    ws.write_row(0, 0, ["活动名称", "活动类别", "开展日期", "参与人数"])
    for r, (category, held, people) in enumerate(unit.activities, start=1):
        ws.write_row(r, 0, [f"活动{r}", category])
        ws.write_datetime(r, 2, datetime(held.year, held.month, held.day), day)
        ws.write_number(r, 3, people)
    ws = book.add_worksheet("帮扶慰问")
    ws.write_row(0, 0, ["发放日期", "姓名", "类别", "金额（元）"])
    for r, (paid, category, amount) in enumerate(unit.payouts, start=1):
        ws.write_datetime(r, 0, datetime(paid.year, paid.month, paid.day), day)
        ws.write_row(r, 1, [f"职工{r}", category, amount])
    if unit.enterprises:
        ws = book.add_worksheet("集体合同")
        ws.write_row(0, 0, ["企业名称", "统一社会信用代码", "职工人数", "是否建会", "是否签订集体合同"])
        for r, (code, employees, union, contract) in enumerate(unit.enterprises, start=1):
            ws.write_row(
                r, 0, [f"企业{code}", code, employees, "是" if union else "否", "是" if union and contract else "否"]
            )
    book.close()


def write_roster(path: Path, units: list[GeneratedUnit]) -> None:
    """The 组织架构 workbook naming every expected unit."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("组织架构")
    ws.write_row(0, 0, ["单位代码", "单位名称", "上级单位代码", "单位类型"])
    for r, unit in enumerate(units, start=1):
        ws.write_row(r, 0, [unit.code, unit.name, unit.parent, unit.unit_type])
    book.close()


def generate_tree(folder: Path, count: int, missing: int = 0, seed: int = 7) -> list[GeneratedUnit]:
    """Write `count` units' workbooks (less `missing` leaves that send nothing) and a roster."""
    rng = random.Random(seed)
    units = _tree(count, rng)
    for unit in units:
        _fill(unit, rng)
    leaves = [u for u in units if u.unit_type == "企业"]
    for unit in rng.sample(leaves, min(missing, len(leaves))):
        unit.reports = False
    folder.mkdir(parents=True, exist_ok=True)
    for unit in units:
        if unit.reports:
            write_unit(folder / f"{unit.code}.xlsx", unit)
    write_roster(folder / "组织架构.xlsx", units)
    return units
