"""Recipe sweep: train one adapter per setting (learning rate, rank, steps, batch) and score it,
so the notebooks' recipes are chosen from measurements, not folklore.

    python -m helpers.bench.experiment.sweep --task it --lr 2e-3 4e-3 --r 16 64 --steps 300 \
        --batch 16 --out data/results/sweep/it.json

`--task it` trains on the instruction set from the base and scores exact match on seen
families, held-out phrasings and held-out families; `--task sft` trains on the domain set and
scores fact accuracy, refusal and escalation. Every finished point is appended to the output
file at once, so a sweep stopped half-way keeps what it measured (and skips it when re-run).
The file records which base weights it measured (their sha256): rows of two different models
never share a file, since a recipe chosen on one model says little about the next.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

KEYS = {"it": ("seen_accuracy", "seen_accuracy_no_letters", "phrasing_accuracy",
               "unseen_family_accuracy", "seen_content_loss"),
        "sft": ("domain_fact_accuracy", "domain_refusal_rate", "domain_escalation_rate",
                "domain_false_refusal_rate", "domain_accuracy", "domain_trained_fact_accuracy")}


@dataclass(frozen=True)
class SweepPoint:
    """One recipe to measure."""

    task: str  # "it" (instruction set) or "sft" (domain set), both from the base
    learning_rate: float  # peak LR (cosine schedule, 5% warmup, as in the cpu preset)
    r: int  # LoRA rank (alpha = 2r)
    steps: int  # optimizer steps
    batch_size: int  # examples per step
    seed: int = 0  # adapter init and data order
    # sft: a rebuilt domain set to train on (`python -m helpers.build.domain build --out DIR`);
    # None = the bundled data/domain. The test questions are whatever that folder holds.
    domain_dir: str | None = None
    # Also train the embedding rows the base never reached (LoraSettings.train_untrained_tokens).
    untrained_tokens: bool = False

    def key(self) -> str:
        data = f" data={self.domain_dir}" if self.domain_dir else ""
        rows = " +untrained-rows" if self.untrained_tokens else ""
        return (f"{self.task} lr={self.learning_rate:g} r={self.r} steps={self.steps} "
                f"bs={self.batch_size} seed={self.seed}{data}{rows}")


def _suite(task: str, eval_n: int, domain_dir: str | None = None):
    from helpers.bench.experiment.data import INSTRUCTION_EVAL_SPLITS, load_instructions
    from helpers.domain import load_split, trained_fact_sample
    from helpers.evaluate import EvalSuite, sample_records
    from helpers.generate import GenerationSettings

    gen = GenerationSettings(max_new_tokens=40)
    if task == "sft":  # test phrasings, and trained ones: learned, or only memorised?
        return EvalSuite(domain=load_split("test", domain_dir), generation=gen,
                         domain_trained=trained_fact_sample(load_split("train", domain_dir)))
    splits = {name: sample_records(load_instructions(split), eval_n, 0)
              for name, split in INSTRUCTION_EVAL_SPLITS.items()}
    return EvalSuite(instruction=splits, generation=gen)


def measure(point: SweepPoint, model_path: str, workdir: Path, eval_n: int) -> dict:
    """Train the point's adapter on a fresh 4-bit base, evaluate it, return a result row."""
    from helpers.bench.experiment.config import ExperimentConfig
    from helpers.bench.experiment.data import load_instructions
    from helpers.bench.experiment.variants import _fresh, train_settings
    from helpers.domain import load_split
    from helpers.evaluate import evaluate_model
    from helpers.io import file_sha256
    from helpers.paths import DOMAIN_DIR
    from helpers.train import train

    cfg = ExperimentConfig(model=model_path, learning_rate=point.learning_rate, lora_r=point.r,
                           batch_size=point.batch_size,
                           train_untrained_tokens=point.untrained_tokens)
    records = (load_instructions("train") if point.task == "it"
               else load_split("train", point.domain_dir))
    model, tok = _fresh(cfg, point.task, point.seed)
    run_dir = workdir / point.key().replace(" ", "_").replace("=", "")
    result = train(model, tok, records, None,
                   train_settings(cfg, point.steps, point.seed, run_dir, point.learning_rate))
    suite = _suite(point.task, eval_n, point.domain_dir)
    evaluation = evaluate_model(model, tok, suite)
    data = {} if point.task == "it" else {  # which training set, even if the folder changes later
        "domain_train_sha256": file_sha256(Path(point.domain_dir or DOMAIN_DIR) / "train.jsonl"),
        "domain_train_records": len(records),
        # every test answer by record id: a rate says how often, the answers say what went wrong
        "domain_answers": dict(zip((r["id"] for r in suite.domain), evaluation.answers["domain"]))}
    return {**asdict(point), **data, "train_seconds": round(result.seconds, 1),
            "final_train_loss": result.final_train_loss,
            "eval_seconds": round(evaluation.seconds, 1),
            **{k: evaluation.metrics.get(k) for k in KEYS[point.task]}}


PLAN_ATTRIBUTES = ("price", "ram", "storage", "vcpus")  # fact ids fact.plan.<plan>.<attribute>…


def fact_hits(row: dict, test_records) -> dict[str, tuple[int, int]]:
    """(right, asked) per plan attribute and for the other facts, from an sft row's
    `domain_answers`: a rate says how often, this says which questions fail."""
    from helpers.domain.score import is_correct

    out: dict[str, list[int]] = {}
    for record in test_records:
        if record["kind"] != "fact":
            continue
        parts = record["id"].split(".")
        group = parts[3] if parts[1] == "plan" and parts[3] in PLAN_ATTRIBUTES else "other facts"
        hit = out.setdefault(group, [0, 0])
        hit[0] += is_correct(record, row["domain_answers"][record["id"]])
        hit[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def grid(task: str, lrs, ranks, steps, batches, seeds, domain_dirs=(None,),
         untrained_tokens: bool = False) -> list[SweepPoint]:
    """Every combination, in a stable order."""
    return [SweepPoint(task, lr, r, s, b, seed, d, untrained_tokens)
            for lr, r, s, b, seed, d in itertools.product(lrs, ranks, steps, batches, seeds,
                                                          domain_dirs)]


def run_sweep(points: list[SweepPoint], out: Path, model_path: str, workdir: Path,
              eval_n: int, log=print) -> list[dict]:
    """Measure every point not yet in `out`; append each row to `out` as soon as it is done."""
    doc = json.loads(out.read_text()) if out.exists() else {"schema": 1, "rows": []}
    _check_same_model(doc, out, model_path)
    done = {SweepPoint(**{k: r[k] for k in SweepPoint.__dataclass_fields__ if k in r}).key()
            for r in doc["rows"]}  # rows written before a field existed take its default
    for point in points:
        if point.key() in done:
            log(f"skip (already measured): {point.key()}")
            continue
        start = time.perf_counter()
        row = measure(point, model_path, workdir, eval_n)
        doc["rows"].append(row)
        doc["hardware"] = _hardware()
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=1) + "\n")
        tmp.replace(out)  # atomic: a sweep killed mid-write keeps the previous rows
        log(f"{point.key()}: {_brief(row, point.task)} ({time.perf_counter() - start:.0f}s)")
    return doc["rows"]


class SweepModelMismatch(ValueError):
    """The output file holds rows measured on other base weights than this sweep's."""


def model_identity(model_path: str) -> dict:
    """{"model", "weights_sha256"} of a local model folder (None for a hub id: not hashed)."""
    from helpers.io import file_sha256

    weights = Path(model_path) / "model.safetensors"
    return {"model": model_path, "weights_sha256": file_sha256(weights) if weights.is_file() else None}


def _check_same_model(doc: dict, out: Path, model_path: str) -> None:
    """Stamp a new file with the model; refuse to append rows of another model to an old one."""
    ident = model_identity(model_path)
    stamped = doc.get("weights_sha256")
    if doc["rows"] and stamped != ident["weights_sha256"]:
        raise SweepModelMismatch(
            f"{out}: its {len(doc['rows'])} rows were measured on {doc.get('model', 'an unrecorded model')} "
            f"(weights sha256 {stamped}), this sweep uses {model_path} (sha256 "
            f"{ident['weights_sha256']}). Write to a new --out file: rows of different base "
            "models must not be compared as one sweep.")
    doc.update(ident)


def _brief(row: dict, task: str) -> str:
    return ", ".join(f"{k} {row[k]:.3f}" for k in KEYS[task] if row.get(k) is not None)


def _hardware() -> dict:
    from helpers.device import detect

    return detect().to_dict()


def main(argv: list[str] | None = None) -> None:
    import torch

    from helpers.config import MICRO_MODEL

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--task", choices=("it", "sft"), required=True)
    ap.add_argument("--lr", type=float, nargs="+", default=[2e-3])
    ap.add_argument("--r", type=int, nargs="+", default=[16])
    ap.add_argument("--steps", type=int, nargs="+", default=[300])
    ap.add_argument("--batch", type=int, nargs="+", default=[16])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--eval-n", type=int, default=160, help="instruction test examples per split")
    ap.add_argument("--model", default=MICRO_MODEL)
    ap.add_argument("--workdir", default="runs/sweep")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--domain-dir", nargs="+", default=[None], metavar="DIR",
                    help="sft: train and score on these rebuilt domain sets; 'bundled' = data/domain")
    ap.add_argument("--untrained-tokens", action="store_true",
                    help="also train the embedding rows the base's pretraining never reached "
                         "(the model folder's untrained_tokens.json)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    dirs = [None if d in (None, "bundled") else d for d in args.domain_dir]
    if args.task == "it" and dirs != [None]:
        ap.error("--domain-dir is for --task sft (instruction tuning does not read the domain set)")
    points = grid(args.task, args.lr, args.r, args.steps, args.batch, args.seeds, dirs,
                  args.untrained_tokens)
    run_sweep(points, Path(args.out), args.model, Path(args.workdir), args.eval_n)


if __name__ == "__main__":
    main()
