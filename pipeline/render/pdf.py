"""PDF from the report HTML with WeasyPrint (A4, CJK font from the CSS stack).

The cyclic garbage collector costs a large share of WeasyPrint's time on
table-heavy pages, so it is frozen around each render (measured on this
machine; see the pitfalls note in the README).
"""

from __future__ import annotations

import gc
from pathlib import Path

import weasyprint


def write_pdf(html: str, path: Path, base_url: Path) -> None:
    """Render `html` to an A4 PDF at `path`; relative links resolve against `base_url`."""
    gc.collect()
    gc.freeze()
    try:
        weasyprint.HTML(string=html, base_url=str(base_url)).write_pdf(str(path))
    finally:
        gc.unfreeze()
