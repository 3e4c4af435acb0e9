"""Where the bundled offline world lives, relative to the repository (no machine paths)."""

from __future__ import annotations

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


def display_path(path) -> str:
    """A path for messages and saved metadata: repo-relative inside the repo, else as given.

    Keeps machine-specific prefixes (home folders, checkouts) out of notebook outputs, error
    messages and saved configs. Hub ids and other non-paths come back unchanged. A relative
    path that exists under the repo is read as repo-relative (resolve_repo_path), whatever the
    current folder: resolving a saved "data/models/micro-llama" from notebooks/ once recorded
    "notebooks/data/models/micro-llama".
    """
    try:
        return str(Path(resolve_repo_path(path)).resolve().relative_to(REPO_ROOT))
    except (ValueError, OSError, TypeError):
        return str(path)
