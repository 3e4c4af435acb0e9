"""helpers.bench.experiment: the --quick run on the bundled micro model (schema, ranges, files), the
consistency checks on results files, and the committed full run's results (not hand-edited)."""

from __future__ import annotations

import copy
import csv
import json

import pytest

from helpers.bench.experiment import (
    VARIANTS,
    ExperimentConfig,
    ResultsSchemaError,
    check_results,
    quick,
)
from helpers.bench.experiment.data import mix_records
from helpers.bench.experiment.outputs import FILES, showcase
from helpers.bench.experiment.results_file import build_results, forgetting_rows
from helpers.config import MICRO_SFT_LEARNING_RATE, preset
from helpers.paths import MICRO_MODEL_DIR, REPO_ROOT, RESULTS_DIR

COMMITTED = RESULTS_DIR / "experiment" / "results.json"
# The stage-8 weights (the bundled model until stage 9): every data/results/sweep/*_stage8* file.
STAGE8_SHA_PREFIX = "0848a14d"
# Recipe rows measured on the committed (stage-9) weights, in data/results/micro.
STAGE9_FILES = ("probe_stage9f_candidate.json", "it_sweep_stage9f_candidate.json",
                "it_sweep_stage9f_candidate_1600.json", "sft_twins_stage9f_candidate.json",
                "sft_twins_stage9f_candidate_s1.json", "sft_twins_stage9f_listrows_candidate.json",
                "sft_twins_stage9f_listrows_candidate_s1.json")
needs_micro = pytest.mark.skipif(not (MICRO_MODEL_DIR / "config.json").exists(),
                                 reason="bundled micro model not built yet (python -m helpers.build.micro)")


def _row(variant, seed, acc, ppl=10.0):
    return {"variant": variant, "seed": seed, "seen_accuracy": acc, "phrasing_accuracy": acc,
            "unseen_family_accuracy": acc / 2, "domain_fact_accuracy": 1 - acc,
            "domain_refusal_rate": 0.5, "perplexity": ppl, "seen_answer_loss": 3 - acc,
            "phrasing_answer_loss": 3.1 - acc, "unseen_family_answer_loss": 3.5 - acc,
            "domain_answer_loss": 2 + acc}


SYNTHETIC = [_row("base", None, 0.0, 9.0)] + [
    _row(v, s, a + 0.01 * s, p + s) for s in (0, 1, 2)
    for v, a, p in (("it", 0.8, 9.5), ("sft", 0.1, 12.0), ("hybrid", 0.4, 11.0), ("replay", 0.6, 10.0))]


@pytest.fixture(scope="module")
def synthetic():
    return build_results(ExperimentConfig().to_dict(), copy.deepcopy(SYNTHETIC), [], {}, 1.0,
                         "2026-01-01T00:00:00Z")


def test_forgetting_rows_per_seed_and_pair(synthetic):
    rows = {(r["pair"], r["seed"]): r for r in forgetting_rows(SYNTHETIC)}
    assert len(rows) == 2 * 3
    assert rows[("it->hybrid", 1)]["seen_accuracy"] == pytest.approx(0.4)
    assert rows[("it->replay", 0)]["perplexity"] == pytest.approx(0.5)  # a rise is forgetting
    assert rows[("it->replay", 0)]["seen_answer_loss"] == pytest.approx(0.2)
    assert synthetic["forgetting"]["it->hybrid"]["seen_accuracy"]["mean"] == pytest.approx(0.4)


def test_forgetting_is_only_measured_from_the_instruction_tuned_model(synthetic):
    """An SFT adapter trained from the base never knew the tasks: its gap is not forgetting."""
    pairs = {r["pair"] for r in forgetting_rows(SYNTHETIC)}
    assert pairs == {"it->hybrid", "it->replay"} and set(synthetic["forgetting"]) == pairs


def test_check_results_accepts_consistent_and_rejects_edited(synthetic):
    check_results(synthetic)
    edited = copy.deepcopy(synthetic)
    edited["aggregate"]["hybrid"]["seen_accuracy"]["mean"] += 0.05  # a "nicer" number by hand
    with pytest.raises(ResultsSchemaError, match="re-run the experiment"):
        check_results(edited)
    bad_rate = copy.deepcopy(synthetic)
    bad_rate["rows"][1]["domain_refusal_rate"] = 1.2
    with pytest.raises(ResultsSchemaError, match="outside \\[0, 1\\]"):
        check_results(bad_rate)
    missing = copy.deepcopy(synthetic)
    del missing["hardware"]
    with pytest.raises(ResultsSchemaError, match="hardware"):
        check_results(missing)


def test_mix_has_the_replay_fraction_and_is_seeded():
    domain = [{"id": f"d{i}"} for i in range(60)]
    instr = [{"id": f"i{i}"} for i in range(500)]
    mixed = mix_records(domain, instr, 0.25, seed=1)
    assert len(mixed) == 80 and sum(r["id"].startswith("i") for r in mixed) == 20
    assert mixed == mix_records(domain, instr, 0.25, seed=1) != mix_records(domain, instr, 0.25, 2)


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="seeds is empty"):
        ExperimentConfig(seeds=[])
    with pytest.raises(ValueError, match="replay_fraction"):
        quick(replay_fraction=1.0)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    from helpers.bench.experiment.__main__ import main

    out = tmp_path_factory.mktemp("experiment")
    assert main(["--quick", "--out", str(out)]) == 0
    return out


@pytest.mark.slow
@needs_micro
def test_quick_run_writes_valid_results(quick_run):
    for name in FILES:
        path = quick_run / name
        assert path.exists() and path.stat().st_size > 0, name
        if name.endswith(".png"):
            assert path.read_bytes()[:4] == b"\x89PNG" and path.stat().st_size < 150_000
    results = json.loads((quick_run / "results.json").read_text())
    check_results(results)  # schema, rates in [0, 1], perplexity >= 1, aggregates = rows
    assert results["variants"] == list(VARIANTS)
    assert results["config"]["seeds"] == [0] and results["config"]["model"] == "data/models/micro-llama"
    assert {r["variant"] for r in results["training"]} == {"it", "hybrid", "sft", "replay"}
    assert all(r["steps"] > 0 and r["history"] for r in results["training"])
    assert results["hardware"]["device"] and results["packages"]["torch"]
    shown = showcase(results)  # fixed prompts, every variant's answer, for notebook 05
    assert shown.columns == ["probe", "prompt", "expected", "base", "it", "sft", "hybrid", "replay"]
    assert len(shown.rows) >= 8 and all(cell[0] in "✓✗" for row in shown.rows for cell in row[3:])
    csv_lines = (quick_run / "results.csv").read_text().splitlines()
    assert len(csv_lines) == 1 + len(results["rows"]) and csv_lines[0].startswith("variant,seed")


@pytest.mark.slow
@needs_micro
def test_quick_run_measures_retrieval_and_fresh_facts(quick_run):
    results = json.loads((quick_run / "results.json").read_text())
    rag = results["rag"]
    assert [r["variant"] for r in rag["rows"]] == ["it", "it+rag", "sft", "sft+rag", "hybrid",
                                                   "hybrid+rag"]
    assert rag["k"] == 3 and rag["recall"]["n"] > 0 and 0 <= rag["recall"]["recall"] <= 1
    main = {r["variant"]: r for r in results["rows"] if r["seed"] == 0}
    for row in rag["rows"]:
        assert 0 <= row["fresh_fact_accuracy"] <= 1 and 0 <= row["fresh_old_fact_rate"] <= 1
        if "+" not in row["variant"]:  # same adapter, same questions, greedy: same answers
            for key in ("domain_fact_accuracy", "domain_refusal_rate", "domain_escalation_rate"):
                assert row[key] == main[row["variant"]][key], (row["variant"], key)
    assert "knowledge by retrieval" in (quick_run / "summary.txt").read_text()


@pytest.mark.skipif(not COMMITTED.exists(), reason="full experiment results not committed yet")
def test_committed_results_are_consistent_and_full():
    results = json.loads(COMMITTED.read_text())
    check_results(results)  # per-seed rows aggregate to the reported means (no hand edits)
    assert results["variants"] == list(VARIANTS)
    seeds = results["config"]["seeds"]
    assert len(seeds) >= 3 and results["config"]["it_steps"] >= 100 and results["config"]["sft_steps"] >= 50
    for variant in VARIANTS[1:]:
        assert results["aggregate"][variant]["seen_accuracy"]["n"] == len(seeds)
    assert results["config"]["model"] == "data/models/micro-llama"
    for variant in ("it", "it+rag", "sft", "sft+rag", "hybrid", "hybrid+rag"):  # lesson 08
        assert results["rag"]["aggregate"][variant]["fresh_fact_accuracy"]["n"] == len(seeds)


def _part(tmp_path, seed, **config):
    rows = [r for r in copy.deepcopy(SYNTHETIC) if r["seed"] in (None, seed)]
    cfg = ExperimentConfig(seeds=[seed]).to_dict() | config
    doc = build_results(cfg, rows, [{"variant": "it", "seed": seed}], {f"it/{seed}": {}},
                        10.0 + seed, "2026-01-01T00:00:00Z")
    doc["showcase"] = {"seed": seed, "columns": ["probe"], "rows": [[str(seed)]]}
    folder = tmp_path / f"part{seed}"
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps(doc))
    return folder


def test_merged_parallel_parts_equal_one_run_over_all_seeds(tmp_path, synthetic):
    from helpers.bench.experiment.merge import merge_results

    merged = merge_results([_part(tmp_path, s) for s in (2, 0, 1)])
    check_results(merged)
    assert merged["config"]["seeds"] == [0, 1, 2]
    assert merged["rows"] == synthetic["rows"]  # one base row, every seed's variants
    assert merged["aggregate"] == synthetic["aggregate"]
    assert merged["forgetting"] == synthetic["forgetting"]
    assert merged["wall_seconds"] == 12.0 and len(merged["parts"]) == 3
    assert merged["showcase"]["seed"] == 0  # the first seed's table, as in a single run


def test_merge_keeps_every_parts_retrieval_rows(tmp_path):
    from helpers.bench.experiment.merge import merge_results
    from helpers.bench.experiment.rag import rag_section

    folders = []
    for seed in (1, 0):
        folder = _part(tmp_path, seed)
        doc = json.loads((folder / "results.json").read_text())
        rows = [{"variant": v, "seed": seed, "domain_fact_accuracy": 0.1 * seed,
                 "fresh_fact_accuracy": 0.5, "fresh_old_fact_rate": 0.0} for v in ("sft", "it+rag")]
        doc["rag"] = rag_section(rows, {"k": 3, "n": 70, "recall": 0.74}, 3)
        (folder / "results.json").write_text(json.dumps(doc))
        folders.append(folder)
    merged = merge_results(folders)
    check_results(merged)
    assert len(merged["rag"]["rows"]) == 4
    assert merged["rag"]["aggregate"]["sft"]["domain_fact_accuracy"]["mean"] == pytest.approx(0.05)
    merged["rag"]["aggregate"]["sft"]["domain_fact_accuracy"]["mean"] = 0.9  # a hand edit
    with pytest.raises(ResultsSchemaError, match="rag.aggregate"):
        check_results(merged)


def test_merge_refuses_parts_of_different_experiments(tmp_path):
    from helpers.bench.experiment.merge import MergeError, merge_results

    with pytest.raises(MergeError, match="it_steps"):
        merge_results([_part(tmp_path, 0), _part(tmp_path, 1, it_steps=7)])
    with pytest.raises(MergeError, match="repeat seeds"):
        merge_results([tmp_path / "part0", tmp_path / "part0"])
    with pytest.raises(MergeError, match="no results.json"):
        merge_results([tmp_path / "nowhere"])


def _parameters(notebook: str) -> dict:
    """The literal assignments of a notebook's tagged parameters cell."""
    import ast

    from helpers.paths import REPO_ROOT

    nb = json.loads((REPO_ROOT / "notebooks" / notebook).read_text())
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    tree = ast.parse("".join(cell["source"]))
    return {t.id: ast.literal_eval(node.value) for node in tree.body
            if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}


def test_experiment_trains_with_the_notebooks_budgets():
    """Issue 14: notebook 05 quotes the experiment as what notebooks 03 and 04 do, so both run
    the same steps, batch and rank in full mode (the committed results and the defaults)."""
    nb03, nb04 = _parameters("03_instruction_tuning.ipynb"), _parameters("04_domain_sft.ipynb")
    nb08 = _parameters("08_retrieval.ipynb")  # its retraining on the changed policy, too
    committed = json.loads(COMMITTED.read_text())["config"]
    for cfg in (ExperimentConfig().to_dict(), committed):
        assert cfg["it_steps"] == nb03["STEPS"] == nb04["IT_STEPS"]
        assert cfg["sft_steps"] == nb04["STEPS"] == nb08["RETRAIN_STEPS"]
        assert nb03["BATCH_SIZE"] is None and nb04["BATCH_SIZE"] is None  # the preset's
        assert cfg["batch_size"] == preset("cpu").train.batch_size
        assert cfg["lora_r"] == nb03["LORA_R"] == nb04["LORA_R"]
        # notebooks 03/04 take their LoRA settings from the cpu preset (auto_config)
        assert cfg["train_untrained_tokens"] == preset("cpu").lora.train_untrained_tokens
        assert nb03["LEARNING_RATE"] in (None, cfg["learning_rate"])
        assert nb04["LEARNING_RATE"] == "auto" and cfg["sft_learning_rate"] == MICRO_SFT_LEARNING_RATE


@pytest.mark.slow
@needs_micro
def test_sweep_appends_each_recipe_and_skips_what_it_measured(tmp_path):
    from helpers.bench.experiment.sweep import KEYS, SweepModelMismatch, grid, run_sweep
    from helpers.paths import MICRO_MODEL_DIR

    out, logs = tmp_path / "it.json", []
    points = grid("it", [2e-3], [4], [2], [4], [0])
    rows = run_sweep(points, out, str(MICRO_MODEL_DIR), tmp_path / "work", eval_n=4, log=logs.append)
    assert len(rows) == 1 and set(KEYS["it"]) <= set(rows[0])
    assert rows[0]["steps"] == 2 and rows[0]["r"] == 4 and rows[0]["train_seconds"] > 0
    assert json.loads(out.read_text())["rows"] == rows and "hardware" in json.loads(out.read_text())
    again = run_sweep(points, out, str(MICRO_MODEL_DIR), tmp_path / "work", eval_n=4, log=logs.append)
    assert again == rows and logs[-1].startswith("skip (already measured)")
    doc = json.loads(out.read_text())
    assert doc["model"] == str(MICRO_MODEL_DIR) and len(doc["weights_sha256"]) == 64
    doc["weights_sha256"] = "0" * 64  # as if the rows came from an earlier base model
    out.write_text(json.dumps(doc))
    with pytest.raises(SweepModelMismatch, match="Write to a new --out file"):
        run_sweep(points, out, str(MICRO_MODEL_DIR), tmp_path / "work", eval_n=4, log=logs.append)


def test_sweep_points_on_other_domain_data_are_other_points():
    """A rebuilt domain set is a different recipe input: its rows must not be skipped as
    "already measured" because the bundled set's row has the same numbers."""
    from helpers.bench.experiment.sweep import SweepPoint, grid, main

    points = grid("sft", [5e-3], [16], [450], [16], [0], [None, "runs/wide"])
    assert len({p.key() for p in points}) == 2 and points[1].key().endswith("data=runs/wide")
    old_row = {"task": "sft", "learning_rate": 5e-3, "r": 16, "steps": 450, "batch_size": 16, "seed": 0}
    assert SweepPoint(**old_row).key() == points[0].key()  # rows written before the field existed
    rows = grid("sft", [5e-3], [16], [450], [16], [0], [None], untrained_tokens=True)[0]
    assert rows.key() == points[0].key() + " +untrained-rows"  # a different recipe, never skipped
    with pytest.raises(SystemExit):
        main(["--task", "it", "--domain-dir", "runs/wide", "--out", "x.json"])


@pytest.mark.slow
@needs_micro
def test_sweep_sft_point_trains_on_the_given_domain_set_and_stamps_it(tmp_path):
    from helpers.bench.experiment.sweep import grid, run_sweep
    from helpers.build.domain.build import write_dataset
    from helpers.build.domain.qa import DomainConfig
    from helpers.io import file_sha256, read_jsonl, write_jsonl
    from helpers.paths import MICRO_MODEL_DIR

    data = tmp_path / "wide"
    write_dataset(data, DomainConfig(more_wordings=True))
    for split, n in (("train", 40), ("test", 4)):  # small, so the test stays quick
        write_jsonl(read_jsonl(data / f"{split}.jsonl")[:n], data / f"{split}.jsonl")
    points = grid("sft", [5e-3], [4], [2], [4], [0], [str(data)])
    row, = run_sweep(points, tmp_path / "sft.json", str(MICRO_MODEL_DIR), tmp_path / "work",
                     eval_n=4, log=lambda _: None)
    assert row["domain_dir"] == str(data) and row["domain_train_records"] == 40
    assert row["domain_train_sha256"] == file_sha256(data / "train.jsonl")
    test_ids = [r["id"] for r in read_jsonl(data / "test.jsonl")]
    assert list(row["domain_answers"]) == test_ids  # one answer per test question, by id
    assert all(isinstance(a, str) for a in row["domain_answers"].values())
    assert row["domain_fact_accuracy"] is not None and row["domain_trained_fact_accuracy"] is not None


def _lr(value: float) -> str:
    """2e-3 as the sweep's README writes it (not Python's 0.002)."""
    return f"{value:.0e}".replace("e-0", "e-")


def _recipe(row: dict, model: str = "") -> str:
    """A row's recipe cell as the sweep README writes it; rows that name their training data
    (written since `--domain-dir`) also give the seed and which set."""
    sets = {None: "bundled set", "runs/domain_more_wordings": "more wordings",
            "runs/domain_crossed": "crossed frames",
            "runs/domain_crossed_scope": "crossed frames, 2 request copies",
            "runs/domain_twins": "crossed frames, 2 request copies, frame twins dropped"}
    text = f"lr {_lr(row['learning_rate'])}, {row['steps']} steps"
    if "domain_dir" in row:
        text += f", seed {row['seed']}, {sets[row['domain_dir']]}"
    if row.get("untrained_tokens"):
        text += ", + untrained rows"
        if model == "runs/micro-rows":  # a copy whose list adds the word-list-only rows
            text += " and word-list-only rows"
    return text


@pytest.mark.parametrize("name", ["it_stage8.json", "sft_stage8.json", "it_stage8_steps.json",
                                  "it_stage8_seed1.json", "it_stage8_contrast.json",
                                  "sft_stage8_rows.json", "it_stage8_rows.json",
                                  "sft_stage8_crossed.json", "sft_stage8_crossed_s1.json",
                                  "sft_stage8_crossed_scope.json",
                                  "sft_stage8_crossed_scope_s1.json",
                                  "sft_stage8_twins.json", "sft_stage8_twins_s1.json",
                                  "sft_stage8_twins_listrows.json",
                                  "sft_stage8_twins_listrows_s1.json"])
def test_sweep_readme_quotes_the_stamped_files_of_the_stage8_model(name):
    """The sweep README's stage-8 tables are the committed rows, all measured on the stage-8
    weights (the bundled model until stage 9), under the heading that names those weights."""
    from helpers.bench.experiment.sweep import KEYS

    doc = json.loads((RESULTS_DIR / "sweep" / name).read_text())
    readme = (RESULTS_DIR / "sweep" / "README.md").read_text()
    sha = doc["weights_sha256"]
    assert sha.startswith(STAGE8_SHA_PREFIX), f"data/results/sweep/{name}: not the stage-8 weights"
    assert f"## On the earlier micro model (stage-8 pretraining, weights sha256 `{sha[:8]}…`)" in readme
    for row in doc["rows"]:
        line = next(text for text in readme.splitlines()
                    if text.startswith(f"| {name} | {_recipe(row, doc['model'])}"))
        cells = line.split(" | ")[2:]
        for key, cell in zip(KEYS[row["task"]], cells):
            assert cell.split()[0] == f"{row[key]:.3f}", (name, key, line)


def test_sweep_readme_names_the_committed_model_and_its_stamped_files():
    """The "current micro model" heading names the committed weights, and the stage-9 recipe rows
    it points to (in data/results/micro) were measured on exactly those weights (retrain the
    model, and this asks for the sweep to be re-run)."""
    from helpers.bench.experiment.sweep import model_identity

    readme = (RESULTS_DIR / "sweep" / "README.md").read_text()
    sha = model_identity(str(MICRO_MODEL_DIR))["weights_sha256"]
    assert f"## On the current micro model (stage-9 pretraining, weights sha256 `{sha[:8]}…`)" in readme
    for name in STAGE9_FILES:
        assert f"`{name}`" in readme, name
        doc = json.loads((RESULTS_DIR / "micro" / name).read_text())
        assert doc["weights_sha256"] == sha, (
            f"data/results/micro/{name} was measured on other weights than the committed micro "
            "model: re-run it (commands in data/results/micro/README.md) into a new file")


def test_sweep_readme_quotes_the_seed_means_of_the_rows_and_crossed_sweeps():
    """The bullets compare 3-seed means against the committed experiment's sft rows."""
    from statistics import mean

    def rows(*names):
        return [r for n in names for r in json.loads((RESULTS_DIR / "sweep" / n).read_text())["rows"]]

    with open(RESULTS_DIR / "experiment" / "before_adoption" / "results.csv", newline="") as f:
        base = [{k: (float(v) if k != "variant" else v) for k, v in r.items() if v != ""}
                for r in csv.DictReader(f) if r["variant"] == "sft"]
    for r in base:
        r["seed"] = int(r["seed"])
    with_rows = rows("sft_stage8_rows.json")
    crossed = [r for r in rows("sft_stage8_crossed.json", "sft_stage8_crossed_s1.json")
               if r["untrained_tokens"]]
    readme = " ".join((RESULTS_DIR / "sweep" / "README.md").read_text().split())

    def avg(rs, key):
        assert sorted(r["seed"] for r in rs) == [0, 1, 2]
        return f"{mean(r[key] for r in rs):.3f}"

    fact, refuse, false = "domain_fact_accuracy", "domain_refusal_rate", "domain_false_refusal_rate"
    assert f"mean {avg(base, false)} → {avg(with_rows, false)}" in readme
    assert f"mean {avg(base, fact)} → {avg(with_rows, fact)}" in readme
    assert f"({avg(base, refuse)} → {avg(with_rows, refuse)})" in readme
    assert f"mean {avg(base, fact)} → {avg(crossed, fact)}" in readme
    assert f"→ {avg(crossed, refuse)} on average" in readme
    assert f"(mean {avg(crossed, false)})" in readme
    scope = rows("sft_stage8_crossed_scope.json", "sft_stage8_crossed_scope_s1.json")
    assert (f"facts on new phrasings {avg(scope, fact)}, refusals {avg(scope, refuse)}, false "
            f"refusals {avg(scope, false)}") in readme
    assert f"({avg(base, fact)} / {avg(base, refuse)} / {avg(base, false)})" in readme
    twins = rows("sft_stage8_twins.json", "sft_stage8_twins_s1.json")
    for key in (fact, refuse, false, "domain_escalation_rate", "domain_accuracy"):
        assert f"{avg(scope, key)} → {avg(twins, key)}" in readme, key
    from helpers.bench.experiment.sweep import PLAN_ATTRIBUTES, fact_hits
    from helpers.domain import load_split

    hits = [fact_hits(r, load_split("test")) for r in sorted(twins, key=lambda r: r["seed"])]
    plan = [str(sum(h[a][0] for a in PLAN_ATTRIBUTES)) for h in hits]
    assert f"right {plan[0]}, {plan[1]} and {plan[2]} of 32 (seeds 0, 1, 2)" in readme
    other = [str(h["other facts"][0]) for h in hits]
    assert f"the other facts {other[0]}, {other[1]} and {other[2]} of 38" in readme
    storage = [str(h["storage"][0]) for h in hits]
    assert f"storage questions are right {storage[0]}, {storage[1]} and {storage[2]} of 8" in readme
    listrows = rows("sft_stage8_twins_listrows.json", "sft_stage8_twins_listrows_s1.json")
    for key in (fact, refuse, false, "domain_escalation_rate", "domain_accuracy",
                "domain_trained_fact_accuracy"):
        assert f"{avg(twins, key)} → {avg(listrows, key)}" in readme, key
    lhits = [fact_hits(r, load_split("test")) for r in sorted(listrows, key=lambda r: r["seed"])]
    lplan = ", ".join(str(sum(h[a][0] for a in PLAN_ATTRIBUTES)) for h in lhits)
    assert f"Plan questions right: {lplan} of 32 (seeds 0, 1, 2; without the rows {', '.join(plan)})" in readme
    assert f"facts {', '.join(str(h['other facts'][0]) for h in lhits)} of 38" in readme
    assert f"storage {', '.join(str(h['storage'][0]) for h in lhits)} of 8" in readme
    probe = json.loads((RESULTS_DIR / "micro" / "probe_stage8_bundled.json").read_text())
    assert probe["weights_sha256"].startswith(STAGE8_SHA_PREFIX)  # the weights of these rows
    cos = {k: v["mean_cosine"] for k, v in probe["embedding_similarity"].items()}
    assert f"mean pairwise cosine is {cos['plan attributes, in word lists only']:.3f}" in readme
    assert f"against {cos['objects']:.2f} for the world's objects" in readme
    assert f"are one vector, {cos['plan attributes, never in the corpus']:.3f}" in readme


def test_notebook_04_quotes_the_facts_before_and_after_the_data_fixes():
    """nb04 compares the first committed experiment's SFT facts with the current one's."""
    from statistics import mean

    def sft_facts(path):
        with open(path, newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["variant"] == "sft"]
        assert sorted(int(r["seed"]) for r in rows) == [0, 1, 2], path
        return f"{mean(float(r['domain_fact_accuracy']) for r in rows):.2f}"

    before = sft_facts(RESULTS_DIR / "experiment" / "before_adoption" / "results.csv")
    now = sft_facts(RESULTS_DIR / "experiment" / "results.csv")
    nb04 = " ".join(" ".join("".join(c["source"]) for c in json.loads(
        (REPO_ROOT / "notebooks" / "04_domain_sft.ipynb").read_text())["cells"]
        if c["cell_type"] == "markdown").split())
    assert f"facts on new phrasings from {before} to {now}" in nb04


def test_sweep_readme_quotes_the_training_only_requests_sweep():
    """The stage-9 requests sweep: its rows, their sets and weights, and the 3-seed means."""
    from statistics import mean

    from helpers.bench.experiment.sweep import model_identity

    def rows(folder, *names):
        docs = [json.loads((RESULTS_DIR / folder / n).read_text()) for n in names]
        assert {d["weights_sha256"] for d in docs} == {
            model_identity(str(MICRO_MODEL_DIR))["weights_sha256"]}  # the bundled weights
        found = [r for d in docs for r in d["rows"]]
        assert sorted(r["seed"] for r in found) == [0, 1, 2]
        return found

    readme = " ".join((RESULTS_DIR / "sweep" / "README.md").read_text().split())
    base = rows("micro", "sft_twins_stage9f_listrows_candidate.json",
                "sft_twins_stage9f_listrows_candidate_s1.json")
    one, two = (rows("sweep", f"sft_stage9_requests{n}.json") for n in (1, 2))
    assert {r["domain_train_records"] for r in one} == {1004}
    assert {r["domain_train_records"] for r in two} == {1172}
    assert all(r["untrained_tokens"] for r in base + one + two)

    def avg(rs, key):
        return f"{mean(r[key] for r in rs):.3f}"

    for key in ("domain_fact_accuracy", "domain_refusal_rate", "domain_escalation_rate",
                "domain_false_refusal_rate", "domain_accuracy"):
        assert f"{avg(base, key)} → {avg(one, key)}" in readme, key
    assert (f"refusals {avg(two, 'domain_refusal_rate')} and escalations "
            f"{avg(two, 'domain_escalation_rate')}, but facts {avg(two, 'domain_fact_accuracy')}"
            in readme)
    for r in one + two:
        copies = "1 request copy" if r in one else "2 request copies"
        assert (f"seed {r['seed']}, more requests, {copies}, + untrained rows | "
                f"{r['domain_fact_accuracy']:.3f} | {r['domain_refusal_rate']:.3f} | "
                f"{r['domain_escalation_rate']:.3f} | {r['domain_false_refusal_rate']:.3f} |") in readme


def test_sweep_readme_quotes_the_seed_means_of_the_wordings_sweep():
    """The bullets under the wordings table compare means over seeds: they are the file's."""
    from statistics import mean

    rows = json.loads((RESULTS_DIR / "sweep" / "sft_stage5_wordings.json").read_text())["rows"]
    readme = " ".join((RESULTS_DIR / "sweep" / "README.md").read_text().split())

    def avg(steps, wide, key):
        return mean(r[key] for r in rows if r["steps"] == steps and bool(r["domain_dir"]) == wide)

    assert f"({avg(450, True, 'domain_fact_accuracy'):.3f} vs {avg(450, False, 'domain_fact_accuracy'):.3f}" in readme
    for key in ("domain_fact_accuracy", "domain_false_refusal_rate", "domain_accuracy"):
        assert f"{avg(900, True, key):.3f} vs {avg(900, False, key):.3f}" in readme, key
    assert avg(900, False, "domain_trained_fact_accuracy") == 1.0 and "(1.000, all three seeds)" in readme
    lesson = " ".join((REPO_ROOT / "lessons/04_domain_sft/README.md").read_text().split())
    for key in ("domain_fact_accuracy", "domain_false_refusal_rate"):
        assert f"from {avg(900, False, key):.2f} to {avg(900, True, key):.2f}" in lesson, key


@pytest.mark.skipif(not COMMITTED.exists(), reason="full experiment results not committed yet")
def test_committed_per_family_scores_rest_on_at_least_20_examples():
    """Issue 14: per-family accuracies on ~3 examples (0.33 = 1 of 3) told nothing. Every family
    of the seen and held-out-family splits is scored on >= 20 examples per seed, with its
    interval and both baselines beside it."""
    from helpers.bench.experiment.outputs import family_rows

    results = json.loads(COMMITTED.read_text())
    for split in ("seen", "unseen_family"):
        table = family_rows(results, "it", split)
        assert table.columns[-2:] == ["majority answer", "chance"]
        assert len(table.rows) >= 8 and all(row[1] >= 20 for row in table.rows), split


def test_micro_readme_quotes_the_stage9_candidate_files():
    """The stage-9 paragraph compares its probe and its SFT row with the bundled model's."""
    from helpers.bench.experiment.sweep import fact_hits
    from helpers.domain import load_split

    readme = " ".join((RESULTS_DIR / "micro" / "README.md").read_text().split())
    section = readme.split("# Stage 9 candidate")[1]

    def cosines(name):
        probe = json.loads((RESULTS_DIR / "micro" / name).read_text())
        return {k: f"{v['mean_cosine']:.3f}" for k, v in probe["embedding_similarity"].items()}

    s8, s9 = cosines("probe_stage8_bundled.json"), cosines("probe_stage9_candidate.json")
    for key in ("plan attributes, in word lists only", "plan attributes, never in the corpus"):
        assert f"{s8[key]} → {s9[key]}" in section, key
    before = next(r for r in json.loads((RESULTS_DIR / "sweep" / "sft_stage8_twins.json")
                                        .read_text())["rows"] if r["seed"] == 0)
    after, = json.loads((RESULTS_DIR / "micro" / "sft_twins_stage9_candidate.json").read_text())["rows"]
    for key in ("domain_fact_accuracy", "domain_false_refusal_rate", "domain_refusal_rate"):
        assert f"{before[key]:.3f} → {after[key]:.3f}" in section, key
    test = load_split("test")
    hits = [fact_hits(r, test) for r in (before, after)]
    assert (f"from {hits[0]['price'][0]} and {hits[0]['vcpus'][0]} of 8 to "
            f"{hits[1]['price'][0]} of 8") in section and hits[1]["vcpus"][0] == hits[1]["price"][0]


def test_micro_readme_quotes_the_goods_candidate_files():
    """The goods-genre section: its table, probe changes, SFT means and counts, IT row."""
    from statistics import mean

    from helpers.bench.experiment.sweep import fact_hits
    from helpers.domain import load_split

    folder = RESULTS_DIR / "micro"
    text = (folder / "README.md").read_text()
    section = " ".join(text.split("# Goods genre with fresh rows")[1].split())

    def load(name, base=folder):
        return json.loads((base / name).read_text())

    s8, half, goods = (load(f"probe_stage{n}.json") for n in ("8_bundled", "9g_step400", "9f_candidate"))
    lists, never = "plan attributes, in word lists only", "plan attributes, never in the corpus"
    for probe in (half, goods):
        for key in (lists, never):
            before, after = (p["embedding_similarity"][key]["mean_cosine"] for p in (s8, probe))
            assert f"{before:.3f} → {after:.3f}" in section, key
    it = load("it_sweep_stage9f_candidate.json")
    for label, probe, it_cell in (("goods stage without fresh rows, step 400", half, "not measured"),
                                  ("goods stage with fresh rows", goods, None)):
        q, cos = probe["question_probe"], probe["embedding_similarity"]
        kinds = " / ".join(f"{round(q['by_kind'][k] * q['n'] / 4)}/{q['n'] // 4}"
                           for k in ("who", "town", "day", "first_item"))
        row = it["rows"][0]
        it_cell = it_cell or " / ".join(f"{row[k]:.3f}" for k in (
            "seen_accuracy", "phrasing_accuracy", "unseen_family_accuracy"))
        assert (f"| {label} | {probe['weights_sha256'][:8]}… | {probe['copy_probe']['score']:.2f} | "
                f"{kinds} | {cos[lists]['mean_cosine']:.3f} / {cos[never]['mean_cosine']:.3f} | "
                f"{it_cell} |") in text, label
    assert it["weights_sha256"] == goods["weights_sha256"]
    who = [round(p["question_probe"]["by_kind"]["who"] * 10) for p in (s8, goods)]
    assert f"from {who[0]} of 10 (stage 8) to {who[1]} of 10" in section
    twins = sorted(load("sft_stage8_twins.json", RESULTS_DIR / "sweep")["rows"]
                   + load("sft_stage8_twins_s1.json", RESULTS_DIR / "sweep")["rows"], key=lambda r: r["seed"])
    new = sorted(load("sft_twins_stage9f_candidate.json")["rows"]
                 + load("sft_twins_stage9f_candidate_s1.json")["rows"], key=lambda r: r["seed"])
    assert [r["seed"] for r in new] == [0, 1, 2] and new[0]["domain_dir"] == twins[0]["domain_dir"]
    for key in ("domain_fact_accuracy", "domain_refusal_rate", "domain_false_refusal_rate",
                "domain_accuracy", "domain_trained_fact_accuracy", "domain_escalation_rate"):
        assert f"{mean(r[key] for r in twins):.3f} → {mean(r[key] for r in new):.3f}" in section, key
    test = load_split("test")
    old_hits, new_hits = ([fact_hits(r, test) for r in rows] for rows in (twins, new))

    def counts(hits, attr):
        return [str(h[attr][0]) for h in hits]

    assert counts(new_hits, "price") == ["8"] * 3
    assert f"(stage 8: {', '.join(counts(old_hits, 'price')[:2])} and {counts(old_hits, 'price')[2]})" in section
    for attr, name in (("storage", "storage questions"), ("vcpus", "CPU questions")):
        c, o = counts(new_hits, attr), counts(old_hits, attr)
        assert f"{name} {c[0]}, {c[1]} and {c[2]}" in section and f"(stage 8: {o[0]}, {o[1]} and {o[2]})" in section
    seed1 = new[1]["domain_answers"]
    quoted = "The Squall plan has 4 GB of RAM."
    squall = [i for i, a in seed1.items() if i.startswith("fact.plan.squall.storage") and a == quoted]
    assert squall and f'"{quoted}"' in section
    cores = {i: a for i, a in seed1.items() if i.startswith("fact.plan.") and ".vcpus" in i}
    asked = {r["id"]: r for r in test if r["id"] in cores}
    how_many = [i for i, r in asked.items() if r["messages"][-2]["content"].startswith("How many cores does")]
    assert how_many and all("GB of RAM" in cores[i] for i in how_many)
    old_it = load("it_stage8.json", RESULTS_DIR / "sweep")["rows"][0]
    assert (f"gave {old_it['seen_accuracy']:.3f}, {old_it['phrasing_accuracy']:.3f} and "
            f"{old_it['unseen_family_accuracy']:.3f}") in section
    long_it = load("it_sweep_stage9f_candidate_1600.json")
    new_row, = long_it["rows"]
    old_row = next(r for r in load("it_stage8_steps.json", RESULTS_DIR / "sweep")["rows"]
                   if r["steps"] == 1600 and r["seed"] == 0)
    assert long_it["weights_sha256"] == goods["weights_sha256"] and new_row["steps"] == 1600
    assert (f"seen {new_row['seen_accuracy']:.3f}, held-out phrasings {new_row['phrasing_accuracy']:.3f}, "
            f"held-out families {new_row['unseen_family_accuracy']:.3f}") in section
    assert (f"gave {old_row['seen_accuracy']:.3f}, {old_row['phrasing_accuracy']:.3f} and "
            f"{old_row['unseen_family_accuracy']:.3f}") in section


def test_micro_readme_quotes_the_goods_candidate_with_list_only_rows():
    """The list-only rows on the goods stage: means, counts, and the committed candidate weights
    are the ones every goods-stage file measured."""
    from statistics import mean

    from helpers.bench.experiment.sweep import PLAN_ATTRIBUTES, fact_hits, model_identity
    from helpers.domain import load_split

    folder = RESULTS_DIR / "micro"
    section = " ".join((folder / "README.md").read_text().split("# Goods genre with fresh rows")[1].split())

    def rows(*names, base=folder):
        out = [r for n in names for r in json.loads((base / n).read_text())["rows"]]
        return sorted(out, key=lambda r: r["seed"])

    goods = rows("sft_twins_stage9f_candidate.json", "sft_twins_stage9f_candidate_s1.json")
    listed = rows("sft_twins_stage9f_listrows_candidate.json", "sft_twins_stage9f_listrows_candidate_s1.json")
    assert [r["seed"] for r in listed] == [0, 1, 2]
    for key in ("domain_fact_accuracy", "domain_refusal_rate", "domain_false_refusal_rate",
                "domain_accuracy", "domain_trained_fact_accuracy", "domain_escalation_rate"):
        assert f"{mean(r[key] for r in goods):.3f} → {mean(r[key] for r in listed):.3f}" in section, key
    test = load_split("test")
    hits = [fact_hits(r, test) for r in listed]
    plan = [str(sum(h[a][0] for a in PLAN_ATTRIBUTES)) for h in hits]
    assert f"plan questions right {plan[0]}, {plan[1]} and {plan[2]} of 32" in section
    other = [str(h["other facts"][0]) for h in hits]
    assert f"the other facts {other[0]}, {other[1]} and {other[2]} of 38" in section
    s8 = rows("sft_stage8_twins_listrows.json", "sft_stage8_twins_listrows_s1.json", base=RESULTS_DIR / "sweep")
    old = [str(sum(fact_hits(r, test)[a][0] for a in PLAN_ATTRIBUTES)) for r in s8]
    assert f"they were {old[0]}, {old[1]} and {old[2]} of 32" in section
    sha = model_identity(str(MICRO_MODEL_DIR))["weights_sha256"]  # the candidate, adopted
    for name in STAGE9_FILES:
        assert json.loads((folder / name).read_text())["weights_sha256"] == sha, name
    assert "word lists" in json.loads((MICRO_MODEL_DIR / "untrained_tokens.json").read_text())["what"]
