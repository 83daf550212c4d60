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


def _write_profile(book: xlsxwriter.Workbook, unit: GeneratedUnit, employees: int, members: int) -> None:
    """The 基本情况 sheet: the unit's name, code, parent, type, period and head counts."""
    ws = book.add_worksheet("基本情况")
    for r, (key, value) in enumerate(
        [
            ("单位名称", unit.name),
            ("单位代码", unit.code),
            ("上级单位代码", unit.parent),
            ("单位类型", unit.unit_type),
            ("报告期", "2024年"),
            ("职工总数", employees),
            ("会员总数", members),
        ]
    ):
        ws.write_string(r, 0, key)
        ws.write(r, 1, value)


def write_unit(path: Path, unit: GeneratedUnit) -> None:
    """One unit's workbook: 基本情况, 活动台账, 帮扶慰问 and (社区) 集体合同."""
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    _write_profile(book, unit, unit.employees, unit.members)
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


# ---------------------------------------------------------------------------
# Realistic ledgers: what a clerk keeps over a year (about 1,700 rows a workbook)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧巧美玉桂兰红霞平刚春梅海燕晓东雪琳子涵欣怡浩然宇轩"
DEPARTMENTS = ["办公室", "财务部", "生产一车间", "生产二车间", "质检部", "销售部", "后勤保障部", "技术研发中心"]
ACTIVITY_NAMES = {
    "技能培训": ["安全生产知识培训", "岗位技能提升培训班", "消防应急演练培训", "新职工入职培训"],
    "文体活动": ["职工趣味运动会", "迎新春书法比赛", "职工篮球友谊赛", "三八节插花活动", "读书分享会"],
    "思想教育": ["劳模事迹报告会", "主题学习交流会", "法律知识讲座"],
    "劳动竞赛": ["岗位技能比武", "合理化建议竞赛"],
}
ASSISTANCE = ["困难帮扶", "送温暖", "生日慰问", "生病住院慰问", "金秋助学", "结婚慰问", "生育慰问"]
LEDGER_ACCOUNTS = {
    "收入": ["会费收入", "拨缴经费收入", "上级补助收入", "行政补助收入"],
    "支出": ["职工活动支出", "维权支出", "业务支出", "其他支出"],
}


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _id_number(rng: random.Random) -> str:
    born = date(rng.randint(1965, 2002), rng.randint(1, 12), rng.randint(1, 28))
    return f"3201{rng.randint(0, 99):02d}{born:%Y%m%d}{rng.randint(0, 999):03d}{rng.choice('0123456789X')}"


def _dotted(day: date) -> str:
    """How clerks type dates: 2024.3.5"""
    return f"{day.year}.{day.month}.{day.day}"


def _titled_sheet(book: xlsxwriter.Workbook, name: str, title: str, headers: list[str]):
    """A sheet with a merged title row, a 填报单位 line and the header row (data starts at row 4)."""
    ws = book.add_worksheet(name)
    ws.merge_range(0, 0, 0, len(headers) - 1, title)
    ws.write_string(1, 0, "填报单位：（盖章）")
    ws.write_row(2, 0, headers)
    return ws


def _footer(ws, row: int) -> None:
    ws.write_string(row + 1, 0, "填表人：张会计    审核人：李主席    填报日期：2025年1月10日")


def write_realistic_unit(path: Path, unit: GeneratedUnit, rng: random.Random, rows: int = 1700) -> None:
    """One unit's year as a clerk keeps it: 基本情况 and four ledgers with title blocks, totals and footers.

    About 60% of `rows` are 会员花名册 entries, the rest 帮扶慰问, 经费收支 and 活动台账.
    """
    members = rows * 6 // 10
    book = xlsxwriter.Workbook(str(path))
    _write_profile(book, unit, members, members - members // 20)
    ws = _titled_sheet(
        book,
        "会员花名册",
        f"{unit.name}会员花名册",
        ["序号", "姓名", "性别", "身份证号", "手机号码", "是否会员", "入会时间", "所属部门"],
    )
    for i in range(members):
        joined = date(rng.randint(2005, 2024), rng.randint(1, 12), rng.randint(1, 28))
        ws.write_row(
            3 + i,
            0,
            [
                i + 1,
                _person(rng),
                rng.choice("男女"),
                _id_number(rng),
                f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
                "否" if i % 20 == 0 else "是",
                f"{joined:%Y-%m-%d}",
                rng.choice(DEPARTMENTS),
            ],
        )
    _footer(ws, 3 + members)
    rest = rows - members
    _realistic_activities(book, unit, rng, rest * 15 // 100)
    _realistic_assistance(book, unit, rng, rest * 45 // 100)
    _realistic_ledger(book, unit, rng, rest * 40 // 100)
    book.close()


def _realistic_activities(book: xlsxwriter.Workbook, unit: GeneratedUnit, rng: random.Random, count: int) -> None:
    ws = _titled_sheet(
        book,
        "活动台账",
        f"{unit.name}2024年活动台账",
        ["序号", "活动名称", "活动类别", "开展日期", "参与人数", "经费", "备注"],
    )
    for i in range(count):
        category = rng.choice(list(ACTIVITY_NAMES))
        held = date(2024, rng.randint(1, 12), rng.randint(1, 28))
        people = rng.randint(8, 150)
        cost = f"{rng.randint(2, 120) * 100:,}.00"
        note = rng.choice(["", "", "线上", "与社区联办"])
        ws.write_row(
            3 + i, 0, [i + 1, rng.choice(ACTIVITY_NAMES[category]), category, _dotted(held), people, cost, note]
        )
    _footer(ws, 3 + count)


def _realistic_assistance(book: xlsxwriter.Workbook, unit: GeneratedUnit, rng: random.Random, count: int) -> None:
    ws = _titled_sheet(
        book,
        "帮扶慰问",
        f"{unit.name}2024年帮扶慰问发放台账",
        ["序号", "发放日期", "姓名", "类别", "金额（元）", "发放形式", "备注"],
    )
    cents = 0
    for i in range(count):
        paid = date(2024, rng.randint(1, 12), rng.randint(1, 28))
        amount = rng.choice([200, 300, 500, 800, 1000, 2000]) * 100 + rng.choice([0, 0, 50])
        cents += amount
        ws.write_row(
            3 + i,
            0,
            [
                i + 1,
                f"{paid:%Y/%m/%d}",
                _person(rng),
                rng.choice(ASSISTANCE),
                f"{amount / 100:.2f}",
                rng.choice(["转账", "现金"]),
                "",
            ],
        )
    ws.write_row(3 + count, 0, ["合计", "", "", "", f"{cents / 100:.2f}"])
    _footer(ws, 4 + count)


def _realistic_ledger(book: xlsxwriter.Workbook, unit: GeneratedUnit, rng: random.Random, count: int) -> None:
    ws = _titled_sheet(
        book,
        "经费收支",
        f"{unit.name}2024年经费收支明细账",
        ["日期", "凭证号", "收支", "科目", "摘要", "金额", "经办人", "审批人"],
    )
    for i in range(count):
        direction = "收入" if rng.random() < 0.35 else "支出"
        account = rng.choice(LEDGER_ACCOUNTS[direction])
        booked = date(2024, rng.randint(1, 12), rng.randint(1, 28))
        amount = rng.randint(100, 2_000_000) / 100
        ws.write_row(
            3 + i,
            0,
            [
                f"{booked:%Y-%m-%d}",
                f"记-{booked.month:02d}-{i + 1:04d}",
                direction,
                account,
                f"{account}（{booked.month}月）",
                f"{amount:,.2f}",
                _person(rng),
                "李主席",
            ],
        )
    _footer(ws, 3 + count)


def generate_realistic_tree(folder: Path, count: int, rows: int = 1700, seed: int = 11) -> list[GeneratedUnit]:
    """`count` realistic workbooks of one 街道 tree (about `rows` rows each) and its roster."""
    rng = random.Random(seed)
    units = _tree(count, rng)
    folder.mkdir(parents=True, exist_ok=True)
    for unit in units:
        write_realistic_unit(folder / f"{unit.code}.xlsx", unit, rng, rows)
    write_roster(folder / "组织架构.xlsx", units)
    return units
