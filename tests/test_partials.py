"""A node's figure merged from its children's partials equals the aggregate over all their rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pipeline.indicators import Columns, Partial, Share

# Enterprises of a street's roster: a credit code (some shared by two units, some missing), in force or not, people.
ROW = st.fixed_dictionaries(
    {
        "code": st.one_of(st.none(), st.sampled_from(["91330100A", "91330100B", "91330100C", "91330100D"])),
        "unionised": st.booleans(),
        "people": st.one_of(st.none(), st.integers(0, 500), st.decimals("0", "999.99", places=2)),
        "_row": st.integers(2, 200),
    }
)
UNITS = st.lists(st.lists(ROW, max_size=6), min_size=1, max_size=6)
SPECS = [
    {"agg": "count", "where": ["unionised"]},
    {"agg": "sum", "column": "people", "where": ["unionised"]},
    {"agg": "distinct", "column": "people", "where": []},
]


def _by_hand(units: list[list[dict[str, Any]]], spec: dict[str, Any], keyed: bool) -> Decimal:
    """The aggregate worked out the long way: all rows in order, an enterprise's later rows dropped."""
    seen, chosen = set(), []
    for row in (r for rows in units for r in rows):
        if keyed and row["code"] is not None:
            if row["code"] in seen:
                continue
            seen.add(row["code"])
        if all(row[flag] for flag in spec["where"]):
            chosen.append(row)
    if spec["agg"] == "count":
        return Decimal(len(chosen))
    values = [row[spec["column"]] for row in chosen if row[spec["column"]] is not None]
    return Decimal(len(set(values))) if spec["agg"] == "distinct" else sum((Decimal(v) for v in values), Decimal(0))


def _share(rows: list[dict[str, Any]], spec: dict[str, Any], keyed: bool) -> Share:
    partial, _counted = Partial.of(Columns.of(rows), spec, "code" if keyed else None)
    return Share("aggregate", {"value": partial})


@given(UNITS, st.sampled_from(SPECS), st.booleans(), st.integers(0, 6))
def test_merged_partials_equal_the_rows_aggregated(units, spec, keyed, split):
    shares = [_share(rows, spec, keyed) for rows in units]
    expected = _by_hand(units, spec, keyed)
    assert Share.merged(shares).figure().value == expected
    # a street of two communities: each merges its units, the street merges the two
    inner = [s for s in (Share.merged(shares[:split]), Share.merged(shares[split:])) if s is not None]
    assert Share.merged(inner).figure().value == expected
    assert Share.merged(inner).units == len(units)


def test_an_enterprise_listed_by_two_units_counts_by_its_first_row():
    first = [{"code": "91330100A", "unionised": False, "people": 30, "_row": 3}]
    second = [
        {"code": "91330100A", "unionised": True, "people": 30, "_row": 5},
        {"code": "91330100B", "unionised": True, "people": 12, "_row": 6},
    ]
    spec = SPECS[0]
    merged = Share.merged([_share(first, spec, True), _share(second, spec, True)])
    assert merged.figure().value == 1  # 甲 counted once, as the first list has it (not unionised); 乙 counted
    partial, counted = Partial.of(Columns.of(first + second), spec, "code")
    assert list(counted) == [False, False, True]  # the lineage names only the rows counted
    assert partial.value == 1
