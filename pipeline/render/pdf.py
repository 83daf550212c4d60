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
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import weasyprint

from pipeline.cache import ContentCache
from pipeline.progress import bar


def write_pdf(html: str, path: Path, base_url: Path) -> None:
    """Render `html` to an A4 PDF at `path`; relative links resolve against `base_url`."""
    gc.collect()
    gc.freeze()
    try:
        weasyprint.HTML(string=html, base_url=str(base_url)).write_pdf(str(path))
    finally:
        gc.unfreeze()


def _render_job(job: tuple[str | Path, str, str]) -> None:
    source, path, base = job
    write_pdf(page_html(source), Path(path), Path(base))


def page_html(source: str | Path) -> str:
    """A page's HTML: given as text, or as the HTML file already written (read when needed, not all held at once)."""
    return source.read_text(encoding="utf-8") if isinstance(source, Path) else source


class PdfCache(ContentCache):
    """Rendered PDFs by the hash of their HTML (and WeasyPrint's version)."""

    def __init__(self, folder: Path | None) -> None:
        super().__init__(folder, weasyprint.__version__, ".pdf")


def render_pdfs(pages: dict[Path, str | Path], cache: PdfCache, jobs: int = 1) -> int:
    """Each target PDF from its HTML (text, or an HTML file), from the cache where possible; how many were rendered.

    Only keys are held for the whole run: ten thousand units' pages would not fit in memory as text.
    """
    keys, todo = set(), []
    for path, source in pages.items():
        html = page_html(source)
        keys.add(cache.key(html))
        if not cache.fetch(html, path):
            todo.append((path, source))
    work = [(source, str(path), str(path.parent)) for path, source in todo]
    with bar(len(work), "生成 PDF") as progress:
        if jobs > 1 and len(work) > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for _ in pool.map(_render_job, work):
                    progress.update(1)
        else:
            for job in work:
                _render_job(job)
                progress.update(1)
    for path, source in todo:
        cache.store(page_html(source), path)
    cache.prune(keys)
    return len(todo)
