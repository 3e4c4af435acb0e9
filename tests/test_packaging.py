"""The install metadata stays consistent: pyproject and environment.yml list the same
dependencies with the same ranges, the user's chosen stack is all there, and CI runs exactly
the README's test command."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from helpers.paths import REPO_ROOT

STACK = ("jupyterlab", "ipywidgets", "torch", "transformers", "peft", "bitsandbytes",
         "datasets", "matplotlib", "nbval", "pytest")


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower()


def _pyproject() -> dict[str, str]:
    meta = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    extras = meta["optional-dependencies"]
    reqs = meta["dependencies"] + extras["lab"] + extras["dev"]
    return {_name(r): r.replace(" ", "") for r in reqs if _name(r) != "tunelab"}


def _environment() -> dict[str, str]:
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return {_name(r): r.replace(" ", "") for r in pip if not r.startswith("-e")}


def test_environment_yml_matches_pyproject():
    assert _environment() == _pyproject()


def test_every_dependency_has_a_floor_and_a_ceiling():
    for name, req in _pyproject().items():
        assert ">=" in req and "<" in req, f"{name}: pin a tested floor and a ceiling ({req})"


def test_the_users_stack_is_declared():
    assert set(STACK) <= set(_pyproject())


def test_ci_runs_the_readme_test_command():
    ci = (REPO_ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    readme = (REPO_ROOT / "README.md").read_text()
    assert ci in readme, "the README's test command and .ci/run have drifted apart"


def test_atomic_writes_are_world_readable(tmp_path):
    from helpers.io import write_json

    path = write_json({"a": 1}, tmp_path / "x.json")
    assert path.stat().st_mode & 0o777 == 0o644
    assert not list(tmp_path.glob(".x.json.*"))  # no temp file left behind


def _floor(spec: str) -> tuple[int, ...]:
    """">=3.11" (or ">=3.11.0,<4") → (3, 11): major and minor only."""
    match = re.search(r">=\s*(\d+(?:\.\d+)*)", spec)
    assert match, f"no >= floor in {spec!r}"
    return tuple(int(p) for p in match.group(1).split(".")[:2])


def test_python_floor_is_the_one_the_dependencies_need_and_the_docs_say():
    """README and pyproject said 3.10 while the dev extra's trl needs 3.11: a 3.10 install of
    the test command would fail in pip's resolver."""
    import importlib.metadata

    meta = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    floor = _floor(meta["requires-python"])
    version = ".".join(map(str, floor))
    for name in ("trl", "transformers", "torch"):
        needed = importlib.metadata.metadata(name).get("Requires-Python")
        if needed:
            assert _floor(needed) <= floor, f"{name} needs Python {needed}; raise requires-python"
    assert f"Python {version}+" in (REPO_ROOT / "README.md").read_text()
    assert f"Programming Language :: Python :: {version}" in meta["classifiers"]
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    assert f"python={version}" in env["dependencies"]


def _paths_as_installed(site: Path, code: str, **env: str):
    """Run `code` against helpers.paths copied to a bare site-packages, as a non-editable
    `pip install .` lays it out (no data/ beside the package)."""
    import os
    import shutil
    import subprocess
    import sys

    (site / "helpers").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "helpers" / "paths.py", site / "helpers" / "paths.py")
    (site / "helpers" / "__init__.py").write_text("")
    environ = {k: v for k, v in os.environ.items() if k != "TUNELAB_HOME"}
    return subprocess.run([sys.executable, "-c", code], cwd=site, capture_output=True, text=True,
                          env={**environ, "PYTHONPATH": str(site), **env}, timeout=60)


def test_non_editable_install_says_how_to_find_the_data(tmp_path):
    code = "from helpers.paths import resolve_repo_path as r; print(r('data/models/micro-llama'))"
    run = _paths_as_installed(tmp_path / "site-packages", code)
    assert run.returncode != 0, f"resolved to {run.stdout!r} without a data folder"
    assert "DataNotFoundError" in run.stderr and "pip install -e ." in run.stderr
    assert "TUNELAB_HOME" in run.stderr
    run = _paths_as_installed(tmp_path / "site-packages", code, TUNELAB_HOME=str(REPO_ROOT))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(REPO_ROOT / "data" / "models" / "micro-llama")


def test_readme_says_how_to_start_jupyterlab_and_install_cpu_torch():
    """The CPU-index variant must be the tested command with only the torch step changed."""
    readme = (REPO_ROOT / "README.md").read_text()
    assert "jupyter lab notebooks/" in readme
    ci = (REPO_ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    cpu = ci.replace("pip install torch==2.13.0",
                     "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu")
    assert cpu != ci and cpu in readme


JUPYTER_STACK = ("jupyterlab", "ipywidgets", "nbclient", "nbformat", "ipykernel")


def test_core_dependencies_leave_colabs_jupyter_alone():
    """Issue 15, defect 2: Colab installs the core only; the Jupyter stack is the `lab` extra
    (which the dev extra, and so the README's test command, pulls in)."""
    meta = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    core = {_name(r) for r in meta["dependencies"]}
    assert not core & set(JUPYTER_STACK)
    assert {_name(r) for r in meta["optional-dependencies"]["lab"]} == set(JUPYTER_STACK)
    assert "tunelab[lab]" in meta["optional-dependencies"]["dev"]


def test_colab_cell_installs_the_core_only_and_names_the_gpu():
    import json

    for path in sorted((REPO_ROOT / "notebooks").glob("0*.ipynb")):
        nb = json.loads(path.read_text())
        cell = next("".join(c["source"]) for c in nb["cells"]
                    if "".join(c["source"]).startswith("# Colab only"))
        install = next(line for line in cell.splitlines() if '"pip", "install"' in line)
        assert '"-q"' not in install and "[" not in install.split("install")[1], path.name
        assert "get_device_name" in cell, path.name
        assert nb["metadata"].get("accelerator") == "GPU", path.name

