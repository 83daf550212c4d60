"""Command line: `python -m pipeline report|ingest|template …`.

The only place that turns errors into exit codes: 0 finished (rejected rows
or not), 1 the pipeline failed, 2 usage error, 3 `--strict` and something
was rejected. Errors are one line; `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

from pipeline.errors import ConfigError, PipelineError
from pipeline.paths import DEFAULT_INPUTS, DEFAULT_OUTPUTS, output_lock

DEFAULT_JOBS = min(4, os.cpu_count() or 1)  # reading and PDF processes

LOCALES = ["zh-Hans", "zh-Hant", "en"]
STATUS_WORDS = {"missing": "未报送", "rejected": "被退回", "duplicate": "重复报送"}


class UsageError(PipelineError):
    """The command line is wrong (exit 2)."""


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so exit codes stay in one place."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Turn argparse's complaint into a UsageError (exit 2)."""
        raise UsageError(f"用法错误：{message}（python -m pipeline --help 查看用法）")


def parser() -> Parser:
    """The argument parser for all commands (every option described in Chinese)."""
    top = Parser(prog="python -m pipeline", description="工会年度工作统计与进度报告")
    top.add_argument("--debug", action="store_true", help="出错时显示完整的 Python 调用栈")
    commands = top.add_subparsers(dest="command", required=True, parser_class=Parser, title="命令")
    report = commands.add_parser(
        "report", help="读取 inputs/ 中的工作簿，生成全部报告", description="读取台账，生成全部报告"
    )
    run_options(report)
    report.add_argument("--strict", action="store_true", help="有被拒收的行或文件时以状态 3 退出")
    report.add_argument("--locale", choices=LOCALES, default="zh-Hans", help="报告语言：简体、繁體或英文（默认简体）")
    report.add_argument("--no-pdf", action="store_true", help="只生成 HTML/CSV/XLSX，不生成 PDF")
    feedback_options(report)
    feedback = commands.add_parser(
        "feedback",
        help="给各下级单位的问题反馈：标注问题的工作簿副本和整改通知",
        description="把每份有问题的工作簿标注后发回（feedback/），每个单位一份整改通知，以及 index.csv",
    )
    run_options(feedback)
    feedback_options(feedback)
    feedback.add_argument("--no-pdf", action="store_true", help="整改通知只生成 HTML，不生成 PDF")
    summary = commands.add_parser(
        "summary",
        help="用台账的统计结果起草工作总结（.docx 和 HTML）",
        description="用本次统计的数字起草工作总结：工作总结.docx 和各单位的 units/<单位代码>_工作总结.docx",
    )
    run_options(summary)
    summary.add_argument("--locale", choices=LOCALES, default="zh-Hans", help="页面语言（总结正文为简体中文）")
    check = commands.add_parser(
        "check-summary",
        help="核对写好的工作总结中的数字",
        description="核对工作总结（.docx/.txt）中的合计、比率、项数，以及（--against）与统计结果是否一致",
    )
    check.add_argument("files", type=Path, nargs="+", help="工作总结文件")
    check.add_argument("--out", type=Path, required=True, help="输出文件夹（写入 summary_findings.csv）")
    check.add_argument("--against", type=Path, help="一次 report 的输出文件夹：文中数字与其 indicators.csv 核对")
    plan = commands.add_parser(
        "plan",
        help="读取工作计划中的目标和月度安排",
        description="读取工作计划（.docx/.txt/.doc）中的量化目标和月度安排",
    )
    plan.add_argument("files", type=Path, nargs="+", help="工作计划文件")
    plan.add_argument("--out", type=Path, required=True, help="输出文件夹")
    plan.add_argument("--unit", help="计划所属的单位代码（写入 年度目标.xlsx 的说明）")
    plan.add_argument("--year", type=int, help="计划年度（如 2024）；默认从标题读出")
    ingest = commands.add_parser("ingest", help="只读取并校验工作簿", description="只读取并校验工作簿")
    ingest.add_argument("files", type=Path, nargs="+", help="要读取的文件")
    ingest.add_argument("--out", type=Path, required=True, help="输出文件夹")
    ingest.add_argument("--config", type=Path, help="本单位的配置文件（YAML）")
    ingest.add_argument("--unit", help="看不出所属单位的台账都算作这个单位代码")
    ingest.add_argument(
        "--jobs", type=int, default=DEFAULT_JOBS, help="并行读取工作簿的进程数（默认为 CPU 核数，最多 4）"
    )
    template = commands.add_parser(
        "template",
        help="生成填报模板（空白的，或按名册给每个单位预填好的）",
        description="生成空白填报模板；给了 --roster 时按名册为每个应报单位生成一份预填的模板",
    )
    template.add_argument("--out", type=Path, required=True, help="模板文件的路径（.xlsx）；有 --roster 时为文件夹")
    template.add_argument("--config", type=Path, help="本单位的配置文件（YAML）")
    template.add_argument("--roster", type=Path, help="组织架构名册：为其中每个应报单位预填一份模板")
    template.add_argument("--targets", type=Path, help="目标任务工作簿：把各单位的目标预填进“年度目标”")
    template.add_argument("--period", help="预填的报告期（如 2025年）；有 --roster 时必填")
    return top


def run_options(command: argparse.ArgumentParser) -> None:
    """The options of a run over the inputs (report and summary share them)."""
    command.add_argument("--inputs", type=Path, default=DEFAULT_INPUTS, help="放工作簿的文件夹（默认 inputs/）")
    command.add_argument("--out", type=Path, default=DEFAULT_OUTPUTS, help="输出文件夹（默认 outputs/）")
    command.add_argument("--config", type=Path, help="本单位的配置文件（YAML：目标、慰问标准、新增指标……）")
    command.add_argument("--targets", type=Path, help="上级下达的目标任务工作簿（单位代码、指标、目标值）")
    command.add_argument("--roster", type=Path, help="组织架构名册（应报单位及上下级关系）")
    command.add_argument("--period", help="汇总哪个报告期（如 2024年、2024年上半年）；默认取多数工作簿的报告期")
    command.add_argument("--unit", help="只有一个单位时：看不出所属单位的台账都算作这个单位代码")
    command.add_argument(
        "--jobs",
        type=int,
        default=DEFAULT_JOBS,
        help="并行读取工作簿、生成 PDF 的进程数（默认为 CPU 核数，最多 4）",
    )
    command.add_argument("--no-cache", action="store_true", help="不使用上次读取的缓存（outputs/.cache）")
    command.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="在哪里读取工作簿：本机进程（默认）或 Dask 集群（需 pip install -e '.[dask]'）",
    )
    command.add_argument(
        "--scheduler", help="--engine dask 时的调度器地址（如 tcp://10.0.0.5:8786）；不给则在本机启动两个 worker"
    )
    command.add_argument(
        "--plan", type=Path, action="append", default=[], help="本单位的工作计划（.docx/.txt），用其中的目标和月度安排"
    )


def feedback_options(command: argparse.ArgumentParser) -> None:
    """The 整改通知's deadline and contact."""
    command.add_argument("--deadline", help="整改通知中的重新报送期限（如 2025-01-15）")
    command.add_argument("--contact", help="整改通知中的联系人和电话（默认取上级单位工作簿的填报人、联系电话）")


def parse_feedback(args: argparse.Namespace) -> object:
    """--deadline and --contact as the notice's options."""
    from pipeline.errors import ValueParseError
    from pipeline.render.feedback import FeedbackOptions
    from pipeline.values import parse_date

    deadline = None
    if args.deadline:
        try:
            deadline = parse_date(args.deadline)
        except ValueParseError as exc:
            raise UsageError(f"--deadline：{exc}") from exc
    return FeedbackOptions(deadline, args.contact or "")


def has_workbooks(folder: Path) -> bool:
    """True when the folder holds any file a union might have put there."""
    from pipeline.run import discover

    return any(p.name != ".gitkeep" for p in discover(folder))


def run_inputs(args: argparse.Namespace) -> object:
    """Check the run options, read the inputs (the demo data when there are none) and compute every figure."""
    from pipeline import demo
    from pipeline.cache import IngestCache
    from pipeline.config import load_settings
    from pipeline.errors import ValueParseError
    from pipeline.periods import parse_period
    from pipeline.run import Engine, discover, run_report

    if not args.inputs.is_dir():
        raise UsageError(f"找不到输入文件夹 {args.inputs}")
    for option in (args.roster, args.targets, *args.plan):
        if option is not None and not option.is_file():
            raise UsageError(f"找不到文件 {option}")
    settings = load_settings(args.config)
    inputs = args.inputs
    if not has_workbooks(inputs):
        inputs = args.out / "demo_inputs"
        demo.ensure(inputs, args.out / ".cache")
        print(f"inputs/ 里没有工作簿，使用内置演示数据（{inputs}）。把本单位的工作簿放进 inputs/ 后重新运行即可。")
    cache = None if args.no_cache else IngestCache(args.out / ".cache" / "ingest", settings.contract)
    if args.jobs < 1:
        raise UsageError("--jobs 应为正整数")
    period = None
    if args.period:
        try:
            period = parse_period(args.period)
        except ValueParseError as exc:
            raise UsageError(f"--period：{exc}") from exc
    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler 只用于 --engine dask")
    engine = Engine(args.engine, args.jobs, args.scheduler)
    return run_report(
        discover(inputs),
        settings,
        inputs,
        args.roster,
        args.targets,
        cache,
        args.jobs,
        period,
        args.unit,
        args.plan,
        engine,
    )


def cmd_report(args: argparse.Namespace) -> int:
    """Run the whole pipeline and publish the outputs."""
    from pipeline.render.publish import publish
    from pipeline.run import RunResult

    started = time.perf_counter()
    feedback = parse_feedback(args)
    with output_lock(args.out):
        result = run_inputs(args)
        assert isinstance(result, RunResult)
        written = publish(
            result,
            args.out,
            args.locale,
            pdf=not args.no_pdf,
            jobs=args.jobs,
            use_cache=not args.no_cache,
            feedback=feedback,  # type: ignore[arg-type]
        )
    summarise(result, args.out, len(written), time.perf_counter() - started)
    rejected = any(f.rejections or f.status == "rejected" for f in result.files)
    return 3 if args.strict and rejected else 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Draft the 工作总结 from the run's figures (the report's inputs and options)."""
    from pipeline.memory import results_frozen
    from pipeline.paths import staged
    from pipeline.render.summary import docx_cache, write_summaries
    from pipeline.run import RunResult

    with output_lock(args.out):
        result = run_inputs(args)
        assert isinstance(result, RunResult)
        if args.unit and args.unit not in result.nodes:
            raise UsageError(f"--unit {args.unit}：本次统计中没有这个单位代码")
        with staged(args.out) as staging, results_frozen():
            cache = docx_cache(None if args.no_cache else args.out / ".cache" / "docx")
            written = write_summaries(result, staging, args.locale, args.unit, cache)
    if not written:
        print("没有可起草工作总结的单位（没有读到本报告期的台账）。")
        return 0
    print(f"已起草 {written[0]}" + (f" 和 {len(written) - 1} 份单位工作总结（units/）" if len(written) > 1 else ""))
    print(f"文件在 {args.out}/：每个数字都来自本次统计，批注（HTML 中为脚注）写明来自哪些台账行；请核对后再修改定稿。")
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """Only the feedback to sub-unions: marked copies, 整改通知 (HTML and PDF) and index.csv."""
    from pipeline.memory import results_frozen
    from pipeline.paths import staged
    from pipeline.render.feedback import FeedbackOptions, write_feedback
    from pipeline.render.html import environment
    from pipeline.render.pdf import PdfCache, render_pdfs
    from pipeline.render.publish import drop_stale_feedback
    from pipeline.run import RunResult

    options = parse_feedback(args)
    assert isinstance(options, FeedbackOptions)
    with output_lock(args.out):
        result = run_inputs(args)
        assert isinstance(result, RunResult)
        # frozen: each page's and each batch of copies' collection would walk the whole run (0.25 s at 1,000 units)
        with staged(args.out) as staging, results_frozen():
            pages: dict[Path, str | Path] = {}

            def page(name: str, html: str) -> None:
                path = staging.path(f"{name}.html")
                path.write_text(html, encoding="utf-8")
                pages[staging.path(f"{name}.pdf")] = path  # the PDF pass reads it back

            write_feedback(result, staging, environment(), options, page, jobs=args.jobs)
            if not args.no_pdf:
                render_pdfs(pages, PdfCache(None), args.jobs)
        drop_stale_feedback(args.out, staging.published)
    copies = len(list((args.out / "feedback").glob("*_问题标注.xlsx")))
    print(f"已写入 {args.out / 'feedback'}/：问题标注副本 {copies} 份，整改通知 {len(pages)} 份，索引 index.csv。")
    return 0


def cmd_check_summary(args: argparse.Namespace) -> int:
    """Check the figures written summaries state: summary_findings.csv."""
    from pipeline.summary.check import check_files, write_findings

    missing = [f for f in args.files if not f.is_file()]
    if missing:
        raise UsageError(f"找不到文件 {missing[0]}")
    if args.against is not None and not (args.against / "indicators.csv").is_file():
        raise UsageError(f"--against：{args.against} 中没有 indicators.csv（应为一次 report 的输出文件夹）")
    with output_lock(args.out):
        findings, notes = check_files(args.files, args.against)
        write_findings(findings, args.out)
    for note in notes:
        print(note)
    kinds = {}
    for finding in findings:
        kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
    shown = "，".join(f"{k} {n}" for k, n in kinds.items()) or "无"
    where = args.out / "summary_findings.csv"
    print(f"核对 {len(args.files)} 份工作总结，发现问题 {len(findings)} 处（{shown}），见 {where}")
    return 0


def summarise(result: object, out: Path, written: int, seconds: float) -> None:
    """A few lines on the console: what was read, what was found, where it went."""
    from pipeline.run import RunResult
    from pipeline.targets import STATUSES

    assert isinstance(result, RunResult)
    files = result.files
    rejected_files = [f for f in files if f.status == "rejected"]
    cells = sum(len(f.rejections) for f in files)
    missing = [s for s in result.submissions if s.status != "received"]
    print(
        f"读取文件 {len(files)} 份（无法读取 {len(rejected_files)} 份），报告期 "
        f"{result.period.label if result.period else '—'}，纳入 {len(result.frames)} 个单位。"
    )
    for f in rejected_files:
        print(f"  无法读取：{f.file}：{f.reason}")
    if missing:
        shown = "、".join(f"{s.name or s.code}（{STATUS_WORDS.get(s.status, s.status)}）" for s in missing[:10])
        more = f" 等 {len(missing)} 个（见 submissions.csv）" if len(missing) > 10 else ""
        print(f"  未报送/被退回/重复：{shown}{more}")
    print(f"被拒收或舍弃的单元格 {cells} 个（见 rejected.csv），审计发现 {len(result.findings)} 项（见 audit.html）。")
    rolled = any(r.level == "rollup" for r in result.indicators)
    top = [r for r in result.indicators if r.level == ("rollup" if rolled else "unit")]
    counted = {s: sum(1 for r in top if r.status == s) for s in STATUSES}
    print(
        f"指标（{'汇总' if rolled else '本单位'}）：达标 {counted['met']}，进度正常 {counted['on_track']}，"
        f"进度滞后 {counted['behind']}，未达标 {counted['missed']}，无数据 {counted['no_data']}。"
    )
    reread = [f for f in files if f.role != "plan" and f.engine and not f.engine.endswith(";cached")]
    cached = [f for f in files if f.engine.endswith(";cached")]  # files that are no workbook are neither
    made = result.rendered
    nodes = len({r.unit_code for r in result.indicators if r.level == "rollup"})
    print(
        f"本次重新读取 {len(reread)} 个工作簿（其余 {len(cached)} 个取自缓存），"
        f"重新计算 {result.recomputed} 个单位的指标、分项与审查，"
        f"由各单位的分项合并出 {nodes} 个汇总节点，重新排版 {made.get('pdf', 0)} 份 PDF，"
        f"重新起草 {made.get('drafts', 0)} 份工作总结，"
        f"重新标注 {made.get('copies', 0)} 份问题副本；其余取自 {out / '.cache'}。"
    )
    sent = [e for e in result.feedback if e.problems]
    if sent:
        units = len({e.unit_code or e.file for e in sent})
        print(
            f"问题反馈：{len(sent)} 份工作簿标注了问题、{units} 个单位的整改通知，见 {out / 'feedback'}/（index.csv）。"
        )
    first = "report.pdf" if (out / "report.pdf").is_file() else "report.html"
    print(f"已写入 {written} 个文件到 {out}/，用时 {seconds:.1f} 秒。先打开 {out / first}（结论在第 1 页）；")
    print("经费审查见 audit.pdf，上报用的汇总表是 consolidated.xlsx。")


def cmd_ingest(args: argparse.Namespace) -> int:
    """Read and validate workbooks only: the row account, rejected cells and normalised Parquet."""
    from pipeline import identity
    from pipeline.cache import ParquetStore
    from pipeline.config import load_settings
    from pipeline.paths import Staging
    from pipeline.render.machine import write_ingest_outputs
    from pipeline.run import Engine, read_files

    settings = load_settings(args.config)
    missing = [f for f in args.files if not f.is_file()]
    if missing:
        raise UsageError(f"找不到文件 {missing[0]}")
    if args.jobs < 1:
        raise UsageError("--jobs 应为正整数")
    normalised = ParquetStore(args.out / "normalised", settings.contract)
    # the report's readers: each file in a worker within the time and memory budget, saved as it is read
    units = read_files([(f, f.name) for f in args.files], settings, normalised, Engine("local", args.jobs))
    identity.match_roster(units, [], args.unit)
    staging = Staging(args.out)
    write_ingest_outputs(units, staging)
    staging.publish()
    for u in units:
        status = {"ingested": "已读取", "rejected": "无法读取", "ignored": "已忽略"}[u.status]
        print(f"{u.file}：{status}{'，' + u.reason if u.reason else ''}（拒收单元格 {len(u.rejections)} 个）")
    print(f"规范化数据（Parquet，按文件内容哈希命名）：{args.out / 'normalised'}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    """Write the blank fillable workbook, or one pre-filled workbook per unit of a roster."""
    from pipeline.config import load_settings
    from pipeline.template import write_template

    settings = load_settings(args.config)
    if args.roster is None:
        if args.targets or args.period:
            raise UsageError("--targets 和 --period 用于按名册预填模板，请同时给出 --roster")
        write_template(settings, args.out)
        print(f"已生成空白填报模板：{args.out}")
        return 0
    return prefilled_templates(args, settings)


def prefilled_templates(args: argparse.Namespace, settings: object) -> int:
    """`template --roster R [--targets T] --period P --out DIR`: <单位代码>_<单位名称>_<period>.xlsx each."""
    from pipeline.errors import ValueParseError
    from pipeline.kinds import roster as org_roster
    from pipeline.paths import safe_name, staged
    from pipeline.periods import parse_period
    from pipeline.run import read_files, standalone_rows
    from pipeline.template import prefills, write_prefilled

    if not args.period:
        raise UsageError("按名册预填模板需要 --period（如 2025年）")
    try:
        period = parse_period(args.period).label
    except ValueParseError as exc:
        raise UsageError(f"--period：{exc}") from exc
    for option in (args.roster, args.targets):
        if option is not None and not option.is_file():
            raise UsageError(f"找不到文件 {option}")
    files = read_files([(p, p.name) for p in (args.roster, args.targets) if p is not None], settings)  # type: ignore[arg-type]
    roster = org_roster.complete_rows(standalone_rows(files, "roster"))
    if not roster:
        raise UsageError(f"{args.roster} 里没有读到组织架构名册（应有单位名称、单位代码、上级单位代码等列）")
    filled = prefills(settings, roster, standalone_rows(files, "targets_book"), period)  # type: ignore[arg-type]
    with output_lock(args.out), staged(args.out) as staging:
        for code, prefill in filled.items():
            name = safe_name(f"{code}_{prefill.profile['unit_name']}_{period}") + ".xlsx"
            write_prefilled(settings, staging.path(name), prefill)  # type: ignore[arg-type]
    with_targets = sum(1 for p in filled.values() if p.targets)
    print(f"已为 {len(filled)} 个单位生成预填模板（{with_targets} 个含年度目标）：{args.out}/")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    """Read plan documents into plan_targets.csv, plan_calendar.csv and 年度目标.xlsx."""
    from pipeline.plan import read_plan
    from pipeline.plan.document import DocumentError
    from pipeline.plan.output import write_plan_outputs

    missing = [f for f in args.files if not f.is_file()]
    if missing:
        raise UsageError(f"找不到文件 {missing[0]}")
    documents = []
    for path in args.files:
        try:
            document = read_plan(path, args.year)
        except DocumentError as exc:
            print(f"无法读取：{exc}")
            continue
        documents.append(document)
        used = sum(1 for _a, t in document.targets if t.status == "used")
        print(
            f"{document.file}：{len(document.articles)} 篇，目标 {len(document.targets)} 条"
            f"（采用 {used}，待确认 {len(document.targets) - used}），月度安排 {len(document.calendar)} 项"
        )
        if args.year and document.year and document.year != args.year:
            print(f"  注意：标题年度为 {document.year}，与 --year {args.year} 不同")
    with output_lock(args.out):
        write_plan_outputs(documents, args.out, args.unit)
    print(f"已写入 {args.out / 'plan_targets.csv'}、plan_calendar.csv 和 年度目标.xlsx（请核对“待确认”的目标）")
    return 0


COMMANDS = {
    "report": cmd_report,
    "summary": cmd_summary,
    "check-summary": cmd_check_summary,
    "feedback": cmd_feedback,
    "ingest": cmd_ingest,
    "template": cmd_template,
    "plan": cmd_plan,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        args = parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except ConfigError as exc:  # a configuration to fix before anything is read: one line per problem
        for line in str(exc).splitlines():
            print(f"配置错误：{line}", file=sys.stderr)
        return 2
    except PipelineError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断；outputs/ 中保留上一次的结果。", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: one line for the user, the traceback with --debug
        if debug:
            traceback.print_exc()
        print(f"内部错误（请报告此问题，加 --debug 可看详细信息）：{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
