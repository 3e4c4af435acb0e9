"""4-bit weights handled exactly: dequantize an NF4 model, keep CPU numerics as in training.

CPU note (measured, bitsandbytes 0.50): on CPUs with AVX512-BF16, a Linear4bit layer in eval
mode repacks its weights in place at the first forward and then computes in bf16 with bf16 block
scales — inference numerics differ from training numerics, dequantizing a repacked weight
(what peft's merge into 4-bit does) returns wrong weights, and training after it backpropagates
through a kernel without autograd (wrong gradients; the same family as bitsandbytes issue
#2078). `exact_4bit_numerics` switches that path off; helpers.models.load_base and every loader in
helpers.export call it.
"""

from __future__ import annotations

import copy


def exact_4bit_numerics(model) -> int:
    """Make every bitsandbytes Linear4bit compute as in training; returns the layers changed.

    Turns off the CPU AVX512-BF16 inference path (repacked weights, bf16 compute) and unpacks
    weights it already repacked. Unpacking restores the 4-bit codes exactly, but the block scales
    were rounded to bf16 by the repack: for an exact comparison, load the base fresh.
    """
    import bitsandbytes as bnb
    from bitsandbytes.functional import _convert_weight_packed_for_cpu_inverse

    changed = 0
    for module in model.modules():
        if not isinstance(module, bnb.nn.Linear4bit):
            continue
        weight = module.weight
        if getattr(weight.quant_state, "packing_format_for_cpu", False):
            weight.data, weight.quant_state = _convert_weight_packed_for_cpu_inverse(
                weight.data, weight.quant_state)
        module.support_avx512bf16_for_cpu = False
        changed += 1
    return changed


def dequantize_model(model_4bit, dtype=None):
    """A new full-precision model whose weights are exactly the 4-bit model's dequantized ones.

    Every NF4 Linear becomes an nn.Linear holding `dequantize_4bit(weight)`; every other tensor
    (embeddings, norms, lm_head) is copied. `dtype` defaults to float32: merging a small LoRA
    delta into 16-bit weights would round part of it away. The copy is built on the CPU (RAM
    is where a T4 has room), then moved to the 4-bit model's device. Pass a plain model, not a
    PeftModel (load the base again with helpers.models.load_base).
    """
    import bitsandbytes as bnb
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    # Imported here: export imports this module at its top (and models.load_base imports it,
    # which should not pull in export).
    from helpers.export import ExportError

    if isinstance(model_4bit, PeftModel):
        raise ExportError("dequantize_model needs the plain 4-bit base, not a PeftModel: load it "
                          "again with helpers.models.load_base(settings) and pass that")
    if not getattr(model_4bit, "is_loaded_in_4bit", False):
        raise ExportError("dequantize_model: this model is not loaded in 4-bit; it is already "
                          "full precision — merge into it directly")
    exact_4bit_numerics(model_4bit)
    dtype = dtype or torch.float32
    config = copy.deepcopy(model_4bit.config)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    state = {}
    for name, module in model_4bit.named_modules():
        prefix = f"{name}." if name else ""
        if isinstance(module, bnb.nn.Linear4bit):
            w = module.weight
            state[prefix + "weight"] = bnb.functional.dequantize_4bit(w.data, w.quant_state)
            if module.bias is not None:
                state[prefix + "bias"] = module.bias.data
        else:
            state.update({prefix + k: v for k, v in module.named_parameters(recurse=False)})
            state.update({prefix + k: v for k, v in module.named_buffers(recurse=False)
                          if k not in module._non_persistent_buffers_set})  # e.g. rotary freqs
    full = AutoModelForCausalLM.from_config(config, dtype=dtype)
    missing, unexpected = full.load_state_dict(
        {k: v.detach().to("cpu", dtype) for k, v in state.items()}, strict=False)
    tied = set(getattr(full, "_tied_weights_keys", None) or ()) | {"lm_head.weight"}
    if unexpected or set(missing) - tied:
        raise ExportError(f"dequantize_model: weights did not line up (missing {missing}, "
                          f"unexpected {unexpected}); is this a transformers causal LM?")
    full.generation_config = copy.deepcopy(model_4bit.generation_config)
    return full.to(model_4bit.device).eval()
