"""helpers.train under torchrun: 2 CPU processes (gloo) × 4 examples train the same adapter as
1 process × 8 examples (same global batch). Real processes, real Trainer/DDP, a tiny random Llama."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch
from tiny_models import save_tiny_llama, sentence_tokenizer

from helpers.paths import REPO_ROOT

pytestmark = pytest.mark.slow  # two torchrun processes train the micro model (fast tier: pytest -m 'not slow')

# Two processes sum their gradients in a different order than one process: float32 rounding,
# amplified a little by 3 AdamW steps (Adam normalises tiny gradients). Measured: weights
# differ by ~2e-7 (fp32 LoRA); a wrong batch split moves them by ~2e-2, the loss in the 2nd
# decimal. 1e-5 absolute sits safely between the two.
ATOL = 1e-5


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    """A 2-layer random Llama + BPE tokenizer trained on the records it will see."""
    from helpers.bench.ddp import ddp_records

    texts = [m["content"] for r in ddp_records(200) for m in r["messages"]]
    tok = sentence_tokenizer(texts, vocab_size=400)
    return save_tiny_llama(tmp_path_factory.mktemp("tiny-llama-ddp"), tok)


TORCHRUN_2 = ["-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]


def _max_diff(a: dict, b: dict) -> float:
    return max(float((a[k] - b[k]).abs().max()) for k in a)


def _run(args: list[str], out, batch_size: int, model_dir, *extra: str) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "",
           "PYTHONPATH": str(REPO_ROOT)}
    cmd = [sys.executable, *args, "-m", "helpers.bench.ddp", "--model", str(model_dir),
           "--out", str(out), "--batch-size", str(batch_size), "--steps", "3", *extra]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((out / "result.json").read_text())
    result["weights"] = torch.load(out / "adapter.pt")
    return result


def test_two_process_ddp_matches_one_process(tiny_dir, tmp_path):
    one = _run([], tmp_path / "one", 8, tiny_dir)
    two = _run(TORCHRUN_2, tmp_path / "two", 4, tiny_dir)
    assert (one["world_size"], two["world_size"]) == (1, 2)
    assert one["steps"] == two["steps"] == 3
    assert two["losses"] == pytest.approx(one["losses"], abs=ATOL)
    assert one["weights"].keys() == two["weights"].keys()
    for name, w in one["weights"].items():
        torch.testing.assert_close(two["weights"][name], w, atol=ATOL, rtol=1e-4)
    # The adapter really trained, and the comparison can fail: one process with only 4
    # examples per step (half the global batch) ends far from both.
    assert any(float(w.abs().sum()) > 0 for n, w in one["weights"].items() if "lora_B" in n)
    half = _run([], tmp_path / "half", 4, tiny_dir)
    assert _max_diff(half["weights"], one["weights"]) > 100 * ATOL


def test_ddp_with_4bit_base_and_packing(tiny_dir, tmp_path):
    """The kit's defaults (QLoRA) plus packing, data-parallel. bitsandbytes' CPU 4-bit matmul
    rounds differently for a batch of 4 than of 8, and Adam amplifies that in the weights
    (measured ~1e-4); the losses still agree to ~1e-6."""
    one = _run([], tmp_path / "one", 8, tiny_dir, "--quant", "4bit", "--packing")
    two = _run(TORCHRUN_2, tmp_path / "two", 4, tiny_dir, "--quant", "4bit", "--packing")
    assert two["world_size"] == 2
    assert two["losses"] == pytest.approx(one["losses"], abs=ATOL)
    assert _max_diff(two["weights"], one["weights"]) < 1e-3
