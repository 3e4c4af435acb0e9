"""Model FLOPs per token, peak device FLOPS, and MFU (model FLOPs utilisation).

The formula (stated in every results file, see FORMULA):

    FLOPs per trained token = c · N  +  6 · T  +  12 · L · d_attn · s

- N: weights of every matmul a token goes through: the 7 linear layers of each of the L blocks
  plus the lm_head (V · d). Embedding lookups are not matmuls and are not counted.
- c = 4 for LoRA/QLoRA (forward 2N + gradient w.r.t. the activations 2N; the frozen base needs
  no weight gradients), c = 6 for full fine-tuning (+ 2N for weight gradients).
- T: trainable LoRA parameters (forward, activation gradient and weight gradient: 6 per param).
- 12 · L · d_attn · s: attention scores and weighted sum, forward + backward (PaLM appendix B;
  no causal discount), with d_attn = heads · head_dim and s = the example's own length (in a
  packed or padded batch, a token only does useful work with its own example).
- Gradient-checkpointing recomputation is *not* counted: MFU measures useful model work, so a
  checkpointed run has lower MFU for the same FLOPs (hardware FLOPs utilisation would count it).

MFU = achieved model FLOPs/s ÷ the device's peak dense 16-bit tensor FLOPS (datasheet table
below, no sparsity). On a CPU there is no datasheet number that torch reaches, so the peak is a
*measured* fp32 matmul rate on this machine (`measured_cpu_peak`), and the result says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

FORMULA = ("FLOPs/token = c*N + 6*T + 12*L*d_attn*s; N = matmul weights (7 linears per block + "
           "lm_head), c = 4 for LoRA/QLoRA (frozen base: forward + activation grads), 6 for full "
           "fine-tuning; T = trainable LoRA params; s = the example's own length (mean of n^2 "
           "over mean n of the benchmark data); checkpoint recomputation not counted")

# Peak dense 16-bit tensor-core TFLOPS (bf16; fp16 where the GPU has no bf16), vendor
# datasheets, without sparsity. Checked in order: more specific names first ("L40S" before
# "L4", "H100 PCIe" before "H100").
PEAK_TFLOPS: tuple[tuple[str, float], ...] = (
    ("GH200", 989.0), ("H200", 989.0), ("H100 PCIe", 756.0), ("H100 NVL", 835.0),
    ("H100", 989.0), ("A100", 312.0), ("L40S", 362.0), ("L40", 181.0), ("L4", 121.0),
    ("A10", 125.0), ("RTX 4090", 165.2), ("RTX 3090", 71.0), ("V100", 125.0), ("T4", 65.0),
)


@dataclass(frozen=True)
class Peak:
    """The FLOPS that MFU is measured against, and where the number comes from."""

    flops: float | None  # FLOP/s; None when unknown (MFU is then reported as n/a)
    source: str  # "datasheet: H100 (dense bf16)", "measured: fp32 matmul, 2 threads", "unknown"


def gpu_peak(device_name: str) -> Peak:
    """Datasheet peak for a CUDA device name such as "NVIDIA H100 80GB HBM3"."""
    for key, tflops in PEAK_TFLOPS:
        if key.lower() in device_name.lower():
            return Peak(tflops * 1e12, f"datasheet: {key} dense 16-bit tensor peak")
    return Peak(None, f"unknown GPU {device_name!r}: add it to helpers.bench.flops.PEAK_TFLOPS")


def measured_cpu_peak(seconds: float = 1.0, size: int = 1024) -> Peak:
    """Best fp32 matmul rate this CPU reaches with torch's current thread count."""
    import torch

    a, b = torch.randn(size, size), torch.randn(size, size)
    best, deadline = 0.0, time.perf_counter() + seconds
    torch.matmul(a, b)  # warm up (thread pool, caches)
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        torch.matmul(a, b)
        best = max(best, 2 * size**3 / (time.perf_counter() - start))
    return Peak(best, f"measured: fp32 {size}x{size} matmul, {torch.get_num_threads()} threads")


def matmul_params(arch) -> int:
    """N: weights of the linear layers of all blocks plus the lm_head (a helpers.memory ModelArch)."""
    return arch.num_layers * arch.layer_linear_params() + arch.vocab_size * arch.hidden_size


def flops_per_token(arch, trainable: int, full: bool = False, seq: float = 0.0) -> float:
    """Model FLOPs per trained token (see the module docstring); `seq` = attention span s."""
    c = 6 if full else 4
    attention = 12 * arch.num_layers * arch.num_heads * arch.head_dim * seq
    return c * matmul_params(arch) + 6 * trainable + attention


def mfu(tokens_per_s: float, per_token: float, peak: Peak) -> float | None:
    """Achieved model FLOPs/s over the peak (None when the peak is unknown)."""
    if not peak.flops or tokens_per_s <= 0:
        return None
    return tokens_per_s * per_token / peak.flops
