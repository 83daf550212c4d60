"""The command line: exit codes, one-line errors, and the ingest and template commands."""

from __future__ import annotations

import os
import signal

import openpyxl
import pytest

from pipeline import run
from pipeline.__main__ import main


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["report", "--inputs", str(tmp_path / "nowhere")]) == 2
    assert main(["report", "--no-such-option"]) == 2
    assert main(["report", "--inputs", str(tmp_path), "--jobs", "0"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 3
    assert "找不到输入文件夹" in err


def test_strict_exits_3_when_something_was_rejected(demo_dir, tmp_path, capsys):
    args = ["report", "--inputs", str(demo_dir), "--out", str(tmp_path / "out"), "--no-pdf", "--jobs", "1"]
    assert main(args) == 0
    assert main([*args, "--strict"]) == 3
    out = capsys.readouterr().out
    assert "西溪社区工会（未报送）" in out and "被拒收或舍弃的单元格 2 个" in out


def test_bad_config_is_one_line(tmp_path, demo_dir, capsys):
    config = tmp_path / "bad.yaml"
    config.write_text("domain: [unclosed", encoding="utf-8")
    assert main(["report", "--inputs", str(demo_dir), "--out", str(tmp_path), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "YAML" in err and "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("domian: {unionisation_threshold: 10}\n", "「domian」（是不是「domain」？）"),
        ("audit: {caps_tabel: 安徽}\n", "「audit.caps_tabel」（是不是「audit.caps_table」？）"),
        ("targets: {partcipants: 800人}\n", "没有指标「partcipants」（是不是「participants」？）"),
        (
            "indicators:\n  - {code: x, name: x, kind: aggregate, unit: count,"
            " value: {sheet: activities, agg: count, where: [held_in_perod]}}\n",
            "「held_in_perod」不是「activities」表的列或标记（是不是「held_in_period」？）",
        ),
        ("audit: {member_only: [节日慰问, 生曰慰问]}\n", "「生曰慰问」不是帮扶慰问的类别"),
        ("limits: {seconds: -1}\n", "limits.seconds 应为正数"),
    ],
)
def test_each_configuration_typo_is_one_line_naming_it_before_anything_is_read(
    tmp_path, demo_dir, capsys, text, expected
):
    config = tmp_path / "mine.yaml"
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["report", "--inputs", str(demo_dir), "--out", str(out), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "内部错误" not in err and "Traceback" not in err
    assert not (out / "files.csv").exists()  # refused before any workbook was read


def test_ingest_command(demo_dir, tmp_path, capsys):
    files = [str(p) for p in sorted(demo_dir.glob("2*.xlsx"))]
    assert main(["ingest", *files, "--out", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {"files.csv", "row_account.csv", "rejected.csv", "normalised"}
    assert len(list((tmp_path / "normalised").glob("*.json"))) == len(files)
    assert "已读取" in capsys.readouterr().out


def test_template_command(tmp_path):
    target = tmp_path / "模板" / "填报模板.xlsx"
    assert main(["template", "--out", str(target)]) == 0
    assert "帮扶慰问" in openpyxl.load_workbook(target).sheetnames


def test_period_option_chooses_what_to_consolidate(demo_dir, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["report", "--inputs", str(demo_dir), "--out", str(out), "--no-pdf", "--period", "2023年"]) == 0
    assert "报告期 2023年，纳入 1 个单位" in capsys.readouterr().out
    assert main(["report", "--inputs", str(demo_dir), "--out", str(out), "--period", "明年"]) == 2


def test_ingest_reads_each_file_in_a_worker_so_a_crash_costs_only_that_file(demo_dir, tmp_path, capsys, monkeypatch):
    """A reader dying on one file (a native crash, the OOM killer) is one line in ingest's output; the rest is read."""
    files = sorted(demo_dir.glob("2*.xlsx"))[:3]
    read = run.ingest_file

    def dies_on_the_first(path, *args, **kwargs):
        if path == files[0]:
            os.kill(os.getpid(), signal.SIGKILL)
        return read(path, *args, **kwargs)

    monkeypatch.setattr(run, "ingest_file", dies_on_the_first)
    out = tmp_path / "out"
    assert main(["ingest", *map(str, files), "--out", str(out), "--jobs", "2"]) == 0
    printed = capsys.readouterr().out
    assert f"{files[0].name}：无法读取" in printed and "异常退出" in printed
    assert all(f"{f.name}：已读取" in printed for f in files[1:])
