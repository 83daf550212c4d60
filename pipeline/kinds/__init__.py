"""Each ledger kind's own knowledge beyond its contract entry: derived flags, conversions.

A kind's columns, aliases and types are data in `config/contract.yaml`; what
cannot be data lives in one small module here named after the kind (the
contract key), with any of:

- `derive(rows, period, settings)`: the rows with the boolean flags and
  derived columns that indicators.yaml may name (`in_period`, `hardship`…);
- `SOURCE_FIELDS`: derived column → the contract columns it is made from
  (a unit without any of them has no data for indicators built on it);
- `ALTERNATIVES`: field → other columns that may stand for it;
- `complete(columns, raws, contract)`: a table's parsed columns (field → values,
  one per row) completed in place from the rows' own cells (field → raw cells):
  a field implied by another;
- `convert(record)`: for a kind read `into:` another kind's table, its row in
  that table's fields (`CONVERTED_FIELDS` names what it produces).

Adding a ledger kind is a contract entry plus, at most, one such module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.config import Contract, Settings, SheetSpec
    from pipeline.periods import Period


@cache
def module(key: str) -> ModuleType | None:
    """The module of one kind, or None when the kind needs none."""
    try:
        return importlib.import_module(f"pipeline.kinds.{key}")
    except ModuleNotFoundError as exc:
        if exc.name != f"pipeline.kinds.{key}":
            raise
        return None


def _hook(key: str, name: str) -> Any:
    found = module(key)
    return getattr(found, name, None) if found is not None else None


def derive(key: str, rows: list[dict[str, Any]], period: Period, settings: Settings) -> list[dict[str, Any]]:
    """A table's rows with the kind's derived flags (the rows as they are when it derives none)."""
    function: Callable[..., list[dict[str, Any]]] | None = _hook(key, "derive")
    return function(rows, period, settings) if function else rows


def source_fields(key: str) -> dict[str, tuple[str, ...]]:
    """Derived column → the contract columns behind it, for one table."""
    return _hook(key, "SOURCE_FIELDS") or {}


def alternatives(key: str) -> dict[str, tuple[str, ...]]:
    """Field → the other columns that may stand for it, for one kind."""
    return _hook(key, "ALTERNATIVES") or {}


def completer(key: str) -> Callable[[dict[str, list[Any]], dict[str, list[Any]], Contract], None] | None:
    """The kind's rule completing parsed columns from their raw cells (columns, raws, contract), if it has one."""
    return _hook(key, "complete")


def convert(spec: SheetSpec, record: dict[str, Any]) -> dict[str, Any]:
    """A row of a kind read into another kind's table, in that table's fields."""
    function = _hook(spec.key, "convert")
    return function(record) if function else record


def converted_fields(spec: SheetSpec) -> tuple[str, ...]:
    """The fields a kind's rows have once converted for the table they join."""
    return _hook(spec.key, "CONVERTED_FIELDS") or tuple(spec.fields)
