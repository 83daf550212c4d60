"""A progress bar for long runs (tqdm): on a terminal only, and only once a step takes more than a second."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


def bar(total: int, label: str, unit: str = "份") -> Any:
    """A bar on stderr that stays silent when stderr is not a terminal (CI, pipes, tests) or the step is quick."""
    return tqdm(total=total, desc=label, unit=unit, file=sys.stderr, disable=None, delay=1.0, leave=False)
