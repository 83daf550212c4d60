"""Filesystem locations and atomic publication of outputs.

Every output is first written into a staging folder beside the output folder
and moved into place only when the whole run has succeeded, so an interrupted
run leaves the previous outputs intact.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUTS = ROOT / "inputs"
DEFAULT_OUTPUTS = ROOT / "outputs"
TEMPLATES = ROOT / "templates"


def safe_name(code: str) -> str:
    """A unit code as a file name: only letters, digits, CJK, `-`, `_` and `.`, never `..` or a path.

    >>> safe_name("../GH/001"), safe_name("0330106201")
    ('GH_001', '0330106201')
    """
    name = re.sub(r"[^\w.-]", "_", code).strip("._")
    return re.sub(r"\.{2,}", "_", name) or "unit"


class Staging:
    """A scratch folder whose files replace those of `target` on `publish()`."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.published: list[Path] = []
        target.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=".staging-", dir=target))

    def path(self, name: str) -> Path:
        """Where to write output `name` (a relative path such as units/X.pdf)."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def publish(self) -> list[Path]:
        """Move every staged file into the target folder (each move is atomic)."""
        published = []
        for staged in sorted(p for p in self.root.rglob("*") if p.is_file()):
            final = self.target / staged.relative_to(self.root)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, final)
            published.append(final)
        self.discard()
        return published

    def discard(self) -> None:
        """Remove the staging folder and whatever is left in it."""
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def staged(target: Path) -> Iterator[Staging]:
    """Write into a Staging of `target`: published when the block ends, discarded if it raises.

    The files published are on `staging.published` afterwards.
    """
    staging = Staging(target)
    try:
        yield staging
    except BaseException:
        staging.discard()
        raise
    staging.published = staging.publish()


@contextmanager
def output_lock(target: Path) -> Iterator[None]:
    """One run at a time on an output folder: a second run says who holds it and waits its turn.

    An advisory lock (flock) on `<out>/.lock`; the holder's process id is written into it so the
    message can name it. The lock goes with the process, so a killed run never leaves it held.
    """
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".lock").open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            print(f"另一个运行（进程 {holder}）正在写 {target}/，等它结束后继续……", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
