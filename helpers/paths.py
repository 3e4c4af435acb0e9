"""Where the bundled offline world lives, relative to the repository (no machine paths)."""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
MICRO_MODEL_DIR = DATA_DIR / "models" / "micro-llama"
INSTRUCTIONS_DIR = DATA_DIR / "instructions"
DOMAIN_DIR = DATA_DIR / "domain"
RESULTS_DIR = DATA_DIR / "results"
RUNS_DIR = REPO_ROOT / "runs"  # training outputs (git-ignored): adapters, checkpoints, logs
OUTPUTS_DIR = REPO_ROOT / "outputs"  # executed notebooks from `python -m helpers.course`


def resolve_repo_path(path: str) -> str:
    """A relative path that exists under the repo (like "data/models/micro-llama") → absolute,
    whatever the current folder (notebooks run in notebooks/); anything else (a hub id, an
    absolute path) is returned as given."""
    candidate = REPO_ROOT / path
    if not Path(path).is_absolute() and candidate.exists():
        return str(candidate)
    return path


# "org/name" as the hub spells repository ids: one slash, no leading dot or slash.
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")


def looks_like_hub_id(path) -> bool:
    """True for a string like "HuggingFaceTB/SmolLM2-360M" that is not a local path here
    (neither under the current folder nor under the repo)."""
    return (isinstance(path, str) and _HUB_ID.fullmatch(path) is not None
            and not Path(path).exists() and not (REPO_ROOT / path).exists())


def display_path(path) -> str:
    """A path for messages and saved metadata: repo-relative inside the repo, else as given.

    Keeps machine-specific prefixes (home folders, checkouts) out of notebook outputs, error
    messages and saved configs. Hub ids and other non-paths come back unchanged. A relative
    path that exists under the repo is read as repo-relative (resolve_repo_path), whatever the
    current folder: resolving a saved "data/models/micro-llama" from notebooks/ once recorded
    "notebooks/data/models/micro-llama".
    A hub id is kept verbatim: resolving it against the current folder turned
    "HuggingFaceTB/SmolLM2-360M" into "notebooks/HuggingFaceTB/SmolLM2-360M" in a saved
    adapter_config.json, which then could not find its base.
    """
    if looks_like_hub_id(path):
        return path
    try:
        return str(Path(resolve_repo_path(path)).resolve().relative_to(REPO_ROOT))
    except (ValueError, OSError, TypeError):
        return str(path)
