"""Section figures: what the reports' sections show beyond the indicator table, computed once per unit.

Every total a section prints is an indicator's figure (`fund_income`,
`assistance_total`…), and every breakdown (by account, by category) splits
that indicator's own definition, so the parts add up to the total by
construction, also when a union redefines the indicator. The payout-to-ledger
match and the remittance figures are computed here once and read by both the
audit and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pipeline.audit import PayoutMatch, match_payouts
from pipeline.indicators import UnitFrames, breakdown, matching_rows
from pipeline.targets import STATUSES, due

if TYPE_CHECKING:
    from pipeline.indicators import Figure
    from pipeline.run import IndicatorRow


@dataclass
class Sections:
    """One unit's section figures."""

    fund: dict[str, Any] | None = None
    assistance: dict[str, Any] | None = None
    activities: dict[str, Any] | None = None
    match: PayoutMatch | None = None
    remittance: dict[str, Decimal] | None = None
    indicators: dict[str, IndicatorRow] = field(default_factory=dict)

    @property
    def matched(self) -> dict[str, Decimal] | None:
        """The payout-to-ledger totals, or None when the unit lacks either sheet."""
        return self.match.totals() if self.match is not None else None


# An indicator's definition and one unit's figure of it, by indicator code: all a section needs of it.
Measured = dict[str, tuple[dict[str, Any], "Figure"]]


def unit_sections(unit: UnitFrames, rows: list[IndicatorRow], found: Sections | None = None) -> Sections:
    """The sections of one unit from its indicator rows and the same definitions.

    `found`: the section figures already computed where the unit was read (`section_figures`).
    """
    by_code = {r.code: r for r in rows}
    found = found or section_figures(unit, {code: (r.definition, r.figure) for code, r in by_code.items()})
    found.indicators = by_code
    return found


def section_figures(unit: UnitFrames, measured: Measured) -> Sections:
    """The section figures of one unit from its figures (no targets, no judgement: those come with the rows)."""
    found = Sections(match=match_payouts(unit))
    found.fund = _fund(unit, measured)
    found.assistance = _assistance(unit, measured)
    found.activities = _activities(unit, measured)
    found.remittance = _remittance(unit, measured)
    return found


def _value(measured: Measured, code: str) -> Decimal | None:
    return measured[code][1].value if code in measured else None


def _fund(unit: UnitFrames, measured: Measured) -> dict[str, Any] | None:
    income, expense = measured.get("fund_income"), measured.get("fund_expense")
    if "ledger" not in unit.frames or income is None or expense is None or income[1].value is None:
        return None
    by_account: list[tuple[tuple[str, str], Decimal]] = []
    by_sub: list[tuple[tuple[str, str, str], Decimal]] = []
    for direction, (definition, _figure) in (("收入", income), ("支出", expense)):
        part = definition["value"]
        by_account += [((direction, a), v) for (a,), v in breakdown(part, [unit], ("account",))]
        by_sub += [((direction, a, s or ""), v) for (a, s), v in breakdown(part, [unit], ("account", "sub_account"))]
    return {
        "by_account": by_account,
        "by_sub_account": by_sub,
        "income": income[1].value,
        "expense": expense[1].value,
        "balance": _value(measured, "fund_balance"),
        "codes": {"income": "fund_income", "expense": "fund_expense", "balance": "fund_balance"},
    }


def _assistance(unit: UnitFrames, measured: Measured) -> dict[str, Any] | None:
    total, people = measured.get("assistance_total"), measured.get("assistance_people")
    if "assistance" not in unit.frames or total is None or total[1].value is None:
        return None
    part = total[0]["value"]
    amounts = dict(breakdown(part, [unit], ("category",)))
    heads = dict(breakdown(people[0]["value"], [unit], ("category",))) if people is not None else {}
    return {
        "by_category": [(k[0], amounts[k], heads.get(k, Decimal(0))) for k in amounts],
        "largest": sorted(matching_rows(part, [unit]), key=lambda r: r["amount"], reverse=True)[:10],
        "total": total[1].value,
        "people": _value(measured, "assistance_people"),
    }


def _activities(unit: UnitFrames, measured: Measured) -> dict[str, Any] | None:
    participants = measured.get("participants")
    if "activities" not in unit.frames or participants is None:
        return None
    part = participants[0]["value"]
    sessions = dict(breakdown({**part, "agg": "count"}, [unit], ("category",)))
    people = dict(breakdown(part, [unit], ("category",)))
    records = unit.records("activities")
    return {
        "rows": records,
        "by_category": [(k[0], (int(n), int(people.get(k, 0)))) for k, n in sessions.items()],
        "overdue": [r for r in records if r["planned_due"] and not r["completed"]],
        "months": [
            [r for r in records if isinstance(r["planned_month"], tuple) and r["planned_month"][1] == m]
            for m in range(1, 13)
        ],
    }


def _remittance(unit: UnitFrames, measured: Measured) -> dict[str, Decimal] | None:
    """Payroll, expected and received 拨缴经费: the remittance indicator's denominator and numerator."""
    ratio = measured["remittance_ratio"][1] if "remittance_ratio" in measured else None
    payroll = unit.records("profile")[0]["payroll"]
    if ratio is None or ratio.numerator is None or ratio.denominator is None or payroll is None:
        return None
    return {"payroll": payroll, "expected": ratio.denominator, "received": ratio.numerator}


def monthly(units: list[UnitFrames], definitions: list[dict[str, Any]]) -> dict[str, list[Decimal]]:
    """Activities held (the 参与人数 definition's rows, counted) and assistance paid (帮扶慰问发放总额's), by month."""
    by_code = {d["code"]: d for d in definitions}
    series: dict[str, list[Decimal]] = {"activities": [Decimal(0)] * 12, "assistance": [Decimal(0)] * 12}
    for name, code, month, count in (
        ("activities", "participants", "held_month", True),
        ("assistance", "assistance_total", "paid_month", False),
    ):
        definition = by_code.get(code)
        if definition is None or definition.get("kind") != "aggregate":
            continue
        part = {**definition["value"], "agg": "count"} if count else definition["value"]
        for (m,), value in breakdown(part, units, (month,)):
            if isinstance(m, int) and 1 <= m <= 12:
                series[name][m - 1] += value
    return series


@dataclass
class Gap:
    """An indicator behind or missed: how far from its target, and the units that missed theirs."""

    row: IndicatorRow
    shortfall: Decimal | None
    units: list[str]


@dataclass
class Verdict:
    """What page 1 says: the statuses counted, the worst gaps, who is missing or late, the 高 findings."""

    counts: dict[str, int]
    gaps: list[Gap]
    missing: list[Any]
    late: list[Any]
    high: list[Any]

    @property
    def high_amount(self) -> Decimal:
        """The money the 高 findings are about."""
        return sum((f.amount for f in self.high if f.amount is not None), Decimal(0))


def shortfall(row: IndicatorRow) -> Decimal | None:
    """How far the figure is from the target it is judged against (for a mid-year report, the pro-rated one)."""
    value, target = row.figure.value, row.target
    if value is None or target is None or row.status not in ("behind", "missed"):
        return None
    goal = due(target, row.unit, row.period) if row.status == "behind" else target.value
    return abs(goal - value)


def verdict(
    rows: list[IndicatorRow],
    units: dict[str, list[IndicatorRow]],
    submissions: list[Any],
    findings: list[Any],
    limit: int = 5,
) -> Verdict:
    """Page 1 of a report from the run's figures: `rows` are the node's (or unit's) own, `units` the units below."""
    counts = {status: sum(1 for r in rows if r.status == status) for status in STATUSES}
    order = {"missed": 0, "behind": 1}

    def relative(row: IndicatorRow) -> Decimal:  # the gap as a share of the target, to rank unlike units
        gap, goal = shortfall(row), row.target.value if row.target else Decimal(0)
        return gap / goal if gap is not None and goal else Decimal(0)

    worst = sorted((r for r in rows if r.status in order), key=lambda r: (order[r.status], -relative(r)))
    gaps = []
    for row in worst[:limit]:
        below = [
            r.unit_name
            for unit_rows in units.values()
            for r in unit_rows
            if r.code == row.code and r.status in order and r.unit_code != row.unit_code
        ]
        gaps.append(Gap(row, shortfall(row), below))
    high = sorted((f for f in findings if f.severity == "高"), key=lambda f: -(f.amount or 0))
    return Verdict(
        counts,
        gaps,
        [s for s in submissions if s.status in ("missing", "rejected")],
        [s for s in submissions if s.late],
        high,
    )
