"""Small file helpers shared by every module that writes artefacts.

Writes are atomic (write to a temporary file in the same folder, then rename), so a run killed
mid-write never leaves a half-written JSONL or JSON file behind for the next step to trip on.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write `text` to `path` atomically (same-folder temp file + os.replace)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates 0600 files; give the result the usual rw-r--r-- so a shared registry
        # or data folder stays readable by other users of the machine.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_jsonl(records: Iterable[dict[str, Any]], path: str | os.PathLike) -> Path:
    """Write one JSON object per line (UTF-8, non-ASCII kept readable), atomically."""
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=False) for r in records]
    return atomic_write_text(path, "\n".join(lines) + ("\n" if lines else ""))


def write_json(obj: Any, path: str | os.PathLike) -> Path:
    """Write pretty JSON (stable key order as given), atomically."""
    return atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def read_jsonl(path: str | os.PathLike, missing_hint: str = "") -> list[dict[str, Any]]:
    """Read the kit's own JSON Lines files (bundled data, saved presets, registries).

    A missing file names `missing_hint` (how to make it); a bad line names the file and line.
    User-supplied data goes through helpers.data.load instead, which validates every record.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found" + (f": {missing_hint}" if missing_hint else ""))
    records = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{number}: invalid JSON ({err.msg}, column {err.colno}); "
                                 "fix or delete that line") from None
    return records


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 hex digest of a file's bytes, read in 1 MiB blocks (model weights need not fit twice
    in memory)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
