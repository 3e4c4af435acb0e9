"""helpers.registry under concurrency and crashes, with real processes.

- Two processes (multiprocessing, spawn) create, finish and promote runs at the same time:
  the index must end valid and complete, with every promotion in both index and audit log.
- A writer process is SIGKILLed from outside at a chosen point: the child script (and only
  it) wraps one low-level call — fcntl.flock, shutil.copy2 or os.replace — so that at that
  call it writes a signal file and sleeps; the test waits for the file and kills it there.
  The index must stay valid JSON, the lock must be free, the half-written run must be
  detectable and excluded, and repair() must recover. The library has no hook for this.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.paths import REPO_ROOT
from helpers.registry import Gate, IncompleteRunError, Registry, Run, RunNotFoundError

pytestmark = pytest.mark.slow  # kills writer processes at each crash point (fast tier: pytest -m 'not slow')

ENV = {"hardware": {"device": "cpu", "name": "test"}, "packages": {"python": "3"}}
EASY = Gate(thresholds={"acc": ">=0.1"}, max_regression={"acc": 1.0}, name="easy")
RUNS_PER_WORKER = 12


def _worker(root: str, worker: int) -> list[tuple[str, str]]:
    """Create, finish and promote runs; return the (run, stage) promotions that passed."""
    reg, done = Registry(root), []
    for i in range(RUNS_PER_WORKER):
        run = Run.create(root, f"w{worker}-r{i:02d}", {"train": {"seed": i}},
                         data={"train": [{"w": worker, "i": i}]}, tags=[f"w{worker}"],
                         environment=ENV)
        run.log_history([{"step": 1, "loss": 1.0}])
        run.finish({"acc": 0.5 + i / 100}, card=i % 4 == 0)
        stages = ["candidate"] + (["production"] if i % 3 == 0 else [])
        done += [(run.id, s) for s in stages if reg.promote(run.id, s, EASY).passed]
    return done


def test_two_processes_registering_and_promoting_at_once_keep_the_index_whole(tmp_path):
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no shared state
    with ctx.Pool(2) as pool:
        results = pool.starmap(_worker, [(str(tmp_path), 0), (str(tmp_path), 1)])
    reg = Registry(tmp_path)
    index = json.loads(reg.index_path.read_text())  # valid JSON
    expected = {f"w{w}-r{i:02d}" for w in (0, 1) for i in range(RUNS_PER_WORKER)}
    assert set(index["runs"]) == expected
    assert {r["id"] for r in reg.runs()} == expected  # every run complete
    promoted = [p for worker in results for p in worker]
    assert len(promoted) == 2 * RUNS_PER_WORKER + 2 * 4
    assert sorted(reg.history("candidate")) == sorted(expected)
    assert len(reg.history("production")) == 8
    audit = reg.audit()
    assert sorted((a["run"], a["stage"]) for a in audit) == sorted(promoted)
    assert all(a["action"] == "promote" for a in audit)
    # The audit order is the order the index changed in (both written under the lock).
    assert [a["run"] for a in audit if a["stage"] == "production"] == reg.history("production")
    assert reg.verify() == []


CHILD = r"""
import fcntl, json, os, shutil, sys, time
from pathlib import Path

root, point, adapter, signal_file = sys.argv[1:5]


def stop_here():
    # Tell the test where this process is, then wait for its SIGKILL.
    Path(signal_file).write_text(point)
    time.sleep(600)
    sys.exit(f"not killed at {point}")


def stop_before(module, name, when):
    # Wrap module.name: a call for which when(*args) holds stops instead of running.
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        if when(*args):
            stop_here()
        return real(*args, **kwargs)
    setattr(module, name, wrapper)


def index_write(status=None):
    # The atomic replace of index.json (temp file fully written, rename not yet done); with
    # `status`, only the one that records the victim run with that status.
    def when(src, dst, *rest):
        if Path(dst).name != "index.json":
            return False
        runs = json.loads(Path(src).read_text())["runs"]
        return status is None or runs.get("victim", {}).get("status") == status
    return when


if point == "run_created":  # run.json written; about to ask for the index lock
    stop_before(fcntl, "flock", lambda fd, op: op == fcntl.LOCK_EX)
elif point == "create_index_locked":  # holding the lock; new index not yet in place
    stop_before(os, "replace", index_write("running"))
elif point == "before_complete":  # metrics, card and adapter written; COMPLETE not yet
    stop_before(os, "replace", lambda src, dst, *rest: Path(dst).name == "COMPLETE")
elif point == "finish_index_locked":  # COMPLETE written; holding the lock to index it
    stop_before(os, "replace", index_write("complete"))
elif point == "promote_locked":  # gate passed, lock held, stage change not yet saved
    stop_before(os, "replace", index_write())
elif point == "adapter_copy":  # one adapter file copied into the staging folder
    real_copy = shutil.copy2

    def copy_one_then_stop(src, dst, *args, **kwargs):
        real_copy(src, dst, *args, **kwargs)
        stop_here()
    shutil.copy2 = copy_one_then_stop

from helpers.registry import Gate, Registry, Run

if point == "promote_locked":
    Registry(root).promote("base", "candidate", Gate(thresholds={"acc": ">=0"}))
else:
    run = Run.create(root, "victim", {"train": {"seed": 1}}, data={"train": [{"v": 1}]},
                     environment={"hardware": {"device": "cpu"}, "packages": {}})
    run.log_history([{"step": 1, "loss": 1.0}])
    run.finish({"acc": 0.9}, adapter_dir=adapter)
sys.exit(f"finished without reaching {point}")
"""


def _big_adapter(folder: Path) -> Path:
    """A stand-in adapter folder with a few MB of weights (the copy is what gets killed)."""
    folder.mkdir()
    (folder / "adapter_config.json").write_text(json.dumps({"r": 4}))
    for i in range(3):
        (folder / f"weights-{i}.bin").write_bytes(os.urandom(2_000_000))
    return folder


def _kill_at(root: Path, point: str, adapter: Path, tmp_path: Path) -> None:
    signal_file = tmp_path / f"reached-{point}"
    env = {**os.environ,
           "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), point, str(adapter),
                             str(signal_file)], env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not signal_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"writer never reached {point!r}: {proc.stderr.read()}")
        time.sleep(0.02)
    if point.endswith("_locked"):  # so "the lock is free afterwards" proves the kernel freed it
        assert not _lock_is_free(root / ".index.lock")
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    proc.stderr.close()


def _lock_is_free(path: Path) -> bool:
    import fcntl

    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return True


@pytest.mark.parametrize("point", ["run_created", "create_index_locked", "adapter_copy",
                                   "before_complete", "finish_index_locked", "promote_locked"])
def test_writer_killed_mid_way_leaves_a_valid_index(tmp_path, point):
    root = tmp_path / "registry"
    base = Run.create(root, "base", {"train": {}}, environment=ENV).finish({"acc": 0.5})
    reg = Registry(root)
    assert reg.promote(base.id, "production", EASY).passed
    _kill_at(root, point, _big_adapter(tmp_path / "adapter"), tmp_path)

    json.loads(reg.index_path.read_text())  # still valid JSON
    assert _lock_is_free(root / ".index.lock")  # the kernel dropped the dead writer's flock
    assert [r["id"] for r in reg.runs()] == ["base"]  # the half-written run is not listed
    assert reg.current("production") == "base" and reg.current("candidate") is None
    assert [a["action"] for a in reg.audit()] == ["promote"]  # nothing half-recorded
    if point == "promote_locked":
        assert reg.verify() == []
        assert reg.promote("base", "candidate", EASY).passed  # registry still usable
        return
    victim = Run.open(root, "victim")
    finished = point == "finish_index_locked"  # COMPLETE written, index not yet updated
    assert victim.complete == finished
    has_adapter = point in ("before_complete", "finish_index_locked")
    assert (victim.adapter_path is not None) == has_adapter  # adapter/ appears whole or not
    assert (victim.dir / ".adapter.partial").is_dir() == (point == "adapter_copy")
    (problem,) = reg.verify()
    assert "'victim'" in problem or "runs/victim" in problem
    err = RunNotFoundError if "create" in point else IncompleteRunError
    with pytest.raises(err):
        reg.promote("victim", "candidate", EASY)
    reg.repair()  # indexes what is on disk; only a finished run becomes usable
    assert [r["id"] for r in reg.runs()] == (["base", "victim"] if finished else ["base"])
    if finished:
        assert reg.verify() == [] and reg.promote("victim", "candidate", EASY).passed
    else:
        assert "incomplete" in reg.verify()[0]
