"""A plan document as text: .docx (python-docx), .txt/.md (UTF-8 or GB18030), .doc/.wps through LibreOffice.

Then the web's noise taken out (pinyin after characters, mojibake, page chrome) and
a 合集 split into its articles (篇1, 第二篇, 範文一 …), each with its heading.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError

TEXT_SUFFIXES = {".txt", ".md", ".text"}
WORD_SUFFIXES = {".docx", ".docm", ".dotx"}
LEGACY_SUFFIXES = {".doc", ".wps", ".rtf", ".odt", ".wpt"}
PLAN_SUFFIXES = TEXT_SUFFIXES | WORD_SUFFIXES | LEGACY_SUFFIXES
MAX_BYTES = 20 * 1024 * 1024  # a plan is a few pages; anything larger is not one

# 業(yè)務, 聯（lián）會: a pinyin syllable with a tone mark (or a tone digit) in brackets after a character.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN = re.compile(rf"[(（]\s*[a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*\s*[)）]|[(（][a-z]{{1,6}}[1-5][)）]")
# Mojibake: UTF-8 read as GBK (锟斤拷, 烫烫烫) or as Latin-1 (Ã©, â€œ), and the replacement character.
_MOJIBAKE = re.compile(
    r"(?:锟斤拷)+|(?:烫){2,}|(?:屯){2,}|\ufffd+|(?:[ÃÂâ][\x80-\xbf€œ™˜]){1,}|[\x00-\x08\x0b\x0c\x0e-\x1f]"
)
# Lines a web page wraps the article in.
_CHROME = re.compile(
    r"^(?:首页|您的当前位置|当前位置|显示全文|展开全文|阅读全文|上一篇|下一篇|相关推荐|热门推荐|来源[:：]|责任编辑|版权声明)"
)
# 篇1, 篇 2, 第一篇, 第2篇, 範文一, 范文二, 範例三: where a 合集's next article starts.
_ARTICLE = re.compile(
    r"(?P<mark>篇\s*[0-9一二三四五六七八九十]+|第[0-9一二三四五六七八九十]+篇|[範范][文例][0-9一二三四五六七八九十]+)"
    r"\s*[:：]?"
)


class DocumentError(PipelineError):
    """A plan document could not be read (one clear line, the run goes on)."""


@dataclass(frozen=True)
class Article:
    """One plan of a document: its heading and its text, with the web's noise taken out."""

    heading: str
    text: str


def read_text(path: Path) -> str:
    """The document's text, paragraph by paragraph (a .docx's tables too)."""
    if path.stat().st_size > MAX_BYTES:
        raise DocumentError(f"{path.name}：文件过大（{path.stat().st_size // 1024 // 1024} MB），不像工作计划，未读取")
    suffix = path.suffix.lower()
    if suffix in WORD_SUFFIXES:
        return _docx_text(path)
    if suffix in LEGACY_SUFFIXES:
        return _legacy_text(path)
    return decode(path.read_bytes(), path.name)


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (which covers GBK and GB2312)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(f"{name}：既不是 UTF-8 也不是 GB18030 编码的文本，未读取")


def _docx_text(path: Path) -> str:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise DocumentError(f"{path.name}：不是有效的 Word 文档（{type(exc).__name__}），未读取") from exc
    except Exception as exc:  # zipfile.BadZipFile, lxml errors: a broken file, never a traceback
        raise DocumentError(f"{path.name}：Word 文档已损坏（{type(exc).__name__}），未读取") from exc
    lines = []
    for block in document.iter_inner_content():  # paragraphs and tables in document order
        if isinstance(block, Table):
            for row in block.rows:  # a merged cell repeats in every column it spans: once is enough
                lines.append("　".join(dict.fromkeys(cell.text.strip() for cell in row.cells)))
        else:
            lines.append(block.text)
    return "\n".join(lines)


def _legacy_text(path: Path) -> str:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise DocumentError(f"{path.name}：读取 {path.suffix} 需要 LibreOffice（未安装），请另存为 .docx 后再试")
    with tempfile.TemporaryDirectory() as folder:
        command = [office, "--headless", f"-env:UserInstallation=file://{folder}/profile"]
        command += ["--convert-to", "docx", "--outdir", folder, str(path)]
        try:
            subprocess.run(command, capture_output=True, timeout=120, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DocumentError(f"{path.name}：LibreOffice 转换超时，未读取") from exc
        converted = Path(folder) / (path.stem + ".docx")
        if not converted.exists():
            raise DocumentError(
                f"{path.name}：LibreOffice 无法打开这个文件（读 .doc/.wps 需要 LibreOffice Writer），"
                "请另存为 .docx 后再试"
            )
        return _docx_text(converted)


def clean(text: str) -> str:
    """The text without pinyin after characters, mojibake, web-page chrome, and with one space for many.

    >>> clean("工會業(yè)務聯（lián）會锟斤拷工作")
    '工會業務聯會工作'
    """
    text = _PINYIN.sub("", text)
    text = _MOJIBAKE.sub("", text)
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = re.sub(r"[ \t\u3000\xa0]+", " ", line).strip()
        if line and not _CHROME.match(line):
            lines.append(line)
    return "\n".join(lines)


def articles(text: str, fallback: str) -> list[Article]:
    """A 合集 split at 篇1/第二篇/範文一 into its plans; a single plan is one article headed by its title.

    Text before the first article (the collection's own title) is kept as an article only
    when it is more than a title. Articles repeated word for word (pasted twice) are kept once.
    """
    marks = list(_ARTICLE.finditer(text))
    found: list[Article] = []
    if not marks:
        return [Article(title_of(text) or fallback, text)]
    starts = [_heading_start(text, m.start()) for m in marks]
    preamble = text[: starts[0]].strip()
    if len(preamble) > 120:
        found.append(Article(title_of(preamble) or fallback, preamble))
    for i, mark in enumerate(marks):
        end = starts[i + 1] if i + 1 < len(marks) else len(text)
        body = mark.end()
        rest = re.match(
            r"[^\n。]{1,40}(?=\n)", text[body:end]
        )  # 第1篇 育才中学工会2024年工作计划⏎: the line is the heading
        if rest and re.search(r"计划|計畫|計劃|规划|規劃|要点|要點|安排|工会|工會", rest.group(0)):
            body += rest.end()
        heading = re.sub(r"\s+", " ", text[starts[i] : body]).strip(" :：")
        found.append(Article(heading, text[body:end].strip()))
    return _unique(found)


def _heading_start(text: str, mark_start: int) -> int:
    """Where an article's heading begins: back from its 篇 mark over the title words (年度工会工作规划 篇1)."""
    before = text[max(0, mark_start - 30) : mark_start]
    title = re.search(r"[^\s。，,；;:：！!？?篇）)\]】]{0,26}\s?$", before)
    start = mark_start - (len(title.group(0)) if title else 0)
    return start


def title_of(text: str) -> str:
    """The first line that names a plan (…工作计划, …計畫, …要点), else the first short line."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    for line in lines[:8]:
        if len(line) <= 60 and re.search(r"计划|計畫|計劃|规划|規劃|要点|要點|安排|思路", line):
            return line
    return lines[0][:40] if lines and len(lines[0]) <= 40 else ""


def _unique(found: list[Article]) -> list[Article]:
    seen: set[str] = set()
    kept = []
    for article in found:
        key = re.sub(r"\s+", "", article.text)
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(article)
    return kept
