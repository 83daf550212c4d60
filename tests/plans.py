"""Plan documents as unions publish them, written here for the tests.

`COLLECTION` is a traditional-character 合集 of the kind pasted from web pages: three
articles (第1篇, 第2篇, and 第3篇 repeating 第1篇 word for word), pinyin after
characters, a month calendar; `write_docx` saves text as a real .docx with python-docx,
one paragraph per line, headings in Word's heading style, the calendar in a table.
"""

from __future__ import annotations

from pathlib import Path

import docx

FIRST_PLAN = """一、指導思想
堅持以習近平新時代中國特色社會主義思想為指導，深入學習貫徹黨的二十大精神，全面履行工會職能。
二、工作目標
1、教職工入會率保持在百分之九十五以上，全年新發展會員不少於十二人。
2、每學期按時召開一次教代會，校務公開做到一年兩次公布於眾。
3、開展教職工專題培訓，二個月一期，每期參訓教職工約60人。
4、困難教職工幫扶救助金額控制在8萬元以內。
5、組織文體活動3—4場，舉辦第六屆教職工運動會。
6、慰問70周歲以上退休教師，上午9點在京基100大廈集合，參加“3510工程”啟動儀式。
7、2023年工會共發放慰問金4.2萬元，慰問教職工186人次。
三、主要活動安排
一月份：
1、慶元旦活動。
2、慰問生病、家庭困難的教職工。
三月份：
1、慶祝“三八”婦女節，開展女教工活動。
2、召開第八屆教代會第四次會議。
九月份：
1、“教師節”慶祝活動。"""

SECOND_PLAN = """一、加強工會業(yè)務建設
1、開展“職工書屋”讀書活動一到二次，工會經費預算241。65萬元。
2、工會聯(lián)繫職工，做到每季度走訪一次基層班組。
3、持續提高工資集體協商覆蓋率。"""

COLLECTION_TITLE = "2024年學校工會工作計畫（合集）"
COLLECTION = [
    COLLECTION_TITLE,
    "第1篇 育才中學工會2024年工作計畫",
    *FIRST_PLAN.split("\n"),
    "第2篇 實驗小學工會2024年工作計畫",
    *SECOND_PLAN.split("\n"),
    "第3篇 育才中學工會2024年工作計畫",
    *FIRST_PLAN.split("\n"),
]


def write_docx(lines: list[str], path: Path) -> Path:
    """A Word document as a clerk makes one: a title, headings, paragraphs, and the calendar as a table."""
    document = docx.Document()
    table_rows: list[tuple[str, str]] = []
    for line in lines:
        if line.endswith("月份："):
            table_rows.append((line, ""))
            continue
        if table_rows and line[:1].isdigit() and line[1:2] == "、":
            month, items = table_rows[-1]
            table_rows[-1] = (month, (items + "\n" + line).strip())
            continue
        _flush_table(document, table_rows)
        style = "Heading 1" if line.startswith(("第", "2024")) else None
        document.add_paragraph(line, style=style)
    _flush_table(document, table_rows)
    document.save(str(path))
    return path


def _flush_table(document, rows: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    if not rows:
        return
    table = document.add_table(rows=0, cols=2)
    for month, items in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = month, items
    rows.clear()
