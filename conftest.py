"""How the test command splits its work over two processes (pytest-xdist, `-n 2` in pyproject).

At the repository root so it applies to `pytest`, `pytest tests/...` and `pytest notebooks/...`
alike. Two rules keep the split safe:

- The lesson notebooks are one unit of work, run in order by one worker: they are a chain (04
  reuses notebook 03's `runs/it`; 06, 07 and 08 read `runs/sft` and `runs/hybrid`), and the cells
  of one notebook share one kernel. They are collected first, because they are the longest unit.
- Every test file is a unit of its own: module-scoped fixtures (the graded exercises, the real
  model, the quick experiment) are built once, not once per worker.

xdist's own `--dist loadgroup` cannot express this with pytest 9.2 (it renames node ids, which
pytest 9.2 no longer lets a plugin do), so `_Units` below is a LoadScopeScheduling whose scope
is the unit.

Each worker uses one torch thread (and so do the kernels and subprocesses it starts): two
two-thread jobs on two cores spin-wait on each other and both run slower. `-n 0` runs everything
in this one process, in file order, with torch's own thread count.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).parent / "notebooks"


def _unit(nodeid: str) -> str:
    """The unit of work of a test id: "notebooks" for every notebook cell, else its file."""
    path = nodeid.split("::", 1)[0]
    return "notebooks" if path.startswith("notebooks/") else path


def pytest_configure(config):
    """One torch/OpenMP thread per xdist worker, set before anything imports torch."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        os.environ.setdefault("MKL_NUM_THREADS", "1")


@pytest.hookimpl(optionalhook=True)  # an xdist hook: ignored where xdist is not installed
def pytest_xdist_make_scheduler(config, log):
    """Schedule whole units (`_unit`), in collection order."""
    from xdist.scheduler import LoadScopeScheduling

    class _Units(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    return _Units(config, log)


def pytest_collection_modifyitems(config, items):
    """In an xdist worker, collect the notebooks first (the longest unit starts first)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: NOTEBOOKS not in Path(item.path).parents)  # stable sort
