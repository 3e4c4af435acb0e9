"""The registry's append-only audit log: one JSON line per promotion, refusal or rollback.

Each record says when (UTC), what ("promote", "promote_rejected", "rollback"), which run and
stage, who acted and why, and for promotions every gate check. Registry.promote and
Registry.rollback write it while they hold the index lock, so the log's order is the order
the stages changed in.
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpers.registry._fs import append_jsonl_locked, read_jsonl_tolerant


def current_user() -> str:
    """Who is acting, for the audit log: $USER / $USERNAME / $LOGNAME, else the login name."""
    for var in ("USER", "USERNAME", "LOGNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def append_audit(path: Path, action: str, run: str | None, stage: str, *, who: str | None = None,
                 reason: str = "", gate: dict | None = None, **extra: Any) -> dict:
    """Append one audit record (timestamped, flock-protected) and return it."""
    record = {"time": datetime.now(UTC).isoformat(timespec="seconds"),
              "action": action, "run": run, "stage": stage, "who": who or current_user(),
              "reason": reason, "gate": gate, **extra}
    append_jsonl_locked(path, record)
    return record


def read_audit(path: Path) -> list[dict]:
    """Every audit record, oldest first (a torn final line from a killed writer is skipped)."""
    return read_jsonl_tolerant(path)[0]
