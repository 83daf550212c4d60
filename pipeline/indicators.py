"""Indicators stage: typed tables + targets → one figure per unit and indicator.

Each sheet gets boolean flags derived once per unit (`derive_frames`); an
indicator declared in indicators.yaml is then a combination of aggregates
(count / sum / distinct over rows where some flags hold) by a small registry
of kinds (ratio / aggregate / difference). The same evaluation serves a unit
and a tree node: a node's figure is the aggregate over the rows of every
unit below it, which equals summing the units' numerators and denominators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from pipeline.config import Settings
from pipeline.ingest import UnitWorkbook
from pipeline.periods import Period

HARDSHIP = {"困难帮扶", "大病救助", "金秋助学", "送温暖"}
CONGRESS = {"职代会", "教代会", "会员大会"}
TRAINING = {"技能培训", "思想教育"}
KINDS = {"ratio", "aggregate", "difference"}
AGGS = {"count", "sum", "distinct"}


@dataclass
class UnitFrames:
    """One unit's workbook with its derived frames (profile included)."""

    unit: UnitWorkbook
    frames: dict[str, pd.DataFrame]

    @property
    def period(self) -> Period:
        """The unit's reporting period."""
        period = self.unit.period
        assert period is not None, "only ingested workbooks have frames"
        return period


@dataclass
class Figure:
    """One indicator's value for one unit or node, with its lineage."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    rows: list[tuple[str, str, int]] = field(default_factory=list)
    units: int = 0


def _in_period(values: pd.Series, period: Period) -> pd.Series:
    return values.map(lambda d: isinstance(d, date) and period.contains(d)).astype(bool)


def _flag(values: pd.Series, default: bool = False) -> pd.Series:
    return values.map(lambda v: default if v is None or v is pd.NA or v != v else bool(v)).astype(bool)


def _derive_contracts(frame: pd.DataFrame, period: Period, settings: Settings) -> pd.DataFrame:
    threshold = int(settings.domain("unionisation_threshold"))
    out = frame.copy()
    out["operating"] = _flag(frame["operating"], default=True)
    out["unionised"] = _flag(frame["unionised"])
    out["large"] = frame["employees"].map(lambda n: n is not None and n >= threshold).astype(bool)
    out["new_union"] = out["unionised"] & _in_period(frame["unionised_on"], period)
    out["collective_in_force"] = _in_force(frame["collective_contract"], frame["collective_expires"], period)
    out["wage_in_force"] = _in_force(frame["wage_agreement"], frame["wage_expires"], period)
    out["female_agreement"] = _flag(frame["female_agreement"])
    # A signed contract covers the stated number of workers, or all employees when no number is given.
    covered = [
        min(c if c is not None else e, e) if f else 0
        for c, e, f in zip(frame["covered"], frame["employees"], out["collective_in_force"], strict=True)
    ]
    out["covered_in_force"] = pd.Series(covered, index=frame.index, dtype=object)
    return out


def _in_force(signed: pd.Series, expires: pd.Series, period: Period) -> pd.Series:
    """Signed, and expiring (if a date is given) on or after the period's last day."""
    return pd.Series(
        [
            bool(s) and (e is None or not isinstance(e, date) or e >= period.end)
            for s, e in zip(signed, expires, strict=True)
        ],
        index=signed.index,
        dtype=bool,
    )


def _planned_first_day(month: Any) -> date | None:
    return date(month[0], month[1], 1) if isinstance(month, tuple) else None


def _derive_activities(frame: pd.DataFrame, period: Period, settings: Settings) -> pd.DataFrame:
    out = frame.copy()
    status = [
        s if s else ("已完成" if isinstance(h, date) else "未开展")
        for s, h in zip(frame["status"], frame["held_on"], strict=True)
    ]
    out["status_effective"] = status
    held = pd.Series([s == "已完成" for s in status], index=frame.index, dtype=bool)
    planned = frame["planned_month"].map(_planned_first_day)
    planned_in = planned.map(lambda d: d is not None and period.start <= d <= period.end).astype(bool)
    dated = frame["held_on"].map(lambda d: isinstance(d, date)).astype(bool)
    out["in_period"] = _in_period(frame["held_on"], period)
    out["held"] = held
    out["held_in_period"] = held & (out["in_period"] | (~dated & planned_in))
    out["planned_due"] = planned_in
    # Held inside the period: an activity dated before or after it does not complete this period's plan.
    out["completed"] = held & (~dated | out["in_period"])
    out["on_time"] = out["completed"] & pd.Series(
        [
            isinstance(h, date) and p is not None and (h.year, h.month) <= (p.year, p.month)
            for h, p in zip(frame["held_on"], planned, strict=True)
        ],
        index=frame.index,
        dtype=bool,
    )
    out["training"] = frame["category"].isin(TRAINING)
    out["culture"] = frame["category"] == "文体活动"
    out["person_times_or_participants"] = [
        t if t is not None else p for t, p in zip(frame["person_times"], frame["participants"], strict=True)
    ]
    return out


def _derive_assistance(frame: pd.DataFrame, period: Period, settings: Settings) -> pd.DataFrame:
    out = frame.copy()
    out["in_period"] = _in_period(frame["paid_on"], period)
    out["hardship"] = frame["category"].isin(HARDSHIP)
    out["person_key"] = [
        f"{u}|{p}#{i}" if i else f"{u}|{p}"
        for u, p, i in zip(frame["_unit"], frame["person"], frame["person_id"], strict=True)
    ]
    return out


def _derive_ledger(frame: pd.DataFrame, period: Period, settings: Settings) -> pd.DataFrame:
    out = frame.copy()
    out["in_period"] = _in_period(frame["booked_on"], period)
    out["income"] = frame["direction"] == "收入"
    out["expense"] = frame["direction"] == "支出"
    out["activity_expense"] = frame["account"] == "职工活动支出"
    out["remittance"] = frame["account"] == "拨缴经费收入"
    return out


def _derive_democracy(frame: pd.DataFrame, period: Period, settings: Settings) -> pd.DataFrame:
    out = frame.copy()
    out["in_period"] = _in_period(frame["held_on"], period)
    out["congress"] = frame["kind"].isin(CONGRESS)
    out["disclosure"] = frame["kind"].map(lambda k: isinstance(k, str) and k.endswith("公开")).astype(bool)
    return out


DERIVED: dict[str, Callable[[pd.DataFrame, Period, Settings], pd.DataFrame]] = {
    "contracts": _derive_contracts,
    "activities": _derive_activities,
    "assistance": _derive_assistance,
    "ledger": _derive_ledger,
    "democracy": _derive_democracy,
}


def profile_frame(unit: UnitWorkbook, settings: Settings) -> pd.DataFrame:
    """基本情况 as a one-row frame, with the expected fund remittance derived."""
    profile = unit.profile
    payroll = profile.get("payroll")
    expected = None
    if payroll is not None:
        expected = (
            payroll * settings.decimal("domain", "remittance_rate") * settings.decimal("domain", "retained_share")
        )
    rows = unit.profile_rows
    row = {
        "_unit": unit.unit_code,
        "_file": unit.file,
        "_sheet": unit.sheet_names.get("profile", "基本情况"),
        "_row": rows.get("employees", 0),
        "employees": profile.get("employees"),
        "members": profile.get("members"),
        "payroll": payroll,
        "expected_remittance": expected,
        # Each profile value sits on its own row of the key/value sheet.
        "_row_employees": rows.get("employees", 0),
        "_row_members": rows.get("members", 0),
        "_row_payroll": rows.get("payroll", 0),
        "_row_expected_remittance": rows.get("payroll", 0),
    }
    frame = pd.DataFrame([row]).astype(object)
    return frame


def derive_frames(unit: UnitWorkbook, settings: Settings) -> UnitFrames:
    """A unit's tables with every derived flag, plus its profile row."""
    period = unit.period
    assert period is not None, "derive_frames needs an ingested workbook"
    frames = {"profile": profile_frame(unit, settings)}
    for key, frame in unit.tables.items():
        derive = DERIVED.get(key)
        frames[key] = derive(frame, period, settings) if derive else frame
    return UnitFrames(unit, frames)


def sheets_needed(definition: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(sheet, column) pairs an indicator reads, from all its aggregates."""
    parts = [definition[k] for k in ("numerator", "denominator", "value", "minuend", "subtrahend") if k in definition]
    return [(p["sheet"], p.get("column")) for p in parts]


def has_data(frames: UnitFrames, definition: dict[str, Any]) -> bool:
    """True when the unit has every sheet (and profile value) the indicator needs."""
    for sheet, column in sheets_needed(definition):
        if sheet not in frames.frames:
            return False
        if sheet == "profile" and column and frames.frames["profile"][column].iloc[0] is None:
            return False
    return True


def _as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def aggregate(frame: pd.DataFrame, spec: dict[str, Any]) -> tuple[Decimal, pd.DataFrame]:
    """One aggregate over the rows where every `where` flag holds."""
    selected = frame
    for condition in spec.get("where", []):
        if isinstance(condition, dict):  # {column: value or [values]}: the column holds one of them
            for column, wanted in condition.items():
                selected = selected[selected[column].isin(wanted if isinstance(wanted, list) else [wanted])]
        else:  # a boolean flag (a contract field or one derived in DERIVED)
            selected = selected[selected[condition].astype(bool)]
    agg = spec["agg"]
    if agg == "count":
        return Decimal(len(selected)), selected
    values = [v for v in selected[spec["column"]] if v is not None and v == v]
    if agg == "distinct":
        return Decimal(len(set(values))), selected
    return sum((_as_decimal(v) for v in values), Decimal(0)), selected


def combine(units: list[UnitFrames], sheet: str) -> pd.DataFrame:
    """The rows of one sheet across units; an enterprise listed twice counts once."""
    frames = [u.frames[sheet] for u in units if sheet in u.frames]
    combined = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if sheet == "contracts":
        combined = combined[~combined["credit_code"].duplicated(keep="first") | combined["credit_code"].isna()]
    return combined


def _lineage(sheet: str, spec: dict[str, Any], selected: pd.DataFrame) -> list[tuple[str, str, int]]:
    row_column = f"_row_{spec.get('column')}"
    if sheet == "profile" and row_column in selected:
        return list(zip(selected["_file"], selected["_sheet"], selected[row_column].astype(int), strict=True))
    return list(zip(selected["_file"], selected["_sheet"], selected["_row"].astype(int), strict=True))


def evaluate(
    definition: dict[str, Any],
    units: list[UnitFrames],
    cache: dict[tuple[str, tuple[int, ...]], pd.DataFrame] | None = None,
) -> Figure:
    """The indicator over every unit that has its data; None value when none has."""
    with_data = [u for u in units if has_data(u, definition)]
    if not with_data:
        return Figure(None)
    cache = {} if cache is None else cache
    parts: dict[str, Decimal] = {}
    rows: list[tuple[str, str, int]] = []
    for role in ("numerator", "denominator", "value", "minuend", "subtrahend"):
        spec = definition.get(role)
        if spec is None:
            continue
        key = (spec["sheet"], tuple(id(u) for u in with_data))
        if key not in cache:
            cache[key] = combine(with_data, spec["sheet"])
        parts[role], selected = aggregate(cache[key], spec)
        rows.extend(_lineage(spec["sheet"], spec, selected))
    return KIND_FUNCTIONS[definition["kind"]](parts, sorted(set(rows)), len(with_data))


def _ratio(parts: dict[str, Decimal], rows: list[tuple[str, str, int]], units: int) -> Figure:
    num, den = parts["numerator"], parts["denominator"]
    return Figure(num / den if den else None, num, den, rows, units)


def _aggregate(parts: dict[str, Decimal], rows: list[tuple[str, str, int]], units: int) -> Figure:
    return Figure(parts["value"], parts["value"], None, rows, units)


def _difference(parts: dict[str, Decimal], rows: list[tuple[str, str, int]], units: int) -> Figure:
    value = parts["minuend"] - parts["subtrahend"]
    return Figure(value, parts["minuend"], parts["subtrahend"], rows, units)


KIND_FUNCTIONS: dict[str, Callable[[dict[str, Decimal], list[tuple[str, str, int]], int], Figure]] = {
    "ratio": _ratio,
    "aggregate": _aggregate,
    "difference": _difference,
}
