"""Helpers the kinds' modules share."""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.periods import Period


def within(day: Any, period: Period) -> bool:
    """True for a date inside the period (False for no date)."""
    return isinstance(day, date) and period.contains(day)
