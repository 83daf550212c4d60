"""PDF from the report HTML with WeasyPrint (A4, CJK font from the CSS stack).

Rendering dominates a run (about 0.4 s a page with a CJK font), so:
- a page whose HTML did not change since an earlier run is copied from a
  content-addressed cache instead of rendered again (`make report` after
  fixing one workbook re-renders that unit's pages only);
- pages are rendered in parallel worker processes when `jobs` > 1;
- the cyclic garbage collector is frozen around each render: it costs a
  large share of WeasyPrint's time on table-heavy pages.
"""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
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


def _render_job(job: tuple[str, str, str]) -> None:
    html, path, base = job
    write_pdf(html, Path(path), Path(base))


class PdfCache:
    """Rendered PDFs by the hash of their HTML."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def key(self, html: str) -> str:
        """The cache key of a page (its HTML, and WeasyPrint's version)."""
        return hashlib.sha256(f"{weasyprint.__version__}\n{html}".encode()).hexdigest()

    def fetch(self, html: str, target: Path) -> bool:
        """Copy a cached rendering of `html` to `target`; False when there is none."""
        if self.folder is None:
            return False
        cached = self.folder / f"{self.key(html)}.pdf"
        if not cached.is_file():
            return False
        shutil.copyfile(cached, target)
        return True

    def store(self, html: str, rendered: Path) -> None:
        """Keep a rendering for the next run."""
        if self.folder is None:
            return
        final = self.folder / f"{self.key(html)}.pdf"
        temporary = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        shutil.copyfile(rendered, temporary)
        os.replace(temporary, final)

    def prune(self, keep: set[str]) -> None:
        """Forget renderings no page of this run uses."""
        if self.folder is None:
            return
        for entry in self.folder.glob("*.pdf"):
            if entry.stem not in keep:
                entry.unlink(missing_ok=True)


def render_pdfs(pages: dict[Path, str], cache: PdfCache, jobs: int = 1) -> int:
    """Each target PDF from its HTML, from the cache where possible; returns how many were rendered."""
    todo = [(path, html) for path, html in pages.items() if not cache.fetch(html, path)]
    work = [(html, str(path), str(path.parent)) for path, html in todo]
    if jobs > 1 and len(work) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(_render_job, work))
    else:
        for job in work:
            _render_job(job)
    for path, html in todo:
        cache.store(html, path)
    cache.prune({cache.key(html) for html in pages.values()})
    return len(todo)
