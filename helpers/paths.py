"""Where the bundled offline world lives, relative to the repository (no machine paths)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

HOME_ENV = "TUNELAB_HOME"  # a clone's folder, for a `helpers` installed away from it


def _repo_root() -> Path:
    """The clone `helpers` came from (an editable install), or the folder $TUNELAB_HOME names.

    A non-editable `pip install .` copies only the `helpers` package into site-packages; the
    folder above it then has no data/, notebooks/ or runs/ of the kit's.
    """
    home = os.environ.get(HOME_ENV, "").strip()
    return Path(home).expanduser().resolve() if home else Path(__file__).resolve().parent.parent


REPO_ROOT = _repo_root()
DATA_DIR = REPO_ROOT / "data"
MICRO_MODEL_DIR = DATA_DIR / "models" / "micro-llama"
INSTRUCTIONS_DIR = DATA_DIR / "instructions"
DOMAIN_DIR = DATA_DIR / "domain"
RESULTS_DIR = DATA_DIR / "results"
RUNS_DIR = REPO_ROOT / "runs"  # training outputs (git-ignored): adapters, checkpoints, logs
OUTPUTS_DIR = REPO_ROOT / "outputs"  # executed notebooks from `python -m helpers.bench.course`


class DataNotFoundError(FileNotFoundError):
    """The kit's bundled data/ folder is not where helpers looks; the message says what to do."""


def require_data_dir() -> Path:
    """DATA_DIR, or a DataNotFoundError saying how to point helpers at a clone."""
    if DATA_DIR.is_dir():
        return DATA_DIR
    cause = (f"${HOME_ENV} is {os.environ[HOME_ENV]!r}, which is not a tunelab clone"
             if os.environ.get(HOME_ENV, "").strip() else
             "helpers seems to be installed without its repository (a non-editable "
             "`pip install .` copies only the package)")
    raise DataNotFoundError(
        f"the kit's bundled data folder is missing: {DATA_DIR} does not exist; {cause}. Install "
        f"from a clone with `pip install -e .`, or set {HOME_ENV} to the clone's folder (the "
        "one with data/ and notebooks/).")


def resolve_repo_path(path: str) -> str:
    """A relative path that exists under the repo (like "data/models/micro-llama") → absolute,
    whatever the current folder (notebooks run in notebooks/); anything else (a hub id, an
    absolute path) is returned as given. A "data/..." path that exists neither here nor under
    the repo raises DataNotFoundError when data/ itself is missing (see require_data_dir)."""
    if Path(path).parts[:1] == ("data",) and not Path(path).exists():
        require_data_dir()
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


def repo_path(path: str | os.PathLike) -> Path:
    """Where a path the user typed points: relative paths are taken from the repository root.

    Notebooks run in notebooks/, so "runs/sft" typed there means <repo>/runs/sft, not
    notebooks/runs/sft. Unlike resolve_repo_path, the path need not exist yet (it may be where
    something is about to be saved).
    """
    path = Path(path)
    return path if path.is_absolute() else REPO_ROOT / path


def portable(value: Any, root: str | os.PathLike | None = None, *,
             existing_only: bool = False) -> Any:
    """Copy of a JSON-like `value` with absolute paths made machine-independent.

    For files that travel between machines (registry runs, exported configs). Each absolute
    path becomes: relative to `root` when under it (a registry's own folder); repo-relative
    inside the repository; "~/..." inside the home folder; anywhere else "<external>/<name>"
    (the folder would not exist on another machine, and the name is what a human recognises).
    existing_only: rewrite only paths that exist here. For third-party JSON (a model's
    config.json), where a string such as "/s" may be data rather than a path.
    """
    if isinstance(value, dict):
        return {k: portable(v, root, existing_only=existing_only) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [portable(v, root, existing_only=existing_only) for v in value]
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if (isinstance(value, str) and _looks_absolute(value)
            and (not existing_only or Path(value).exists())):
        return _machine_independent(Path(value), root)
    return value


def _looks_absolute(text: str) -> bool:
    # Multi-line or very long strings are text (a chat template), not paths; a lone "/" is more
    # often a token than the filesystem root, and says nothing about this machine anyway.
    return "\n" not in text and 1 < len(text) < 4096 and os.path.isabs(text)


def _machine_independent(path: Path, root: str | os.PathLike | None) -> str:
    resolved = path.resolve()
    bases = [(REPO_ROOT.resolve(), ""), (Path.home(), "~/")]
    if root is not None:  # first: a registry inside the repo records paths relative to itself
        bases.insert(0, (Path(root).resolve(), ""))
    for base, prefix in bases:
        try:
            return prefix + resolved.relative_to(base).as_posix()
        except ValueError:
            continue
    return f"<external>/{path.name}"


# Where pip installed a package: "/home/ana/venv/lib/python3.11/site-packages/" and the like.
_SITE_PACKAGES = re.compile(r"[^\s'\"(]*/(site|dist)-packages/")


def scrub_text(text: str) -> str:
    """Free text (a warning, a printed output) with this machine's folders taken out.

    ".../site-packages/transformers/x.py" → "site-packages/transformers/x.py"; paths inside the
    repository → repo-relative; inside the home folder → "~/...". The text counterpart of
    portable(), for outputs that are saved and shown on other machines.
    """
    text = _SITE_PACKAGES.sub("site-packages/", text)
    for prefix, short in ((str(REPO_ROOT) + "/", ""), (str(Path.home()) + "/", "~/")):
        text = text.replace(prefix, short)
    return text
