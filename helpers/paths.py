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


def display_path(path) -> str:
    """A path for messages and saved metadata: repo-relative inside the repo, else as given.

    Keeps machine-specific prefixes (home folders, checkouts) out of notebook outputs, error
    messages and saved configs. Hub ids and other non-paths come back unchanged. A relative
    path that exists under the repo is taken as repo-relative (as helpers.config reads model
    paths), whatever the current folder: notebooks run in notebooks/, and resolving a saved
    "data/models/micro-llama" from there once recorded "notebooks/data/models/micro-llama".
    """
    from pathlib import Path

    try:
        p = Path(path)
        if not p.is_absolute() and (REPO_ROOT / p).exists():
            p = REPO_ROOT / p
        return str(p.resolve().relative_to(REPO_ROOT))
    except (ValueError, OSError, TypeError):
        return str(path)
