"""Written 工作总结 as union clerks type them, with planted errors of each kind and near misses.

PLANTED lists what `check-summary` must find in WRITTEN (kind, stated figure); every
other figure there is a near miss that must stay quiet: a rate rounded or cut to the
digits written, a total that is right, a list that matches its count, money in 万元
beside 元, a 共开展… total that holds kinds not listed, an open 等 list, words that
merely contain 元 or 人次.
"""

from __future__ import annotations

from pathlib import Path

WRITTEN = """翠苑社区工会2024年工作总结

2024年，在街道总工会的指导下，社区工会围绕中心、服务大局，现将全年工作总结如下。

一、主要工作及成效
（一）组织建设
全年走访辖区企业32家，其中已建会28家，新建工会2家。32家企业中3家签订了工资专项集体合同，占9%。辖区25人以上企业7家中已建会7家，建会率100%。
（二）职工活动
全年开展培训4场、参与职工886人次。一季度举办3场、二季度5场，上半年共计9场。全年开展活动12场，其中培训4场、文体活动5场。
开展了读书会、运动会和演讲比赛四项活动。开展3项主题活动：读书会、运动会、演讲比赛。组织了插花、摄影等四项兴趣活动。
主要做了三项工作：一是送温暖；二是金秋助学；三是职工体检。
（三）维权帮扶
发放慰问金1.93万元，惠及16人。慰问困难职工10人、劳模6人，共计16人。发放慰问金1.2万元、救助金8000元，合计2.5万元。
全年共开展帮扶活动20场，包括走访3场、座谈5场。
（四）经费管理
完成收入56。4萬元，為年計劃52萬元的110.2%。经费支出48.6万元，占收入的86.2%。经费收入比上年52万元增长8.5%，即今年56.4万元。
经费支出48.6万元，比上年40万元增长25%。
发放慰问金万元，参与职工人次，集体合同签订率达%。
工会财务实行单元化管理，公元2024年起执行新制度，筹集资金数万元，人均参与人次较上年提高。

二、存在的问题
一是部分企业建会后活动不够经常；二是经费使用进度偏慢。

三、下一步打算
继续加大建会力度，力争新建工会3家。

翠苑社区工会
2024年12月28日
"""

PLANTED = {
    ("sum", "9场"),  # 3 + 5 = 8, not 9
    ("count", "四项"),  # 读书会、运动会和演讲比赛 are three
    ("sum", "2.5万元"),  # 1.2万元 + 8000元 = 2万元
    ("rate", "110.2%"),  # 56.4 ÷ 52 = 108.46%
    ("rate", "25%"),  # (48.6 − 40) ÷ 40 = 21.5%
    ("missing", ""),  # 慰问金万元
}
MISSING_WORDS = ("万元", "人次", "%")  # three lost numbers in one sentence


def write_docx(text: str, path: Path) -> Path:
    """The summary as Word would save it: one paragraph per line (python-docx)."""
    from docx import Document

    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(path)
    return path


# A street federation's summary in traditional characters, as such summaries are published: slogans
# with counts (五項工程), star ratings that add up, two payouts with their 合計, a 其中 part, a rate
# beside last year's, and a template's placeholders never filled in (xxxx名) — those three are the findings.
TRADITIONAL = """文新街道總工會2024年度工作總結

一年來，街道總工會在黨工委的領導下，紮實推進“強基、共建”五項工程，圍繞三個重點開展工作。
一、工會組建
1、組織建設。全年完成換屆工會39家，新建工會5家，做到應建盡建。
2、建家評星。評出五星級工會8家、四星級12家、三星級24家，共計44家。
轄區現有職工xxxx名，會員xxxx名，企業xxxx家，實現兩個100%覆蓋。
二、維權幫扶
春節走訪慰問困難職工86戶，發放慰問金和物資折合12.9萬元；金秋助學資助23名學生，發放助學金4.6萬元，兩項合計17.5萬元。
全年舉辦技能培訓6期、培訓職工420人次，其中女職工180人次。
三、存在的問題
一是部分非公企業建會後作用發揮不夠；二是經費收繳率只有86%，比上年80%提高6個百分點。
"""
TRADITIONAL_FOUND = {("missing", "xxxx名"), ("missing", "xxxx家")}
