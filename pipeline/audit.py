"""Audit stage: checks A01–A14 on each unit's fund figures → findings.

Each check is a plain function registered in `CHECKS` under the name that
audit_rules.yaml gives; its parameters come from the `audit:` section of the
configuration. A finding names the unit, file, sheet, row and cell behind it
and says what is wrong in words an auditor uses. Checks run within one unit
and one period.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from pipeline.config import Contract, Settings, caps_in_force
from pipeline.indicators import UnitFrames
from pipeline.money import format_money

ASSISTANCE_WORDS = ("慰问", "帮扶", "救助", "送温暖", "助学", "送清凉")


@dataclass(frozen=True)
class Finding:
    """One audit finding, pointing at its cells."""

    rule: str
    severity: str
    unit_code: str
    unit_name: str
    file: str
    sheet: str
    row: int | str
    column: str
    amount: Decimal | None
    message: str
    title: str = ""
    advice: str = ""  # what to correct, by whom: the cell and its correct value where the check knows it
    also: tuple[str, ...] = ()  # the same transaction seen elsewhere (the ledger line of a payout)

    @property
    def cell(self) -> str:
        """The A1 reference of the cell behind the finding."""
        return f"{self.column}{self.row}" if self.column and self.row else ""


@dataclass
class Context:
    """What a check sees: one unit, its frames, the rule and the parameters."""

    unit: UnitFrames
    rule: dict[str, Any]
    params: dict[str, Any]
    today: date
    contract: Contract
    match: PayoutMatch | None = None  # payouts against the ledger, computed once for the run
    remittance_figures: dict[str, Decimal] | None = None  # the remittance indicator's received / expected

    def find(
        self,
        table: str,
        where: int | dict[str, Any],
        field: str,
        amount: Decimal | None,
        text: str,
        column: str | None = None,
        correct: str = "",
    ) -> Finding:
        """A finding at a row of `table` (a row number, or the row itself, which knows its file and sheet).

        The finding sits in the column of `field` (or the `column` given) and its message says where.
        """
        unit = self.unit.unit
        row = where.get("_row", 0) if isinstance(where, dict) else where
        source = where if isinstance(where, dict) else {}
        sheet = source.get("_sheet") or unit.sheet_names.get(table, table)
        column = column or unit.letters.get(table, {}).get(field, "")
        where = f"{unit.unit_name} › {sheet}!{column}{row}" if row else f"{unit.unit_name} › {sheet}"
        return Finding(
            self.rule["code"],
            self.rule["severity"],
            unit.unit_code,
            unit.unit_name,
            source.get("_file") or unit.file,
            sheet,
            row,
            column,
            amount,
            f"{where}：{text}",
            self.rule.get("title", ""),
            f"{correct}；{self.rule.get('advice', '')}" if correct else self.rule.get("advice", ""),
        )

    def decimal(self, key: str) -> Decimal:
        """An audit parameter as an exact Decimal."""
        return Decimal(str(self.params[key]))


def _yuan(amount: Decimal | None) -> str:
    return f"{format_money(amount)} 元"


def total_mismatch(ctx: Context) -> list[Finding]:
    """A01: a 合计/小计 row that disagrees with the rows it covers."""
    unit = ctx.unit.unit
    table_of = {name: key for key, name in unit.sheet_names.items()}
    found = []
    for check in unit.total_checks:
        if check.matches:
            continue
        diff = check.stated - check.computed
        key = table_of.get(check.sheet, check.sheet)
        finding = ctx.find(
            key,
            {"_row": check.row, "_file": check.file or unit.file, "_sheet": check.sheet},
            check.field,
            diff,
            f"合计 {format_money(check.stated)} 与明细之和 {format_money(check.computed)} 不符"
            f"（差 {format_money(diff)}，明细为第 {_span(check.rows)} 行）",
            column=check.column,
            correct=f"{check.column}{check.row} 应为 {format_money(check.computed)}",
        )
        found.append(finding)
    return found


def _span(rows: tuple[int, ...]) -> str:
    return f"{rows[0]}–{rows[-1]}" if rows else "无"


def voucher_duplicate(ctx: Context) -> list[Finding]:
    """A02: one 凭证号 on two different entries (other dates, or the same line twice)."""
    found = []
    first: dict[str, dict[str, Any]] = {}
    for row in ctx.unit.records("ledger"):
        voucher = row["voucher"]
        earlier = first.setdefault(voucher, row)
        if earlier is row:
            continue
        same_line = (row["amount"], row["summary"]) == (earlier["amount"], earlier["summary"])
        if row["booked_on"] != earlier["booked_on"] or same_line:
            found.append(
                ctx.find(
                    "ledger",
                    row,
                    "voucher",
                    row["amount"],
                    f"凭证号「{voucher}」与第 {earlier['_row']} 行重复（{earlier['summary']} / {row['summary']}）",
                )
            )
    return found


_VOUCHER = re.compile(r"^(.*?)(\d+)$")


def voucher_gap(ctx: Context) -> list[Finding]:
    """A03 (question): gaps in a numbered voucher sequence."""
    series: dict[str, dict[int, dict[str, Any]]] = {}
    widths: dict[str, int] = {}
    for row in ctx.unit.records("ledger"):
        match = _VOUCHER.match(str(row["voucher"]))
        if match:
            series.setdefault(match[1], {})[int(match[2])] = row
            widths[match[1]] = len(match[2])
    found = []
    for prefix, numbers in series.items():
        missing = sorted(set(range(min(numbers), max(numbers) + 1)) - set(numbers))
        if missing and len(numbers) >= 3:
            after = numbers[min(n for n in numbers if n > missing[0])]
            shown = "、".join(f"{prefix}{n:0{widths[prefix]}d}" for n in missing[:10])
            more = f" 等 {len(missing)} 个" if len(missing) > 10 else ""
            found.append(
                ctx.find(
                    "ledger",
                    after["_row"],
                    "voucher",
                    None,
                    f"凭证号不连续，缺 {shown}{more}；请确认是否有未入账的凭证",
                )
            )
    return found


def no_approval(ctx: Context) -> list[Finding]:
    """A04: an expense or payout without an approver / approval reference."""
    found = []
    for table, field, label, rows in (
        ("ledger", "approved_by", "审批人", [r for r in ctx.unit.records("ledger") if r["direction"] == "支出"]),
        ("assistance", "approval_ref", "审批单号", ctx.unit.records("assistance")),
    ):
        if not rows:
            continue
        if field not in ctx.unit.unit.letters.get(table, {}):
            found.append(ctx.find(table, 0, field, None, f"没有「{label}」列，{len(rows)} 笔支出无法核对审批"))
            continue
        found.extend(
            ctx.find(table, r, field, r["amount"], f"{_yuan(r['amount'])} 的支出没有{label}")
            for r in rows
            if not r[field]
        )
    return found


def forbidden_form(ctx: Context) -> list[Finding]:
    """A05: 节日/生日慰问 paid as cash, 购物卡, 代金券…, by the form column or the text.

    A payout and the ledger line that books it (the same voucher, or the same day and amount) are one
    transaction: one finding with both locations, not two.
    """
    rules = ctx.params["forbidden_forms"]
    categories, forms, words = set(rules["categories"]), set(rules["forms"]), rules["words"]
    found: list[tuple[dict[str, Any], Finding]] = []
    for row in ctx.unit.records("assistance"):
        if row["category"] not in categories:
            continue
        said = next((w for w in words if w in str(row.get("note") or "")), None)
        if row["form"] in forms or said:
            form = row["form"] if row["form"] in forms else said
            field = "form" if row["form"] in forms else "note"
            text = (
                f"{row['category']}以{form}形式发放 {_yuan(row['amount'])}"
                f"（规定节日、生日慰问应发放实物，不得发放现金、购物卡、代金券）"
            )
            found.append(
                (row, ctx.find("assistance", row, field, row["amount"], text, correct=f"清退 {_yuan(row['amount'])}"))
            )
    for line in ctx.unit.records("ledger"):
        said = next((w for w in words if w in str(line.get("summary") or "") and w != "现金"), None)
        if not said or line["direction"] != "支出":
            continue
        where = f"{line['_sheet']}!{ctx.unit.unit.letters.get('ledger', {}).get('summary', '')}{line['_row']}"
        twin = next((i for i, (payout, _) in enumerate(found) if _same_transaction(payout, line)), None)
        if twin is not None:
            payout, finding = found[twin]
            found[twin] = (payout, replace(finding, also=(*finding.also, where)))
            continue
        text = f"摘要「{line['summary']}」显示以{said}形式支出 {_yuan(line['amount'])}"
        found.append(
            (line, ctx.find("ledger", line, "summary", line["amount"], text, correct=f"清退 {_yuan(line['amount'])}"))
        )
    return [finding for _, finding in found]


def _same_transaction(payout: dict[str, Any], line: dict[str, Any]) -> bool:
    """A payout and a ledger line for it: the voucher it names, or the same day and amount."""
    if payout.get("voucher_ref"):
        return payout["voucher_ref"] == line.get("voucher")
    return (payout.get("paid_on"), payout.get("amount")) == (line.get("booked_on"), line.get("amount"))


def _person(row: dict[str, Any]) -> str:
    return f"{row['person']}#{row['person_id']}" if row.get("person_id") else str(row["person"])


def _applies(cap: dict[str, Any], row: dict[str, Any]) -> bool:
    """Whether a cap covers a payout: its category, festival and dates."""
    festival, paid = row["festival"], row["paid_on"]
    return (
        row["category"] == cap["category"]
        and (not cap.get("festivals") or festival in cap["festivals"])
        and festival not in (cap.get("exclude_festivals") or [])
        and (not cap.get("from") or paid >= _as_date(cap["from"]))
        and (not cap.get("until") or paid <= _as_date(cap["until"]))
    )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


CAP_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "year": lambda row: row["paid_on"].year,
    "festival": lambda row: (row["paid_on"].year, row["festival"]),
    "member": lambda row: "",
    "event": lambda row: row["_row"],
}
CAP_SCOPES = {"year": "{year}年累计", "festival": "{year}年{festival}", "member": "累计", "event": "单次"}


def over_cap(ctx: Context) -> list[Finding]:
    """A06: one person's payouts in a category over the cap, summed over the cap's aggregation key."""
    found = []
    rows = sorted(ctx.unit.records("assistance"), key=lambda r: (r["paid_on"], r["_row"]))
    payouts = [r for r in rows if r["person"] is not None]
    for cap in caps_in_force(ctx.params):
        limit, per = Decimal(str(cap["amount"])), cap.get("per", "year")
        found.extend(_event_over_cap(ctx, cap, limit, [r for r in rows if r["person"] is None]))
        running: dict[tuple[str, Any], Decimal] = {}
        for row in (r for r in payouts if _applies(cap, r)):
            key = (_person(row), CAP_KEYS[per](row))
            before = running.get(key, Decimal(0))
            running[key] = before + row["amount"]
            if running[key] > limit >= before:  # report the payout that crosses the cap, once
                scope = CAP_SCOPES[per].format(year=row["paid_on"].year, festival=row["festival"] or "")
                message = f"{row['person']}的{cap['category']}{scope} {_yuan(running[key])}，超过标准 {_yuan(limit)}"
                found.append(ctx.find("assistance", row, "amount", running[key] - limit, message))
    return found


def _event_over_cap(ctx: Context, cap: dict[str, Any], limit: Decimal, events: list[dict[str, Any]]) -> list[Finding]:
    """An event row names no one: its amount per head (a lower bound of what one person got) against the cap."""
    found = []
    for row in (r for r in events if r.get("headcount") and _applies(cap, r)):
        per_head = row["amount"] / row["headcount"]
        if per_head > limit:
            text = (
                f"{cap['category']}一次人均 {_yuan(per_head)}（{_yuan(row['amount'])} ÷ {row['headcount']} 人），"
                f"超过标准 {_yuan(limit)}"
            )
            found.append(ctx.find("assistance", row, "amount", (per_head - limit) * row["headcount"], text))
    return found


def non_member(ctx: Context) -> list[Finding]:
    """A07: a member-only benefit paid to someone marked 非会员."""
    member_only = set(ctx.params["member_only"])
    return [
        ctx.find(
            "assistance",
            r,
            "is_member",
            r["amount"],
            f"{r['category']} {_yuan(r['amount'])} 发给了非会员 {r['person']}（该项福利仅限会员）",
        )
        for r in ctx.unit.records("assistance")
        if r["category"] in member_only and r["is_member"] is False
    ]


def _occasion(row: dict[str, Any]) -> tuple[Any, str]:
    """What one payout is for: a festival in a year, else the month (festival unknown: the month too)."""
    paid = row["paid_on"]
    if row["category"] == "节日慰问" and row["festival"]:
        return (row["festival"], paid.year), f"{paid.year}年{row['festival']}"
    return (paid.year, paid.month), f"{paid.year}年{paid.month}月"


def duplicate_payout(ctx: Context) -> list[Finding]:
    """A08: the same person paid twice for one category and occasion."""
    once = set(ctx.params["once_per_occasion"])
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    found = []
    for row in sorted(ctx.unit.records("assistance"), key=lambda r: r["_row"]):
        if row["category"] not in once or row["person"] is None:  # an event row names no one to pay twice
            continue
        occasion, label = _occasion(row)
        key = (_person(row), row["category"], occasion)
        first = seen.setdefault(key, row)
        if first is not row:
            text = f"{row['person']}的{row['category']}（{label}）重复发放，与第 {first['_row']} 行相同"
            found.append(ctx.find("assistance", row, "person", row["amount"], text))
    return found


def split_payment(ctx: Context) -> list[Finding]:
    """A09 (question): payouts to one payee on one day that together pass the approval threshold."""
    threshold = ctx.decimal("approval_threshold")
    groups: dict[tuple[str, date], list[dict[str, Any]]] = {}
    for row in (r for r in ctx.unit.records("assistance") if r["person"] is not None):
        groups.setdefault((_person(row), row["paid_on"]), []).append(row)
    found = []
    for (_, day), rows in groups.items():
        total = sum((r["amount"] for r in rows), Decimal(0))
        if len(rows) > 1 and total >= threshold and all(r["amount"] < threshold for r in rows):
            lines = "、".join(str(r["_row"]) for r in rows)
            found.append(
                ctx.find(
                    "assistance",
                    rows[0],
                    "amount",
                    total,
                    f"{rows[0]['person']} 在 {day:%Y-%m-%d} 分 {len(rows)} 笔领取共 {_yuan(total)}"
                    f"（第 {lines} 行），每笔均低于审批标准 {_yuan(threshold)}；请确认是否拆分支付",
                )
            )
    return found


def out_of_period(ctx: Context) -> list[Finding]:
    """A10: a dated entry outside the reporting period, or in the future."""
    period = ctx.unit.period
    found = []
    dated = {key: spec.date_field for key, spec in ctx.contract.sheets.items() if spec.date_field and not spec.into}
    for table, field in dated.items():
        for row in ctx.unit.records(table):
            day = row.get(field)
            if not isinstance(day, date):
                continue
            if day > ctx.today:
                found.append(ctx.find(table, row, field, row.get("amount"), f"日期 {day:%Y-%m-%d} 晚于今天"))
            elif not period.contains(day):
                found.append(
                    ctx.find(
                        table,
                        row,
                        field,
                        row.get("amount"),
                        f"日期 {day:%Y-%m-%d} 不在报告期（{period.label}）内，未计入本期指标",
                    )
                )
    return found


@dataclass
class PayoutMatch:
    """帮扶慰问 payouts matched against ledger expenses (by voucher, else by date and amount)."""

    by_voucher: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]]  # voucher, payouts, ledger lines
    by_date: list[tuple[dict[str, Any], dict[str, Any] | None]]  # payout, its ledger line or None
    unclaimed: list[dict[str, Any]]  # ledger lines that say 慰问/帮扶 with no payout behind them

    def totals(self) -> dict[str, Decimal]:
        """Paid, matched to the ledger, unmatched, and ledger lines without payouts (元)."""
        paid = [r for _, rows, _ in self.by_voucher for r in rows] + [r for r, _ in self.by_date]
        unmatched = [r for _, rows, booked in self.by_voucher if not booked for r in rows]
        unmatched += [r for r, hit in self.by_date if hit is None]
        mismatched = sum((_sum(rows) - _sum(booked) for _, rows, booked in self.by_voucher if booked), Decimal(0))
        return {
            "paid": _sum(paid),
            "unmatched": _sum(unmatched),
            "voucher_difference": mismatched,
            "unclaimed": _sum(self.unclaimed),
        }


def _sum(rows: list[dict[str, Any]]) -> Decimal:
    return sum((r["amount"] for r in rows), Decimal(0))


def match_payouts(unit: UnitFrames) -> PayoutMatch | None:
    """Match a unit's payouts to its ledger; None when it lacks either sheet."""
    if "ledger" not in unit.frames or "assistance" not in unit.frames:
        return None
    expenses = [r for r in unit.records("ledger") if r["direction"] == "支出"]
    ledger_by_voucher: dict[str, list[dict[str, Any]]] = {}
    for row in expenses:
        ledger_by_voucher.setdefault(str(row["voucher"]), []).append(row)
    payouts_by_voucher: dict[str, list[dict[str, Any]]] = {}
    for row in unit.records("assistance"):
        if row.get("voucher_ref"):
            payouts_by_voucher.setdefault(str(row["voucher_ref"]), []).append(row)
    by_voucher = [(v, rows, ledger_by_voucher.get(v, [])) for v, rows in payouts_by_voucher.items()]
    used = {r["_row"] for _, _, booked in by_voucher for r in booked}
    by_date = []
    for row in (r for r in unit.records("assistance") if not r.get("voucher_ref")):
        hit = next(
            (
                e
                for e in expenses
                if e["_row"] not in used and e["booked_on"] == row["paid_on"] and e["amount"] == row["amount"]
            ),
            None,
        )
        if hit is not None:
            used.add(hit["_row"])
        by_date.append((row, hit))
    unclaimed = [
        e
        for e in expenses
        if e["_row"] not in used
        and any(w in f"{e.get('summary') or ''}{e.get('sub_account') or ''}" for w in ASSISTANCE_WORDS)
    ]
    return PayoutMatch(by_voucher, by_date, unclaimed)


def payout_unbooked(ctx: Context) -> list[Finding]:
    """A11: payouts without a matching ledger expense, and 慰问/帮扶 ledger lines without payouts."""
    match = ctx.match
    if match is None:
        return []
    found = []
    for voucher, rows, booked in match.by_voucher:
        paid, on_books = _sum(rows), _sum(booked)
        if not booked:
            text = f"凭证号「{voucher}」的发放 {_yuan(paid)} 在经费收支账中找不到"
            found.append(ctx.find("assistance", rows[0], "voucher_ref", paid, text))
        elif paid != on_books:
            text = f"凭证号「{voucher}」发放合计 {_yuan(paid)}，账上支出 {_yuan(on_books)}，不一致"
            found.append(ctx.find("assistance", rows[0], "voucher_ref", paid - on_books, text))
    for row, hit in match.by_date:
        if hit is None:
            text = f"{row['person']} {_yuan(row['amount'])} 的发放在经费收支账中找不到同日同额的支出"
            found.append(ctx.find("assistance", row, "amount", row["amount"], text))
    for row in match.unclaimed:
        text = f"账上记录「{row['summary']}」{_yuan(row['amount'])}，帮扶慰问台账中找不到对应发放"
        found.append(ctx.find("ledger", row, "amount", row["amount"], text))
    return found


def remittance_figures(unit: UnitFrames) -> dict[str, Decimal] | None:
    """Payroll, the expected 拨缴经费 (2% × payroll × retained share) and what the ledger received."""
    profile = unit.records("profile")[0]
    if "ledger" not in unit.frames or profile["expected_remittance"] is None:
        return None
    received = _sum(
        [
            r
            for r in unit.records("ledger")
            if r["account"] == "拨缴经费收入" and r["direction"] == "收入" and unit.period.contains(r["booked_on"])
        ]
    )
    return {"payroll": profile["payroll"], "expected": profile["expected_remittance"], "received": received}


def remittance(ctx: Context) -> list[Finding]:
    """A12: 拨缴经费收入 short of (or above) 2% × payroll × retained share."""
    figures = ctx.remittance_figures
    if figures is None:
        return []
    expected, received = figures["expected"], figures["received"]
    if abs(received - expected) <= expected * ctx.decimal("remittance_tolerance"):
        return []
    text = (
        f"拨缴经费收入 {_yuan(received)}，按工资总额 {_yuan(figures['payroll'])} × 2% × "
        f"留成比例应为 {_yuan(expected)}，相差 {_yuan(received - expected)}"
    )
    return [ctx.find("profile", ctx.unit.unit.profile_rows.get("payroll", 0), "payroll", received - expected, text)]


def category_unknown(ctx: Context) -> list[Finding]:
    """A13: a ledger account outside the national list, or on the wrong side."""
    found = []
    accounts = ctx.contract.enums["account"]
    income = set(accounts.groups["收入"])
    for row in ctx.unit.records("ledger"):
        account, direction = row["account"], row["direction"]
        if account not in accounts.values:
            problem = f"科目「{account}」不在《基层工会经费收支管理办法》规定的科目中"
        elif (account in income) != (direction == "收入"):
            problem = f"科目「{account}」记为{direction}，收支方向与科目不符"
        else:
            continue
        found.append(ctx.find("ledger", row, "account", row["amount"], problem))
    return found


def round_amounts(ctx: Context) -> list[Finding]:
    """A14 (question): an unusual share of round amounts in one unit's expenses."""
    unit_size = ctx.decimal("round_amount_unit")
    amounts = [r["amount"] for r in ctx.unit.records("ledger") if r["direction"] == "支出"]
    if len(amounts) < int(ctx.params["round_amount_min_entries"]):
        return []
    share = Decimal(sum(1 for a in amounts if a % unit_size == 0)) / len(amounts)
    if share < ctx.decimal("round_amount_share"):
        return []
    return [
        ctx.find(
            "ledger",
            0,
            "amount",
            None,
            f"{len(amounts)} 笔支出中 {share:.0%} 为 {unit_size} 元的整数倍，比例偏高；请抽查原始凭证",
        )
    ]


CHECKS: dict[str, Callable[[Context], list[Finding]]] = {
    "total_mismatch": total_mismatch,
    "voucher_duplicate": voucher_duplicate,
    "voucher_gap": voucher_gap,
    "no_approval": no_approval,
    "forbidden_form": forbidden_form,
    "over_cap": over_cap,
    "non_member": non_member,
    "duplicate_payout": duplicate_payout,
    "split_payment": split_payment,
    "out_of_period": out_of_period,
    "payout_unbooked": payout_unbooked,
    "remittance": remittance,
    "category_unknown": category_unknown,
    "round_amounts": round_amounts,
}


def audit_unit(unit: UnitFrames, settings: Settings, today: date | None = None, sections: Any = None) -> list[Finding]:
    """Every configured check on one unit's current workbook.

    `sections` carries the run's payout match and remittance figures (pipeline.sections), so the audit and the
    reports read one computation; without it (a check run alone) they are computed here.
    """
    match = sections.match if sections is not None else match_payouts(unit)
    figures = sections.remittance if sections is not None else remittance_figures(unit)
    findings: list[Finding] = []
    for rule in settings.audit_rules:
        ctx = Context(unit, rule, settings.options["audit"], today or date.today(), settings.contract, match, figures)
        findings.extend(CHECKS[rule["check"]](ctx))
    return findings
