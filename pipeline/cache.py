"""Ingest caches: what each workbook was read as, keyed by its content hash.

A later run (or a later stage) takes the typed tables instead of reading the
workbook again. The key is the file's sha256 plus a fingerprint of the
package (its version, code and shipped configuration), so a changed column
map or parser re-reads every file. Entries are written to a temporary name
and renamed, so a killed run never leaves half an entry.

Two stores with one key: `IngestCache`, the report's own (one file per
workbook, the values as pickle read back by an unpickler that builds only
the value types a workbook yields), and `ParquetStore`, the `ingest`
command's normalised data for other tools (Parquet, money as decimal128).
On 200 small units Parquet cost 4.3 ms a workbook to write and 3.6 ms to
read back, more than reading the workbook (2.6 ms); the pickle entry costs
0.6 and 0.5 ms, file included.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import shutil
from dataclasses import asdict, fields, replace
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.config import Contract
from pipeline.ingest import SheetAccount, UnitWorkbook, object_frame
from pipeline.periods import Period
from pipeline.validate import Rejection, TotalCheck

FORMAT = "4"  # 3: unread_columns recorded; 4: the report's entries one pickle per workbook


PACKAGE = Path(__file__).resolve().parent


@cache
def fingerprint() -> str:
    """What invalidates the cache: the entry format, the package version, and every source and config file.

    The version alone stayed 0.1.0 while the parsers changed: a fix in how a cell is read must
    re-read what was read before it. Any change of the package's code re-reads every file once.
    """
    digest = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".yaml") and path.is_file():
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, Period):
        return {"$period": [value.start.isoformat(), value.end.isoformat(), value.label]}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$decimal" in value:
            return Decimal(value["$decimal"])
        if "$period" in value:
            start, end, label = value["$period"]
            return Period(date.fromisoformat(start), date.fromisoformat(end), label)
        if "$date" in value:
            return date.fromisoformat(value["$date"])
        if "$tuple" in value:
            return tuple(_decode(v) for v in value["$tuple"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class _Entries:
    """Entries under one folder, named by content hash and fingerprint."""

    SUFFIX = ""  # the file that completes an entry (written last)

    def __init__(self, folder: Path, contract: Contract) -> None:
        self.folder = folder
        self.contract = contract
        self.key_suffix = fingerprint()
        folder.mkdir(parents=True, exist_ok=True)

    def _base(self, sha256: str) -> Path:
        return self.folder / f"{sha256}-{self.key_suffix}"

    def holds(self, sha256: str) -> bool:
        """True when an entry for this content is complete."""
        return self._base(sha256).with_suffix(self.SUFFIX).is_file()


# What an entry of IngestCache may build: the value types of a read workbook and its records, nothing else.
CACHE_TYPES = {
    ("decimal", "Decimal"): Decimal,
    ("datetime", "date"): date,
    ("datetime", "datetime"): datetime,
    ("pipeline.periods", "Period"): Period,
    ("pipeline.ingest", "UnitWorkbook"): UnitWorkbook,
    ("pipeline.ingest", "SheetAccount"): SheetAccount,
    ("pipeline.validate", "Rejection"): Rejection,
    ("pipeline.validate", "TotalCheck"): TotalCheck,
}


class _ValuesOnly(pickle.Unpickler):
    """An unpickler that builds only CACHE_TYPES: an entry someone planted in the folder runs nothing."""

    def find_class(self, module: str, name: str) -> Any:
        found = CACHE_TYPES.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} 不是缓存中的取值类型")
        return found


class IngestCache(_Entries):
    """The report's cache: one file per workbook, its tables as rows of plain values."""

    SUFFIX = ".unit"

    def save(self, unit: UnitWorkbook) -> None:
        """Write one entry (by rename)."""
        tables = {name: (list(f.columns), f.to_numpy(dtype=object).tolist()) for name, f in unit.tables.items()}
        data = pickle.dumps((replace(unit, tables={}, parts=[]), tables), protocol=pickle.HIGHEST_PROTOCOL)
        _atomic(self._base(unit.sha256).with_suffix(self.SUFFIX), lambda p: Path(p).write_bytes(data))

    def load(self, sha256: str, display_name: str) -> UnitWorkbook | None:
        """The cached result for this content, under its current file name; None if absent or unreadable."""
        path = self._base(sha256).with_suffix(self.SUFFIX)
        try:
            unit, tables = _ValuesOnly(io.BytesIO(path.read_bytes())).load()
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            return None  # none yet, or a damaged or foreign entry: the workbook is read again
        if not isinstance(unit, UnitWorkbook) or not isinstance(tables, dict):
            return None
        unit.file = display_name
        unit.engine = f"{unit.engine};cached"
        unit.total_checks = [replace(t, file=display_name) for t in unit.total_checks]
        for name, (columns, rows) in tables.items():
            unit.tables[name] = _table(columns, rows, display_name)
        return unit

    def prune(self, keep: set[str]) -> None:
        """Forget the entries of content no file of this run has, and those of an earlier version or format.

        A run holds the output folder's lock, so no other run is writing an entry meanwhile.
        """
        wanted = {self._base(sha).with_suffix(self.SUFFIX).name for sha in keep}
        for entry in self.folder.iterdir():
            if entry.is_file() and entry.name not in wanted:
                entry.unlink(missing_ok=True)


def _table(columns: list[str], rows: list[list[Any]], display_name: str) -> pd.DataFrame:
    """A cached table as ingest makes it, its rows naming the file as it is called now."""
    at_file, at_row = columns.index("_file"), columns.index("_row")
    for row in rows:
        row[at_file] = display_name
    frame = object_frame(rows, columns)
    frame["_row"] = np.fromiter((row[at_row] for row in rows), dtype=np.int64, count=len(rows))
    return frame


class ParquetStore(_Entries):
    """The `ingest` command's normalised data: each table as Parquet, the rest as JSON (written last)."""

    SUFFIX = ".json"

    def load(self, sha256: str, display_name: str) -> UnitWorkbook | None:
        """The cached result for this content, under its current file name; None if absent."""
        meta_path = self._base(sha256).with_suffix(".json")
        if not meta_path.is_file():
            return None
        meta = _decode(json.loads(meta_path.read_text(encoding="utf-8")))
        unit = UnitWorkbook(
            **{k: v for k, v in meta.items() if k not in ("accounts", "rejections", "total_checks", "tables", "parts")}
        )
        unit.file = display_name
        unit.engine = f"{unit.engine};cached"
        unit.accounts = [SheetAccount(**a) for a in meta["accounts"]]
        unit.rejections = [Rejection(**r) for r in meta["rejections"]]
        unit.unread_columns = [tuple(c) for c in meta["unread_columns"]]  # type: ignore[misc]
        unit.total_checks = [
            TotalCheck(**{**t, "rows": tuple(t["rows"]), "file": display_name}) for t in meta["total_checks"]
        ]
        for table in meta["tables"]:
            unit.tables[table] = self._read_table(sha256, table, display_name)
        return unit

    def _read_table(self, sha256: str, table: str, display_name: str) -> pd.DataFrame:
        arrow = pq.read_table(self._base(sha256).with_suffix(f".{table}.parquet"))
        months = self._months(table)
        names = arrow.column_names
        columns = []
        for name in names:
            if name == "_file":  # the same bytes may come under another name; a plain column, as ingest makes it
                columns.append([display_name] * arrow.num_rows)
                continue
            values = arrow.column(name).to_pylist()
            if name in months:  # stored as [year, month]
                values = [tuple(v) if v is not None else None for v in values]
            columns.append(values)
        frame = object_frame([list(row) for row in zip(*columns, strict=True)], names)
        frame["_row"] = np.array(arrow.column("_row").to_pylist(), dtype=np.int64)
        return frame

    def _months(self, table: str) -> set[str]:
        """The table's month fields: their values are (year, month) pairs."""
        spec = self.contract.sheets.get(table) or self.contract.standalone.get(table)
        return {n for n, f in spec.fields.items() if f.type == "month"} if spec else set()

    def save(self, unit: UnitWorkbook) -> None:
        """Write one entry (tables first, the metadata last, each by rename)."""
        base = self._base(unit.sha256)
        for table, frame in unit.tables.items():
            months = self._months(table)
            arrays = {}
            for name in frame.columns:
                values = frame[name].tolist()
                if name in months:  # a (year, month) pair is stored as a two-item list
                    values = [list(v) if v is not None else None for v in values]
                arrays[name] = pa.array(values)
            _atomic(base.with_suffix(f".{table}.parquet"), lambda p, a=arrays: pq.write_table(pa.table(a), p))
        meta = {f.name: getattr(unit, f.name) for f in fields(unit) if f.name not in ("tables", "parts")}
        meta["accounts"] = [asdict(a) for a in unit.accounts]
        meta["rejections"] = [asdict(r) for r in unit.rejections]
        meta["total_checks"] = [asdict(t) for t in unit.total_checks]
        meta["tables"] = list(unit.tables)
        text = json.dumps(_encode(meta), ensure_ascii=False)
        _atomic(base.with_suffix(".json"), lambda p: Path(p).write_text(text, encoding="utf-8"))


def _atomic(final: Path, write: Any) -> None:
    temporary = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    write(str(temporary))
    os.replace(temporary, final)


class ContentCache:
    """Rendered documents (PDF, .docx) by the hash of what they are rendered from, reused while it is unchanged."""

    def __init__(self, folder: Path | None, salt: str, suffix: str) -> None:
        self.folder, self.salt, self.suffix = folder, salt, suffix  # the folder is made on the first store

    def key(self, content: str) -> str:
        """The cache key of a document: its source text and the renderer's salt (its version)."""
        return hashlib.sha256(f"{self.salt}\n{content}".encode()).hexdigest()

    def fetch(self, content: str, target: Path) -> bool:
        """Copy a cached rendering of `content` to `target`; False when there is none."""
        return self.fetch_key(self.key(content), target)

    def fetch_key(self, key: str, target: Path) -> bool:
        """`fetch` by the content's key (for a caller that let the content go)."""
        if self.folder is None:
            return False
        cached = self.folder / f"{key}{self.suffix}"
        if not cached.is_file():
            return False
        shutil.copyfile(cached, target)
        return True

    def store(self, content: str, rendered: Path) -> None:
        """Keep a rendering for the next run."""
        self.store_key(self.key(content), rendered)

    def store_key(self, key: str, rendered: Path) -> None:
        """`store` by the content's key."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.folder / f"{key}{self.suffix}"
        temporary = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        shutil.copyfile(rendered, temporary)
        os.replace(temporary, final)

    def prune(self, keep: set[str]) -> None:
        """Forget renderings no document of this run uses."""
        if self.folder is None:
            return
        for entry in self.folder.glob(f"*{self.suffix}"):
            if entry.stem not in keep:
                entry.unlink(missing_ok=True)
