"""The package layout of issue 17: what a lesson notebook imports is the learner's library.

Build-time generators (helpers.build), maintainers' measurement (helpers.bench) and the
instructors' autograder (helpers.grading) must not be loaded by any helpers module a notebook
imports, directly or through the modules those import. Each notebook's imports are read from its
code cells and imported in a fresh interpreter, so nothing another test loaded can hide a leak.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.paths import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
FORBIDDEN = ("helpers.build", "helpers.bench", "helpers.grading", "helpers.micro")

# Notebooks that legitimately use maintainer code, with the one subpackage each may load.
ALLOWED = {
    # Reads the committed trade-off results (load_results, outputs) and, in its last part,
    # runs the quick experiment itself (run_experiment): that is the experiment runner.
    "05_evaluation": ("helpers.bench.experiment",),
    # Quotes the committed retrieval numbers of the same experiment (load_results, outputs).
    "08_retrieval": ("helpers.bench.experiment",),
}

_IMPORT = re.compile(r"^\s*(?:from\s+(helpers(?:\.\w+)*)\s+import\s+([^#\n]+)|import\s+(helpers(?:\.\w+)*))",
                     re.MULTILINE)


def notebook_imports(path) -> list[str]:
    """`helpers...` modules (and `from helpers import x` submodules) a notebook's code imports."""
    cells = json.loads(path.read_text())["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    found = []
    for module, names, plain in _IMPORT.findall(source):
        if plain:
            found.append(plain)
            continue
        found.append(module)
        for name in names.strip("() ").split(","):
            name = name.split(" as ")[0].strip()
            if name:
                found.append(f"{module}.{name}")  # a submodule, or an attribute (tried below)
    return sorted(set(found))


_PROBE = """
import importlib, json, sys
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name != name:   # `from helpers.x import attr` names an attribute, not a module
            raise
print(json.dumps(sorted(m for m in sys.modules if m == "helpers" or m.startswith("helpers."))))
"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_imports_load_no_builder_benchmark_or_grader(path):
    imports = notebook_imports(path)
    assert imports, f"{path.name}: no helpers import found (did the parser break?)"
    out = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(imports)], cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=300, check=True).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    allowed = ALLOWED.get(path.stem, ())
    parents = {a.rsplit(".", 1)[0] for a in allowed}  # helpers.bench's __init__ is a docstring
    leaks = [m for m in loaded if m.startswith(FORBIDDEN) and m not in parents
             and not any(m == a or m.startswith(a + ".") for a in allowed)]
    assert not leaks, f"{path.name} imports {imports}, which load {leaks}"


def test_the_parser_sees_every_import_form():
    cells = {"cells": [{"cell_type": "code", "source": [
        "from helpers import data, evaluate\n", "from helpers.config import (auto_config,\n",
        "import helpers.paths\n", "x = 1  # from helpers.build import nothing\n"]}]}
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "nb.ipynb"
        p.write_text(json.dumps(cells))
        found = notebook_imports(p)
    assert {"helpers", "helpers.data", "helpers.evaluate", "helpers.config", "helpers.paths"} <= set(found)
    assert not any(m.startswith("helpers.build") for m in found)


def _module_file(name: str):
    base = REPO_ROOT / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _static_imports(name: str) -> set[str]:
    """helpers modules named by any import statement in `name`'s source, inside functions too."""
    path = _module_file(name)
    if path is None:
        return set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("helpers"))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*parts, module] if module else parts)
            if module.startswith("helpers"):
                found.add(module)
                found.update(f"{module}.{a.name}" for a in node.names)
    return {m for m in found if _module_file(m) is not None}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_lazy_import_reaches_a_builder_benchmark_or_grader(path):
    # Imports inside functions run only when called: follow every import statement statically.
    allowed = ALLOWED.get(path.stem, ())
    seen, todo = set(), [m for m in notebook_imports(path) if _module_file(m) is not None]
    while todo:
        name = todo.pop()
        if name in seen or any(name == a or name.startswith(a + ".") for a in allowed):
            continue
        seen.add(name)
        todo.extend(_static_imports(name))
    leaks = sorted(m for m in seen if m.startswith(FORBIDDEN))
    assert not leaks, f"{path.name}: its helpers modules can import {leaks}"


def _learner_modules() -> list[str]:
    """Every module of the learner's library: helpers/ but build/, bench/, grading/, micro/."""
    names = []
    for path in sorted((REPO_ROOT / "helpers").rglob("*.py")):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        if len(parts) > 2 and parts[1] in ("build", "bench", "grading", "micro"):
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_no_learner_module_can_import_a_builder_benchmark_or_grader():
    # Stricter than the notebook tests: every module of the library, whether a notebook uses it
    # or not, followed statically through every import statement (inside functions too).
    modules = _learner_modules()
    assert "helpers.tasks.families" in modules and "helpers.tables" in modules
    assert not any(m.startswith(FORBIDDEN) for m in modules)
    leaks = {}
    for module in modules:
        seen, todo = set(), [module]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(_static_imports(name))
        reached = sorted(m for m in seen if m.startswith(FORBIDDEN))
        if reached:
            leaks[module] = reached
    assert not leaks, f"learner modules that can import build/bench/grading code: {leaks}"


def test_importing_helpers_tasks_loads_nothing_from_helpers_build():
    # The task families are learner-side; their example generators are build-time
    # (helpers.build.tasks.generators) and must not come along with them.
    probe = ("import json, sys, helpers.tasks, helpers.tasks.score\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('helpers.'))))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True,
                         text=True, timeout=300, check=True).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    assert "helpers.tasks.families" in loaded
    assert not [m for m in loaded if m.startswith(FORBIDDEN)], loaded
