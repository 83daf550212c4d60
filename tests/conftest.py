"""Shared fixtures: the demo workbooks and one pipeline run over them (made once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from pipeline import demo
from pipeline.config import load_settings
from pipeline.run import RunResult, discover, run_report

# No per-example deadline: the first example pays for loading OpenCC's dictionaries, and CI
# machines are slower than a laptop; a timing failure would say nothing about the parsers.
hypothesis_settings.register_profile("pipeline", deadline=None)
hypothesis_settings.load_profile("pipeline")


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    demo.generate(folder)
    return folder


@pytest.fixture(scope="session")
def demo_run(demo_dir, settings) -> RunResult:
    return run_report(discover(demo_dir), settings, demo_dir)


def figure(result: RunResult, code: str, indicator: str, level: str = "unit"):
    """The indicator row of one unit (or roll-up) in a run."""
    rows = result.unit_rows(code) if level == "unit" else result.rollup_rows(code)
    return next(r for r in rows if r.code == indicator)
