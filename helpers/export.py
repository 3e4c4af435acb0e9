"""Merge a QLoRA adapter into a dequantized copy of its base, and export a standalone model.

Why not merge into the 4-bit weights? peft can (dequantize → add the LoRA delta → requantize),
but the requantize step rounds the merged weights to NF4 a *second* time, and the LoRA delta
is mostly smaller than one NF4 step, so much of what training learned is rounded away. Why not
merge into the original 16-bit base reloaded from the hub? The adapter was trained against the
*quantized* weights; the original ones differ from those by the whole 4-bit quantization error.
The faithful copy is the 4-bit base itself, dequantized: `dequantize_model` turns every NF4
layer into an ordinary Linear with exactly the weights the adapter was trained on (fp32, so the
small LoRA delta survives the addition), and the merge there matches the adapter model up to
float rounding. `compare_merges` measures all of this on your prompts.

    table = compare_merges(cfg.model, "runs/sft", prompts).table()
    out = export_merged(cfg.model, "runs/sft", "runs/export/sft-merged")
    verify_merged(adapter_model, out, prompts)     # raises nothing; read .passed / .max_abs

The 4-bit side (exact dequantization, the CPU repack) lives in helpers.quant.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from helpers.adapter_meta import write_meta
from helpers.config import ModelSettings
from helpers.paths import portable

# Re-exported: notebook 07 and users call export.dequantize_model / export.exact_4bit_numerics.
from helpers.quant import dequantize_model, exact_4bit_numerics


class ExportError(ValueError):
    """A merge or export could not be done as asked; the message says what to change."""


VARIANTS = {  # comparison row label → how the weights were made
    "adapter_4bit": "(a) adapter on the 4-bit base (what was trained)",
    "merged_dequantized": "(b) merged into the dequantized 4-bit base",
    "merged_4bit": "(c) merged into the 4-bit weights (requantized)",
    "merged_original": "(d) merged into the original base (reloaded unquantized)",
}
# verify_merged's default tolerance on |logit difference|, by dtype (of the merged weights or of
# the adapter model's compute, whichever is less precise: default_atol). fp32:
# the merged model computes x·(W+BA) where the adapter model computes x·W + (x·A)·B; the two
# differ only by float reassociation. 16-bit: the saved weights are rounded to 8 (bf16) or 11
# (fp16) mantissa bits. Measured on the bundled micro model (after a short SFT): fp32 ~5e-6,
# fp16 ~7e-3, bf16 ~6e-2 — while merging into the original base was off by ~0.6 and into the
# 4-bit weights by ~4. The defaults leave room above the first and stay below the second.
DEFAULT_ATOL = {"float32": 1e-3, "bfloat16": 0.25, "float16": 5e-2}


def default_atol(saved_dtype: str, compute_dtype: str) -> float:
    """verify_merged's tolerance: that of the less precise side of the comparison.

    Both sides round: the merged model by the dtype its weights were saved in, the adapter model
    by the dtype it computed in (fp16 on a T4, bf16 on Ampere+, whatever the reload's fp32).
    Reading only the saved dtype gave fp32's 1e-3 to a GPU run in fp16: a false failure.
    """
    for name in (saved_dtype, compute_dtype):
        if name not in DEFAULT_ATOL:
            raise ExportError(f"no default tolerance for dtype {name!r}: pass atol= yourself")
    return max(DEFAULT_ATOL[saved_dtype], DEFAULT_ATOL[compute_dtype])



def load_variant(settings: ModelSettings, adapter_dir: str | Path, variant: str):
    """(model, tokenizer) for one row of VARIANTS, built fresh from the base and the adapter."""
    from dataclasses import replace

    from helpers.models import load_adapter, load_base

    if variant not in VARIANTS:
        raise ExportError(f"unknown variant {variant!r}: choose one of {sorted(VARIANTS)}")
    if variant == "merged_original":
        base, tok = load_base(replace(settings, quant="none", dtype="float32"))
        return load_adapter(base, adapter_dir, "merge").merge_and_unload().eval(), tok
    base, tok = load_base(replace(settings, quant="4bit"))
    exact_4bit_numerics(base)
    if variant == "merged_dequantized":
        base = dequantize_model(base)
    model = load_adapter(base, adapter_dir, "merge")
    if variant == "adapter_4bit":
        return model.eval(), tok
    with warnings.catch_warnings():  # peft warns that a 4-bit merge rounds: we measure it
        warnings.simplefilter("ignore", UserWarning)
        merged = model.merge_and_unload()
    exact_4bit_numerics(merged)
    return merged.eval(), tok


def _prompt_logits(model, tokenizer, prompts: list) -> list:
    """Logits of each prompt on its own (no padding, so nothing but the weights differs)."""
    import torch

    from helpers.generate import prompt_ids

    out = []
    with torch.no_grad():
        for prompt in prompts:
            ids = torch.tensor([prompt_ids(tokenizer, prompt)], device=model.device)
            out.append(model(input_ids=ids).logits[0].float().cpu())
    return out


def logit_gap(reference: list, other: list) -> dict:
    """Max / mean |logit difference| and top-1 agreement between two lists of logits."""
    import torch

    diffs = torch.cat([(a - b).abs().flatten() for a, b in zip(reference, other)])
    top1 = torch.cat([a.argmax(-1) == b.argmax(-1) for a, b in zip(reference, other)])
    return {"max_abs_logit_diff": float(diffs.max()), "mean_abs_logit_diff": float(diffs.mean()),
            "top1_agreement": float(top1.float().mean())}


@dataclass
class MergeComparison:
    """What compare_merges measured: one row per variant, each against (a)."""

    rows: list[dict]  # variant, label, max/mean |Δlogit|, top-1 agreement, same greedy answers
    prompts: int  # how many prompts were compared
    max_new_tokens: int  # length of the greedy answers compared
    answers: dict = field(default_factory=dict)  # variant → greedy answers (for a look by eye)

    def row(self, variant: str) -> dict:
        return next(r for r in self.rows if r["variant"] == variant)

    def table(self):
        """The rows as a helpers.evaluate ResultTable (3 significant digits)."""
        from helpers.evaluate import ResultTable

        return ResultTable([{k: f"{v:.3g}" if isinstance(v, float) else v
                             for k, v in r.items() if k != "variant"} for r in self.rows])


def compare_merges(settings: ModelSettings, adapter_dir: str | Path, prompts: list,
                   max_new_tokens: int = 24, variants: tuple[str, ...] = tuple(VARIANTS)
                   ) -> MergeComparison:
    """Measure each merge against the adapter on the 4-bit base (a) on the same prompts.

    Prompts are chat messages (or raw strings). Logits are compared prompt by prompt; greedy
    answers of `max_new_tokens` are compared as text. Loads one fresh model per variant.
    """
    from helpers.generate import GenerationSettings, generate_batch

    gen = GenerationSettings(max_new_tokens=max_new_tokens)
    ref_logits, ref_answers, rows, answers = None, None, [], {}
    for variant in ("adapter_4bit", *[v for v in variants if v != "adapter_4bit"]):
        model, tok = load_variant(settings, adapter_dir, variant)
        logits = _prompt_logits(model, tok, prompts)
        texts = [g.text for g in generate_batch(model, tok, prompts, gen)]
        if ref_logits is None:  # the first variant is (a), the reference
            ref_logits, ref_answers = logits, texts
        same = sum(a == b for a, b in zip(ref_answers, texts)) / len(texts)
        rows.append({"variant": variant, "model": VARIANTS[variant],
                     **logit_gap(ref_logits, logits), "same_greedy_answer": same})
        answers[variant] = texts
        del model
    return MergeComparison(rows, len(prompts), max_new_tokens, answers)


def save_merged(model, tokenizer, out_dir: str | Path, dtype: str = "auto",
                metadata: dict | None = None) -> Path:
    """Save a merged model as a standalone folder: weights, config, tokenizer + chat template.

    Loads with plain `AutoModelForCausalLM.from_pretrained(out_dir)` / `AutoTokenizer`.
    dtype: "auto" = the hardware's compute dtype (fp32 on CPU, where bf16 matmuls are slow and
    would only add rounding; bf16/fp16 on a GPU, half the disk and memory); or a torch dtype
    name (casts `model` in place). The config files are scrubbed of machine paths;
    `tunelab.json` records the provenance.
    """
    from helpers.models import resolve_dtype

    out_dir = Path(out_dir)
    torch_dtype = resolve_dtype(dtype)
    model = model.to(torch_dtype)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    if not getattr(tokenizer, "chat_template", None):
        raise ExportError("the tokenizer has no chat template: load it with helpers.models "
                          "(load_base / load_tokenizer), which installs the kit's ChatML one")
    for path in out_dir.glob("*config.json"):  # not tokenizer.json: its vocab has "/" tokens
        data = json.loads(path.read_text(encoding="utf-8"))  # transformers' JSON: strings that
        data = portable(data, existing_only=True)  # start with "/" may be data, not paths
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    meta = {"format": "merged", "dtype": str(torch_dtype).replace("torch.", ""),
            **portable(metadata or {})}
    write_meta(out_dir, meta)
    return out_dir


def export_merged(settings: ModelSettings, adapter_dir: str | Path, out_dir: str | Path,
                  dtype: str = "auto") -> Path:
    """Merge the adapter into the dequantized 4-bit base and save it standalone (see above)."""
    model, tok = load_variant(settings, adapter_dir, "merged_dequantized")
    meta = {"base_model": settings.model, "adapter": str(adapter_dir),
            "merge": "adapter merged into the dequantized NF4 base (helpers.export)"}
    return save_merged(model, tok, out_dir, dtype, meta)


@dataclass
class Verification:
    """verify_merged's result: does the saved model reproduce the adapter model?"""

    passed: bool  # max_abs <= atol
    max_abs: float  # largest |logit difference| over every prompt position
    mean_abs: float  # mean |logit difference|
    top1_agreement: float  # share of positions with the same most likely next token
    atol: float  # the tolerance used
    adapter_effect: float  # max |logit change| the adapter makes on the base: for scale
    dtype: str  # dtype of the saved weights
    adapter_dtype: str = "float32"  # dtype the adapter model computed in (the less precise of
    #                                 the two sets the default tolerance: default_atol)

    def __str__(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (f"{verdict}: max |Δlogit| {self.max_abs:.2e} (tolerance {self.atol:g}, "
                f"{self.dtype} saved, {self.adapter_dtype} computed); mean {self.mean_abs:.2e}; "
                f"top-1 agreement {self.top1_agreement:.1%}; the adapter itself moves logits "
                f"by up to {self.adapter_effect:.3g}")


def verify_merged(adapter_model, merged_path: str | Path, prompts: list,
                  atol: float | None = None) -> Verification:
    """Load the saved model with plain transformers and compare its logits with the adapter's.

    `adapter_model` is the PeftModel (4-bit base + adapter) the merge came from; load it fresh
    (a model that already ran inference on an AVX512-BF16 CPU had its block scales rounded to
    bf16, see exact_4bit_numerics, which this calls). The default tolerance depends on the
    saved dtype and the adapter model's compute dtype (default_atol; DEFAULT_ATOL explains the
    numbers); the adapter's own effect on the logits is
    reported beside it, so a pass means something.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from helpers.train import compute_dtype_of

    merged_path = Path(merged_path)
    if not (merged_path / "config.json").exists():
        raise ExportError(f"{merged_path} has no config.json: pass the folder save_merged wrote")
    merged = AutoModelForCausalLM.from_pretrained(merged_path).eval()
    tok = AutoTokenizer.from_pretrained(merged_path)
    dtype = str(merged.dtype).replace("torch.", "")
    adapter_dtype = str(compute_dtype_of(adapter_model)).replace("torch.", "")
    exact_4bit_numerics(adapter_model)
    adapter_model.eval()
    ref = _prompt_logits(adapter_model, tok, prompts)
    with adapter_model.disable_adapter():
        base = _prompt_logits(adapter_model, tok, prompts)
    gap = logit_gap(ref, _prompt_logits(merged, tok, prompts))
    atol = default_atol(dtype, adapter_dtype) if atol is None else atol
    return Verification(passed=gap["max_abs_logit_diff"] <= atol, max_abs=gap["max_abs_logit_diff"],
                        mean_abs=gap["mean_abs_logit_diff"], top1_agreement=gap["top1_agreement"],
                        atol=atol, adapter_effect=logit_gap(ref, base)["max_abs_logit_diff"],
                        dtype=dtype, adapter_dtype=adapter_dtype)
