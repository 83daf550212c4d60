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
