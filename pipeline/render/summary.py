"""The 工作总结 draft as .docx (python-docx; edits in Word and WPS) and as HTML.

The document is laid out as union documents are: a centred title, 一、 chapter
headings, （一） part headings, body paragraphs indented two characters, an
appendix table of every figure to the fen, and a signature block to fill in.
The lineage of each figure is a Word comment on its sentence (a footnote in the HTML).
"""

from __future__ import annotations

import gc
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import docx
import jinja2
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from pipeline.cache import ContentCache
from pipeline.consolidate import descendants, walk
from pipeline.memory import release_memory
from pipeline.paths import Staging, safe_name
from pipeline.progress import bar
from pipeline.render.html import environment
from pipeline.run import RunResult
from pipeline.summary.draft import Chapter, Draft, Section, Sentence, draft

AUTHOR = "工会统计流水线"
BODY_FONT, HEADING_FONT, PART_FONT, TITLE_FONT = "仿宋", "黑体", "楷体", "宋体"
TABLE_COLUMNS = ("指标", "数值", "目标", "完成情况", "上年")
TABLE_STYLE, TABLE_HEAD_STYLE = "附表正文", "附表表头"  # paragraph styles: one font setting, not one per cell
COLUMN_CM = (5.2, 3.4, 3.2, 2.0, 2.8)  # the indicator's name gets the room; figures fit on one line


def tree_drafts(result: RunResult) -> list[Draft]:
    """The summary of the tree: each root's roll-up (a lone unit: its own figures)."""
    roots = [code for code, depth in walk(result.nodes) if depth == 0]
    return [draft(result, code, consolidated=bool(result.rollup_rows(code))) for code in roots]


def unit_draft(result: RunResult, code: str) -> Draft:
    """A unit's summary of its own workbook's figures."""
    return draft(result, code, consolidated=False)


def localiser(locale: str, names: Iterable[str] = ()) -> Callable[[Draft], Draft]:
    """What puts a run's drafts in its locale: zh-Hant in traditional characters (OpenCC), unit names as written.

    Made once per run: a federation's thousands of names are converted once and put back by one pattern.
    """
    if locale != "zh-Hant":
        return lambda one: one
    import opencc

    to_traditional = opencc.OpenCC("s2t").convert
    kept = {to_traditional(name): name for name in names}
    kept = {converted: name for converted, name in kept.items() if converted != name}
    pattern = re.compile("|".join(re.escape(k) for k in sorted(kept, key=len, reverse=True))) if kept else None

    def convert(text: str) -> str:
        text = to_traditional(text)
        return pattern.sub(lambda found: kept[found.group(0)], text) if pattern else text

    return partial(_converted, convert=convert)


def _converted(one: Draft, convert: Callable[[str], str]) -> Draft:
    chapters = [
        Chapter(
            convert(c.heading),
            [
                Section(convert(s.heading), [Sentence(convert(t.text), t.source) for t in s.sentences])
                for s in c.sections
            ],
        )
        for c in one.chapters
    ]
    table = [{k: v if k == "来源" else convert(v) for k, v in row.items()} for row in one.table]
    return replace(one, title=convert(one.title), chapters=chapters, table=table)


def _font(run_or_style: Any, name: str, size: float | None = None, bold: bool | None = None) -> None:
    font = run_or_style.font
    font.name = name
    rpr = run_or_style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)  # Chinese text takes the East Asian font
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold


@cache
def _styled_blank() -> bytes:
    """An empty document with the summary's fonts and styles, made once per process (10% of a document's time)."""
    document = Document()
    _font(document.styles["Normal"], BODY_FONT, 14)
    for name, font, bold in ((TABLE_STYLE, BODY_FONT, False), (TABLE_HEAD_STYLE, HEADING_FONT, True)):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        _font(style, font, 10.5, bold=bold)
    for level, name in ((1, HEADING_FONT), (2, PART_FONT)):
        style = document.styles[f"Heading {level}"]
        _font(style, name, 14 if level == 2 else 15, bold=level == 1)
        style.font.color.rgb = RGBColor(0, 0, 0)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_docx(drafts: list[Draft], path: Path) -> None:
    """One .docx holding the drafts (one per tree root), each from its title to its signature."""
    document = Document(io.BytesIO(_styled_blank()))
    stamp = _stamp(drafts[0].dated if drafts else None)
    for index, one in enumerate(drafts):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _draft_docx(document, one)
    for comment in document.comments:
        comment._comment_elm.date = stamp  # python-docx dates comments now(); the same inputs give the same bytes
    properties = document.core_properties
    properties.author, properties.title = AUTHOR, drafts[0].title if drafts else ""
    properties.created = properties.modified = properties.last_printed = stamp
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    _write_fixed_zip(buffer, path)


def _stamp(day: date | None) -> datetime:
    day = day or date(2000, 1, 1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _write_fixed_zip(package: io.BytesIO, path: Path) -> None:
    """Write the package with a fixed time on every member (zipfile stamps each with the clock)."""
    with zipfile.ZipFile(package) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            target.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def _draft_docx(document: Any, one: Draft) -> None:
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(one.title), TITLE_FONT, 20, bold=True)
    for chapter in one.chapters:
        _heading(document, chapter.heading, 1)
        numbered = chapter.heading != one.chapters[0].heading
        for section in chapter.sections:
            if section.heading:
                _heading(document, section.heading, 2)
            if numbered:  # 存在的问题, 下一步打算: one numbered paragraph each
                for number, sentence in enumerate(section.sentences, 1):
                    _paragraph(document, [sentence], f"{number}．")
            else:
                _paragraph(document, section.sentences)
    _table_docx(document, one)
    for line in (one.unit_name, f"{one.period[:5] if one.period[:4].isdigit() else ''}    月    日"):
        signature = document.add_paragraph(line)
        signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table_docx(document: Any, one: Draft) -> None:
    """附表: every indicator's exact figure, its target, status and last year's; the rows behind it as a comment.

    The table is written as one piece of XML: python-docx's cell by cell calls cost most of a document's time.
    """
    _heading(document, "附表：主要指标完成情况", 1)
    head, body = document.styles[TABLE_HEAD_STYLE].style_id, document.styles[TABLE_STYLE].style_id
    widths = [int(Cm(width).twips) for width in COLUMN_CM]
    header = {name: name for name in TABLE_COLUMNS}
    rows = []
    for values in [header, *one.table]:
        cells = []
        for name, width in zip(TABLE_COLUMNS, widths, strict=True):
            style = head if values is header else body
            right = '<w:jc w:val="right"/>' if values is not header and name != "指标" else ""
            cells.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="{style}"/>'
                f'{right}</w:pPr><w:r><w:t xml:space="preserve">{escape(values[name])}</w:t></w:r></w:p></w:tc>'
            )
        rows.append(f"<w:tr>{''.join(cells)}</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)  # LibreOffice and WPS lay out by the grid
    table = parse_xml(
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{document.styles["Table Grid"].style_id}"/>'
        f'<w:tblW w:type="auto" w:w="0"/><w:tblLayout w:type="fixed"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )
    document.element.body.sectPr.addprevious(table)
    for values, row in zip(one.table, table.tr_lst[1:], strict=True):
        run = Run(row.tc_lst[1].p_lst[0].r_lst[0], Paragraph(row.tc_lst[1].p_lst[0], document._body))
        document.add_comment(run, text=values["来源"], author=AUTHOR, initials="TJ")


def _heading(document: Any, text: str, level: int) -> None:
    """A heading by its style id (python-docx's add_heading looks the style up by name, scanning all styles)."""
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().style = f"Heading{level}"


def _paragraph(document: Any, sentences: list[Sentence], prefix: str = "") -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(28)  # two characters of 14 pt
    if prefix:
        paragraph.add_run(prefix)
    for sentence in sentences:
        run = paragraph.add_run(sentence.text + "。")
        if sentence.source:
            document.add_comment(run, text=f"数据来源：{sentence.source}", author=AUTHOR, initials="TJ")


def render_html(drafts: list[Draft], locale: str = "zh-Hans", env: jinja2.Environment | None = None) -> str:
    """The drafts as one self-contained HTML page, lineage as numbered footnotes."""
    env = env or environment(locale)
    notes: list[str] = []
    views = []
    for one in drafts:
        chapters = []
        for chapter in one.chapters:
            sections = []
            for section in chapter.sections:
                sentences = []
                for sentence in section.sentences:
                    number = 0
                    if sentence.source:
                        notes.append(sentence.source)
                        number = len(notes)
                    sentences.append({"text": sentence.text, "note": number})
                sections.append({"heading": section.heading, "sentences": sentences})
            chapters.append({"heading": chapter.heading, "sections": sections})
        views.append({"draft": one, "chapters": chapters, "numbered_from": one.chapters[0].heading})
    template = env.get_template("summary.html.j2")
    title = drafts[0].title if drafts else "工作总结"
    return template.render(drafts=views, notes=notes, columns=TABLE_COLUMNS, title=title)


def docx_cache(folder: Path | None) -> ContentCache:
    """Drafted .docx files by their drafts' content, salted with this writer's own source and python-docx's version."""
    salt = hashlib.sha256(Path(__file__).read_bytes()).hexdigest() + docx.__version__
    return ContentCache(folder, salt, ".docx")


def write_summaries(
    result: RunResult,
    staging: Staging,
    locale: str = "zh-Hans",
    unit: str | None = None,
    cache: ContentCache | None = None,
    jobs: int = 1,
) -> list[str]:
    """工作总结.docx/.html for the tree (or `unit`'s subtree) and units/<code>_工作总结.docx/.html for each unit.

    A unit whose draft did not change since the last run gets its .docx from `cache` (python-docx
    costs about 0.1 s a document; a federation has thousands).
    """
    env = environment(locale)
    cache = cache or docx_cache(None)
    if unit is not None:
        tree = [draft(result, unit, consolidated=bool(result.rollup_rows(unit)))]
        codes = [c for c in result.selection.current if c in descendants(result.nodes, unit)]
    else:
        tree, codes = tree_drafts(result), list(result.selection.current)
    to_locale = localiser(locale, [node.name for node in result.nodes.values()])
    documents: list[tuple[str, Callable[[], list[Draft]]]] = [("工作总结", lambda: tree)] if tree else []
    documents += [(f"units/{safe_name(code)}_工作总结", partial(_unit_drafts, result, code)) for code in codes]
    keys: set[str] = set()
    written: list[tuple[Path, str]] = []

    def done(batch: list[tuple[Path, str]], size: int) -> None:
        for target, key in batch:
            cache.store_key(key, target)
        written.extend(batch)
        release_memory()
        progress.update(size)

    # In batches, never all drafts at once (10,000 would take gigabytes); the workers write one batch
    # while this process drafts the next.
    with bar(len(documents), "起草工作总结") as progress, _docx_writer(jobs, len(documents)) as send:
        pending: tuple[Callable[[], None], list[tuple[Path, str]], int] | None = None
        for start in range(0, len(documents), BATCH):
            todo = []
            batch = documents[start : start + BATCH]
            for name, make in batch:
                shown = [to_locale(one) for one in make()]
                key = cache.key(repr(shown))
                keys.add(key)
                target = staging.path(f"{name}.docx")
                if not cache.fetch_key(key, target):
                    todo.append((shown, target, key))
                staging.path(f"{name}.html").write_text(render_html(shown, locale, env), encoding="utf-8")
            wait = send([(shown, target) for shown, target, _key in todo])
            if pending is not None:
                pending[0]()
                done(pending[1], pending[2])
            pending = (wait, [(target, key) for _shown, target, key in todo], len(batch))
        if pending is not None:
            pending[0]()
            done(pending[1], pending[2])
    cache.prune(keys)
    result.rendered["drafts"] = len(written)
    return [f"{name}.docx" for name, _make in documents]


BATCH = 64  # documents drafted, written and let go together
POOLED_FROM = 9  # fewer documents are written here sooner than workers start


def _unit_drafts(result: RunResult, code: str) -> list[Draft]:
    return [unit_draft(result, code)]


Batch = list[tuple[list[Draft], Path]]


@contextmanager
def _docx_writer(jobs: int, count: int) -> Iterator[Callable[[Batch], Callable[[], None]]]:
    """Sends batches of documents to be written; each send gives what waits until its batch is on disk.

    In a pool of `jobs` processes when there are enough documents to share, here otherwise.
    """
    if jobs <= 1 or count < POOLED_FROM:

        def here(batch: Batch) -> Callable[[], None]:
            for shown, target in batch:
                write_docx(shown, target)
            return lambda: None

        yield here
        return
    # each worker freezes what it inherits, so collecting after a document walks only that document's objects
    with ProcessPoolExecutor(max_workers=jobs, initializer=gc.freeze) as pool:

        def pooled(batch: Batch) -> Callable[[], None]:
            futures = [pool.submit(_write_jobs, batch[i : i + 8]) for i in range(0, len(batch), 8)]

            def wait() -> None:
                for future in futures:
                    future.result()

            return wait

        yield pooled


def _write_jobs(jobs: Batch) -> None:
    for shown, target in jobs:
        write_docx(shown, target)
        release_memory()  # a pool worker writes hundreds of documents
