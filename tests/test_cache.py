"""The ingest cache and parallel ingest give exactly what a fresh, serial read gives."""

from __future__ import annotations

from pipeline.cache import IngestCache
from pipeline.render.machine import indicator_record
from pipeline.run import discover, run_report
from tests.workbooks import unit


def _figures(result):
    return [indicator_record(r) for r in result.indicators]


def test_cached_and_parallel_runs_match_a_fresh_run(demo_dir, settings, tmp_path):
    fresh = run_report(discover(demo_dir), settings, demo_dir)
    cache = IngestCache(tmp_path / "cache", settings.contract)
    first = run_report(discover(demo_dir), settings, demo_dir, cache=cache, jobs=2)
    second = run_report(discover(demo_dir), settings, demo_dir, cache=cache)
    assert {f.engine for f in second.files} == {"calamine;cached"}
    assert _figures(fresh) == _figures(first) == _figures(second)
    assert [r.figure.rows for r in fresh.indicators] == [r.figure.rows for r in first.indicators]  # lineage too
    assert [(f.rule, f.row, f.message) for f in fresh.findings] == [(f.rule, f.row, f.message) for f in second.findings]
    assert [f.rejections for f in fresh.files] == [f.rejections for f in second.files]


def test_changed_content_is_read_again_and_renames_are_followed(settings, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    cache = IngestCache(tmp_path / "cache", settings.contract)
    unit(folder, "A", members=50)
    run_report(discover(folder), settings, folder, cache=cache)
    activities = {"活动台账": [["活动名称", "活动类别", "开展日期"], ["讲座", "思想教育", "2024-03-01"]]}
    unit(folder, "A", members=60, sheets=activities)  # same name, new content
    result = run_report(discover(folder), settings, folder, cache=cache)
    assert result.files[0].engine == "calamine"
    assert next(r for r in result.unit_rows("A") if r.code == "membership_rate").figure.numerator == 60
    (folder / "A_2024年.xlsx").rename(folder / "A_改名.xlsx")  # same content, new name: from the cache
    renamed = run_report(discover(folder), settings, folder, cache=cache)
    assert renamed.files[0].engine.endswith("cached") and renamed.files[0].file == "A_改名.xlsx"
    assert {r["_file"] for r in renamed.frames["A"].frames["activities"]} == {
        "A_改名.xlsx"
    }  # lineage names the new file


def test_object_frame_keeps_tuples_none_and_text():
    from pipeline.ingest import object_frame

    frame = object_frame([[(2024, 3), None, "甲"], [(2024, 4), 80, None]], ["month", "people", "name"])
    assert frame["month"].tolist() == [(2024, 3), (2024, 4)]
    assert frame["people"].tolist() == [None, 80] and frame["name"].tolist() == ["甲", None]
    assert set(map(str, frame.dtypes)) == {"object"}
    assert object_frame([[(2024, 3)]], ["month"])["month"].tolist() == [(2024, 3)]
    assert object_frame([], ["a"]).empty


def test_the_console_says_what_a_rerun_made_anew(demo_dir, tmp_path, capsys):
    from pipeline.__main__ import main

    out = tmp_path / "out"
    assert main(["report", "--inputs", str(demo_dir), "--out", str(out), "--no-pdf"]) == 0
    first = capsys.readouterr().out
    assert "本次重新读取 9 个工作簿（其余 0 个取自缓存），重新计算 7 个单位的指标" in first
    assert "重新起草 8 份工作总结" in first
    assert main(["report", "--inputs", str(demo_dir), "--out", str(out), "--no-pdf"]) == 0
    again = capsys.readouterr().out
    assert "本次重新读取 0 个工作簿（其余 9 个取自缓存），重新计算 0 个单位的指标" in again
    assert "重新起草 0 份工作总结，重新标注 0 份问题副本" in again


class _Planted:
    """What someone with write access to outputs/.cache could leave there: loading it would run `touch`."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import subprocess

        return subprocess.call, (["touch", str(self.marker)],)


def _only_pack(cache):
    (pack,) = sorted(cache.folder.glob(f"*{cache.SUFFIX}"))
    return pack


def _record(cache, sha256, payload):
    """A record as a writer appends it, with any payload: what someone with write access could plant."""
    import zlib

    return cache.HEADER.pack(cache.MAGIC, sha256.encode(), len(payload), zlib.crc32(payload)) + payload


def test_a_planted_or_damaged_entry_runs_nothing_and_the_workbook_is_read_again(settings, tmp_path):
    import pickle
    from decimal import Decimal

    folder = tmp_path / "in"
    folder.mkdir()
    unit(folder, "A", members=70)
    cache = IngestCache(tmp_path / "cache", settings.contract)
    first = run_report(discover(folder), settings, folder, cache=cache)
    sha = first.files[0].sha256
    pack = _only_pack(cache)
    marker = tmp_path / "ran"
    pack.write_bytes(_record(cache, sha, pickle.dumps((_Planted(marker), {}))))
    planted = run_report(discover(folder), settings, folder, cache=IngestCache(cache.folder, settings.contract))
    assert not marker.exists()  # the unpickler builds only the cache's value types
    assert planted.files[0].engine == "calamine"  # read again, and the entry written anew
    assert next(r for r in planted.unit_rows("A") if r.code == "membership_rate").figure.numerator == 70
    pack = _only_pack(cache)  # the planted record was let go, the new one kept
    pack.write_bytes(_record(cache, sha, pickle.dumps((Decimal(1), {}))))  # only allowed types, but not an entry
    cache = IngestCache(cache.folder, settings.contract)
    assert run_report(discover(folder), settings, folder, cache=cache).files[0].engine == "calamine"
    good = _only_pack(cache).read_bytes()
    _only_pack(cache).write_bytes(good[:-1] + bytes([good[-1] ^ 1]))  # one bit flipped: its CRC no longer holds
    cache = IngestCache(cache.folder, settings.contract)
    assert run_report(discover(folder), settings, folder, cache=cache).files[0].engine == "calamine"
    _only_pack(cache).write_bytes(good[:40])  # cut short (a disk filled up under the writer)
    damaged = run_report(discover(folder), settings, folder, cache=IngestCache(cache.folder, settings.contract))
    assert damaged.files[0].engine == "calamine"
    again = run_report(discover(folder), settings, folder, cache=IngestCache(cache.folder, settings.contract))
    assert again.files[0].engine == "calamine;cached"
    assert [r.figure.rows for r in again.indicators] == [r.figure.rows for r in damaged.indicators]


def test_a_record_cut_short_by_a_killed_writer_leaves_the_records_before_it(settings, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for code, members in (("A", 50), ("B", 40)):
        unit(folder, code, members=members)
    cache = IngestCache(tmp_path / "cache", settings.contract)
    files = run_report(discover(folder), settings, folder, cache=cache).files
    pack = _only_pack(cache)
    with pack.open("ab") as stream:  # a third record whose writer was killed halfway through
        stream.write(_record(cache, "f" * 64, b"x" * 1000)[:500])
    reopened = IngestCache(cache.folder, settings.contract)
    assert reopened.held() == {f.sha256 for f in files}
    again = run_report(discover(folder), settings, folder, cache=reopened)
    assert {f.engine for f in again.files} == {"calamine;cached"}


def test_the_ingest_command_keeps_parquet_for_other_tools(demo_dir, tmp_path):
    import pyarrow.parquet as pq

    from pipeline.__main__ import main

    files = [str(p) for p in sorted(demo_dir.glob("*.xlsx"))[:2]]
    assert main(["ingest", *files, "--out", str(tmp_path / "out")]) == 0
    tables = sorted((tmp_path / "out" / "normalised").glob("*.parquet"))
    assert tables and any(pq.read_table(t).num_rows for t in tables)
    assert {"_unit", "_file", "_sheet", "_row"} <= set(pq.read_table(tables[0]).column_names)


def test_entries_of_changed_or_vanished_files_and_older_formats_are_let_go(settings, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    cache = IngestCache(tmp_path / "cache", settings.contract)
    old_format = cache.folder / f"{'0' * 64}-0123456789ab.activities.parquet"  # left by an earlier version
    old_format.write_bytes(b"PAR1")
    unit(folder, "A", members=50)
    unit(folder, "B", members=40)
    files = run_report(discover(folder), settings, folder, cache=cache).files
    assert not old_format.exists() and cache.held() == {f.sha256 for f in files}
    unit(folder, "A", members=55)  # A's content changed: its earlier entry is of no use
    (folder / "B_2024年.xlsx").unlink()  # B no longer sent
    changed = run_report(discover(folder), settings, folder, cache=cache).files
    assert cache.held() == {changed[0].sha256}
    (pack,) = cache.folder.iterdir()  # the kept entry copied into one pack, the others deleted
    again = run_report(discover(folder), settings, folder, cache=IngestCache(cache.folder, settings.contract))
    assert again.files[0].engine.endswith("cached") and pack.exists()
    assert next(r for r in again.unit_rows("A") if r.code == "membership_rate").figure.numerator == 55


def test_a_change_of_the_code_re_reads_what_it_read(tmp_path, monkeypatch):
    import pipeline.cache as cache_module

    package = tmp_path / "pipeline"
    (package / "config").mkdir(parents=True)
    (package / "validate.py").write_text("def parse(): return 1\n", encoding="utf-8")
    (package / "config" / "contract.yaml").write_text("sheets: {}\n", encoding="utf-8")
    monkeypatch.setattr(cache_module, "PACKAGE", package)
    first = cache_module.fingerprint.__wrapped__()
    assert cache_module.fingerprint.__wrapped__() == first  # the same code: the same key
    (package / "validate.py").write_text("def parse(): return 2  # a parser fixed\n", encoding="utf-8")
    fixed = cache_module.fingerprint.__wrapped__()
    (package / "config" / "contract.yaml").write_text("sheets: {a: {}}\n", encoding="utf-8")
    assert len({first, fixed, cache_module.fingerprint.__wrapped__()}) == 3


def _run_counting_ahead(folder, settings, monkeypatch, measure_in_readers=True, cache=None):
    """A run, and how many units' figures came computed by their reader."""
    import pipeline.ahead
    import pipeline.run as run

    seen = []
    original = run.measure_units

    def counting(settings, frames, previous, ahead=None):
        seen.append(len(ahead or {}))
        return original(settings, frames, previous, ahead)

    monkeypatch.setattr(run, "measure_units", counting)
    if not measure_in_readers:
        monkeypatch.setattr(pipeline.ahead.ReadAhead, "compute", lambda self, unit, settings: None)
    result = run.run_report(discover(folder), settings, folder, cache=cache, jobs=2)
    monkeypatch.undo()
    return result, seen[0]


def _sections(result):
    return {
        code: (s.fund, s.assistance, s.activities, s.remittance, s.matched, sorted(s.indicators))
        for code, s in result.sections.items()
    }


def test_figures_measured_by_the_readers_are_the_main_process_figures(demo_dir, settings, tmp_path, monkeypatch):
    from tests import ledgers

    real = ledgers.write_real(tmp_path / "real")
    for folder in (demo_dir, real):
        ahead, used = _run_counting_ahead(folder, settings, monkeypatch)
        here, none = _run_counting_ahead(folder, settings, monkeypatch, measure_in_readers=False)
        assert none == 0
        assert _figures(ahead) == _figures(here)
        assert [r.figure.rows for r in ahead.indicators] == [r.figure.rows for r in here.indicators]
        assert _sections(ahead) == _sections(here)
        assert {c: f.frames for c, f in ahead.frames.items()} == {c: f.frames for c, f in here.frames.items()}
        assert [(f.rule, f.file, f.row, f.message) for f in ahead.findings] == [
            (f.rule, f.file, f.row, f.message) for f in here.findings
        ]
        if folder is demo_dir:
            assert used == len(ahead.frames) == 7  # each workbook names its unit and period: all taken as measured
        else:  # single ledgers placed by the roster and joined into one unit: measured where they are joined
            assert used == 0 and len(ahead.frames) == 3


def test_results_arrive_with_the_collector_paused_and_a_run_lets_them_go(demo_dir, settings, monkeypatch):
    """The main process receives without collections; its readers collect their own; nothing stays frozen."""
    import gc

    import pipeline.run as run

    seen = {}
    original = run.select_workbooks

    def watched(units, period=None):
        seen["frozen"], seen["collecting"] = gc.get_freeze_count(), gc.isenabled()
        return original(units, period)

    reader = run.ReadAhead.compute

    def in_reader(self, unit, settings):
        assert gc.isenabled()  # a forked reader switched its collector back on (else: a failed file, below)
        return reader(self, unit, settings)

    monkeypatch.setattr(run, "select_workbooks", watched)
    monkeypatch.setattr(run.ReadAhead, "compute", in_reader)
    result = run_report(discover(demo_dir), settings, demo_dir, jobs=2)
    assert all(f.status == "ingested" for f in result.files)
    assert seen["frozen"] > 10_000 and seen["collecting"]  # what arrived frozen, the collector on again
    assert gc.get_freeze_count() == 0 and gc.isenabled()  # after the run: let go
    run.read_files([(p, p.name) for p in discover(demo_dir)], settings)
    assert gc.get_freeze_count() == 0  # read outside a run: nothing frozen for no one to let go


def test_a_units_results_come_from_the_cache_while_the_settings_and_the_date_hold(
    demo_dir, settings, tmp_path, monkeypatch
):
    from dataclasses import replace
    from datetime import date, timedelta

    from pipeline.ahead import ReadAhead

    cache = IngestCache(tmp_path / "cache", settings.contract)
    first = run_report(discover(demo_dir), settings, demo_dir, cache=cache)
    again, used = _run_counting_ahead(
        demo_dir, settings, monkeypatch, cache=IngestCache(cache.folder, settings.contract)
    )
    assert {f.engine for f in again.files} == {"calamine;cached"} and used == len(again.frames) == 7
    assert _figures(again) == _figures(first) and _sections(again) == _sections(first)
    assert [r.figure.rows for r in again.indicators] == [r.figure.rows for r in first.indicators]
    assert [(f.rule, f.row, f.message) for f in again.findings] == [(f.rule, f.row, f.message) for f in first.findings]
    stricter = replace(settings, options={**settings.options, "audit": {**settings.options["audit"], "x": 1}})
    today = date.today()
    for run_settings, day, taken in (
        (settings, today, 7),
        (settings, today + timedelta(days=1), 0),
        (stricter, today, 0),
    ):
        ahead, units = ReadAhead.of(run_settings, day), {}
        reopened = IngestCache(cache.folder, settings.contract)
        for f in first.files:
            unit, computed = reopened.load_entry(f.sha256, f.file)
            ahead.keep(unit, computed)
            if unit.period is not None and unit.period.label == "2024年":
                units[f.file] = unit
        assert len(ahead.found) == 8  # each current workbook and last year's had its results saved…
        assert len(ahead.taken(units)) == taken  # …taken on the same day with the same settings only


def test_many_packs_are_merged_into_one_and_every_entry_still_loads(settings, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for code in "ABCDEFGHIJ":
        unit(folder, code, members=10 + ord(code) % 7)
    files = run_report(discover(folder), settings, folder).files
    cache = IngestCache(tmp_path / "cache", settings.contract)
    for file in files:  # as if each had been read by a reader of its own (a run that replaced workers often)
        cache.save(file)
        cache.close()
    assert len(list(cache.folder.glob("*.pack"))) == len(files) > cache.MAX_PACKS
    cache.prune({f.sha256 for f in files})
    assert len(list(cache.folder.glob("*.pack"))) == 1
    reopened = IngestCache(cache.folder, settings.contract)
    assert reopened.held() == {f.sha256 for f in files}
    loaded = reopened.load(files[3].sha256, "改名.xlsx")
    assert loaded.profile == files[3].profile and loaded.file == "改名.xlsx"
    assert loaded.tables.keys() == files[3].tables.keys()


def test_the_demo_a_newcomer_runs_twice_is_read_once(tmp_path, capsys):
    """`make report` on an empty inputs/ uses the demo; written anew each time its bytes changed and all was re-read."""
    from pipeline.__main__ import main

    empty, out = tmp_path / "inputs", tmp_path / "out"
    empty.mkdir()
    assert main(["report", "--inputs", str(empty), "--out", str(out), "--no-pdf"]) == 0
    assert "本次重新读取 9 个工作簿（其余 0 个取自缓存）" in capsys.readouterr().out
    assert main(["report", "--inputs", str(empty), "--out", str(out), "--no-pdf"]) == 0
    again = capsys.readouterr().out
    assert "使用内置演示数据" in again and "本次重新读取 0 个工作簿（其余 9 个取自缓存），重新计算 0 个单位" in again
    (out / "demo_inputs" / "组织架构.xlsx").unlink()  # a demo file gone: the demo is written again
    assert main(["report", "--inputs", str(empty), "--out", str(out), "--no-pdf"]) == 0
    assert "本次重新读取 9 个工作簿" in capsys.readouterr().out


def test_files_that_are_no_workbook_are_not_counted_as_taken_from_the_cache(demo_dir, tmp_path, capsys):
    import shutil

    from pipeline.__main__ import main

    inputs, out = tmp_path / "inputs", tmp_path / "out"
    shutil.copytree(demo_dir, inputs)
    (inputs / "Thumbs.db").write_bytes(b"\x00" * 64)  # what Windows Explorer leaves in a folder of pictures
    (inputs / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")  # and macOS Finder
    assert main(["report", "--inputs", str(inputs), "--out", str(out), "--no-pdf"]) == 0
    assert "本次重新读取 9 个工作簿（其余 0 个取自缓存）" in capsys.readouterr().out
    assert main(["report", "--inputs", str(inputs), "--out", str(out), "--no-pdf"]) == 0
    assert "本次重新读取 0 个工作簿（其余 9 个取自缓存）" in capsys.readouterr().out
