"""Peak GPU memory of one training step, split into the parts a learner can act on.

Memory is not the plain sum of the parts: backward frees each block's activations while it
creates that block's gradients, and the loss buffers are gone before the blocks run backward.
So the peak is the largest of a few moments of the step (end of forward, start of backward,
a block's backward, the optimizer step), and the table shows the difference as "overlap".

What is assumed (tunelab's own training path; state it when you quote a number): transformers'
Trainer-style step with autocast for bf16/fp16, SDPA attention without a padding mask, peft
LoRA with fp32 adapters, bitsandbytes NF4 (block 64), torch's multi-tensor AdamW (the fused
one needs 4 bytes per trained parameter less); QLoRA's fp32 upcast only with prepare_kbit=True.
The activation and loss terms were checked tensor by tensor on CPU (tests/test_memory.py);
the CUDA constants below are calibrated by `python -m helpers.bench.memory` on a GPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from helpers.memory import activations as act
from helpers.memory import params as par
from helpers.memory.arch import ModelArch, load_arch
from helpers.memory.settings import MemorySettings, make_settings

GIB = 1024**3
MIB = 1024**2
# CUDA context + kernels loaded by torch/cuBLAS/bitsandbytes: outside PyTorch's allocator, so
# torch.cuda.max_memory_allocated never shows it, but nvidia-smi does. ~0.3-0.6 GB in practice.
CUDA_CONTEXT_BYTES = 512 * MIB
# cuBLAS workspaces, allocated through PyTorch's allocator: one per thread that runs matmuls
# (forward thread + autograd thread), 32 MiB each on H100, ~8 MiB on older GPUs.
CUBLAS_WORKSPACE_BYTES = 64 * MIB
# PyTorch's caching allocator reserves more than it hands out (block rounding, fragmentation).
FRAGMENTATION_FACTOR = 1.10


@dataclass(frozen=True)
class MemoryEstimate:
    """Estimated peak GPU memory of one training step, in bytes per component."""

    model: str  # short model name
    settings: MemorySettings  # the settings this estimate is for
    params: int  # parameters of the base model
    trainable_params: int  # parameters that get gradients
    weights: int  # base weights as stored (fp32 master / 16-bit / NF4 + scales)
    weight_copies: int  # 16-bit copies autocast makes of fp32 weights (full fine-tuning)
    adapters: int  # LoRA adapter weights, fp32
    gradients: int  # fp32 gradients (+ the out-of-place sum of a tied embedding's two gradients)
    optimizer_state: int  # AdamW moments (fp32, or 8-bit blocks + scales)
    optimizer_paged: int  # part of optimizer_state in paged (unified) memory, outside the allocator
    optimizer_temp: int  # temporaries of the optimizer step
    activations: int  # tensors kept for backward + one block's backward working set
    logits: int  # fp32 logits / log-softmax / their gradients for the loss
    overlap: int  # counted above but never alive at the same moment (subtracted)
    runtime: int  # cuBLAS workspaces (inside PyTorch's allocator)
    fragmentation: int  # allocator overhead: reserved minus allocated
    cuda_context: int  # CUDA context and kernels (outside PyTorch's allocator)

    @property
    def peak_allocated(self) -> int:
        """Peak of live tensors incl. paged state; compare with torch.cuda.max_memory_allocated
        (which does not see the paged part: `peak_allocated - optimizer_paged`)."""
        parts = (
            self.weights,
            self.weight_copies,
            self.adapters,
            self.gradients,
            self.optimizer_state,
            self.optimizer_temp,
            self.activations,
            self.logits,
            self.runtime,
        )
        return sum(parts) - self.overlap

    @property
    def total(self) -> int:
        """What the GPU must have free: peak tensors + allocator overhead + CUDA context."""
        return self.peak_allocated + self.fragmentation + self.cuda_context

    def rows(self) -> list[tuple[str, int]]:
        """(label, bytes) rows of the table, in the order they add up."""
        o = self.settings.optim
        return [
            ("weights (base model)", self.weights),
            ("16-bit weight copies (autocast)", self.weight_copies),
            ("LoRA adapters (fp32)", self.adapters),
            ("gradients (fp32)", self.gradients),
            (f"optimizer state ({o})", self.optimizer_state),
            ("optimizer step temporaries", self.optimizer_temp),
            ("activations (kept for backward)", self.activations),
            ("logits + loss (fp32)", self.logits),
            ("freed before the peak (overlap)", -self.overlap),
            ("cuBLAS workspaces", self.runtime),
            ("= peak of live tensors", self.peak_allocated),
            (f"allocator fragmentation (x{FRAGMENTATION_FACTOR:.2f})", self.fragmentation),
            ("CUDA context", self.cuda_context),
            ("= total GPU memory needed", self.total),
        ]

    def title(self) -> str:
        """One line naming the model and the settings."""
        s = self.settings
        lora = "" if s.method == "full" else f", LoRA r={s.r} on {_targets_text(s)}"
        ckpt = "on" if s.gradient_checkpointing else "off"
        return (
            f"{self.model}: {s.method}, {s.dtype}, batch {s.batch_size} x seq {s.max_length}, "
            f"checkpointing {ckpt}, {s.optim}{lora}"
        )

    def __str__(self) -> str:
        lines = [self.title(), f"{'component':<40}{'GiB':>9}"]
        for label, value in self.rows():
            if label.startswith("="):
                lines.append("-" * 49)
            lines.append(f"{label:<40}{value / GIB:>9.3f}")
        if self.optimizer_paged:
            lines.append(
                f"({self.optimizer_paged / GIB:.3f} GiB of optimizer state is paged: "
                "it can move to CPU RAM)"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        bold = " style='font-weight:bold'"
        body = "".join(
            f"<tr{bold if label.startswith('=') else ''}>"
            f"<td style='text-align:left'>{escape(label)}</td><td>{value / GIB:.3f}</td></tr>"
            for label, value in self.rows()
        )
        return (
            f"<table><caption style='text-align:left'>{escape(self.title())}</caption>"
            f"<tr><th style='text-align:left'>component</th><th>GiB</th></tr>{body}</table>"
        )


def estimate_memory(
    config: Any, settings: MemorySettings | None = None, **overrides: Any
) -> MemoryEstimate:
    """Estimate peak GPU memory of one training step for a model config and training settings.

    `config`: a config.json path or folder, a dict, or a transformers config (no weights needed).
    Settings: a MemorySettings and/or keyword overrides, e.g. `method="qlora", batch_size=8`.
    """
    arch = load_arch(config)
    s = make_settings(settings, **overrides)
    opt_state, paged = par.optimizer_bytes(arch, s)
    dyn = _dynamic_parts(arch, s)
    peak_dynamic = max(dyn.pop("phases"))
    overlap = max(0, sum(dyn.values()) - peak_dynamic)
    weights, adapters = par.weight_bytes(arch, s), par.adapter_bytes(arch, s)
    allocated = weights + adapters + opt_state + CUBLAS_WORKSPACE_BYTES + peak_dynamic - paged
    return MemoryEstimate(
        model=_short_name(arch),
        settings=s,
        params=arch.total_params(),
        trainable_params=par.trainable_params(arch, s),
        weights=weights,
        adapters=adapters,
        optimizer_state=opt_state,
        optimizer_paged=paged,
        overlap=overlap,
        runtime=CUBLAS_WORKSPACE_BYTES,
        fragmentation=round((FRAGMENTATION_FACTOR - 1) * allocated),
        cuda_context=CUDA_CONTEXT_BYTES,
        **dyn,
    )


def _dynamic_parts(arch: ModelArch, s: MemorySettings) -> dict[str, Any]:
    """Sizes of the parts that come and go within a step, and the total at each peak moment."""
    n, e, vh = s.tokens, s.compute_bytes, arch.vocab_size * arch.hidden_size
    full, ckpt = s.method == "full", s.gradient_checkpointing
    block = act.block_saved_per_token(arch, s)
    per_block = act.checkpoint_saved_per_token(arch, s) if ckpt else block
    per_token = arch.num_layers * per_block + act.head_saved_per_token(arch, s)
    stored = n * per_token + act.rope_bytes(arch, s)
    copies_blocks, copies_head = par.autocast_copy_bytes(arch, s)
    # With checkpointing the blocks' weight copies are dropped after forward and remade per block.
    copies_kept = copies_head + (0 if ckpt else copies_blocks)
    working = _block_backward_bytes(arch, s, copies_blocks)
    n_logits = s.logit_tokens  # positions the LM head projects (all, or answer positions only)
    logits_fwd = n_logits * act.logits_forward_per_token(arch, s)
    logits_bwd = n_logits * act.logits_backward_per_token(arch, s)
    head_grad = 4 * vh if full else 0  # fp32 gradient of lm_head (of the embedding, when tied)
    head_temp = e * vh if full else 0  # lm_head's weight gradient as the matmul returns it
    # Tied embeddings: autograd sums the lm_head and embedding gradients out of place at the end.
    grads = par.gradient_bytes(arch, s) + (2 * head_grad if arch.tie_word_embeddings else 0)
    step_temp = par.optimizer_step_temp_bytes(arch, s)
    grad_logits = e * arch.vocab_size * n_logits  # the logits' gradient after the cast back
    phases = (
        copies_blocks + copies_head + stored + logits_fwd,  # end of forward (loss computed)
        copies_kept + stored + logits_bwd,  # first backward step (through the loss)
        copies_kept + stored + grad_logits + head_temp,  # lm_head backward
        copies_kept - copies_head + stored + head_temp + head_grad,  # its gradient cast to fp32
        copies_kept - copies_head + stored + working + head_grad,  # last block's backward
        grads,  # end of backward
        par.gradient_bytes(arch, s) + step_temp,  # optimizer step (activations are gone)
    )
    return {
        "weight_copies": copies_blocks + copies_head,
        "gradients": grads,
        "optimizer_temp": step_temp,
        "activations": stored + max(working, head_temp),
        "logits": max(logits_fwd, logits_bwd),
        "phases": phases,
    }


def _block_backward_bytes(arch: ModelArch, s: MemorySettings, copies_blocks: int) -> int:
    """Extra memory while one block runs backward: gradient buffers, plus (checkpointing) the
    block's recomputed activations and weight copies, plus (QLoRA) one dequantized weight."""
    n = s.tokens
    recompute = n * act.block_saved_per_token(arch, s) + copies_blocks // arch.num_layers
    return (
        (recompute if s.gradient_checkpointing else 0)
        + n * act.block_backward_working_per_token(arch, s)
        + par.dequant_temp_bytes(arch, s)
    )


def _short_name(arch: ModelArch) -> str:
    parts = arch.name.replace("\\", "/").rstrip("/").split("/")
    if parts[-1] == "config.json" and len(parts) > 1:
        return parts[-2]
    return parts[-1] or arch.name


def _targets_text(s: MemorySettings) -> str:
    return s.target_modules if isinstance(s.target_modules, str) else "+".join(s.target_modules)
