"""Activation memory of one training step, per token, from the model shape alone.

The formula counts the tensors autograd keeps for backward in a transformers Llama/Qwen2 block
(verified tensor by tensor with `torch.autograd.graph.saved_tensors_hooks` on CPU). Notation, per
token: h = hidden_size, q = heads * head_dim, kv = kv_heads * head_dim, i = intermediate_size,
r = LoRA rank, V = vocab_size, e = bytes of the compute dtype (2 for bf16/fp16, 4 for fp32).

Kept per token by one block (no checkpointing), 16-bit LoRA on all seven linear layers:
    norms 2 * (4h + 4)            fp32 copy of each RMSNorm input (+ 4h each if norms train)
    SDPA  e * (2q + 2kv) + 4*heads q, k, v, output, log-sum-exp
    MLP   3e * i                  gate output, SiLU output, up output
    LoRA  e * (5h + q + i) + 7e*r  each adapter's input copy and its rank-r output
Full fine-tuning keeps the linear inputs instead of the adapters' (e * (5h + i)). With
gradient checkpointing a block keeps only its input (h values), and one block at a time is
recomputed during backward. Plus, once: the loss buffers below, and one block's backward
working set (block_backward_working_per_token).

Assumptions (state them when you quote a number):
- Attention is SDPA with a flash / memory-efficient / cuDNN kernel and no padding mask (packed or
  equal-length batches): it keeps q, k, v, its output and a fp32 log-sum-exp per head — no
  seq_len x seq_len matrix. `attn_implementation="eager"` or a padding mask adds
  batch * heads * seq_len^2 * e per layer; this estimate does not.
- 16-bit training runs under autocast (what Trainer's bf16=/fp16= flags do). Autocast casts a
  linear layer's input separately for each layer that reads it, so q, k and v each keep their
  own copy of the normalised hidden state.
- RMSNorm computes in fp32: it keeps a fp32 copy of its input (4h) whatever the dtype.
- Frozen base layers (LoRA/QLoRA) keep nothing; the adapter's lora_A keeps a copy of the input.
- The loss upcasts logits to fp32 (transformers' ForCausalLMLoss): the forward holds the 16-bit
  logits, their fp32 copy and the fp32 log-softmax; the first backward step holds the
  log-softmax, its gradient and the logits' gradient, all fp32: 12 bytes per token per vocab
  entry. For small models with large vocabularies this is the largest single buffer.
"""

from __future__ import annotations

from helpers.memory.arch import ModelArch
from helpers.memory.settings import MemorySettings

# While one block runs backward it holds a few gradient buffers the size of its MLP (grads of
# gate, up, their product; with LoRA in 16-bit also fp32 copies from peft's dtype casts) plus
# some of the residual width. Fitted to tensor-level measurements (torch MemTracker, CPU,
# transformers 5 / peft 0.21 / torch 2.13) over 32 small configurations: within 10% for
# 2-layer models, where this term is half the total; for real 16-32-layer models with large
# vocabularies the stored activations and the logits dominate and this term matters little.
MLP_BACKWARD_BUFFERS = 2.0
MLP_BACKWARD_BUFFERS_LORA_16BIT = 3.5
MLP_BACKWARD_BUFFERS_CHECKPOINTING = 0.5  # extra while a block is being recomputed
RESIDUAL_BACKWARD_BYTES = 4  # per hidden unit
LOGITS_FORWARD_FP32_BUFFERS = 2  # fp32 copy of logits + fp32 log-softmax
LOGITS_BACKWARD_FP32_BUFFERS = 3  # log-softmax + its gradient + gradient of the logits


def residual_bytes(s: MemorySettings) -> int:
    """Bytes per element of the residual stream: fp32 when the weights are fp32 (full fine-tuning
    keeps fp32 master weights, so the embedding output and every residual add stay fp32)."""
    return 4 if s.method == "full" or s.fp32_upcast else s.compute_bytes


def block_saved_per_token(arch: ModelArch, s: MemorySettings) -> int:
    """Bytes one decoder block keeps for backward, per token, without checkpointing."""
    h, i, e = arch.hidden_size, arch.intermediate_size, s.compute_bytes
    q, kv = arch.num_heads * arch.head_dim, arch.num_kv_heads * arch.head_dim
    full = s.method == "full"
    norms = 2 * (
        4 * h + 4 + (4 * h if full else 0)
    )  # fp32 input (+ fp32 normalised output if trained)
    if arch.qk_norm:
        norms += 4 * (q + kv)
    attention = e * (2 * q + 2 * kv) + 4 * arch.num_heads  # SDPA: q, k, v, output, log-sum-exp
    # gate output (for SiLU), SiLU output and up output (for their product); 4-bit layers
    # return their input's dtype, so after an fp32 upcast these are fp32
    mlp = 3 * (4 if s.fp32_upcast else e) * i
    return norms + attention + mlp + _linear_inputs(arch, s)


def _linear_inputs(arch: ModelArch, s: MemorySettings) -> int:
    """Inputs kept by the linear layers (full: every layer; LoRA: each adapter's lora_A)."""
    h, i, r, e = arch.hidden_size, arch.intermediate_size, s.r, s.compute_bytes
    shapes = arch.linear_shapes()
    autocast = e == 2
    if s.method == "full":
        # o_proj reads SDPA's output, which is already kept; fp32 layers share one copy per input.
        return e * (5 * h + i) if autocast else 4 * (2 * h + i)
    targets = s.targets()
    total = 0
    if (
        s.dropout > 0
    ):  # per adapter: CUDA's fused dropout keeps a 1-byte mask, plus the input copy
        total += sum((1 + e) * shapes[t][0] for t in targets)
    elif autocast:  # peft casts x to the fp32 adapter dtype, autocast casts it back: a copy each
        total += sum(e * shapes[t][0] for t in targets)
    else:  # fp32: lora_A keeps the very tensor the base layer read, shared by q/k/v and gate/up
        groups = (("q_proj", "k_proj", "v_proj"), ("gate_proj", "up_proj"), ("down_proj",))
        total += sum(4 * shapes[g[0]][0] for g in groups if any(t in targets for t in g))
    return total + len(targets) * e * r  # lora_A outputs, kept by lora_B


def head_saved_per_token(arch: ModelArch, s: MemorySettings) -> int:
    """Kept outside the blocks, per token: shifted labels, final norm, lm_head input.

    With a frozen embedding (LoRA) nothing before block 0 needs a gradient, so block 0's first
    norm keeps nothing."""
    h, e = arch.hidden_size, s.compute_bytes
    full = s.method == "full"
    final_norm = 4 * h + 4 + (4 * h if full else 0)
    lm_head_input = (e * h if e == 2 else 4 * h) if full else 0
    # prepare_kbit with checkpointing calls enable_input_require_grads: block 0's norm keeps too
    inputs_need_grad = full or (s.fp32_upcast and s.gradient_checkpointing)
    frozen_first_norm = 0 if inputs_need_grad else 4 * h + 4
    return 8 + final_norm + lm_head_input - frozen_first_norm


def rope_bytes(arch: ModelArch, s: MemorySettings) -> int:
    """RoPE's cos and sin tables, one (seq_len x head_dim) pair shared by all blocks."""
    return 2 * s.max_length * arch.head_dim * residual_bytes(s)


def checkpoint_saved_per_token(arch: ModelArch, s: MemorySettings) -> int:
    """With gradient checkpointing a block keeps only its input (one residual-stream vector)."""
    return residual_bytes(s) * arch.hidden_size


def block_backward_working_per_token(arch: ModelArch, s: MemorySettings) -> int:
    """Extra buffers while one block runs backward: gradient tensors of the MLP and residual."""
    lora_16bit = s.method != "full" and s.compute_bytes == 2
    buffers = MLP_BACKWARD_BUFFERS_LORA_16BIT if lora_16bit else MLP_BACKWARD_BUFFERS
    buffers += MLP_BACKWARD_BUFFERS_CHECKPOINTING if s.gradient_checkpointing else 0
    mlp = buffers * s.compute_bytes * arch.intermediate_size
    return round(mlp) + RESIDUAL_BACKWARD_BYTES * arch.hidden_size


def logits_forward_per_token(arch: ModelArch, s: MemorySettings) -> int:
    """End of forward: 16-bit logits (if 16-bit), fp32 logits, fp32 log-softmax."""
    e16 = s.compute_bytes if s.compute_bytes == 2 else 0
    return (e16 + 4 * LOGITS_FORWARD_FP32_BUFFERS) * arch.vocab_size


def logits_backward_per_token(arch: ModelArch, s: MemorySettings) -> int:
    """Start of backward: fp32 log-softmax, its gradient and the logits' gradient."""
    return 4 * LOGITS_BACKWARD_FP32_BUFFERS * arch.vocab_size
