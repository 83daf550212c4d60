"""Write every deliverable of a run into the output folder, atomically."""

from __future__ import annotations

from pathlib import Path

from pipeline.memory import results_frozen
from pipeline.paths import Staging, safe_name
from pipeline.render.feedback import FeedbackOptions, copy_cache, write_feedback
from pipeline.render.html import environment, localise, render_audit, render_consolidated, render_unit
from pipeline.render.machine import write_machine_outputs
from pipeline.render.pdf import PdfCache, render_pdfs
from pipeline.render.summary import docx_cache, write_summaries
from pipeline.render.xlsx import write_consolidated
from pipeline.run import RunResult


def publish(
    result: RunResult,
    out: Path,
    locale: str = "zh-Hans",
    pdf: bool = True,
    jobs: int = 1,
    use_cache: bool = True,
    feedback: FeedbackOptions | None = None,
) -> list[Path]:
    """CSV, HTML, PDF and XLSX outputs; previous outputs stay until all are written."""
    with results_frozen():
        return _publish(result, out, locale, pdf, jobs, use_cache, feedback)


def _publish(
    result: RunResult,
    out: Path,
    locale: str,
    pdf: bool,
    jobs: int,
    use_cache: bool,
    feedback: FeedbackOptions | None,
) -> list[Path]:
    staging = Staging(out)
    try:
        write_machine_outputs(result, staging)
        env = environment(locale)
        limit = int(result.settings.options["reports"]["pdf_list_limit"])
        pdfs: dict[Path, str | Path] = {}

        def page(name: str, html: str, printed: str | None = None) -> None:
            # written at once, the PDF pass reading it back: a federation's pages are not all held in memory
            path = staging.path(f"{name}.html")
            path.write_text(localise(html, locale), encoding="utf-8")
            pdfs[staging.path(f"{name}.pdf")] = localise(printed, locale) if printed is not None else path

        # One union on its own gets its own progress report; several get the consolidated one.
        current = list(result.selection.current)
        alone = len(current) == 1 and not any(node.children for node in result.nodes.values())
        if alone:
            page("report", render_unit(result, current[0], env))
        else:
            page("report", render_consolidated(result, env), render_consolidated(result, env, limit))
        page("audit", render_audit(result, env), render_audit(result, env, limit))  # the PDFs' bounded versions
        for code in current:
            page(f"units/{safe_name(code)}", render_unit(result, code, env))
        copies = copy_cache(out / ".cache" / "feedback" if use_cache else None)
        write_feedback(result, staging, environment("zh-Hans"), feedback or FeedbackOptions(), page, copies, jobs)
        write_consolidated(result, staging.path("consolidated.xlsx"))
        documents = docx_cache(out / ".cache" / "docx" if use_cache else None)
        write_summaries(result, staging, locale, cache=documents, jobs=jobs)
        if pdf:
            result.rendered["pdf"] = render_pdfs(pdfs, PdfCache(out / ".cache" / "pdf" if use_cache else None), jobs)
    except BaseException:
        staging.discard()
        raise
    published = staging.publish()
    drop_stale_feedback(out, published)
    if not pdf:  # a PDF left from an earlier run would no longer match the pages just written
        for name in pdfs:
            stale = out / name.relative_to(staging.root)
            stale.unlink(missing_ok=True)
    return published


def drop_stale_feedback(out: Path, published: list[Path]) -> None:
    """A feedback file of an earlier run whose problems are gone would send a unit back to fix what is fixed."""
    kept = set(published)
    folder = out / "feedback"
    for path in folder.glob("*") if folder.is_dir() else []:
        if path.is_file() and path not in kept:
            path.unlink()
