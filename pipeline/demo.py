"""Bundled demo data: a 街道工会 tree written as real 台账 workbooks.

Deterministic. A street union (西湖街道) with three 社区 unions that look after
30 small enterprises, plus a school, a hospital (filled in traditional
characters) and a factory (written with xlsxwriter, two-row merged header),
period 2024, and the school's 2023 workbook for 同比. Honest mistakes are
planted so every report section has something to show: the school's 帮扶慰问
合计 is 100 元 off, the hospital has a row with an unknown activity category
(rejected) and an unreadable head count (dropped), and the factory paid a
中秋 慰问 as a 购物卡. The data below are what tests work figures out from.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
from openpyxl.styles import Alignment, Font

STREET = ("0330106000", "西湖街道总工会")
COMMUNITIES = [("0330106101", "翠苑社区工会"), ("0330106102", "文新社区工会"), ("0330106103", "古荡社区工会")]
MISSING_COMMUNITY = ("0330106104", "西溪社区工会")  # in the roster, sends nothing
SCHOOL = ("0330106201", "西湖区实验小学工会")
HOSPITAL = ("0330106202", "西湖区人民医院工会")
FACTORY = ("91330106MA27XK3C1R", "红星机械厂工会")

# --- 西湖区实验小学 2024 ------------------------------------------------------
# (name, category, planned month, held on, status, participants, person-times, cost)
SCHOOL_ACTIVITIES = [
    ("师德师风专题讲座", "思想教育", "3月", date(2024, 3, 15), "已完成", 110, 110, "1200"),
    ("教职工趣味运动会", "文体活动", "4月", date(2024, 4, 26), "已完成", 98, 98, "3560.50"),
    ("信息化教学技能培训", "技能培训", "5月", date(2024, 5, 20), "已完成", 60, 120, "2000"),
    ("三八妇女节插花活动", "女职工工作", "3月", date(2024, 3, 8), "已完成", 80, 80, "1600"),
    ("教职工合唱比赛", "文体活动", "6月", date(2024, 7, 5), "已完成", 45, 45, "800"),
    ("暑期读书分享会", "思想教育", "8月", None, "已取消", None, None, None),
    ("班主任能力提升培训", "技能培训", "10月", date(2024, 10, 18), "已完成", 40, 80, "2400"),
    ("秋季登山活动", "文体活动", "11月", date(2024, 11, 9), "已完成", 90, 90, "1850.25"),
    ("安全知识培训", "安全生产", "12月", None, "未开展", None, None, None),
    ("迎新年联欢会", "文体活动", None, date(2024, 12, 30), "已完成", 115, 115, "4200"),
]
# (paid on, name, 工号, member, category, festival, form, amount, approval, voucher)
SCHOOL_ASSISTANCE = [
    (date(2024, 1, 20), "张三", "T001", "是", "困难帮扶", None, "转账", "2000.00", "SP2024-01", "记-2024-003"),
    (date(2024, 2, 5), "李四", "T002", "是", "送温暖", None, "转账", "1500.00", "SP2024-02", "记-2024-004"),
    (date(2024, 2, 8), "王五", "T003", "是", "节日慰问", "春节", "实物", "300.00", "SP2024-03", "记-2024-005"),
    (date(2024, 5, 10), "赵六", "T004", "是", "大病救助", None, "转账", "3000.00", "SP2024-05", "记-2024-013"),
    (date(2024, 8, 25), "钱七", "T005", "是", "金秋助学", None, "转账", "1000.00", "SP2024-08", "记-2024-025"),
    (date(2024, 9, 10), "孙八", "T006", "是", "生日慰问", None, "实物", "200.00", "SP2024-09", "记-2024-026"),
    (date(2024, 10, 12), "周九", "T007", "是", "生病住院慰问", None, "现金", "500.00", "SP2024-10", "记-2024-031"),
]
SCHOOL_ASSISTANCE_STATED_TOTAL = "8600.00"  # the real sum is 8,500.00: a planted wrong 合计
# (date, voucher, direction, account, sub-account, summary, amount)
SCHOOL_LEDGER = [
    (date(2024, 1, 15), "记-2024-001", "收入", "会费收入", "", "2024年会费", "46500.00"),
    (date(2024, 3, 31), "记-2024-010", "收入", "拨缴经费收入", "", "一季度拨缴经费", "55800.00"),
    (date(2024, 6, 30), "记-2024-020", "收入", "拨缴经费收入", "", "二季度拨缴经费", "55800.00"),
    (date(2024, 9, 30), "记-2024-030", "收入", "拨缴经费收入", "", "三季度拨缴经费", "55800.00"),
    (date(2024, 12, 31), "记-2024-040", "收入", "拨缴经费收入", "", "四季度拨缴经费", "55800.00"),
    (date(2024, 1, 20), "记-2024-003", "支出", "维权支出", "困难职工帮扶", "张三困难帮扶", "2000.00"),
    (date(2024, 2, 5), "记-2024-004", "支出", "维权支出", "送温暖", "李四送温暖慰问", "1500.00"),
    (date(2024, 2, 8), "记-2024-005", "支出", "职工活动支出", "职工集体福利", "春节慰问品", "300.00"),
    (date(2024, 3, 15), "记-2024-011", "支出", "职工活动支出", "职工教育", "师德师风讲座", "1200.00"),
    (date(2024, 4, 26), "记-2024-012", "支出", "职工活动支出", "文体活动", "教职工趣味运动会", "3560.50"),
    (date(2024, 5, 10), "记-2024-013", "支出", "维权支出", "困难职工帮扶", "赵六大病救助", "3000.00"),
    (date(2024, 5, 20), "记-2024-014", "支出", "业务支出", "培训", "信息化教学技能培训", "2000.00"),
    (date(2024, 8, 25), "记-2024-025", "支出", "维权支出", "困难职工帮扶", "钱七子女金秋助学", "1000.00"),
    (date(2024, 9, 10), "记-2024-026", "支出", "职工活动支出", "职工集体福利", "孙八生日慰问", "200.00"),
    (date(2024, 10, 12), "记-2024-031", "支出", "职工活动支出", "职工集体福利", "周九住院慰问", "500.00"),
    (date(2024, 11, 9), "记-2024-035", "支出", "职工活动支出", "文体活动", "秋季登山活动", "1850.25"),
    (date(2024, 12, 30), "记-2024-039", "支出", "职工活动支出", "文体活动", "迎新年联欢会", "4200.00"),
]
# (kind, date, expected, attended, motions, answered)
SCHOOL_DEMOCRACY = [
    ("教代会", date(2024, 3, 2), 100, 96, 12, 12),
    ("教代会", date(2024, 9, 6), 100, 95, 8, 7),
    ("校务公开", date(2024, 1, 10), None, None, None, None),
    ("校务公开", date(2024, 7, 10), None, None, None, None),
    ("经费公开", date(2024, 12, 28), None, None, None, None),
]
SCHOOL_TARGETS = [
    ("training_sessions", "3场", "≥"),
    ("参与人数", "不少于600人", ""),
    ("困难帮扶救助金额", "0.8万元", "≥"),
]
SCHOOL_PROFILE = {
    "employees": 120,
    "female_employees": 85,
    "members": 116,
    "female_members": 83,
    "payroll": "18600000.00",
}
SCHOOL_2023_PROFILE = {
    "employees": 118,
    "female_employees": 84,
    "members": 110,
    "female_members": 80,
    "payroll": "18000000.00",
}
SCHOOL_2023_ACTIVITIES = [
    ("师德专题报告会", "思想教育", "3月", date(2023, 3, 10), "已完成", 105, 105, "1000"),
    ("教职工篮球赛", "文体活动", "5月", date(2023, 5, 12), "已完成", 60, 60, "2500"),
    ("新课标培训", "技能培训", "9月", date(2023, 9, 20), "已完成", 70, 70, "1800"),
    ("教职工元旦联欢", "文体活动", "12月", date(2023, 12, 29), "已完成", 112, 112, "3900"),
]
SCHOOL_2023_ASSISTANCE = [
    (date(2023, 1, 15), "张三", "T001", "是", "困难帮扶", None, "转账", "2000.00", "SP2023-01", "记-2023-002"),
    (date(2023, 6, 5), "赵六", "T004", "是", "大病救助", None, "转账", "2500.00", "SP2023-06", "记-2023-015"),
    (date(2023, 8, 28), "钱七", "T005", "是", "金秋助学", None, "转账", "1000.00", "SP2023-08", "记-2023-022"),
]


@dataclass(frozen=True)
class Enterprise:
    """One enterprise on a 社区 roster."""

    name: str
    credit_code: str
    employees: int
    operating: bool
    unionised: bool
    unionised_on: date | None
    members: int | None
    collective: bool
    collective_expires: date | None
    wage: bool
    wage_expires: date | None
    female: bool
    covered: int | None


_TRADES = ["科技", "餐饮", "物业", "电子", "贸易", "印刷", "服饰", "建材", "物流", "文化"]
_SUFFIX = ["有限公司", "有限责任公司", "股份有限公司"]


def community_enterprises(community_index: int) -> list[Enterprise]:
    """The 10 enterprises one 社区 union looks after (seeded, so always the same)."""
    rng = random.Random(20240 + community_index)
    place = ["翠苑", "文新", "古荡"][community_index]
    enterprises = []
    for i in range(10):
        employees = rng.choice([8, 12, 18, 24, 25, 26, 30, 45, 60, 88, 120])
        operating = rng.random() > 0.1
        unionised = employees >= 25 and rng.random() > 0.12 or rng.random() > 0.7
        new = unionised and rng.random() < 0.15
        unionised_on = (
            date(2024, rng.randint(1, 12), rng.randint(1, 28))
            if new
            else (date(rng.randint(2010, 2022), rng.randint(1, 12), 1) if unionised else None)
        )
        collective = unionised and rng.random() > 0.15
        expires = rng.choice([date(2023, 12, 31), date(2024, 12, 31), date(2025, 6, 30), date(2026, 3, 31)])
        wage = collective and rng.random() > 0.2
        code = f"91330106{community_index}{i:02d}{rng.randint(10000000, 99999999)}"[:18].ljust(18, "X")
        enterprises.append(
            Enterprise(
                name=f"杭州{place}{_TRADES[i]}{_SUFFIX[i % 3]}",
                credit_code=code,
                employees=employees,
                operating=operating,
                unionised=unionised,
                unionised_on=unionised_on,
                members=int(employees * 0.9) if unionised else None,
                collective=collective,
                collective_expires=expires if collective else None,
                wage=wage,
                wage_expires=expires if wage else None,
                female=collective and rng.random() > 0.5,
                covered=employees if collective else None,
            )
        )
    return enterprises


def _yes(flag: bool, style: int) -> str:
    return ["是", "√", "Y"][style] if flag else ["否", "×", "N"][style]


# --- writing helpers ----------------------------------------------------------


def _profile_rows(
    code: str, name: str, parent: str, unit_type: str, period: str, figures: dict[str, Any], filled_by: str
) -> list[tuple[str, Any]]:
    return [
        ("单位名称", name),
        ("单位代码", code),
        ("上级单位代码", parent),
        ("单位类型", unit_type),
        ("报告期", period),
        ("职工总数", figures["employees"]),
        ("女职工数", figures.get("female_employees")),
        ("会员总数", figures["members"]),
        ("女会员数", figures.get("female_members")),
        ("工资总额（元）", figures.get("payroll")),
        ("填报人", filled_by),
        ("联系电话", "0571-8888" + code[-4:]),
        ("填报日期", date(int(period[:4]) + 1, 1, 10)),
    ]


def _write_profile(wb: openpyxl.Workbook, title: str, rows: list[tuple[str, Any]], heading: str) -> None:
    ws = wb.create_sheet(title)
    ws.append([heading])
    ws.merge_cells("A1:B1")
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["项目", "内容"])
    for key, value in rows:
        ws.append([key, value])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 18, 30


def _write_table(
    wb: openpyxl.Workbook,
    title: str,
    unit: str,
    heading: str,
    headers: list[str],
    rows: list[list[Any]],
    total: list[Any] | None = None,
) -> Any:
    """A sheet as units fill it: title row, 填报单位 line, header, data, 合计."""
    ws = wb.create_sheet(title)
    ws.append([f"{unit}{heading}"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=14), Alignment(horizontal="center")
    ws.append([f"填报单位：{unit}", None, None, "单位：元"])
    ws.append(headers)
    for row in rows:
        ws.append([_cell(v) for v in row])
    if total is not None:
        ws.append(total)
    for i in range(1, len(headers) + 1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = 14
    return ws


def _cell(value: Any) -> Any:
    """Amounts written as numbers, as a union's sheet holds them."""
    if isinstance(value, str) and value.replace(".", "", 1).isdigit():
        return float(value) if "." in value else int(value)
    return value


ACT_HEADERS = [
    "序号",
    "活动名称",
    "活动类别",
    "计划月份",
    "开展日期",
    "状态",
    "参与人数",
    "参与人次",
    "经费（元）",
    "备注",
]
ASSIST_HEADERS = [
    "序号",
    "发放日期",
    "姓名",
    "工号",
    "是否会员",
    "类别",
    "节日",
    "发放形式",
    "金额（元）",
    "审批单号",
    "凭证号",
    "备注",
]
LEDGER_HEADERS = ["日期", "凭证号", "收支", "科目", "明细科目", "摘要", "金额（元）", "经办人", "审批人"]
DEMOCRACY_HEADERS = ["会议类型", "日期", "应到人数", "实到人数", "提案数", "已办复数"]
CONTRACT_HEADERS = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "职工人数",
    "是否正常经营",
    "是否建会",
    "建会日期",
    "会员人数",
    "是否签订集体合同",
    "集体合同到期日",
    "是否签订工资专项集体合同",
    "工资专项到期日",
    "是否签订女职工专项集体合同",
    "覆盖职工人数",
]


def _activity_rows(items: list[tuple]) -> list[list[Any]]:
    return [[i, *item[:7], item[7], None] for i, item in enumerate(items, start=1)]


def _assistance_rows(items: list[tuple]) -> list[list[Any]]:
    return [[i, *item, None] for i, item in enumerate(items, start=1)]


def write_school(path: Path, year: int = 2024) -> None:
    """西湖区实验小学工会: every sheet, 年度目标, a wrong 合计 in 帮扶慰问."""
    current = year == 2024
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    profile = SCHOOL_PROFILE if current else SCHOOL_2023_PROFILE
    _write_profile(
        wb,
        "基本情况",
        _profile_rows(*SCHOOL, STREET[0], "学校", f"{year}年", profile, "王丽"),
        f"{SCHOOL[1]}{year}年基本情况",
    )
    activities = SCHOOL_ACTIVITIES if current else SCHOOL_2023_ACTIVITIES
    rows = _activity_rows(activities)
    total_people = sum(a[5] or 0 for a in activities)
    _write_table(
        wb,
        "活动台账",
        SCHOOL[1],
        f"{year}年活动台账",
        ACT_HEADERS,
        rows,
        ["合计", None, None, None, None, None, total_people, None, None, None],
    )
    assistance = SCHOOL_ASSISTANCE if current else SCHOOL_2023_ASSISTANCE
    stated = SCHOOL_ASSISTANCE_STATED_TOTAL if current else str(sum(float(a[7]) for a in assistance))
    _write_table(
        wb,
        "帮扶慰问",
        SCHOOL[1],
        f"{year}年帮扶慰问台账",
        ASSIST_HEADERS,
        _assistance_rows(assistance),
        ["合计", None, None, None, None, None, None, None, float(stated), None, None, None],
    )
    if current:
        ledger = [[*r, "王丽", "陈校长"] for r in SCHOOL_LEDGER]
        _write_table(wb, "经费收支", SCHOOL[1], f"{year}年经费收支明细", LEDGER_HEADERS, ledger)
        _write_table(
            wb,
            "民主管理",
            SCHOOL[1],
            f"{year}年教代会及校务公开",
            DEMOCRACY_HEADERS,
            [list(r) for r in SCHOOL_DEMOCRACY],
        )
        ws = wb.create_sheet("年度目标")
        ws.append(["指标", "目标值", "比较"])
        for row in SCHOOL_TARGETS:
            ws.append(list(row))
    else:
        _write_table(
            wb,
            "民主管理",
            SCHOOL[1],
            f"{year}年教代会",
            DEMOCRACY_HEADERS,
            [["教代会", date(2023, 3, 3), 98, 95, 10, 10]],
        )
    wb.save(path)


# --- 西湖区人民医院 2024: traditional characters, messy cells ------------------
HOSPITAL_PROFILE = [
    ("單位名稱", HOSPITAL[1].replace("区", "區").replace("医院", "醫院").replace("会", "會")),
    ("單位代碼", HOSPITAL[0]),
    ("上級單位代碼", STREET[0]),
    ("單位類型", "醫院"),
    ("報告期", "2024年度"),
    ("職工總數", "860人"),
    ("女職工數", 590),
    ("會員總數", 812),
    ("女會員數", 560),
    ("工資總額（萬元）", 9460),
    ("填報人", "林曉"),
    ("填報日期", "2025年1月8日"),
]
HOSPITAL_ACTIVITIES = [
    ("醫德醫風教育", "思想教育", "二月", "2024.2.27", "已完成", "１２０", "１２０", "¥1,500.00"),
    ("護理技能競賽", "勞動競賽", "5月", "2024/5/12", "已完成", 85, 85, "6000"),
    ("急救技能培訓", "技能培訓", "4月", "4月18日", "已完成", 150, 150, "3,200"),
    ("團建拓展", "團建活動", "6月", "2024-06-15", "已完成", 60, 60, "4500"),  # unknown category
    ("職工羽毛球賽", "文體活動", "9月", "2024-09-21", "已完成", "約80人", None, "2100"),  # unreadable count
    ("健康講座", "技能培訓", "10月", "2024年10月16日", "已完成", 200, 200, "800"),
    ("新年健步走", "文體活動", "12月", None, "進行中", None, None, None),
]
HOSPITAL_HIDDEN_ROW = 8  # the 羽毛球 row is hidden in the sheet but still counted
HOSPITAL_ASSISTANCE = [
    ("2024-02-02", "陳 明", "H0101", "√", "節日慰問", "春節", "實物", "¥400.00", "YS-01", "記-003"),
    ("2024-02-02", "黃　麗", "H0102", "√", "節日慰問", "春節", "實物", "400", "YS-01", "記-003"),
    ("2024-03-18", "劉強", "H0230", "√", "大病救助", None, "轉賬", "0.5萬", "YS-07", "記-019"),
    ("2024-09-15", "陳 明", "H0101", "√", "節日慰問", "中秋節", "實物", "300", "YS-22", "記-061"),
    ("2024-11-20", "吳芳", "H0301", "√", "困難幫扶", None, "轉賬", "3,000.00", "YS-30", "記-082"),
]
HOSPITAL_LEDGER = [
    ("2024-12-31", "記-100", "收", "拨繳經費收入", "", "2024年全年撥繳經費", "1135200"),
    ("2024-02-02", "記-003", "支", "職工活動支出", "職工集體福利", "春節慰問品", "800"),
    ("2024-03-18", "記-019", "支", "維權支出", "困難職工幫扶", "劉強大病救助", "5000"),
    ("2024-05-12", "記-031", "支", "職工活動支出", "其他活動", "護理技能競賽獎品", "6000"),
    ("2024-09-15", "記-061", "支", "職工活動支出", "職工集體福利", "中秋慰問品", "300"),
    ("2024-11-20", "記-082", "支", "維權支出", "困難職工幫扶", "吳芳困難幫扶", "3000"),
]
HOSPITAL_DEMOCRACY = [
    ("職代會", "2024-04-10", 120, 116, 15, 15),
    ("院務公開", "2024-06-30", None, None, None, None),
    ("院務公開", "2024-12-30", None, None, None, None),
]


def write_hospital(path: Path) -> None:
    """西湖区人民医院工会 in traditional characters: 萬元 header, text dates, √ marks."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _write_profile(wb, "基本情況", HOSPITAL_PROFILE, "醫院工會基本情況")
    headers = [
        "序號",
        "活動名稱",
        "活動類別",
        "計劃月份",
        "開展日期",
        "狀態",
        "參與人數",
        "參與人次",
        "經費（元）",
        "備註",
    ]
    ws = _write_table(wb, "活動臺賬", "區人民醫院工會", "2024年活動臺賬", headers, _activity_rows(HOSPITAL_ACTIVITIES))
    ws.row_dimensions[HOSPITAL_HIDDEN_ROW].hidden = True
    headers = [
        "序號",
        "發放日期",
        "姓名",
        "工號",
        "是否會員",
        "類別",
        "節日",
        "發放形式",
        "金額（元）",
        "審批單號",
        "憑證號",
        "備註",
    ]
    _write_table(wb, "幫扶慰問", "區人民醫院工會", "2024年幫扶慰問", headers, _assistance_rows(HOSPITAL_ASSISTANCE))
    headers = ["日期", "憑證號", "收支", "科目", "明細科目", "摘要", "金額（元）", "經辦人", "審批人"]
    _write_table(
        wb,
        "經費收支",
        "區人民醫院工會",
        "2024年經費收支",
        headers,
        [[*r, "林曉", "院工會主席"] for r in HOSPITAL_LEDGER],
    )
    ws = _write_table(
        wb,
        "民主管理",
        "區人民醫院工會",
        "2024年職代會及院務公開",
        ["會議類型", "日期", "應到人數", "實到人數", "提案數", "已辦復數"],
        [list(r) for r in HOSPITAL_DEMOCRACY],
    )
    ws.sheet_state = "hidden"
    wb.save(path)


# --- 红星机械厂 2024: xlsxwriter, one-row profile table, two-row ledger header ---
FACTORY_PROFILE = {
    "employees": 320,
    "female_employees": 64,
    "members": 305,
    "female_members": 60,
    "payroll": "25600000.00",
}
FACTORY_ACTIVITIES = [  # category merged down over consecutive rows, as people lay it out
    ("安全生产月知识竞赛", "安全生产", 6, date(2024, 6, 18), "已完成", 150, 150, "2800"),
    ("车间安全操作培训", "技能培训", 3, date(2024, 3, 22), "已完成", 120, 240, "1500"),
    ("数控技能比武", "技能培训", 9, date(2024, 9, 26), "已完成", 45, 45, "5000"),
    ("焊工技能提升班", "技能培训", 11, date(2024, 11, 15), "已完成", 30, 90, "3600"),
    ("职工篮球赛", "文体活动", 5, date(2024, 5, 30), "已完成", 80, 80, "2400"),
    ("中秋游园会", "文体活动", 9, date(2024, 9, 14), "已完成", 260, 260, "6200"),
    ("劳模事迹宣讲", "思想教育", 4, date(2024, 4, 28), "已完成", 200, 200, "600"),
]
FACTORY_ASSISTANCE = [
    (date(2024, 2, 6), "刘建国", "F1001", "是", "节日慰问", "春节", "实物", "400.00", "HX-SP-01", "HX-002"),
    (date(2024, 2, 6), "马晓燕", "F1002", "是", "节日慰问", "春节", "实物", "400.00", "HX-SP-01", "HX-002"),
    (date(2024, 4, 12), "何志强", "F1107", "是", "困难帮扶", None, "转账", "3000.00", "HX-SP-09", "HX-004"),
    (date(2024, 9, 12), "刘建国", "F1001", "是", "节日慰问", "中秋", "购物卡", "500.00", "HX-SP-30", "HX-007"),
    (date(2024, 12, 20), "何志强", "F1107", "是", "送温暖", None, "转账", "2000.00", "HX-SP-41", "HX-010"),
]
FACTORY_SHOPPING_CARD_ROW = 7  # Excel row of the 购物卡 payout (title, note, header, 3 payouts above it)
# (date, voucher, account, sub-account, summary, income, expense)
FACTORY_LEDGER = [
    (date(2024, 1, 31), "HX-001", "拨缴经费收入", "", "一季度拨缴经费", "76800.00", None),
    (date(2024, 2, 6), "HX-002", "职工活动支出", "职工集体福利", "春节慰问品", None, "800.00"),
    (date(2024, 3, 22), "HX-003", "业务支出", "培训", "安全操作培训", None, "1500.00"),
    (date(2024, 4, 12), "HX-004", "维权支出", "困难职工帮扶", "何志强困难帮扶", None, "3000.00"),
    (date(2024, 4, 30), "HX-005", "拨缴经费收入", "", "二季度拨缴经费", "76800.00", None),
    (date(2024, 7, 31), "HX-006", "拨缴经费收入", "", "三季度拨缴经费", "76800.00", None),
    (date(2024, 9, 12), "HX-007", "职工活动支出", "职工集体福利", "中秋慰问购物卡", None, "500.00"),
    (date(2024, 9, 14), "HX-008", "职工活动支出", "文体活动", "中秋游园会", None, "6200.00"),
    (date(2024, 10, 31), "HX-009", "拨缴经费收入", "", "四季度拨缴经费", "76800.00", None),
    (date(2024, 12, 20), "HX-010", "维权支出", "送温暖", "何志强送温暖", None, "2000.00"),
]
FACTORY_DEMOCRACY = [
    ("职代会", date(2024, 3, 28), 60, 58, 9, 8),
    ("厂务公开", date(2024, 6, 28), None, None, None, None),
    ("厂务公开", date(2024, 12, 27), None, None, None, None),
]
FACTORY_CONTRACT = (
    "红星机械厂",
    FACTORY[0],
    320,
    "是",
    "是",
    date(2008, 5, 1),
    305,
    "是",
    date(2025, 12, 31),
    "是",
    date(2024, 12, 31),
    "是",
    320,
)


def write_factory(path: Path) -> None:
    """红星机械厂工会 written by xlsxwriter: formulas with cached values, merged cells."""
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00"})
    _factory_profile(wb, bold, day)
    _factory_activities(wb, bold, day, money)
    _factory_assistance(wb, bold, day, money)
    _factory_ledger(wb, bold, day, money)
    ws = wb.add_worksheet("民主管理")
    ws.write_row(0, 0, DEMOCRACY_HEADERS, bold)
    for r, row in enumerate(FACTORY_DEMOCRACY, start=1):
        ws.write(r, 0, row[0])
        ws.write_datetime(r, 1, _dt(row[1]), day)
        for c, value in enumerate(row[2:], start=2):
            if value is not None:
                ws.write_number(r, c, value)
    ws = wb.add_worksheet("集体合同")
    ws.write_row(0, 0, CONTRACT_HEADERS, bold)
    ws.write_number(1, 0, 1)
    for c, value in enumerate(FACTORY_CONTRACT, start=1):
        _write_any(ws, 1, c, value, day)
    wb.close()


def _dt(day: date) -> Any:
    from datetime import datetime

    return datetime(day.year, day.month, day.day)


def _write_any(ws: Any, row: int, col: int, value: Any, day: Any, money: Any = None) -> None:
    if value is None:
        return
    if isinstance(value, date):
        ws.write_datetime(row, col, _dt(value), day)
    elif isinstance(value, str) and value.replace(".", "", 1).isdigit() and money is not None:
        ws.write_number(row, col, float(value), money)
    elif isinstance(value, int):
        ws.write_number(row, col, value)
    else:
        ws.write_string(row, col, str(value))


def _factory_profile(wb: Any, bold: Any, day: Any) -> None:
    ws = wb.add_worksheet("基本情况")
    ws.merge_range(0, 0, 0, 10, f"{FACTORY[1]}2024年基本情况", bold)
    headers = [
        "单位名称",
        "单位代码",
        "上级单位代码",
        "单位类型",
        "报告期",
        "职工总数",
        "女职工数",
        "会员总数",
        "女会员数",
        "工资总额（元）",
        "填报人",
    ]
    ws.write_row(1, 0, headers, bold)
    values = [
        FACTORY[1],
        FACTORY[0],
        STREET[0],
        "企业",
        "2024",
        FACTORY_PROFILE["employees"],
        FACTORY_PROFILE["female_employees"],
        FACTORY_PROFILE["members"],
        FACTORY_PROFILE["female_members"],
        float(FACTORY_PROFILE["payroll"]),
        "周红",
    ]
    for c, value in enumerate(values):
        ws.write(2, c, value)
    ws.write_string(2, 1, FACTORY[0])
    ws.write_string(2, 2, STREET[0])


def _factory_activities(wb: Any, bold: Any, day: Any, money: Any) -> None:
    ws = wb.add_worksheet("活动台账")
    ws.merge_range(0, 0, 0, 8, f"{FACTORY[1]}2024年活动台账", bold)
    ws.write_row(
        1,
        0,
        ["活动类别", "活动名称", "计划月份", "开展日期", "状态", "参与人数", "参与人次", "经费（元）", "备注"],
        bold,
    )
    start = 2
    for r, row in enumerate(FACTORY_ACTIVITIES, start=start):
        for c, value in enumerate((row[0], *row[2:]), start=1):
            _write_any(ws, r, c, value, day, money)
    # 活动类别 merged down over each run of the same category.
    r = 0
    while r < len(FACTORY_ACTIVITIES):
        end = r
        while end + 1 < len(FACTORY_ACTIVITIES) and FACTORY_ACTIVITIES[end + 1][1] == FACTORY_ACTIVITIES[r][1]:
            end += 1
        if end > r:
            ws.merge_range(start + r, 0, start + end, 0, FACTORY_ACTIVITIES[r][1])
        else:
            ws.write_string(start + r, 0, FACTORY_ACTIVITIES[r][1])
        r = end + 1
    last = start + len(FACTORY_ACTIVITIES)
    ws.write_string(last, 0, "合计")
    total = sum(a[5] for a in FACTORY_ACTIVITIES)
    ws.write_formula(last, 5, f"=SUM(F{start + 1}:F{last})", None, total)
    cost = sum(float(a[7]) for a in FACTORY_ACTIVITIES)
    ws.write_formula(last, 7, f"=SUM(H{start + 1}:H{last})", money, cost)


def _factory_assistance(wb: Any, bold: Any, day: Any, money: Any) -> None:
    ws = wb.add_worksheet("帮扶慰问")
    ws.merge_range(0, 0, 0, 11, f"{FACTORY[1]}2024年帮扶慰问发放台账", bold)
    ws.write_row(2, 0, ASSIST_HEADERS, bold)
    ws.write_string(1, 0, "填表说明：金额单位为元")
    for r, row in enumerate(_assistance_rows(FACTORY_ASSISTANCE), start=3):
        for c, value in enumerate(row):
            _write_any(ws, r, c, value, day, money)
    last = 3 + len(FACTORY_ASSISTANCE)
    ws.write_string(last, 0, "合 计")
    total = sum(float(a[7]) for a in FACTORY_ASSISTANCE)
    ws.write_formula(last, 8, f"=SUM(I4:I{last})", money, total)


def _factory_ledger(wb: Any, bold: Any, day: Any, money: Any) -> None:
    ws = wb.add_worksheet("经费收支")
    ws.merge_range(0, 0, 0, 8, f"{FACTORY[1]}2024年工会经费收支明细账", bold)
    for c, title in enumerate(["日期", "凭证号", "科目", "明细科目", "摘要"]):
        ws.merge_range(1, c, 2, c, title, bold)
    ws.merge_range(1, 5, 1, 6, "金额（元）", bold)
    ws.write_row(2, 5, ["收入", "支出"], bold)
    ws.merge_range(1, 7, 2, 7, "经办人", bold)
    ws.merge_range(1, 8, 2, 8, "审批人", bold)
    for r, row in enumerate(FACTORY_LEDGER, start=3):
        for c, value in enumerate(row):
            _write_any(ws, r, c, value, day, money)
        ws.write_string(r, 7, "周红")
        ws.write_string(r, 8, "厂工会主席")


# --- 社区 unions and the street union ------------------------------------------
COMMUNITY_ACTIVITIES = [
    ("职工法律知识讲座", "思想教育", "4月", date(2024, 4, 20), "已完成", 45, 45, "600"),
    ("新就业形态劳动者技能培训", "技能培训", "6月", date(2024, 6, 22), "已完成", 38, 38, "1200"),
    ("社区职工趣味运动会", "文体活动", "10月", date(2024, 10, 19), "已完成", 72, 72, "1800"),
]
COMMUNITY_ASSISTANCE = [
    (date(2024, 1, 25), "困难职工甲", "C01", "是", "送温暖", None, "转账", "1000.00", "SQ-01", "SQ-PZ-01"),
    (date(2024, 7, 15), "困难职工乙", "C02", "是", "送清凉", None, "实物", "200.00", "SQ-05", "SQ-PZ-07"),
]
STREET_ACTIVITIES = [
    ("街道工会干部业务培训", "技能培训", "3月", date(2024, 3, 26), "已完成", 40, 40, "3000"),
    ("职工思想政治教育报告会", "思想教育", "7月", date(2024, 7, 3), "已完成", 150, 150, "1500"),
    ("五一劳动奖评选表彰", "劳动竞赛", "4月", date(2024, 4, 29), "已完成", 120, 120, "5000"),
]
STREET_LEDGER = [
    (date(2024, 2, 20), "JD-001", "收入", "上级补助收入", "", "区总工会补助", "50000.00"),
    (date(2024, 3, 26), "JD-002", "支出", "业务支出", "培训", "工会干部业务培训", "3000.00"),
    (date(2024, 4, 29), "JD-003", "支出", "职工活动支出", "其他活动", "五一表彰奖品", "5000.00"),
    (date(2024, 7, 3), "JD-004", "支出", "职工活动支出", "职工教育", "思想政治教育报告会", "1500.00"),
]


def community_profile(index: int) -> dict[str, Any]:
    """A 社区 union's head counts: the workers of the operating enterprises it looks after."""
    enterprises = community_enterprises(index)
    return {
        "employees": sum(e.employees for e in enterprises if e.operating),
        "members": sum(e.members or 0 for e in enterprises if e.operating),
    }


def _contract_row(i: int, e: Enterprise, style: int) -> list[Any]:
    as_text = style == 1  # 文新 writes dates as Chinese text

    def when(d: date | None) -> Any:
        return f"{d.year}年{d.month}月{d.day}日" if as_text and d else d

    return [
        i,
        e.name,
        e.credit_code,
        e.employees,
        _yes(e.operating, style),
        _yes(e.unionised, style),
        when(e.unionised_on),
        e.members,
        _yes(e.collective, style),
        when(e.collective_expires),
        _yes(e.wage, style),
        when(e.wage_expires),
        _yes(e.female, style),
        e.covered,
    ]


def write_community(path: Path, index: int) -> None:
    """One 社区 union: its roster of enterprises, activities, payouts and 经费公开."""
    code, name = COMMUNITIES[index]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _write_profile(
        wb,
        "基本情况",
        _profile_rows(
            code, name, STREET[0], "社区", "2024年", community_profile(index), ["李娜", "张伟", "王芳"][index]
        ),
        f"{name}基本情况",
    )
    rows = [_contract_row(i, e, index) for i, e in enumerate(community_enterprises(index), start=1)]
    _write_table(wb, "集体合同", name, "2024年辖区企业建会及集体合同情况", CONTRACT_HEADERS, rows)
    _write_table(wb, "活动台账", name, "2024年活动台账", ACT_HEADERS, _activity_rows(COMMUNITY_ACTIVITIES))
    assistance = [
        (*a[:2], f"{a[2]}-{index}", *a[3:8], f"{a[8]}-{index}", f"{a[9]}-{index}") for a in COMMUNITY_ASSISTANCE
    ]
    _write_table(wb, "帮扶慰问", name, "2024年帮扶慰问", ASSIST_HEADERS, _assistance_rows(assistance))
    _write_table(
        wb,
        "民主管理",
        name,
        "2024年经费公开",
        DEMOCRACY_HEADERS,
        [["经费公开", date(2024, 6, 28)], ["经费公开", date(2024, 12, 26)]],
    )
    wb.save(path)


def write_street(path: Path) -> None:
    """西湖街道总工会's own workbook: its profile, trainings and ledger."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _write_profile(
        wb,
        "基本情况",
        _profile_rows(*STREET, "", "街道", "2024年", {"employees": 15, "members": 15}, "陈静"),
        f"{STREET[1]}基本情况",
    )
    _write_table(wb, "活动台账", STREET[1], "2024年活动台账", ACT_HEADERS, _activity_rows(STREET_ACTIVITIES))
    _write_table(
        wb,
        "经费收支",
        STREET[1],
        "2024年经费收支",
        LEDGER_HEADERS,
        [[*r, "陈静", "街道工会主席"] for r in STREET_LEDGER],
    )
    wb.save(path)


ROSTER = [
    (*STREET, "", "街道"),
    *[(c, n, STREET[0], "社区") for c, n in [*COMMUNITIES, MISSING_COMMUNITY]],
    (*SCHOOL, STREET[0], "学校"),
    (*HOSPITAL, STREET[0], "医院"),
    (*FACTORY, STREET[0], "企业"),
]


def write_roster(path: Path) -> None:
    """组织架构: every unit expected to report (西溪社区 sends nothing)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "组织架构"
    ws.append(["单位代码", "单位名称", "上级单位代码", "单位类型"])
    for row in ROSTER:
        ws.append(list(row))
    wb.save(path)


def generate(dest: Path) -> list[Path]:
    """Write every demo workbook into `dest` (created) and return their paths."""
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, writer in _WRITERS.items():
        path = dest / name
        writer(path)
        paths.append(path)
    return paths


def ensure(dest: Path, marks: Path) -> None:
    """The demo workbooks in `dest`, written again only when this version of the code has not written them all there.

    Written anew, their bytes change (the writers stamp the time), and a second `make report` would
    read every one again instead of taking it from the cache. `marks` (a folder outside `dest`, which
    is read as inputs) holds the mark of the version that wrote them.
    """
    from pipeline.cache import fingerprint

    marker = marks / f"demo-{fingerprint()}"
    if marker.is_file() and all((dest / name).is_file() for name in _WRITERS):
        return
    marks.mkdir(parents=True, exist_ok=True)
    for stale in marks.glob("demo-*"):
        stale.unlink()
    generate(dest)
    marker.touch()


_WRITERS: dict[str, Callable[[Path], Any]] = {
    "00_西湖街道总工会_2024.xlsx": write_street,
    "10_翠苑社区工会_2024.xlsx": lambda p: write_community(p, 0),
    "11_文新社区工会_2024.xlsx": lambda p: write_community(p, 1),
    "12_古荡社区工会_2024.xlsx": lambda p: write_community(p, 2),
    "20_西湖区实验小学工会_2024.xlsx": write_school,
    "20_西湖区实验小学工会_2023.xlsx": lambda p: write_school(p, 2023),
    "21_西湖区人民医院工会_2024.xlsx": write_hospital,
    "22_红星机械厂工会_2024.xlsx": write_factory,
    "组织架构.xlsx": write_roster,
}
