"""helpers.registry: run directories, model cards, the index, gates, promotion, rollback, audit.

Real files in tmp_path. The concurrency and crash tests (real processes) live in
tests/test_registry_concurrency.py; the real-adapter test in tests/test_registry_adapter.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.config import RunConfig, preset, with_overrides
from helpers.data import fingerprint
from helpers.domain import load_split
from helpers.paths import REPO_ROOT
from helpers.registry import (
    Gate,
    GateFailedError,
    GateSpecError,
    IncompleteRunError,
    NothingToRollBackError,
    Registry,
    RegistryError,
    Run,
    RunFinishedError,
    RunNotFoundError,
    UnknownStageError,
    collect_environment,
    evaluate_gate,
    scan,
)

HISTORY = [{"step": 10, "loss": 2.5, "learning_rate": 1e-3}, {"step": 20, "loss": 1.75},
           {"step": 20, "eval_loss": 1.9}, {"step": 30, "loss": float("nan")}]
GATE = Gate(thresholds={"domain_accuracy": ">=0.5", "refusal_rate": ">=0.8"},
            max_regression={"domain_accuracy": 0.05}, name="prod-v1")


@pytest.fixture(scope="module")
def env() -> dict:
    """This machine's real hardware + versions, collected once (it imports torch)."""
    return collect_environment()


@pytest.fixture(scope="module")
def domain_train() -> list[dict]:
    return load_split("train")


def make_run(root: Path, name: str, metrics: dict | None, env: dict, tags=("sft",),
             config: RunConfig | None = None, data: dict | None = None) -> Run:
    """A run with history and (unless metrics is None) finished with those metrics."""
    run = Run.create(root, name, config or preset("cpu"), data=data or {"train": [{"a": name}]},
                     tags=list(tags), environment=env)
    run.log_history(HISTORY)
    return run.finish(metrics) if metrics is not None else run


def test_run_directory_records_config_data_env_seed_history_metrics_card(tmp_path, env,
                                                                         domain_train):
    cfg = with_overrides(preset("cpu"), train={"seed": 7, "max_steps": 40})
    val = load_split("validation")
    run = Run.create(tmp_path, "sft-r16", cfg, data={"train": domain_train, "eval": val},
                     tags=["domain", "sft"], description="Nimbusly support SFT.", environment=env)
    run.log_history(HISTORY)
    run.finish({"domain_accuracy": 0.81, "refusal_rate": 0.9, "per_topic": {"plans": 0.7}},
               eval_data={"domain_accuracy": "data/domain/test.jsonl"})

    files = sorted(p.name for p in run.dir.iterdir())
    assert files == ["COMPLETE", "README.md", "config.json", "history.jsonl", "metrics.json",
                     "run.json"]
    assert json.loads((run.dir / "config.json").read_text()) == cfg.to_dict()
    meta = run.meta
    assert meta["seed"] == 7 and meta["tags"] == ["domain", "sft"]
    assert meta["data"] == {"train": {"fingerprint": fingerprint(domain_train), "records": len(domain_train)},
                            "eval": {"fingerprint": fingerprint(val), "records": 95}}
    assert meta["environment"]["packages"]["torch"] == env["packages"]["torch"] != "missing"
    assert meta["environment"]["hardware"]["device"] in ("cpu", "cuda")
    assert [h["step"] for h in run.history] == [10, 20, 20, 30]
    assert run.history[-1]["loss"] is None  # NaN is not JSON: kept as a visible gap
    assert run.metrics["per_topic"] == {"plans": 0.7}
    manifest = json.loads((run.dir / "COMPLETE").read_text())
    assert set(manifest["files"]) == set(files) - {"COMPLETE"}
    assert run.check_files() == []


def test_finished_run_is_immutable_and_tampering_is_detected(tmp_path, env):
    run = make_run(tmp_path, "a", {"domain_accuracy": 0.6}, env)
    with pytest.raises(RunFinishedError, match="immutable"):
        run.log_history(HISTORY)
    with pytest.raises(RunFinishedError):
        run.finish({"domain_accuracy": 0.9})
    (run.dir / "metrics.json").write_text('{"domain_accuracy": 0.99}')
    assert run.check_files() == ["metrics.json"]
    assert any("changed after it was finished: metrics.json" in p
               for p in Registry(tmp_path).verify())


def test_run_dir_has_no_machine_specific_paths(tmp_path, env):
    root = tmp_path / "registry"
    cfg = with_overrides(preset("cpu"), train={"output_dir": str(root / "ckpt" / "run1")},
                         model={"model": str(REPO_ROOT / "data" / "models" / "micro-llama")})
    cfg_dict = cfg.to_dict()
    cfg_dict["extra"] = {"cache": str(Path.home() / ".cache" / "hf"),
                         "scratch": str(tmp_path / "elsewhere" / "tok")}
    run = Run.create(root, "portable", cfg_dict, data={"train": [{"x": 1}]}, environment=env)
    run.finish({"domain_accuracy": 0.5})
    saved = json.loads((run.dir / "config.json").read_text())
    assert saved["train"]["output_dir"] == "ckpt/run1"  # relative to the registry root
    assert saved["model"]["model"] == "data/models/micro-llama"  # repo-relative
    assert saved["extra"] == {"cache": "~/.cache/hf", "scratch": "<external>/tok"}
    for path in root.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for machine in (str(tmp_path), str(REPO_ROOT), str(Path.home()) + "/"):
                assert machine not in text, f"{path.name} contains {machine}"


def test_create_refuses_bad_names_and_data(tmp_path, env):
    with pytest.raises(RegistryError, match="run name 'my run!'"):
        Run.create(tmp_path, "my run!", preset("cpu"), environment=env)
    with pytest.raises(RegistryError, match=r"data\['train'\].*not a fingerprint"):
        Run.create(tmp_path, "ok", preset("cpu"), data={"train": "train.jsonl"}, environment=env)
    with pytest.raises(RegistryError, match="config is a int"):
        Run.create(tmp_path, "ok", 3, environment=env)
    with pytest.raises(RegistryError, match=r"metrics\['eval_loss'\] is nan"):
        Run.create(tmp_path, "ok", preset("cpu"), environment=env).finish(
            {"eval_loss": float("nan")})
    with pytest.raises(RunNotFoundError):
        Run.open(tmp_path, "nope")


def test_same_name_gets_a_fresh_id_and_fingerprints_can_be_passed(tmp_path, env):
    fp = fingerprint([{"a": 1}])
    ids = [Run.create(tmp_path, "sft", {"lr": 1}, data={"train": fp}, environment=env).id
           for _ in range(3)]
    assert ids == ["sft", "sft-2", "sft-3"]
    assert Run.open(tmp_path, "sft-2").meta["data"] == {"train": {"fingerprint": fp}}


def test_list_find_and_compare(tmp_path, env):
    make_run(tmp_path, "it", {"instruction_accuracy": 0.4, "domain_accuracy": 0.1}, env, ["it"])
    make_run(tmp_path, "sft", {"instruction_accuracy": 0.05, "domain_accuracy": 0.8}, env,
             ["sft", "domain"], config=with_overrides(preset("cpu"), lora={"r": 8}))
    make_run(tmp_path, "unfinished", None, env, ["sft"])
    reg = Registry(tmp_path)
    assert [r["id"] for r in reg.runs()] == ["it", "sft"]
    assert [r["id"] for r in reg.runs(include_incomplete=True)] == ["it", "sft", "unfinished"]
    assert reg.find("sft") == ["sft"] and reg.find("domain") == ["sft"] and reg.find("x") == []
    listing = reg.table(include_incomplete=True)
    assert listing.columns[-2:] == ["domain_accuracy", "instruction_accuracy"]
    assert [(r[0], r[3], r[-2]) for r in listing.rows] == [
        ("it", "complete", 0.1), ("sft", "complete", 0.8), ("unfinished", "incomplete", None)]
    table = reg.compare(["it", "sft"])
    rows = {row[0]: row[1:] for row in table.rows}
    assert table.columns == ["", "it", "sft"]
    assert rows["lora r"] == [16, 8]
    assert rows["domain_accuracy"] == [0.1, 0.8]
    assert rows["instruction_accuracy"] == [0.4, 0.05]
    assert "| domain_accuracy | 0.1 | 0.8 |" in table.to_markdown()
    with pytest.raises(IncompleteRunError, match="'unfinished'.*COMPLETE marker missing"):
        reg.compare(["it", "unfinished"])


def test_gate_checks_thresholds_regressions_and_says_why():
    gate = Gate(thresholds={"acc": ">=0.5", "eval_loss": "<2.0", "per.topic": 0.3},
                max_regression={"acc": 0.05, "eval_loss": 0.1})
    result = evaluate_gate(gate, {"acc": 0.52, "eval_loss": 1.95, "per": {"topic": 0.2}},
                           {"acc": 0.6, "eval_loss": 1.8}, run="r", stage="production",
                           baseline_run="prod")
    verdicts = {(c.metric, c.kind): c for c in result.checks}
    assert not result.passed
    assert verdicts[("acc", "threshold")].passed
    assert not verdicts[("per.topic", "threshold")].passed  # nested metric, bare number = >=
    reg = verdicts[("acc", "regression")]
    assert (reg.passed, reg.threshold) == (False, ">=0.55 (production 0.6 - 0.05)")
    assert "beyond the allowed 0.05" in reg.reason
    loss = verdicts[("eval_loss", "regression")]  # lower is better: a rise is the regression
    assert (loss.passed, loss.threshold) == (False, "<=1.9 (production 1.8 + 0.1)")
    missing = evaluate_gate(gate, {"eval_loss": 1.0}).checks[0]
    assert not missing.passed and "missing from the run's metrics" in missing.reason
    with pytest.raises(GateFailedError, match="per.topic: 0.2 does not meet >=0.3"):
        result.raise_for_failure()


@pytest.mark.parametrize("bad, message", [
    ({"thresholds": {}}, "at least one threshold"),
    ({"thresholds": {"acc": "=>0.3"}}, "'acc' is '=>0.3'; expected an operator"),
    ({"thresholds": {"acc": ">=0.3"}, "max_regression": {"acc": -1}}, "non-negative"),
])
def test_bad_gate_specs_are_refused_with_a_fix(bad, message):
    with pytest.raises(GateSpecError, match=message):
        Gate(**bad)


def test_the_gate_is_pure_checks_and_the_registry_alone_changes_stages():
    """gate.py decides, Registry acts: the gate imports no file, lock or audit code."""
    import ast

    import helpers.registry.gate as gate_module

    tree = ast.parse(Path(gate_module.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    writers = {"os", "pathlib", "shutil", "tempfile", "helpers.io", "helpers.registry._fs",
               "helpers.registry.audit", "helpers.registry.index"}
    assert imported and not imported & writers, imported & writers
    assert not hasattr(gate_module, "promote") and not hasattr(gate_module, "rollback")
    assert callable(Registry.promote) and callable(Registry.rollback)


def test_failed_gate_changes_nothing_but_is_audited(tmp_path, env, monkeypatch):
    monkeypatch.setenv("USER", "ada")
    make_run(tmp_path, "weak", {"domain_accuracy": 0.3, "refusal_rate": 0.9}, env)
    reg = Registry(tmp_path)
    before = reg.index_path.read_bytes()
    result = reg.promote("weak", "production", GATE, reason="try")
    assert not result.passed and [c.metric for c in result.failures] == ["domain_accuracy"]
    assert reg.index_path.read_bytes() == before and reg.current("production") is None
    (entry,) = reg.audit()
    assert entry["action"] == "promote_rejected" and entry["who"] == "ada"
    assert entry["gate"]["checks"][0] == {
        "metric": "domain_accuracy", "kind": "threshold", "value": 0.3, "threshold": ">=0.5",
        "passed": False, "reason": "0.3 does not meet >=0.5", "skipped": False}


def test_promote_regression_rollback_and_audit_trail(tmp_path, env, monkeypatch):
    monkeypatch.setenv("USER", "grace")
    for name, acc in (("v1", 0.70), ("v2", 0.72), ("v3", 0.60)):
        make_run(tmp_path, name, {"domain_accuracy": acc, "refusal_rate": 0.9}, env)
    reg = Registry(tmp_path)
    first = reg.promote("v1", "production", GATE, reason="first release")
    assert first.passed and first.checks[-1].skipped  # no production run to regress against
    assert reg.promote("v2", "candidate", GATE).passed
    assert reg.promote("v2", "production", GATE, reason="better").baseline_run == "v1"
    third = reg.promote("v3", "production", GATE, reason="cheaper")  # 0.60 < 0.72 - 0.05
    assert not third.passed and third.failures[0].kind == "regression"
    assert reg.current("production") == "v2" and reg.history("production") == ["v1", "v2"]
    record = reg.rollback("production", reason="bad answers about prices")
    assert (record["run"], record["previous"]) == ("v1", "v2")
    assert reg.current("production") == "v1" and reg.current("candidate") == "v2"
    assert {r[0]: r[4] for r in reg.table().rows} == {"v1": "production", "v2": "candidate",
                                                      "v3": None}
    with pytest.raises(NothingToRollBackError, match="no earlier run"):
        reg.rollback("production")
    with pytest.raises(RegistryError, match="already the production run"):
        reg.promote("v1", "production", GATE)
    with pytest.raises(UnknownStageError, match="candidate, production"):
        reg.promote("v1", "staging", GATE)
    trail = [(a["action"], a["run"], a["stage"], a["reason"]) for a in reg.audit()]
    assert trail == [("promote", "v1", "production", "first release"),
                     ("promote", "v2", "candidate", ""),
                     ("promote", "v2", "production", "better"),
                     ("promote_rejected", "v3", "production", "cheaper"),
                     ("rollback", "v1", "production", "bad answers about prices")]
    assert all(a["who"] == "grace" and a["time"].endswith("+00:00") for a in reg.audit())
    assert reg.verify() == []


def test_incomplete_runs_are_excluded_and_reported(tmp_path, env):
    run = make_run(tmp_path, "half", None, env)
    reg = Registry(tmp_path)
    assert reg.runs() == [] and not run.complete
    with pytest.raises(IncompleteRunError, match="not complete"):
        reg.promote("half", "candidate", GATE)
    with pytest.raises(RunNotFoundError, match="no run 'ghost'"):
        reg.promote("ghost", "candidate", GATE)
    (problem,) = reg.verify()
    assert "'half' is incomplete" in problem
    assert reg.audit() == []


def test_model_card_is_a_valid_hub_card_built_from_the_run(tmp_path, env, domain_train):
    from huggingface_hub import ModelCard

    run = Run.create(tmp_path, "card", preset("cpu"),
                     data={"train": {"fingerprint": fingerprint(domain_train), "records": len(domain_train),
                                     "source": "data/domain/train.jsonl"}},
                     tags=["domain"], description="Answers Nimbusly support questions.",
                     environment=env)
    run.log_history(HISTORY)
    run.record_pii(scan(domain_train), role="train")
    run.finish({"domain_accuracy": 0.81, "refusal_rate": 0.9},
               eval_data={"domain_accuracy": "data/domain/test.jsonl"},
               limitations=["Answers only in English."])
    card = ModelCard.load(run.dir / "README.md")
    assert card.data.license == "apache-2.0" and card.data.library_name == "peft"
    assert card.data.base_model == "data/models/micro-llama"
    assert card.data.datasets == ["data/domain/train.jsonl"]
    assert {"tunelab", "lora", "qlora", "domain"} <= set(card.data.tags)
    results = {r.metric_type: (r.metric_value, r.dataset_name) for r in card.data.eval_results}
    assert results == {"domain_accuracy": (0.81, "data/domain/test.jsonl"),
                       "refusal_rate": (0.9, "held-out evaluation")}
    text = card.text
    for section in ("## Intended use", "## Limitations", "## Training data",
                    "## Training procedure", "## Evaluation results", "## How to use"):
        assert section in text
    assert "Answers only in English." in text and "micro model" in text
    assert "possible personal-data item(s) in the train data (email 12)" in text
    assert fingerprint(domain_train) in text
    assert "Training loss went from 2.5 to 1.75 over 2 logged points" in text
    assert "| domain_accuracy | 0.81 | data/domain/test.jsonl |" in text
    assert "This run saved no adapter." in text


def test_pii_lineage_says_whether_the_scan_matches_the_run_data(tmp_path, env):
    records = [{"messages": [{"role": "user", "content": "mail me: bo@example.org"},
                             {"role": "assistant", "content": "ok"}]}]
    run = Run.create(tmp_path, "pii", preset("cpu"), data={"train": records}, environment=env)
    good = run.record_pii(scan(records))
    assert good["matches_run_data"] is True and good["counts"]["email"] == 1
    other = run.record_pii(scan([{"text": "nothing"}]), role="train")
    assert other["matches_run_data"] is False
    assert run.meta["lineage"]["pii"]["train"]["fingerprint"] == fingerprint([{"text": "nothing"}])


def test_audit_log_survives_a_torn_last_line(tmp_path, env):
    make_run(tmp_path, "a", {"domain_accuracy": 0.7, "refusal_rate": 0.9}, env)
    reg = Registry(tmp_path)
    reg.promote("a", "candidate", GATE)
    with open(reg.audit_path, "a", encoding="utf-8") as f:
        f.write('{"time": "2030-01-01", "action": "prom')  # a writer killed mid-append
    reg.promote("a", "production", GATE)
    lines = reg.audit_path.read_text().splitlines()
    assert len(lines) == 3 and lines[1].startswith('{"time": "2030')
    assert [(a["action"], a["stage"]) for a in reg.audit()] == [("promote", "candidate"),
                                                               ("promote", "production")]
