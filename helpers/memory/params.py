"""Bytes of what lives as long as the model: weights, adapters, gradients, optimizer state.

Conventions (what transformers + peft + bitsandbytes do by default):
- Full fine-tuning keeps fp32 master weights and fp32 gradients and runs 16-bit under autocast
  (the only recipe that works for fp16, and what Trainer does with a model loaded in fp32).
- LoRA/QLoRA freeze the base in the compute dtype; peft keeps adapter weights in fp32
  (`autocast_adapter_dtype=True`), so adapters, their gradients and Adam states are fp32.
- QLoRA stores each block's linear weights as NF4: 4 bits per weight plus one fp32 scale
  (absmax) per 64 weights; double quantization stores those scales as 8-bit, with one fp32
  scale per 256 of them. Embedding, lm_head, norms and biases stay 16-bit — unless
  `prepare_kbit=True`: peft's `prepare_model_for_kbit_training` (which helpers.models calls
  for 4-bit bases) upcasts them to fp32.
"""

from __future__ import annotations

from math import ceil

from helpers.memory.arch import ModelArch
from helpers.memory.settings import DTYPE_BYTES, MemorySettings

NF4_BLOCK = 64  # weights per 4-bit quantization block (bitsandbytes default)
DOUBLE_QUANT_BLOCK = 256  # absmax values per block of the second quantization
ADAM8_BLOCK = 256  # bitsandbytes 8-bit optimizer block size
ADAM8_MIN_SIZE = 4096  # bitsandbytes keeps fp32 states for tensors smaller than this
PAGED_MIN_SIZE = 100_000  # bitsandbytes pages only state tensors at least this large


def nf4_bytes(numel: int, double_quant: bool) -> int:
    """Storage of one NF4-quantized weight matrix, with its scale constants and lookup tables."""
    blocks = ceil(numel / NF4_BLOCK)
    packed = (numel + 1) // 2 + 4 * 16  # 2 weights per byte + the 16-entry NF4 table
    if not double_quant:
        return packed + 4 * blocks
    # 8-bit scales, their fp32 scales, the 256-entry 8-bit table and the mean offset
    return packed + blocks + 4 * ceil(blocks / DOUBLE_QUANT_BLOCK) + 4 * 256 + 4


def weight_bytes(arch: ModelArch, s: MemorySettings) -> int:
    """The base model's weights as stored during training."""
    if s.method == "full":
        return 4 * arch.total_params()
    e = DTYPE_BYTES[s.dtype]
    if s.method == "lora":
        return e * arch.total_params()
    linear = sum(nf4_bytes(i * o, s.double_quant) for i, o in arch.linear_shapes().values())
    small = arch.num_layers * arch.layer_small_params() + arch.hidden_size  # norms, biases
    not_4bit = arch.embedding_params() + small
    return arch.num_layers * linear + (4 if s.fp32_upcast else e) * not_4bit


def trainable_tensors(arch: ModelArch, s: MemorySettings) -> list[tuple[int, int]]:
    """(numel, count) per kind of trainable tensor (8-bit optimizers treat small ones apart)."""
    shapes = arch.linear_shapes()
    if s.method != "full":
        r = s.r
        return [(r * shapes[t][0], arch.num_layers) for t in s.targets()] + [
            (shapes[t][1] * r, arch.num_layers) for t in s.targets()
        ]
    h, L = arch.hidden_size, arch.num_layers
    heads = arch.vocab_size * h
    out = [(heads, 1 if arch.tie_word_embeddings else 2), (h, 2 * L + 1)]  # embeddings; norms
    out += [(i * o, L) for i, o in shapes.values()]
    if arch.qkv_bias:
        out += [(shapes[t][1], L) for t in ("q_proj", "k_proj", "v_proj")]
    if arch.o_bias:
        out.append((h, L))
    if arch.mlp_bias:
        out += [(arch.intermediate_size, 2 * L), (h, L)]
    if arch.qk_norm:
        out.append((arch.head_dim, 2 * L))
    return out


def trainable_params(arch: ModelArch, s: MemorySettings) -> int:
    """Number of trained parameters (all of them, or the LoRA adapters)."""
    return sum(n * c for n, c in trainable_tensors(arch, s))


def adapter_bytes(arch: ModelArch, s: MemorySettings) -> int:
    """LoRA adapter weights (fp32); zero for full fine-tuning."""
    return 0 if s.method == "full" else 4 * trainable_params(arch, s)


def gradient_bytes(arch: ModelArch, s: MemorySettings) -> int:
    """One fp32 gradient per trained parameter."""
    return 4 * trainable_params(arch, s)


def optimizer_bytes(arch: ModelArch, s: MemorySettings) -> tuple[int, int]:
    """(optimizer state bytes, of which paged to unified memory) for AdamW's two moments."""
    if s.optim == "adamw":
        return 8 * trainable_params(arch, s), 0
    total = paged = 0
    for numel, count in trainable_tensors(arch, s):
        if numel < ADAM8_MIN_SIZE:
            total += count * 8 * numel
            continue
        total += count * (2 * numel + 2 * 4 * ceil(numel / ADAM8_BLOCK))
        if s.optim == "paged_adamw_8bit" and numel >= PAGED_MIN_SIZE:
            paged += count * 2 * numel
    return total, paged


def optimizer_step_temp_bytes(arch: ModelArch, s: MemorySettings) -> int:
    """torch's multi-tensor AdamW builds sqrt(v) for all parameters at once (one fp32 buffer);
    the bitsandbytes 8-bit kernels update in place."""
    return 4 * trainable_params(arch, s) if s.optim == "adamw" else 0


def autocast_copy_bytes(arch: ModelArch, s: MemorySettings) -> tuple[int, int]:
    """(16-bit copies of fp32 weights that autocast makes for the blocks, for lm_head).

    Autocast caches one 16-bit copy of every fp32 weight a matmul reads until the forward
    ends; backward keeps them. Only fp32 weights pay this in size: full fine-tuning's master
    weights, and the lm_head that prepare_kbit upcast.
    """
    e, vh = s.compute_bytes, arch.vocab_size * arch.hidden_size
    if e == 4:
        return 0, 0
    if s.method != "full":  # adapters; an fp32-upcast lm_head is cast (not cached) but kept too
        return e * trainable_params(arch, s), (e * vh if s.fp32_upcast else 0)
    return e * arch.num_layers * arch.layer_linear_params(), e * vh


def dequant_temp_bytes(arch: ModelArch, s: MemorySettings) -> int:
    """QLoRA dequantizes one weight matrix at a time to 16-bit for its matmul."""
    if s.method != "qlora":
        return 0
    return s.compute_bytes * max(i * o for i, o in arch.linear_shapes().values())
