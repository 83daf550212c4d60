"""Golden files: the machine-readable outputs for the bundled demo, compared byte for byte.

The demo's key figures are worked out by hand in test_end_to_end.py; these files pin
everything else (every indicator of every unit and roll-up, every finding and rejected
cell) so that an unintended change shows up as a diff. After an intended change,
regenerate with `make golden` and review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.paths import Staging
from pipeline.render.machine import write_machine_outputs

GOLDEN = Path(__file__).parent / "golden" / "demo"
# files.csv is left out: it holds the workbooks' sha256, and openpyxl stamps the time into each file.
FILES = ["indicators.csv", "submissions.csv", "row_account.csv", "rejected.csv", "audit_findings.csv", "lineage.csv"]


@pytest.fixture(scope="module")
def written(demo_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("golden")
    staging = Staging(out)
    write_machine_outputs(demo_run, staging)
    staging.publish()
    return out


@pytest.mark.parametrize("name", FILES)
def test_demo_outputs_match_the_golden_files(written, name):
    produced = (written / name).read_bytes()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        (GOLDEN / name).write_bytes(produced)
    assert produced == (GOLDEN / name).read_bytes(), f"{name} changed; run `make golden` if that was intended"


HTML = Path(__file__).parent / "golden" / "html"


@pytest.fixture(scope="module")
def small_pages(tmp_path_factory):
    """A small fixture's HTML: two units under one parent, a few rows each (CSS and script left out)."""
    import re

    from pipeline.render.publish import publish
    from tests.workbooks import run, unit

    data = tmp_path_factory.mktemp("small")
    unit(data, "TOP")
    activities = [["活动名称", "活动类别", "开展日期", "参与人数"], ["春季培训", "技能培训", "2024-03-05", 40]]
    payouts = [
        ["发放日期", "姓名", "类别", "金额"],
        ["2024-02-01", "张三", "困难帮扶", 1500],
        ["2024-09-01", "李四", "金秋助学", 800],
    ]
    unit(data, "A", parent="TOP", sheets={"活动台账": activities, "帮扶慰问": payouts})
    unit(data, "B", parent="TOP", sheets={"活动台账": activities})
    out = tmp_path_factory.mktemp("small_out")
    publish(run(data), out, pdf=False)
    strip = re.compile(r"<style>.*?</style>|<script>.*?</script>", re.S)
    return {name: strip.sub("", (out / name).read_text(encoding="utf-8")) for name in ("report.html", "units/A.html")}


@pytest.mark.parametrize("name", ["report.html", "units/A.html"])
def test_small_fixture_html_matches_the_golden_pages(small_pages, name):
    produced = small_pages[name]
    golden = HTML / name.replace("/", "_")
    if os.environ.get("UPDATE_GOLDEN"):
        HTML.mkdir(parents=True, exist_ok=True)
        golden.write_text(produced, encoding="utf-8")
    assert produced == golden.read_text(encoding="utf-8"), f"{name} changed; run `make golden` if that was intended"
