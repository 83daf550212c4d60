"""--engine dask: the files read on a two-worker LocalCluster give the same outputs, byte for byte, as a local run."""

from __future__ import annotations

import shutil

import pytest

from pipeline.__main__ import main

pytest.importorskip("distributed")  # the optional extra; make setup installs it

SAME = ("indicators.csv", "audit_findings.csv", "submissions.csv", "files.csv", "rejected.csv", "row_account.csv")


def test_dask_engine_gives_the_local_outputs(demo_dir, tmp_path):
    inputs = tmp_path / "inputs"
    shutil.copytree(demo_dir, inputs)
    (inputs / "坏文件.xlsx").write_bytes(b"PK\x03\x04 truncated")  # a broken file is rejected the same way there
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert main(["report", "--inputs", str(inputs), "--out", str(local), "--no-pdf", "--no-cache"]) == 0
    assert (
        main(["report", "--inputs", str(inputs), "--out", str(dask), "--no-pdf", "--no-cache", "--engine", "dask"]) == 0
    )
    for name in SAME:
        assert (dask / name).read_bytes() == (local / name).read_bytes(), name


def test_a_scheduler_needs_the_dask_engine(demo_dir, tmp_path):
    assert main(["report", "--inputs", str(demo_dir), "--out", str(tmp_path), "--scheduler", "tcp://x:1"]) == 2
