"""The same year of three unions, written twice: as the contract's workbooks, and as the files unions really keep.

`FACTS` is one truth. `write_contract` puts it into our own template (one
workbook per unit with 基本情况, plus a 组织架构 roster); `write_real` puts it
into what union offices and union IT systems export: single-sheet files named
Sheet1 / Worksheet / 中央资金, title blocks and notices, approval footers,
`*` required marks, an HTML table saved as .xls, an .xlsx saved as .xls, a
GB18030 CSV saved as .xls, per-event 慰问 records, a problem list, a
statistics-table 基本情况, a ledger with 收入 | 支出 side by side, and an
organisation import with parent paths. Both must give the same unit figures.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter

TOP, A, B, C = "330106001", "91330106MA27XK001A", "330106002", "330106003"
NAMES = {TOP: "西湖街道总工会", A: "红星机械厂工会", B: "第二小学工会", C: "翠苑社区工会"}
TYPES = {TOP: "街道", A: "企业", B: "学校", C: "社区"}

# 红星机械厂: a member roster (it has no 基本情况), a 签领表 and a 春节 慰问 export.
MEMBERS = [  # 姓名, 性别, 手机号码, 用工形式, 是否会员, 所属机构, 入会时间
    ("张伟", "男", "13800000001", "劳动合同", "是", "一车间", date(2019, 3, 1)),
    ("李娜", "女", "13800000002", "劳务派遣", "是", "一车间", date(2024, 3, 15)),
    ("王芳", "女", "13800000003", "劳动合同", "是", "二车间", date(2024, 7, 1)),
    ("刘洋", "男", "13800000004", "劳务派遣", "否", "二车间", None),
    ("陈静", "女", "13800000005", "劳动合同", "是", "办公室", date(2015, 5, 1)),
    ("杨帆", "男", "13800000006", "劳动合同", "是", "一车间", date(2024, 11, 20)),
    ("赵敏", "女", "13800000007", "劳务派遣", "否", "办公室", None),
    ("黄磊", "男", "13800000008", "劳动合同", "是", "二车间", date(2020, 1, 1)),
]
SIGNED = [
    ("张伟", "330106198001011234", 3000),
    ("刘洋", "330106198505052345", 2500),
    ("陈静", "330106197012123456", 1500),
]
SIGNED_ON = date(2024, 6, 18)
EVENTS = [  # 慰问单位, 慰问形式, 慰问费用, 资金来源, 慰问人数, 覆盖人群, 慰问时间
    ("厂工会", "实物", 4000, "工会经费", 20, "一线职工", date(2024, 2, 5)),
    ("厂工会", "购物卡", 1200, "工会经费", 6, "退休职工", date(2024, 2, 6)),
]

# 第二小学: a statistics-table 基本情况, congresses, a problem list and a CSV activity ledger.
SCHOOL = {"employees": 85, "female_employees": 60, "members": 85, "payroll_wan": "1020.5"}
MEETINGS = [  # 会议类型, 日期, 应到人数, 实到人数
    ("教代会", date(2024, 3, 20), 80, 76),
    ("校务公开", date(2024, 6, 30), None, None),
    ("教代会", date(2024, 9, 15), 80, 78),
    ("校务公开", date(2024, 12, 20), None, None),
]
PROBLEMS = [  # 问题和建议的内容, 提出人, 责任部门, 答复、解决或改进举措内容, 解决类别
    ("教师食堂午餐品种少", "三年级组", "后勤处", "已增加两种套餐，每周调整菜单", "已解决"),
    ("办公室空调老化", "五年级组", "总务处", "暑期已更换6台", "已解决"),
    ("希望增加心理健康培训", "工会小组", "工会", "下学期安排2场讲座", "纳入计划"),
    ("停车位不足", "一年级组", "总务处", "与街道协调错时停车", "已解决"),
    ("职称评审材料繁琐", "六年级组", "人事处", None, "待解决"),
]
ACTIVITIES = [  # 活动名称, 活动类别, 计划月份, 开展日期, 参与人数
    ("新学期教师培训", "技能培训", 2, date(2024, 2, 26), 80),
    ("三八节女教工趣味运动会", "文体活动", 3, date(2024, 3, 8), 58),
    ("师德师风专题学习", "思想教育", 5, date(2024, 5, 16), 82),
    ("教师节座谈会", "其他", 9, date(2024, 9, 10), 75),
    ("冬季长跑", "文体活动", 12, None, None),
]

# 翠苑社区: its enterprises, a fund ledger (收入 | 支出 side by side) and a payout list in a sheet named 中央资金.
ENTERPRISES = [  # 企业名称, 统一社会信用代码, 职工人数, 是否建会, 建会日期, 集体合同, 到期日, 工资专项
    ("杭州翠苑食品有限公司", "91330106MA2AAAAA1X", 86, "是", date(2018, 5, 1), "是", date(2026, 12, 31), "是"),
    ("杭州新远物流有限公司", "91330106MA2BBBBB2Y", 45, "是", date(2024, 4, 10), "是", date(2025, 6, 30), "否"),
    ("翠苑商贸有限公司", "91330106MA2CCCCC3Z", 32, "否", None, "否", None, "否"),
    ("杭州明辉科技有限公司", "91330106MA2DDDDD4W", 120, "是", date(2024, 9, 1), "是", date(2024, 6, 30), "是"),
    ("翠苑便利店", "92330106MA2EEEEE5V", 8, "否", None, "否", None, "否"),
    ("杭州优品服饰有限公司", "91330106MA2FFFFF6U", 27, "是", date(2016, 3, 1), "是", date(2025, 12, 31), "是"),
]
INCOME = [  # 日期, 凭证号, 科目, 摘要, 金额
    (date(2024, 1, 15), "记-001", "上级补助收入", "街道总工会补助", 20000),
    (date(2024, 7, 10), "记-015", "会费收入", "上半年会费", 3600),
]
EXPENSE = [
    (date(2024, 2, 5), "记-003", "职工活动支出", "春节慰问困难职工", 3000),
    (date(2024, 5, 20), "记-009", "职工活动支出", "社区职工趣味运动会", 4500),
    (date(2024, 10, 8), "记-021", "业务支出", "工会干部培训", 1800),
]
PAYOUTS = [  # 姓名, 慰问类别, 发放形式, 金额, 发放日期
    ("孙丽", "困难职工帮扶", "转账", 1000, date(2024, 2, 5)),
    ("周强", "困难职工帮扶", "转账", 1000, date(2024, 2, 5)),
    ("吴霞", "生病住院慰问", "现金", 500, date(2024, 4, 12)),
    ("郑军", "金秋助学", "转账", 1000, date(2024, 8, 28)),
]


def _save(path: Path, rows: list[list[Any]], sheet: str = "Sheet1", merges: tuple[str, ...] = ()) -> None:
    """One sheet as openpyxl writes it: the rows, then the merged ranges."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    book.save(path)


def _day(value: date | None) -> str:
    return "" if value is None else f"{value.year}年{value.month}月{value.day}日"


# --- our own template -----------------------------------------------------------------------------------


def write_contract(folder: Path) -> Path:
    """The facts in the contract's own workbooks (what `make templates` hands out)."""
    folder.mkdir(parents=True, exist_ok=True)
    _roster(folder / "组织架构.xlsx")
    _book(
        folder / f"{A}.xlsx",
        A,
        [("职工总数", 8), ("会员总数", 6), ("女职工数", 4)],
        {
            "帮扶慰问": [
                [
                    "发放日期",
                    "姓名",
                    "身份证号",
                    "类别",
                    "节日",
                    "发放形式",
                    "金额",
                    "慰问人数",
                    "覆盖人群",
                    "资金来源",
                ],
                *[[SIGNED_ON, n, i, "大病救助", None, None, a, None, None, None] for n, i, a in SIGNED],
                *[[d, None, None, "节日慰问", "春节", f, a, h, g, s] for _, f, a, s, h, g, d in EVENTS],
            ],
            "会员花名册": [["姓名", "性别", "是否会员", "入会时间"], *[[m[0], m[1], m[4], m[6]] for m in MEMBERS]],
        },
    )
    wan = SCHOOL["payroll_wan"]
    _book(
        folder / f"{B}.xlsx",
        B,
        [
            ("职工总数", SCHOOL["employees"]),
            ("女职工数", SCHOOL["female_employees"]),
            ("会员总数", SCHOOL["members"]),
            ("工资总额（万元）", wan),
        ],
        {
            "民主管理": [
                ["会议类型", "日期", "应到人数", "实到人数", "提案数", "已办复数"],
                *[
                    [k, d, e, a, 5 if i == 0 else None, 4 if i == 0 else None]
                    for i, (k, d, e, a) in enumerate(MEETINGS)
                ],
            ],
            "活动台账": [["活动名称", "活动类别", "计划月份", "开展日期", "参与人数"], *[list(a) for a in ACTIVITIES]],
        },
    )
    _book(
        folder / f"{C}.xlsx",
        C,
        [],
        {
            "集体合同": [
                [
                    "企业名称",
                    "统一社会信用代码",
                    "职工人数",
                    "是否建会",
                    "建会日期",
                    "是否签订集体合同",
                    "集体合同到期日",
                    "是否签订工资专项集体合同",
                ],
                *[list(e) for e in ENTERPRISES],
            ],
            "经费收支": [
                ["日期", "凭证号", "收支", "科目", "摘要", "金额"],
                *[[d, v, "收入", k, s, a] for d, v, k, s, a in INCOME],
                *[[d, v, "支出", k, s, a] for d, v, k, s, a in EXPENSE],
            ],
            "帮扶慰问": [
                ["发放日期", "姓名", "类别", "发放形式", "金额"],
                *[[d, n, c, f, a] for n, c, f, a, d in PAYOUTS],
            ],
        },
    )
    return folder


def _roster(path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "组织架构"
    ws.append(["单位代码", "单位名称", "上级单位代码", "单位类型"])
    for code in (TOP, A, B, C):
        ws.append([code, NAMES[code], "" if code == TOP else TOP, TYPES[code]])
    book.save(path)


def _book(path: Path, code: str, counts: list[tuple[str, Any]], sheets: dict[str, list[list[Any]]]) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "基本情况"
    for row in [("单位名称", NAMES[code]), ("单位代码", code), ("上级单位代码", TOP), ("报告期", "2024年"), *counts]:
        ws.append(list(row))
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


# --- what unions really send ----------------------------------------------------------------------------


def write_real(folder: Path) -> Path:
    """The facts as real exports: see the module docstring."""
    folder.mkdir(parents=True, exist_ok=True)
    _org_import(folder / "工会组织导入.xlsx")
    factory = folder / "红星机械厂工会"
    factory.mkdir(exist_ok=True)
    _member_export(factory / "2024年会员花名册.xls")  # an .xlsx saved with a .xls name
    (folder / "专项资金帮扶情况实名制签领表.xls").write_text(_signed_list_html(), encoding="utf-8")
    _condolence_export(factory / "慰问记录导出.xlsx")
    _school_statistics(folder / "第二小学工会_基本情况.xlsx")
    _school_congresses(folder / "第二小学工会2024年教代会及校务公开登记表.xlsx")
    _problem_list(folder / "第二小学工会_急难愁盼问题清单.xlsx")
    (folder / "第二小学工会2024年活动台账.xls").write_bytes(_activities_csv().encode("gb18030"))
    community = folder / "翠苑社区工会"
    community.mkdir(exist_ok=True)
    _enterprises(community / "企业建会情况.xlsx")
    _side_by_side_ledger(community / "经费收支明细.xlsx")
    _payouts(folder / "翠苑社区工会2024年慰问发放表.xlsx")
    return folder


def _org_import(path: Path) -> None:
    """A 工会组织 import: a notice merged over the header, `*` marks, parents as paths, names only for links."""
    district = "杭州市西湖区总工会"
    rows = [
        ["导入说明（必读）：1.带*号的为必填项；2.上级工会组织名称请填写完整路径，用“/”分隔；3.请勿修改表头。"],
        ["*工会组织名称", "上级工会组织名称", "*组织类别", "统一社会信用代码"],
        [NAMES[TOP], district, "街道总工会", TOP],
        [NAMES[A], f"{district}/{NAMES[TOP]}", "企业工会", A],
        [NAMES[B], f"{district}/{NAMES[TOP]}", "学校工会", B],
        [NAMES[C], NAMES[TOP], "社区工会", C],
    ]
    _save(path, rows, merges=("A1:D1",))


def _member_export(path: Path) -> None:
    rows = [
        ["导入说明：带*为必填；手机号码为11位；是否会员填“是”或“否”；入会时间格式为2024-01-01。"],
        ["*姓名", "*性别", "*手机号码", "用工形式", "是否会员", "所属机构", "入会时间"],
        *[[*m[:6], m[6].isoformat() if m[6] else None] for m in MEMBERS],
    ]
    _save(path, rows, merges=("A1:G1",))


def _signed_list_html() -> str:
    """A 签领表 as a union system exports it: an HTML table saved as .xls (what Excel opens)."""
    text = "style=\"mso-number-format:'@'\""  # Excel's mark for a text cell (an ID number, not 3.3E+17)
    rows = "".join(
        f"<tr><td>{i}</td><td>{name}</td><td {text}>{card}</td><td>{amount:.2f}</td><td></td></tr>"
        for i, (name, card, amount) in enumerate(SIGNED, start=1)
    )
    total = sum(a for *_, a in SIGNED)
    return f"""<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head><body>
<table border="1">
<tr><td colspan="5">红星机械厂工会2024年专项资金帮扶情况实名制签领表</td></tr>
<tr><td colspan="3">帮扶项目：大病救助</td><td colspan="2">发放日期：{_day(SIGNED_ON)}</td></tr>
<tr><td rowspan="2">序号</td><td colspan="2">帮扶对象</td><td rowspan="2">帮扶金额（元）</td>
<td rowspan="2">领取人签字</td></tr>
<tr><td>姓名</td><td>身份证号</td></tr>
{rows}
<tr><td colspan="3">合计金额</td><td>{total:.2f}</td><td></td></tr>
<tr><td>经办：</td><td>经办部门审批：</td><td>财务部门审批：</td><td colspan="2">分管领导审批：</td></tr>
</table></body></html>"""


def _condolence_export(path: Path) -> None:
    """A 慰问记录 export (one row per event), written by xlsxwriter as systems do; no unit in it but its folder."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Worksheet")
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, 6, "2024年春节慰问记录", bold)
    ws.write_row(1, 0, ["慰问单位", "慰问形式", "慰问费用", "资金来源", "慰问人数", "覆盖人群", "慰问时间"], bold)
    for r, (giver, form, cost, source, count, group, when) in enumerate(EVENTS, start=2):
        ws.write_row(r, 0, [giver, form, cost, source, count, group])
        ws.write_datetime(r, 6, when, day)
    book.close()


def _school_statistics(path: Path) -> None:
    """基本情况 as a statistics table: 指标 | 计量单位 | 数值, 其中： rows, payroll in 万元."""
    rows = [
        ["第二小学工会2024年基本情况统计表"],
        ["填报单位：第二小学工会", None, "统计期间：2024年"],
        ["指标名称", "计量单位", "数值"],
        ["职工总数", "人", SCHOOL["employees"]],
        ["其中：女职工数", "人", SCHOOL["female_employees"]],
        ["会员总数", "人", SCHOOL["members"]],
        ["工资总额", "万元", float(SCHOOL["payroll_wan"])],
        ["填表人：李老师", None, "联系电话：0571-88886666"],
    ]
    _save(path, rows, merges=("A1:C1",))


def _school_congresses(path: Path) -> None:
    rows = [
        ["第二小学工会2024年教代会及校务公开登记表"],
        ["序号", "会议类型", "召开日期", "应到人数", "实到人数"],
        *[[i, kind, _day(day), expected, attended] for i, (kind, day, expected, attended) in enumerate(MEETINGS, 1)],
        ["填表人：李老师", None, "审核：王校长"],
    ]
    _save(path, rows)


def _problem_list(path: Path) -> None:
    """A 急难愁盼 list: a notice merged over the header, one problem per row, answered or not."""
    rows = [
        ["说明：请各工会小组如实填写职工反映的急难愁盼问题，答复、解决或改进举措由责任部门填写，每季度末报校工会。"],
        ["序号", "问题和建议的内容", "提出人", "责任部门", "答复、解决或改进举措内容", "解决类别"],
        *[[i, *problem] for i, problem in enumerate(PROBLEMS, start=1)],
    ]
    _save(path, rows, merges=("A1:F1",))


def _activities_csv() -> str:
    """An activity ledger saved as CSV by a Chinese Windows (GB18030), then named .xls."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["活动名称", "活动类别", "计划月份", "开展日期", "参与人数"])
    for name, category, month, held, people in ACTIVITIES:
        writer.writerow([name, category, f"{month}月", held.isoformat() if held else "", people or ""])
    return buffer.getvalue()


def _enterprises(path: Path) -> None:
    header = ["企业名称", "统一社会信用代码", "职工人数", "是否建会", "建会时间", "是否签订集体合同", "集体合同期限"]
    rows: list[list[Any]] = [
        ["翠苑社区2024年辖区企业建会及集体合同签订情况"],
        ["填报单位：翠苑社区工会"],
        [*header, "是否签订工资专项集体合同"],
    ]
    for name, credit, employees, unionised, since, contract, until, wage in ENTERPRISES:
        term = f"{since.year}.1.1-{until.year}.{until.month}.{until.day}" if until and since else None
        rows.append([name, credit, employees, unionised, since, contract, term, wage])
    rows.append(["制表人：陈主席", None, "联系电话：13900001111"])
    _save(path, rows)


def _side_by_side_ledger(path: Path) -> None:
    """收入 and 支出 side by side, each under its own heading, with a blank column between."""
    rows: list[list[Any]] = [
        ["翠苑社区工会2024年经费收支明细"],
        ["收入", None, None, None, None, None, "支出"],
        ["日期", "凭证号", "科目", "摘要", "金额", None, "日期", "凭证号", "科目", "摘要", "金额"],
    ]
    for i in range(max(len(INCOME), len(EXPENSE))):
        left = list(INCOME[i]) if i < len(INCOME) else [None] * 5
        right = list(EXPENSE[i]) if i < len(EXPENSE) else [None] * 5
        rows.append([*left, None, *right])
    total_in, total_out = sum(r[-1] for r in INCOME), sum(r[-1] for r in EXPENSE)
    rows.append(["合计", None, None, None, total_in, None, "合计", None, None, None, total_out])
    _save(path, rows, merges=("A1:K1", "A2:E2", "G2:K2"))


def _payouts(path: Path) -> None:
    rows = [
        ["翠苑社区工会2024年慰问发放表"],
        ["序号", "姓名", "慰问类别", "发放形式", "金额（元）", "领取人签字", "发放日期"],
        *[
            [i, name, category, form, amount, None, paid]
            for i, (name, category, form, amount, paid) in enumerate(PAYOUTS, 1)
        ],
        ["合计", None, None, None, sum(p[3] for p in PAYOUTS)],
        ["经办人：", None, "审核：", None, "负责人："],
    ]
    _save(path, rows, sheet="中央资金")
