"""What a run records about its inputs: config, data fingerprints, environment, metrics.

Small converters used by helpers.registry.run_dir, kept apart so run_dir.py stays about the folder.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from helpers.io import atomic_write_text
from helpers.paths import portable
from helpers.registry.errors import RegistryError

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def config_dict(config: Any) -> dict:
    """RunConfig / any dataclass / dict → plain dict."""
    if hasattr(config, "to_dict"):
        return config.to_dict()
    if is_dataclass(config) and not isinstance(config, type):
        return asdict(config)
    if isinstance(config, dict):
        return dict(config)
    raise RegistryError(f"config is a {type(config).__name__}; pass a RunConfig, a dataclass "
                        "or a dict")


def describe_data(data: dict[str, Any] | None) -> dict[str, dict]:
    """{role: records | fingerprint | {"fingerprint", "records", "source"}} → lineage dicts."""
    from helpers.data import fingerprint

    out = {}
    for role, value in (data or {}).items():
        if isinstance(value, str):
            if not _HEX64.match(value):
                raise RegistryError(f"data[{role!r}] is the string {value[:20]!r}…, not a "
                                    "fingerprint (64 hex chars); pass the records instead")
            out[role] = {"fingerprint": value}
        elif isinstance(value, dict):
            if not _HEX64.match(str(value.get("fingerprint", ""))):
                raise RegistryError(f"data[{role!r}] is a dict without a valid 'fingerprint'; "
                                    "pass the list of records, or {'fingerprint': ...}")
            out[role] = dict(value)
        else:
            records = list(value)
            out[role] = {"fingerprint": fingerprint(records), "records": len(records)}
    return out


def collect_environment() -> dict:
    """Hardware and library versions of this process (imports torch to ask about the GPU)."""
    from helpers.device import detect, package_versions

    return {"hardware": detect().to_dict(), "packages": package_versions()}


def clean_history(history: list[dict]) -> list[dict]:
    # NaN/inf are not JSON; None keeps the row (and the step) visible in the history.
    return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in row.items()} for row in history]


def check_metrics(metrics: dict, where: str = "metrics") -> None:
    for key, value in metrics.items():
        if isinstance(value, dict):
            check_metrics(value, f"{where}[{key!r}]")
        elif isinstance(value, float) and not math.isfinite(value):
            raise RegistryError(f"{where}[{key!r}] is {value}: not valid JSON and not "
                                "comparable by a gate; leave the metric out or fix its source")


def portable_json_files(folder: Path, root: Path) -> list[str]:
    """Rewrite *.json files in `folder` whose values hold absolute paths; names changed.

    save_adapter keeps paths outside the repository as they are (adapter_config.json's
    base_model_name_or_path, e.g. /tmp/... or /content/...); inside a run folder they would
    tie the registry to this machine. Files without such paths are left byte-identical.
    """
    changed = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        fixed = portable(data, root)
        if fixed != data:
            atomic_write_text(path, json.dumps(fixed, ensure_ascii=False, indent=2) + "\n")
            changed.append(path.name)
    return changed
