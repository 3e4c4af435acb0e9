"""File-system plumbing for the registry: locks and locked appends.

Why a lock *and* atomic writes: os.replace() makes each index write all-or-nothing, so a
killed writer never leaves half a file; the lock makes read-modify-write sequences from two
processes take turns, so neither overwrites the other's new run. flock() locks belong to the
open file and the kernel drops them when the process dies, so a killed writer never leaves a
stale lock behind (unlike "create a .lock file" schemes).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` (created if missing) for the with-block."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as handle:
        _lock(handle)
        try:
            yield
        finally:
            _unlock(handle)


def _lock(handle) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: no flock; msvcrt locks a byte range, retrying until free
        import msvcrt

        while True:
            try:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                return
            except OSError:
                time.sleep(0.05)
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


def _unlock(handle) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def append_jsonl_locked(path: Path, record: dict) -> None:
    """Append one JSON line under an exclusive lock, fsynced: appends never interleave.

    One write() of one complete line, so a reader sees whole lines only. A writer killed
    mid-append can at worst leave a torn last line without its newline: the next append
    starts a fresh line (so it does not glue onto it) and read_jsonl_tolerant skips it.
    """
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    with locked(path.with_name(f".{path.name}.lock")), open(path, "a+b") as f:
        f.seek(0, os.SEEK_END)
        if f.tell() > 0:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                line = b"\n" + line
        f.write(line)
        f.flush()
        os.fsync(f.fileno())


def read_jsonl_tolerant(path: Path) -> tuple[list[dict], int]:
    """Records of a JSONL file, and how many lines were unreadable (e.g. a torn last line)."""
    if not path.exists():
        return [], 0
    records, bad = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            bad += 1
    return records, bad
