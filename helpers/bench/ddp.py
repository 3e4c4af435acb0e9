"""Check that helpers.train gives the same result data-parallel (DDP) as in one process.

    torchrun --standalone --nproc_per_node=2 -m helpers.bench.ddp --model DIR --out OUT --batch-size 4
    python -m helpers.bench.ddp --model DIR --out OUT --batch-size 8          # the 1-process twin

Both runs train the same LoRA adapter on the same records with the same *global* batch (2 × 4 or
1 × 8 examples per optimizer step). Trainer averages the loss over the tokens of the whole global
batch (`average_tokens_across_devices`), so the gradients — and after a few steps the adapter
weights — agree up to float summation order. tests/test_ddp.py runs this on CPU (gloo); on a
multi-GPU machine the same command checks NCCL. Rank 0 writes `result.json` (losses, world size)
and `adapter.pt` (trainable weights) to --out.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

DEFAULT_RECORDS = 32  # enough for a few steps of 8 without repeating an epoch


def ddp_records(n: int = DEFAULT_RECORDS) -> list[dict]:
    """Deterministic chat records of varied length (from the bundled instruction data)."""
    from helpers.bench.experiment.data import load_instructions

    return [{"messages": r["messages"]} for r in load_instructions("train")[:n]]


def run(model_dir: str, out: str, batch_size: int, steps: int = 3, quant: str = "none",
        packing: bool = False) -> dict:
    """Train (whatever the world size) and, on rank 0, save losses and adapter weights."""
    import torch

    from helpers import models, train
    from helpers.config import LoraSettings, ModelSettings, TrainSettings

    torch.set_num_threads(1)  # two processes on two cores: one thread each
    if torch.cuda.is_available() and "LOCAL_RANK" in os.environ:
        # Before loading: a 4-bit model is placed on the *current* CUDA device, which is
        # GPU 0 in every process until set (Trainer sets it only later).
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    model, tok = models.load_base(ModelSettings(model=model_dir, quant=quant, dtype="float32"))
    model = models.attach_lora(model, tok, LoraSettings(r=4, alpha=8, dropout=0.0), seed=0)
    settings = TrainSettings(output_dir=str(Path(out) / "run"), max_steps=steps,
                             batch_size=batch_size, learning_rate=5e-3, warmup_ratio=0.0,
                             eval_steps=0, save_steps=10_000, logging_steps=1, max_length=128,
                             seed=0, resume=False, packing=packing)
    result = train.train(model, tok, ddp_records(), None, settings)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    summary = {"world_size": world, "batch_size": batch_size, "steps": result.steps,
               "losses": [h["loss"] for h in result.history if "loss" in h]}
    if int(os.environ.get("RANK", "0")) == 0:
        weights = {n: p.detach().cpu() for n, p in model.named_parameters() if p.requires_grad}
        torch.save(weights, Path(out) / "adapter.pt")
        (Path(out) / "result.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.bench.ddp", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="model folder (e.g. data/models/micro-llama)")
    parser.add_argument("--out", required=True, help="folder for result.json and adapter.pt")
    parser.add_argument("--batch-size", type=int, required=True, help="examples per process")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--quant", default="none", choices=["none", "4bit"])
    parser.add_argument("--packing", action="store_true")
    args = parser.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    run(args.model, args.out, args.batch_size, args.steps, args.quant, args.packing)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
