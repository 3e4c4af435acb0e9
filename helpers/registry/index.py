"""The registry: which runs exist, their tags and final metrics, the stages, and the only way
to change a stage — promote() through an evaluation gate, or rollback() — each audited.

Layout of a registry folder (everything inside is relative to it, so it can be copied):

    index.json      {"version": 1, "runs": {id: entry}, "stages": {stage: {current, history}}}
    audit.jsonl     append-only log of every promotion, refused promotion and rollback
    runs/<id>/      one folder per run (see helpers.registry.run_dir); COMPLETE marks it finished
    .index.lock     the lock file serialising read-modify-write of index.json

index.json is only ever replaced whole (temp file + rename) while holding the lock, so two
writers never lose each other's updates and a killed writer leaves the previous version.
A run counts as finished only when its folder has the COMPLETE marker *and* the index says so;
anything else is listed by verify() and left out of runs(), compare() and promotion.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.io import write_json
from helpers.registry._fs import locked
from helpers.registry.audit import append_audit, read_audit
from helpers.registry.errors import (
    IncompleteRunError,
    NothingToRollBackError,
    RegistryCorruptError,
    RegistryError,
    RunNotFoundError,
    UnknownStageError,
)
from helpers.registry.gate import Gate, GateResult, evaluate_gate, lookup
from helpers.tables import Table

if TYPE_CHECKING:
    from helpers.registry.run_dir import Run

INDEX_VERSION = 1
COMPLETE_MARKER = "COMPLETE"
STAGES = ("candidate", "production")  # the named stages a run can be promoted to


def empty_index() -> dict:
    return {"version": INDEX_VERSION, "runs": {}, "stages": {}}


def check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise UnknownStageError(f"unknown stage {stage!r}; the stages are {', '.join(STAGES)}")
    return stage


def _stage_state(index: dict, stage: str) -> dict:
    return index.setdefault("stages", {}).setdefault(stage, {"current": None, "history": []})


class Registry:
    """A folder of runs with an index, stages and an audit log."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.index_path = self.root / "index.json"
        self.audit_path = self.root / "audit.jsonl"
        self.runs_dir = self.root / "runs"
        self._lock_path = self.root / ".index.lock"

    def __repr__(self) -> str:
        return f"Registry({str(self.root)!r})"

    # -- raw index access (save_index only while holding lock()) --------------------------
    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock for a read-modify-write of the index (re-entrant: no)."""
        with locked(self._lock_path):
            yield

    def load_index(self) -> dict:
        """The current index (a consistent snapshot: the file is replaced atomically)."""
        if not self.index_path.exists():
            return empty_index()
        try:
            data = json.loads(self.index_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise RegistryCorruptError(
                f"{self.index_path} is not valid JSON ({exc}); rebuild it from the run folders "
                "with Registry(root).repair()") from None
        if not isinstance(data, dict) or "runs" not in data:
            raise RegistryCorruptError(f"{self.index_path} has no 'runs' table; run repair()")
        return data

    def save_index(self, index: dict) -> None:
        """Replace index.json atomically. Call only inside `with registry.lock():`."""
        write_json(index, self.index_path)

    def run_dir(self, run_id: str) -> Path:
        return self.runs_dir / run_id

    def marker_exists(self, run_id: str) -> bool:
        return (self.run_dir(run_id) / COMPLETE_MARKER).is_file()

    def entry(self, run_id: str, index: dict | None = None) -> dict:
        """The index entry of one run (any status)."""
        index = index if index is not None else self.load_index()
        if run_id not in index["runs"]:
            known = ", ".join(sorted(index["runs"])[:20]) or "none"
            raise RunNotFoundError(f"no run {run_id!r} in registry {self.root} (runs: {known})")
        return index["runs"][run_id]

    def require_complete(self, run_id: str, index: dict | None = None) -> dict:
        """The entry of a finished run; IncompleteRunError for half-written ones."""
        entry = self.entry(run_id, index)
        if entry.get("status") != "complete" or not self.marker_exists(run_id):
            raise IncompleteRunError(
                f"run {run_id!r} in {self.root} is not complete (status {entry.get('status')!r},"
                f" COMPLETE marker {'present' if self.marker_exists(run_id) else 'missing'}): "
                "finish it with run.finish(...), or see registry.verify()")
        return entry

    # -- queries -----------------------------------------------------------------------
    def runs(self, tag: str | None = None, include_incomplete: bool = False) -> list[dict]:
        """Index entries (with "id"), oldest first; finished runs only unless asked."""
        index = self.load_index()
        out = []
        for run_id, entry in index["runs"].items():
            done = entry.get("status") == "complete" and self.marker_exists(run_id)
            if (done or include_incomplete) and (tag is None or tag in entry.get("tags", [])):
                out.append({"id": run_id, **entry, "complete": done})
        return sorted(out, key=lambda e: (e.get("created", ""), e["id"]))

    def table(self, tag: str | None = None, include_incomplete: bool = False) -> Table:
        """The runs as a table: id, created, tags, status, stage, numeric metrics."""
        entries = self.runs(tag, include_incomplete)
        stages = {s: st.get("current") for s, st in self.load_index().get("stages", {}).items()}
        names = sorted({m for e in entries for m, v in e["metrics"].items()
                        if isinstance(v, (int, float)) and not isinstance(v, bool)})
        rows = [[e["id"], e.get("created"), ", ".join(e.get("tags", [])),
                 "complete" if e["complete"] else "incomplete",
                 ", ".join(s for s, cur in stages.items() if cur == e["id"]) or None]
                + [e["metrics"].get(m) for m in names] for e in entries]
        return Table(["run", "created", "tags", "status", "stage", *names], rows)

    def find(self, tag: str) -> list[str]:
        """Ids of finished runs carrying `tag`."""
        return [e["id"] for e in self.runs(tag=tag)]

    def get(self, run_id: str) -> Run:
        """Open a run (finished or not) by id."""
        from helpers.registry.run_dir import Run

        self.entry(run_id)
        return Run.open(self.root, run_id)

    def compare(self, run_ids: list[str], metrics: list[str] | None = None) -> Table:
        """Runs side by side: key settings, data fingerprints and metrics, one column per run."""
        index = self.load_index()
        entries = [self.require_complete(r, index) for r in run_ids]
        names = metrics or sorted({m for e in entries for m, v in e["metrics"].items()
                                   if isinstance(v, (int, float)) and not isinstance(v, bool)})
        rows = [[label] + [_get(e, path) for e in entries] for label, path in _COMPARE_FIELDS]
        rows += [[m] + [lookup(e["metrics"], m) for e in entries] for m in names]
        return Table(["", *run_ids], rows)

    def current(self, stage: str = "production") -> str | None:
        """The run currently at `stage`, or None."""
        check_stage(stage)
        return self.load_index().get("stages", {}).get(stage, {}).get("current")

    def history(self, stage: str = "production") -> list[str]:
        """Runs promoted to `stage`, oldest first, minus rolled-back ones."""
        check_stage(stage)
        return list(self.load_index().get("stages", {}).get(stage, {}).get("history", []))

    def audit(self) -> list[dict]:
        """The audit log, oldest first."""
        return read_audit(self.audit_path)

    # -- governance: stages change only here, under the lock, and always audited ------------
    def promote(self, run_id: str, stage: str, gate: Gate, *, reason: str = "",
                who: str | None = None) -> GateResult:
        """Promote a complete run to `stage` if it passes `gate`; returns the GateResult.

        A failed gate leaves the index untouched; the refused attempt is still written to the
        audit log (action "promote_rejected"), because a trail that hides refusals is no trail.
        """
        check_stage(stage)
        with self.lock():
            index = self.load_index()
            metrics = self.require_complete(run_id, index)["metrics"]
            state = _stage_state(index, stage)
            if state["current"] == run_id:
                raise RegistryError(f"run {run_id!r} is already the {stage} run; nothing to do")
            prod = index.get("stages", {}).get("production", {}).get("current")
            baseline = index["runs"][prod]["metrics"] if prod and prod != run_id else None
            result = evaluate_gate(gate, metrics, baseline, run=run_id, stage=stage,
                                   baseline_run=prod if baseline is not None else None)
            previous = state["current"]
            if result.passed:
                state["history"].append(run_id)
                state["current"] = run_id
                self.save_index(index)
            # Audited before the lock is released, so the log's order is the stages' order.
            append_audit(self.audit_path, "promote" if result.passed else "promote_rejected",
                         run_id, stage, who=who, reason=reason, gate=result.to_dict(),
                         previous=previous)
        return result

    def rollback(self, stage: str = "production", *, reason: str = "",
                 who: str | None = None) -> dict:
        """Make the stage's previous run current again; returns the audit record written."""
        check_stage(stage)
        with self.lock():
            index = self.load_index()
            state = _stage_state(index, stage)
            if len(state["history"]) < 2:
                raise NothingToRollBackError(
                    f"stage {stage!r} has no earlier run to roll back to (history: "
                    f"{state['history'] or 'empty'}); promote another run through a gate instead")
            restored = state["history"][-2]
            self.require_complete(restored, index)
            removed = state["history"].pop()
            state["current"] = restored
            self.save_index(index)
            return append_audit(self.audit_path, "rollback", restored, stage, who=who,
                                reason=reason, previous=removed)

    # -- consistency ---------------------------------------------------------------------
    def verify(self, check_files: bool = True) -> list[str]:
        """Problems found (empty = consistent): half-written runs, index/marker mismatches, and
        (check_files) finished runs whose files no longer match their COMPLETE manifest."""
        from helpers.registry.run_dir import Run

        index, problems = self.load_index(), []
        on_disk = {p.name for p in self.runs_dir.iterdir() if p.is_dir()} \
            if self.runs_dir.exists() else set()
        for run_id, entry in index["runs"].items():
            found = _entry_problems(self, run_id, entry, run_id in on_disk)
            if not found and check_files and (changed := Run(self, run_id).check_files()):
                found = [f"run {run_id!r} changed after it was finished: {', '.join(changed)}"]
            problems += found
        for run_id in sorted(on_disk - set(index["runs"])):
            problems.append(f"run folder runs/{run_id} is not in the index (its writer died "
                            "before registering it); repair() adds it if it is complete")
        for stage, state in index.get("stages", {}).items():
            if state.get("current") and state["current"] not in index["runs"]:
                problems.append(f"stage {stage!r} points at unknown run {state['current']!r}")
        return problems

    def repair(self) -> list[str]:
        """Bring the index in line with the run folders (complete ones only); what changed."""
        from helpers.registry.run_dir import index_entry_from_dir

        changed = []
        with self.lock():
            index = self._load_or_empty()
            for folder in sorted(self.runs_dir.glob("*/")):
                entry = index_entry_from_dir(self, folder)
                if entry and index["runs"].get(folder.name) != entry:
                    index["runs"][folder.name] = entry
                    changed.append(f"{folder.name}: indexed as {entry['status']}")
            if changed:
                self.save_index(index)
        return changed

    def _load_or_empty(self) -> dict:
        try:
            return self.load_index()
        except RegistryCorruptError:
            return empty_index()


_COMPARE_FIELDS = [("base model", "config.model.model"), ("lora r", "config.lora.r"),
                   ("learning rate", "config.train.learning_rate"),
                   ("max steps", "config.train.max_steps"), ("seed", "seed"),
                   ("train data", "data.train")]


def _get(entry: dict, path: str) -> Any:
    value = lookup(entry.get("summary", {}), path)
    return value[:12] if isinstance(value, str) and path.startswith("data.") else value


def _entry_problems(registry: Registry, run_id: str, entry: dict, has_dir: bool) -> list[str]:
    marker = registry.marker_exists(run_id)
    if not has_dir:
        return [f"run {run_id!r} is indexed but its folder runs/{run_id} is missing"]
    if entry.get("status") == "complete" and not marker:
        return [f"run {run_id!r} is indexed as complete but has no COMPLETE marker"]
    if entry.get("status") != "complete" and marker:
        return [(f"run {run_id!r} is complete on disk but indexed as {entry.get('status')!r} "
                 "(its writer died after finishing); repair() fixes the index")]
    if entry.get("status") != "complete":
        return [(f"run {run_id!r} is incomplete (no COMPLETE marker): still running, or its "
                 "writer died; it is excluded from runs(), compare() and promotion")]
    return []
