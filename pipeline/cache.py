"""Ingest caches: what each workbook was read as, keyed by its content hash.

A later run (or a later stage) takes the typed tables instead of reading the
workbook again. The key is the file's sha256 plus a fingerprint of the
package (its version, code and shipped configuration), so a changed column
map or parser re-reads every file. A killed run never leaves half an entry
that is taken for a whole one.

Two stores with one key: `IngestCache`, the report's own (records appended
to a few pack files, the values as pickle read back by an unpickler that
builds only the value types a workbook yields), and `ParquetStore`, the
`ingest` command's normalised data for other tools (Parquet, money as
decimal128, files written to a temporary name and renamed). On 200 small
units Parquet cost 4.3 ms a workbook to write and 3.6 ms to read back, more
than reading the workbook (2.6 ms); a pickled record costs 0.1 ms each way.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import secrets
import shutil
import struct
import zlib
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
from pipeline.ahead import Ahead
from pipeline.audit import Finding, PayoutMatch
from pipeline.config import Contract
from pipeline.indicators import Figure, Partial, Share
from pipeline.ingest import SheetAccount, UnitWorkbook, object_frame
from pipeline.periods import Period
from pipeline.sections import Sections
from pipeline.validate import Rejection, TotalCheck

# 3: unread_columns recorded; 4: one pickle per workbook; 5: packs; 6: with what the reader computed
FORMAT = "6"


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

    def refresh(self) -> None:
        """Take notice of entries other processes wrote (each entry here is its own file: nothing to do)."""

    def load(self, sha256: str, display_name: str) -> UnitWorkbook | None:
        """The cached unit under its current file name; None if absent."""
        raise NotImplementedError

    def load_entry(self, sha256: str, display_name: str) -> tuple[UnitWorkbook, Ahead | None] | None:
        """The cached unit, and what its reader computed of it (this store keeps nothing of that)."""
        unit = self.load(sha256, display_name)
        return (unit, None) if unit is not None else None


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
    # what a reader computed of the unit (pipeline.ahead): its figures, shares, section figures, findings
    ("pipeline.ahead", "Ahead"): Ahead,
    ("pipeline.indicators", "Figure"): Figure,
    ("pipeline.indicators", "Share"): Share,
    ("pipeline.indicators", "Partial"): Partial,
    ("pipeline.sections", "Sections"): Sections,
    ("pipeline.audit", "PayoutMatch"): PayoutMatch,
    ("pipeline.audit", "Finding"): Finding,
}


class _ValuesOnly(pickle.Unpickler):
    """An unpickler that builds only CACHE_TYPES: an entry someone planted in the folder runs nothing."""

    def find_class(self, module: str, name: str) -> Any:
        found = CACHE_TYPES.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} 不是缓存中的取值类型")
        return found


class IngestCache(_Entries):
    """The report's cache: entries appended to pack files, one pack per writing process.

    Why packs, not a file per workbook: creating a file cost 0.05–1 ms of kernel time here (ext4,
    measured: 1.2–2.0 s of the two readers' 4 s on 1,000 units went to it), and more on a share or
    under a virus scanner; an append costs 5 µs. Each record is a header (magic, the content's
    sha256, length, CRC-32) and the pickled values, written with one `os.write` on a descriptor
    opened for appending: a process killed mid-write leaves a short last record, which the scan
    stops at; a damaged record (its CRC) is read as absent, and the workbook is read again.
    Each process writes its own pack (a forked reader opens its own), so no two writers share one.
    """

    SUFFIX = ".pack"
    HEADER = struct.Struct("<4s64sQI")  # magic, sha256 in hex, payload length, CRC-32 of the payload
    MAGIC = b"UPK1"
    MAX_PACKS = 8  # more packs than this (a few per run that read anything) are merged into one

    def __init__(self, folder: Path, contract: Contract) -> None:
        super().__init__(folder, contract)
        self._index: dict[str, tuple[Path, int, int, int]] = {}  # sha256 → pack, payload offset, length, CRC
        self._scanned: dict[Path, int] = {}  # pack → bytes of it indexed so far
        self._writer: tuple[int, int] | None = None  # (pid, descriptor) of this process's own pack
        self.refresh()

    def _packs(self) -> list[Path]:
        return sorted(self.folder.glob(f"{self.key_suffix}-*{self.SUFFIX}"))

    def refresh(self) -> None:
        """Index what was appended since the last look (by readers in other processes, say)."""
        for pack in self._packs():
            self._scan(pack)

    def _scan(self, pack: Path) -> None:
        offset = self._scanned.get(pack, 0)
        try:
            with pack.open("rb") as stream:
                size = os.fstat(stream.fileno()).st_size
                stream.seek(offset)
                while offset + self.HEADER.size <= size:
                    magic, key, length, crc = self.HEADER.unpack(stream.read(self.HEADER.size))
                    body = offset + self.HEADER.size
                    if magic != self.MAGIC or body + length > size:
                        break  # a record cut short (a writer killed mid-write) or damaged: no more here
                    self._index.setdefault(key.decode("ascii", "replace"), (pack, body, length, crc))
                    offset = body + length
                    stream.seek(offset)
        except OSError:
            return
        self._scanned[pack] = offset

    def holds(self, sha256: str) -> bool:
        """True when an entry for this content is indexed (call `refresh` after other processes wrote)."""
        return sha256 in self._index

    def held(self) -> set[str]:
        """The contents that have an entry."""
        return set(self._index)

    def save(self, unit: UnitWorkbook, computed: Ahead | None = None) -> None:
        """Append one entry to this process's pack: the unit as read, and what its reader computed of it."""
        if len(unit.sha256) != 64 or not unit.sha256.isascii():
            return  # not a content hash (a unit made up in code): nothing to key it by
        tables = {name: (list(f.columns), f.to_numpy(dtype=object).tolist()) for name, f in unit.tables.items()}
        entry = (replace(unit, tables={}, parts=[]), tables, computed)
        data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        record = self.HEADER.pack(self.MAGIC, unit.sha256.encode("ascii"), len(data), zlib.crc32(data)) + data
        view = memoryview(record)
        descriptor = self._descriptor()
        while view:
            view = view[os.write(descriptor, view) :]

    def _descriptor(self) -> int:
        if self._writer is None or self._writer[0] != os.getpid():
            name = f"{self.key_suffix}-{os.getpid()}-{secrets.token_hex(4)}{self.SUFFIX}"
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
            self._writer = (os.getpid(), os.open(self.folder / name, flags, 0o644))
        return self._writer[1]

    def close(self) -> None:
        """Close this process's pack (a later save opens a new one)."""
        if self._writer is not None and self._writer[0] == os.getpid():
            os.close(self._writer[1])
        self._writer = None

    def load(self, sha256: str, display_name: str) -> UnitWorkbook | None:
        """The cached result for this content, under its current file name; None if absent or unreadable."""
        entry = self.load_entry(sha256, display_name)
        return entry[0] if entry is not None else None

    def load_entry(self, sha256: str, display_name: str) -> tuple[UnitWorkbook, Ahead | None] | None:
        """The cached unit under its current file name, and what its reader computed of it (None: nothing)."""
        found = self._index.get(sha256)
        if found is None:
            return None
        pack, offset, length, crc = found
        try:
            with pack.open("rb") as stream:
                stream.seek(offset)
                data = stream.read(length)
            if len(data) != length or zlib.crc32(data) != crc:
                raise ValueError("damaged since it was written")
            unit, tables, computed = _ValuesOnly(io.BytesIO(data)).load()
            if not isinstance(unit, UnitWorkbook) or not isinstance(tables, dict):
                raise TypeError("not an entry")
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            del self._index[sha256]  # damaged, or foreign (a planted one builds nothing): read again
            return None
        unit.file = display_name
        unit.engine = f"{unit.engine};cached"
        unit.total_checks = [replace(t, file=display_name) for t in unit.total_checks]
        for name, (columns, rows) in tables.items():
            unit.tables[name] = _table(columns, rows, display_name)
        return unit, computed if isinstance(computed, Ahead) else None

    def prune(self, keep: set[str]) -> None:
        """Forget the entries of content no file of this run has, and those of an earlier version or format.

        Records to forget (stale, repeated, damaged, planted), or too many packs, and the kept entries
        are copied into one new pack
        (written under a temporary name, then renamed), the others deleted. A run holds the output
        folder's lock, and its readers have stopped: no one else is writing an entry meanwhile.
        """
        self.close()
        self.refresh()
        packs = self._packs()
        for entry in self.folder.iterdir():
            if entry.is_file() and entry not in packs:
                entry.unlink(missing_ok=True)  # an earlier format or version, or a merge left half done
        kept = sum(self.HEADER.size + length for key, (_, _, length, _) in self._index.items() if key in keep)
        if kept == sum(p.stat().st_size for p in packs) and len(packs) <= self.MAX_PACKS:
            return  # nothing to forget: no stale, repeated, damaged or planted record, few packs
        merged = self.folder / f"{self.key_suffix}-{os.getpid()}-{secrets.token_hex(4)}{self.SUFFIX}"
        _atomic(merged, lambda path: self._copy_kept(path, keep))
        for pack in packs:
            pack.unlink(missing_ok=True)
        self._index.clear()
        self._scanned.clear()
        self.refresh()

    def _copy_kept(self, path: str, keep: set[str]) -> None:
        with open(path, "wb") as out:
            for key, (pack, offset, length, crc) in self._index.items():
                if key not in keep:
                    continue
                with pack.open("rb") as stream:
                    stream.seek(offset)
                    data = stream.read(length)
                if len(data) == length and zlib.crc32(data) == crc:
                    out.write(self.HEADER.pack(self.MAGIC, key.encode("ascii"), length, crc) + data)


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

    def save(self, unit: UnitWorkbook, computed: Ahead | None = None) -> None:
        """Write one entry (tables first, the metadata last, each by rename); no computed results are kept here."""
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
